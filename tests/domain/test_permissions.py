"""Roles enforced where every write passes (domain.changes), so no domain
function can bypass them: reps change their own, managers their team's,
admins everything; system actions (no actor) still work."""

from __future__ import annotations

import datetime as dt

import pytest

from crm_tui import db
from crm_tui.config import Permissions, config_from_dict
from crm_tui.domain import changes, permissions, users
from crm_tui.domain.errors import DomainError, PermissionDenied
from crm_tui.models import Account, Activity, AuditEvent, Lead, Note, User


@db.atomic
def create(actor: User | None, model: type, **fields: object):  # type: ignore[no-untyped-def]
    with changes.action(actor):
        return changes.create(model, **fields)


@db.atomic
def update(actor: User | None, instance, **fields: object):  # type: ignore[no-untyped-def]
    with changes.action(actor):
        return changes.update(instance, **fields)


@db.atomic
def delete(actor: User | None, instance) -> None:  # type: ignore[no-untyped-def]
    with changes.action(actor):
        changes.delete(instance)


@pytest.fixture
def bob(database: str) -> User:
    return users.add_user("bob", "Bob Brown", role="rep")


@pytest.fixture
def admin(database: str) -> User:
    return users.add_user("root", "Rita Root", role="admin")


def activity_fields(owner: User, record: Lead) -> dict[str, object]:
    return dict(type="call", subject="Call back", owner=owner, record_kind="lead", record_id=record.id,
                planned_date=dt.date(2026, 11, 19))


def test_a_rep_changes_their_own_record_but_not_a_colleagues(rep: User, bob: User) -> None:
    mine = create(rep, Lead, last_name="Mine", owner=rep)
    theirs = create(bob, Lead, last_name="Theirs", owner=bob)
    assert update(rep, mine, company="Acme").company == "Acme"
    events = AuditEvent.select().count()
    with pytest.raises(PermissionDenied) as refused:
        update(rep, theirs, company="Hijacked")
    assert isinstance(refused.value, DomainError)
    assert "you may not update this lead: it belongs to Bob Brown" in str(refused.value)
    assert "reps change only their own records" in str(refused.value)
    stored = Lead.get_by_id(theirs.id)
    assert (stored.company, stored.version) == ("", 1)
    assert AuditEvent.select().count() == events  # nothing written, nothing audited
    with pytest.raises(PermissionDenied):
        delete(rep, theirs)
    with pytest.raises(PermissionDenied, match="create this lead"):
        create(rep, Lead, last_name="For Bob", owner=bob)
    assert Lead.select().count() == 2


def test_unowned_records_are_the_shared_pool(rep: User) -> None:
    pooled = create(None, Lead, last_name="Web form")
    taken = update(rep, pooled, owner=rep.id)
    assert taken.owner_id == rep.id


def test_managers_change_everyone_s_records_when_no_teams_are_set(rep: User, manager: User) -> None:
    lead = create(rep, Lead, last_name="Lead", owner=rep)
    assert update(manager, lead, status="working").status == "working"
    assert permissions.can_edit(manager, lead)


def test_teams_limit_managers_and_can_share_records_between_reps(
    rep: User, bob: User, manager: User
) -> None:
    carl = users.add_user("carl", "Carl", role="rep")
    cfg = config_from_dict({"permissions": {"teams": {"east": ["max", "ann", "bob"], "west": ["carl"]}}})
    permissions.configure(cfg.permissions)
    east = create(rep, Lead, last_name="East", owner=rep)
    west = create(carl, Lead, last_name="West", owner=carl)
    assert update(manager, east, status="working").status == "working"
    with pytest.raises(PermissionDenied, match="managers change only their team's records"):
        update(manager, west, status="working")
    with pytest.raises(PermissionDenied):
        update(bob, east, company="Shared?")  # reps_edit_team is off by default

    permissions.configure(Permissions(teams=cfg.permissions.teams, reps_edit_team=True))
    assert update(bob, east, company="Shared").company == "Shared"
    with pytest.raises(PermissionDenied, match="and their team's"):
        update(bob, west, company="Not my team")


