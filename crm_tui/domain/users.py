"""Users: who may sign in, their role, time zone and daily capacity."""

from __future__ import annotations

import zoneinfo

from crm_tui import db
from crm_tui.config import Config
from crm_tui.domain import changes
from crm_tui.domain.errors import DomainError, NotFound
from crm_tui.models import ROLES, User


def validate_time_zone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise DomainError(f"unknown time zone {name!r} (use a name like Europe/Berlin)", "time_zone") from None
    return name


def parse_capacity(text: str) -> str:
    """'420' for every working day, or seven comma-separated minutes, Monday first."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) not in (1, 7) or not all(part.isdigit() for part in parts):
        raise DomainError("capacity: one number of minutes, or seven separated by commas", "capacity")
    if len(parts) == 1:
        parts = [parts[0]] * 5 + ["0", "0"]
    return ",".join(str(int(part)) for part in parts)


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise DomainError(f"role must be one of {', '.join(ROLES)}", "role")
    return role


@db.atomic
def add_user(
    login: str,
    display_name: str = "",
    *,
    role: str = "rep",
    time_zone: str | None = None,
    capacity: str | None = None,
    email: str = "",
    config: Config | None = None,
    actor: User | None = None,
) -> User:
    login = login.strip()
    if not login or any(ch.isspace() for ch in login):
        raise DomainError("login must be one word, like the OS login", "login")
    if User.get_or_none(User.login == login) is not None:
        raise DomainError(f"user {login!r} exists already", "login")
    cfg = config or Config()
    with changes.action(actor):
        return changes.create(
            User,
            login=login,
            display_name=display_name.strip() or login,
            role=_check_role(role),
            time_zone=validate_time_zone(time_zone or cfg.default_time_zone),
            capacity=parse_capacity(capacity) if capacity else ",".join(map(str, cfg.capacity_minutes)),
            email=email,
        )


def get_user(login: str) -> User:
    user = User.get_or_none(User.login == login)
    if user is None:
        raise NotFound(f"no user {login!r}")
    return user


def list_users(*, active_only: bool = False) -> list[User]:
    query = User.select().order_by(User.login)
    if active_only:
        query = query.where(User.active == True)  # noqa: E712
    return list(query)


@db.atomic
def set_user(login: str, *, actor: User | None = None, **fields: str | bool) -> User:
    """Change a user's name, role, zone, capacity, email or active flag."""
    user = get_user(login)
    values: dict[str, object] = {}
    for name, value in fields.items():
        if value is None:
            continue
        if name == "role":
            values[name] = _check_role(str(value))
        elif name == "time_zone":
            values[name] = validate_time_zone(str(value))
        elif name == "capacity":
            values[name] = parse_capacity(str(value))
        elif name in ("display_name", "email", "phone", "active"):
            values[name] = value
        else:
            raise DomainError(f"cannot set {name}")
    with changes.action(actor):
        return changes.update(user, **values)


def resolve_login(login: str, config: Config | None = None) -> User:
    """The user a process acts as. The first login on an empty database becomes its admin."""
    user = User.get_or_none(User.login == login)
    if user is not None:
        if not user.active:
            raise DomainError(f"user {login!r} is deactivated; ask an admin to run: crm users set {login} --active yes")
        return user
    if User.select().count() == 0:
        return add_user(login, login, role="admin", config=config)
    raise NotFound(
        f"no CRM user for login {login!r}; an admin can add you with: crm users add {login} --name 'Your Name'"
    )
