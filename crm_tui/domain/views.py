"""Saved views: a user's Records filter and sort under a name.

A view holds what the Records screen's controls hold: the kind (tab), the
scope (`mine`, `all` or `user:ID`), a status, a methodology step and the
sort. Saving under an existing name replaces it. Views are the user's own:
nobody else may change or delete them (an admin may). Saving is an audited
action like any other, so `u` undoes it.
"""

from __future__ import annotations

from typing import NamedTuple

from crm_tui import db
from crm_tui.domain import changes, permissions, records
from crm_tui.domain.errors import DomainError, NotFound, PermissionDenied
from crm_tui.models import RECORD_KINDS, SavedView, User

MAX_NAME = 60


class View(NamedTuple):
    id: int
    name: str
    kind: str
    scope: str
    status: str
    step: str
    sort: str

    @property
    def summary(self) -> str:
        """'Leads · mine · new · stalest first' for pickers."""
        parts = [records.KIND_LABELS[self.kind] + "s", self.scope if not self.scope.startswith("user:") else "one owner"]
        parts += [part for part in (self.status, self.step) if part]
        parts.append(f"sort {self.sort}")
        return " · ".join(parts)


def _rule(user: User, action: str, instance: SavedView, fields: dict) -> None:
    if user.role != "admin" and instance.owner_id != user.id:
        raise PermissionDenied("a saved view belongs to the user who saved it")


permissions.register(SavedView, _rule)


def _check(kind: str, scope: str, status: str, step: str, sort: str) -> None:
    if kind not in RECORD_KINDS:
        raise DomainError(f"record kind must be one of: {', '.join(RECORD_KINDS)}", "kind")
    if sort.lstrip("-") not in records.SORTS:
        raise DomainError(f"sort must be one of: {', '.join(records.SORTS)} (a leading - reverses)", "sort")
    if scope not in ("mine", "all") and not (scope.startswith("user:") and scope[5:].isdigit()):
        raise DomainError("scope is mine, all or user:ID", "scope")
    if status and status not in records.statuses(kind):
        raise DomainError(f"{status!r} is not a status of {kind}s", "status")
    if step and kind != "opportunity":
        raise DomainError("only opportunities are filtered by step", "step")


@db.atomic
def save(user: User, name: str, *, kind: str, scope: str = "mine", status: str = "", step: str = "",
         sort: str = "name") -> View:
    """Save (or replace) the user's view called `name`."""
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("give the view a name", "name")
    if len(name) > MAX_NAME:
        raise DomainError(f"a view name has at most {MAX_NAME} characters", "name")
    _check(kind, scope, status or "", step or "", sort)
    values = {"kind": kind, "scope": scope, "status": status or "", "step": step or "", "sort": sort}
    existing = SavedView.get_or_none((SavedView.owner == user.id) & (SavedView.name == name))
    with changes.action(user):
        row = (changes.create(SavedView, owner=user.id, name=name, **values) if existing is None
               else changes.update(existing, **values))
    return _view(row)


def _view(row: SavedView) -> View:
    return View(row.id, row.name, row.kind, row.scope, row.status, row.step, row.sort)


def list_views(user: User) -> list[View]:
    """The user's views, by name."""
    rows = SavedView.select().where(SavedView.owner == user.id).order_by(SavedView.name)
    return [_view(row) for row in rows]


def get(user: User, name: str) -> View:
    row = SavedView.get_or_none((SavedView.owner == user.id) & (SavedView.name == name))
    if row is None:
        raise NotFound(f"no saved view called {name!r}")
    return _view(row)


@db.atomic
def delete(user: User, name: str) -> str:
    row = SavedView.get_or_none((SavedView.owner == user.id) & (SavedView.name == name))
    if row is None:
        raise NotFound(f"no saved view called {name!r}")
    with changes.action(user):
        changes.delete(row)
    return name
