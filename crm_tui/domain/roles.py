"""Job roles: who does which step of the business process.

`User.role` (rep, manager, admin) decides what a user may change; a job role
(`[roles] names` in config: sales rep, delivery, billing, ...) says what they
do. A user holds any number of job roles. Other modules ask here who holds a
role (lead and case assignment suggest by role, delivery activities go to the
delivery role, escalation goes to the role that manages a role), and
`crm process` prints the process steps against the roles and their people.

Grants and revocations are audited writes that only admins may make
(the rule lives in domain.permissions with the others).
"""

from __future__ import annotations

from dataclasses import dataclass

import peewee as pw

from crm_tui import db
from crm_tui.config import Config
from crm_tui.domain import changes
from crm_tui.domain.errors import DomainError
from crm_tui.models import Activity, User, UserJobRole


def _check(role: str, config: Config | None) -> str:
    role = " ".join(role.split()).lower()
    names = (config or Config()).roles.names
    if role not in names:
        raise DomainError(f"unknown job role {role!r}; choose one of: {', '.join(names)}", "role")
    return role


def holders(role: str) -> list[User]:
    """Active users holding `role`, by login."""
    return list(
        User.select()
        .join(UserJobRole, on=(UserJobRole.user == User.id))
        .where((UserJobRole.role == role) & (User.active == True))  # noqa: E712
        .order_by(User.login)
    )


def roles_of(user: User, config: Config | None = None) -> list[str]:
    """The job roles `user` holds, in the config's order (unknown ones last, by name)."""
    held = [row[0] for row in UserJobRole.select(UserJobRole.role).where(UserJobRole.user == user.id).tuples()]
    order = _order(config)
    return sorted(held, key=lambda name: (order.get(name, len(order)), name))


def holds(user: User, role: str) -> bool:
    return UserJobRole.select().where((UserJobRole.user == user.id) & (UserJobRole.role == role)).exists()


def _order(config: Config | None) -> dict[str, int]:
    return {name: i for i, name in enumerate((config or Config()).roles.names)}


def roles_by_user(config: Config | None = None) -> dict[int, list[str]]:
    """Every user's job roles in one query (for listings), in the config's order."""
    order = _order(config)
    result: dict[int, list[str]] = {}
    for user_id, role in UserJobRole.select(UserJobRole.user, UserJobRole.role).tuples():
        result.setdefault(user_id, []).append(role)
    for held in result.values():
        held.sort(key=lambda name: (order.get(name, len(order)), name))
    return result


@db.atomic
def grant(actor: User | None, user: User, role: str, *, config: Config | None = None) -> bool:
    """Give `user` the job role; False when they held it already."""
    role = _check(role, config)
    if holds(user, role):
        return False
    with changes.action(actor):
        changes.create(UserJobRole, user=user, role=role)
    return True


@db.atomic
def revoke(actor: User | None, user: User, role: str, *, config: Config | None = None) -> bool:
    """Take the job role away from `user`; False when they did not hold it."""
    role = " ".join(role.split()).lower()
    row = UserJobRole.get_or_none((UserJobRole.user == user.id) & (UserJobRole.role == role))
    if row is None:
        if role not in (config or Config()).roles.names:
            _check(role, config)
        return False
    with changes.action(actor):
        changes.delete(row)
    return True


@db.atomic
def set_roles(actor: User | None, user: User, roles: list[str], *, config: Config | None = None) -> list[str]:
    """Make `roles` exactly the job roles `user` holds (one audited action)."""
    wanted = {_check(role, config) for role in roles}
    with changes.action(actor):
        for row in UserJobRole.select().where(UserJobRole.user == user.id):
            if row.role not in wanted:
                changes.delete(row)
        have = set(roles_of(user, config))
        for role in sorted(wanted - have):
            changes.create(UserJobRole, user=user, role=role)
    return roles_of(user, config)


def managers_of(role: str, config: Config | None = None) -> list[User]:
    """Active holders of the role that manages `role` (escalations go to them)."""
    manager = (config or Config()).roles.manager_of(role)
    return holders(manager) if manager else []


def responsible_for(step: str, config: Config | None = None) -> list[User]:
    """Active users holding the role responsible for process step `step`."""
    try:
        role = (config or Config()).roles.step_role(step)
    except KeyError:
        raise DomainError(f"no process step {step!r}") from None
    return holders(role)


def least_loaded(users: list[User]) -> User | None:
    """Of `users`, the one with the fewest open activities (ties: by login)."""
    if not users:
        return None
    counts = dict(
        Activity.select(Activity.owner, pw.fn.COUNT(Activity.id))
        .where((Activity.owner.in_([u.id for u in users])) & (Activity.status == "open"))
        .group_by(Activity.owner)
        .tuples()
    )
    return min(users, key=lambda u: (counts.get(u.id, 0), u.login))


@dataclass(frozen=True)
class ProcessRow:
    """One line of `crm process`: a step, its role, the people, who manages them."""

    step: str
    name: str
    role: str
    people: tuple[str, ...]
    manager_role: str
    managers: tuple[str, ...]


def process_chart(config: Config | None = None) -> list[ProcessRow]:
    """The business process as steps against job roles and the people in them."""
    cfg = config or Config()
    rows = []
    for step in cfg.roles.process:
        manager = cfg.roles.manager_of(step.role) or ""
        rows.append(ProcessRow(
            step.key, step.name, step.role, tuple(u.login for u in holders(step.role)),
            manager, tuple(u.login for u in holders(manager)) if manager else (),
        ))
    return rows
