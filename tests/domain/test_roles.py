"""Job roles: who holds which, audited grants by admins only, and the process chart."""

from __future__ import annotations

import pytest

from crm_tui.config import ConfigError, config_from_dict
from crm_tui.domain import changes, roles, users
from crm_tui.domain.errors import DomainError, PermissionDenied
from crm_tui.models import AuditEvent, User


@pytest.fixture
def admin(database: str) -> User:
    return users.add_user("root", "Rita Root", role="admin")


def test_grant_holders_roles_of_and_revoke(admin: User, rep: User, manager: User) -> None:
    assert roles.grant(admin, rep, "Sales  Rep") is True  # normalised
    assert roles.grant(admin, rep, "sales rep") is False
    assert roles.grant(admin, rep, "billing") is True
    assert roles.grant(admin, manager, "sales rep") is True
    assert [u.login for u in roles.holders("sales rep")] == ["ann", "max"]
    assert roles.roles_of(rep) == ["sales rep", "billing"]  # config order
    assert AuditEvent.select().where(AuditEvent.table == "user_job_role").count() == 3
    users.set_user("max", active=False, actor=admin)
    assert [u.login for u in roles.holders("sales rep")] == ["ann"]  # active users only
    assert roles.revoke(admin, rep, "billing") is True
    assert roles.revoke(admin, rep, "billing") is False
    assert roles.roles_of(rep) == ["sales rep"]


def test_unknown_role_and_non_admins_are_refused(admin: User, rep: User, manager: User) -> None:
    with pytest.raises(DomainError, match="unknown job role 'astronaut'"):
        roles.grant(admin, rep, "astronaut")
    with pytest.raises(PermissionDenied, match="only an admin can change job roles"):
        roles.grant(manager, rep, "billing")
    assert roles.roles_of(rep) == []


def test_granting_is_undoable(admin: User, rep: User) -> None:
    roles.set_roles(admin, rep, ["delivery", "billing"])
    assert roles.roles_of(rep) == ["delivery", "billing"]
    changes.undo_last(admin)
    assert roles.roles_of(rep) == []


def test_managers_and_process_chart(admin: User, rep: User, manager: User) -> None:
    roles.grant(admin, rep, "sales rep")
    roles.grant(admin, manager, "sales manager")
    assert [u.login for u in roles.managers_of("sales rep")] == ["max"]
    assert [u.login for u in roles.responsible_for("sell")] == ["ann"]
    chart = {row.step: row for row in roles.process_chart()}
    assert chart["sell"].people == ("ann",) and chart["sell"].manager_role == "sales manager"
    assert chart["sell"].managers == ("max",)
    assert chart["deliver"].people == ()


def test_roles_config_is_validated() -> None:
    cfg = config_from_dict({"roles": {"names": ["seller", "boss"], "managers": {"seller": "boss"},
                                      "process": [{"key": "sell", "name": "Sell", "role": "seller"}]}})
    assert cfg.roles.manager_of("seller") == "boss"
    renamed = config_from_dict({"roles": {"names": ["seller"]}})  # default managers simply do not apply
    assert renamed.roles.manager_of("seller") is None
    with pytest.raises(ConfigError, match="roles.managers.seller: 'chief' is not one of roles.names"):
        config_from_dict({"roles": {"names": ["seller"], "managers": {"seller": "chief"}}})
    with pytest.raises(ConfigError, match=r"roles.process\[0\].role"):
        config_from_dict({"roles": {"names": ["seller"], "process": [{"key": "x", "name": "X", "role": "nobody"}]}})


def test_case_assignment_suggests_by_role_and_escalation_goes_to_the_role_manager(
        admin: User, rep: User, manager: User, cfg) -> None:  # type: ignore[no-untyped-def]
    from crm_tui.domain import cases

    kim = users.add_user("kim", "Kim Support")
    lee = users.add_user("lee", "Lee Lead")
    roles.grant(admin, kim, "support agent")
    roles.grant(admin, lee, "support lead")
    assert [u.login for u in cases.suggested_assignees()] == ["kim"]
    assert [u.login for u in cases.managers()][0] == "lee"  # the support lead first, then managers and admins
    case = cases.create(rep, cfg, subject="Refund")
    cases.escalate(rep, case.id, lee.id, "above my limit")  # a rep by permission, the lead by job role
    assert [c.id for c in cases.escalations_for(lee)] == [case.id]