def test_activities_follow_their_owner_or_their_record(rep: User, bob: User) -> None:
    bobs_lead = create(bob, Lead, last_name="Bob's", owner=bob)
    my_lead = create(rep, Lead, last_name="Ann's", owner=rep)
    # Ann owns an activity on Bob's lead (he asked her to call): she may complete it.
    mine = create(bob, Activity, **activity_fields(rep, bobs_lead))
    assert update(rep, mine, status="done", outcome="connected").status == "done"
    # Ann may plan work for Bob on her own lead...
    assert create(rep, Activity, **activity_fields(bob, my_lead)).owner_id == bob.id
    # ...but not touch Bob's own activity on Bob's lead.
    his = create(bob, Activity, **activity_fields(bob, bobs_lead))
    with pytest.raises(PermissionDenied, match="this activity: it is Bob Brown's"):
        update(rep, his, subject="Mine now")
    assert Activity.get_by_id(his.id).subject == "Call back"


def test_notes_follow_their_record(rep: User, bob: User) -> None:
    bobs = create(bob, Account, name="Bob's account", owner=bob)
    with pytest.raises(PermissionDenied, match="a note on this account"):
        create(rep, Note, record_kind="account", record_id=bobs.id, body="hi", author=rep)
    note = create(bob, Note, record_kind="account", record_id=bobs.id, body="hi", author=bob)
    assert note.body == "hi"


def test_only_admins_manage_users_but_anyone_edits_their_own_profile(rep: User, manager: User, admin: User) -> None:
    with pytest.raises(PermissionDenied, match="only an admin can manage users; ann is a rep"):
        users.add_user("eve", actor=rep)
    with pytest.raises(PermissionDenied, match="max is a manager"):
        users.set_user("ann", actor=manager, role="admin")
    with pytest.raises(PermissionDenied):
        users.set_user("ann", actor=rep, role="admin")  # not even for oneself
    assert users.set_user("ann", actor=rep, time_zone="Europe/Paris", capacity="300").time_zone == "Europe/Paris"
    assert users.set_user("ann", actor=admin, role="manager").role == "manager"
    assert users.add_user("eve", actor=admin).login == "eve"
    assert User.get(User.login == "ann").role == "manager"


def test_system_actions_without_an_actor_still_work(database: str) -> None:
    first = users.resolve_login("founder")  # first-user bootstrap: no actor yet
    assert first.role == "admin"
    lead = create(None, Lead, last_name="Imported", owner=first)  # demo build, imports
    assert update(None, lead, company="Acme").company == "Acme"


def test_a_deactivated_user_cannot_change_anything(rep: User, admin: User) -> None:
    lead = create(rep, Lead, last_name="Mine", owner=rep)
    users.set_user("ann", actor=admin, active=False)
    with pytest.raises(PermissionDenied, match="ann is deactivated"):
        update(rep, lead, company="x")  # `rep` is the session's stale copy: the database decides


def test_undo_of_a_change_that_is_no_longer_mine_is_refused(rep: User, bob: User) -> None:
    lead = create(rep, Lead, last_name="Mine", owner=rep)
    update(rep, lead, owner=bob.id)  # Ann hands the lead to Bob
    users.set_user("bob", actor=None, display_name="Bob B.")  # unrelated system write
    with pytest.raises(PermissionDenied):
        changes.undo_last(rep)  # undoing would rewrite Bob's lead
    assert Lead.get_by_id(lead.id).owner_id == bob.id


def test_permissions_settings_are_read_from_config() -> None:
    cfg = config_from_dict({"permissions": {"reps_edit_team": True, "teams": {"east": ["max", "ann"]}}})
    assert cfg.permissions == Permissions(teams={"east": ("max", "ann")}, reps_edit_team=True)
    from crm_tui.config import ConfigError

    with pytest.raises(ConfigError, match="permissions.teams.east: expected a list"):
        config_from_dict({"permissions": {"teams": {"east": "max"}}})
    with pytest.raises(ConfigError, match="permissions.reps_edit_team: expected true or false"):
        config_from_dict({"permissions": {"reps_edit_team": "yes"}})


def test_a_demotion_takes_effect_in_an_open_session(manager: User, rep: User, admin: User) -> None:
    lead = create(rep, Lead, last_name="Ann's", owner=rep)
    assert update(manager, lead, company="Acme").company == "Acme"
    users.set_user("max", actor=admin, role="rep")
    with pytest.raises(PermissionDenied, match="reps change only their own records"):
        update(manager, lead, company="Still manager?")  # same User object, role now rep
