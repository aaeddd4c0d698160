"""`crm users add|list|set|roles`: who may use the CRM, with which role, job roles and zone."""

from __future__ import annotations

import argparse

from crm_tui.cli import CommandError, Context, UsageError
from crm_tui.domain import roles, users


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("users", help="add, list and change CRM users", parents=[common])
    actions = parser.add_subparsers(dest="users_action", metavar="ACTION", required=True,
                                    parser_class=type(parser))
    add = actions.add_parser("add", help="add a user", parents=[common])
    add.add_argument("login", help="their OS login on the server")
    add.add_argument("--name", default="", help="display name")
    add.add_argument("--role", default="rep", choices=("rep", "manager", "admin"))
    add.add_argument("--tz", dest="time_zone", help="time zone, e.g. Europe/Berlin")
    add.add_argument("--capacity", help="minutes per working day, or seven values Monday first")
    add.add_argument("--email", default="")
    add.add_argument("--job-role", dest="job_roles", action="append", default=[], metavar="ROLE",
                     help="a job role from [roles] names (repeat for several), e.g. 'sales rep'")
    add.set_defaults(func=_add)

    listing = actions.add_parser("list", help="list users", parents=[common])
    listing.set_defaults(func=_list)

    change = actions.add_parser("set", help="change a user", parents=[common])
    change.add_argument("login")
    change.add_argument("--name", dest="display_name")
    change.add_argument("--role", choices=("rep", "manager", "admin"))
    change.add_argument("--tz", dest="time_zone")
    change.add_argument("--capacity")
    change.add_argument("--email")
    change.add_argument("--active", choices=("yes", "no"))
    change.set_defaults(func=_set)

    job = actions.add_parser("roles", help="show or change a user's job roles", parents=[common])
    job.add_argument("login")
    job.add_argument("--grant", action="append", default=[], metavar="ROLE", help="give this job role (repeatable)")
    job.add_argument("--revoke", action="append", default=[], metavar="ROLE", help="take this job role away (repeatable)")
    job.set_defaults(func=_roles)


def _admin(ctx: Context):  # type: ignore[no-untyped-def]
    """Only an admin manages users; the very first user of a database is one."""
    from crm_tui.models import User

    if User.select().count() == 0:
        return None
    actor = ctx.user()
    if actor.role != "admin":
        raise CommandError(f"only an admin can manage users; {actor.login} is a {actor.role}")
    return actor


def _add(ctx: Context) -> int:
    ctx.open()
    a = ctx.args
    user = users.add_user(a.login, a.name, role=a.role, time_zone=a.time_zone, capacity=a.capacity,
                          email=a.email, config=ctx.config, actor=_admin(ctx))
    if a.job_roles:
        roles.set_roles(_admin(ctx), user, a.job_roles, config=ctx.config)
    held = roles.roles_of(user, ctx.config)
    print(f"added {user.login} ({user.display_name}), {user.role}, {user.time_zone}"
          + (f"; job roles: {', '.join(held)}" if held else ""))
    return 0


def _list(ctx: Context) -> int:
    ctx.open()
    rows = [("LOGIN", "NAME", "ROLE", "JOB ROLES", "TIME ZONE", "CAPACITY", "ACTIVE")]
    held = roles.roles_by_user(ctx.config)
    for user in users.list_users():
        rows.append((user.login, user.display_name, user.role, ", ".join(held.get(user.id, [])) or "-",
                     user.time_zone, user.capacity, "yes" if user.active else "no"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    return 0


def _set(ctx: Context) -> int:
    ctx.open()
    a = ctx.args
    changes = {
        "display_name": a.display_name, "role": a.role, "time_zone": a.time_zone,
        "capacity": a.capacity, "email": a.email,
        "active": None if a.active is None else a.active == "yes",
    }
    if all(value is None for value in changes.values()):
        raise UsageError("users set: nothing to change; give --name, --role, --tz, --capacity, --email or --active")
    # Anyone may change their own name, zone, capacity and email; the domain decides.
    actor = ctx.user() if users.list_users() else None
    user = users.set_user(a.login, actor=actor, **changes)
    print(f"updated {user.login}: {user.role}, {user.time_zone}, capacity {user.capacity}, "
          f"{'active' if user.active else 'inactive'}")
    return 0


def _roles(ctx: Context) -> int:
    ctx.open()
    a = ctx.args
    user = users.get_user(a.login)
    if a.grant or a.revoke:
        actor = _admin(ctx)
        for role in a.grant:
            roles.grant(actor, user, role, config=ctx.config)
        for role in a.revoke:
            roles.revoke(actor, user, role, config=ctx.config)
    held = roles.roles_of(user, ctx.config)
    print(f"{user.login}: {', '.join(held) if held else 'no job roles'}")
    return 0
