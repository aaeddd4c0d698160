"""Saved Records views: save, replace by name, list, refuse bad values, private to their owner."""

from __future__ import annotations

import pytest

from crm_tui.domain import changes, users, views
from crm_tui.domain.errors import DomainError, NotFound, PermissionDenied
from crm_tui.models import SavedView, User


def test_save_replace_list_delete(rep: User, manager: User) -> None:
    views.save(rep, "Stale leads", kind="lead", scope="mine", status="working", sort="last_touch")
    views.save(rep, "All cases", kind="case", scope="all", sort="-created")
    views.save(manager, "Stale leads", kind="lead", scope="all")  # the same name, another user's view
    assert [v.name for v in views.list_views(rep)] == ["All cases", "Stale leads"]
    stale = views.get(rep, "Stale leads")
    assert (stale.kind, stale.scope, stale.status, stale.sort) == ("lead", "mine", "working", "last_touch")
    assert stale.summary == "Leads · mine · working · sort last_touch"

    views.save(rep, "Stale leads", kind="lead", scope="all", status="new", sort="name")  # replaces
    assert views.get(rep, "Stale leads").scope == "all" and SavedView.select().count() == 3
    changes.undo_last(rep)  # saving is an action like any other
    assert views.get(rep, "Stale leads").scope == "mine"

    views.delete(rep, "All cases")
    with pytest.raises(NotFound):
        views.get(rep, "All cases")


@pytest.mark.parametrize(("values", "field"), [
    ({"name": " ", "kind": "lead"}, "name"),
    ({"name": "x", "kind": "widget"}, "kind"),
    ({"name": "x", "kind": "lead", "sort": "colour"}, "sort"),
    ({"name": "x", "kind": "lead", "scope": "theirs"}, "scope"),
    ({"name": "x", "kind": "account", "status": "new"}, "status"),
    ({"name": "x", "kind": "lead", "step": "demo"}, "step"),
])
def test_bad_values_name_the_field(rep: User, values: dict, field: str) -> None:
    values = dict(values)
    name = values.pop("name")
    with pytest.raises(DomainError) as err:
        views.save(rep, name, **values)
    assert err.value.field == field


def test_views_are_private(rep: User, database: str) -> None:
    views.save(rep, "Mine", kind="lead")
    other = users.add_user("bob", "Bob", role="manager")
    row = SavedView.get()
    from crm_tui.domain import permissions

    with pytest.raises(PermissionDenied):
        permissions.check(other, "update", row, {"scope": "all"})
    assert views.list_views(other) == []
