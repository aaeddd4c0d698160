"""Audited writes: every create, update and delete leaves an AuditEvent.

All domain writes go through `create`, `update` and `delete` here, inside one
`@db.atomic` user action that `action()` names. That gives, in one mechanism:
the audit trail the timeline shows, conflict detection through `version`
(a stale save is refused with who changed the row and when), undo of a
user's last action, and the change token that other processes poll.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from contextvars import ContextVar
from decimal import Decimal
from typing import Any, Callable, Iterator, TypeVar

import peewee as pw

from crm_tui import db
from crm_tui.clock import utcnow_naive
from crm_tui.domain import permissions
from crm_tui.domain.errors import Conflict, DomainError
from crm_tui.models import (
    ALL_MODELS, RECORD_MODELS, Activity, AuditEvent, BaseModel, MoneyField, ScaledField, User, Versioned,
)

M = TypeVar("M", bound=BaseModel)

# Derived or bookkeeping columns: not shown as edits, not restored by undo.
UNAUDITED = frozenset({"created_at", "updated_at", "version", "last_touch_at", "next_activity_on",
                       "first_step_at"})

# Called with (table, row id) after undo restored a row, so modules that keep
# derived stamps (activities: the record's next activity day; methodology: an
# opportunity's first step) can redo them.
AFTER_REVERT: list[Callable[[str, int], None]] = []
STAMP_KEEPERS = ("crm_tui.domain.activities", "crm_tui.domain.methodology")
"""The modules that register AFTER_REVERT hooks when imported: undo imports them,
so a session that never loaded one (undo right after start-up) still redoes its stamps."""

# Listeners told about committed events (`on-create`, `on-complete` hooks): each
# gets one Event after the write's transaction committed, never inside it.
COMMITTED: list[Callable[["Event"], None]] = []

_current: ContextVar[tuple[str, User | None] | None] = ContextVar("crm_change", default=None)
_TABLES = {model._meta.table_name: model for model in ALL_MODELS}


@contextmanager
def action(user: User | None) -> Iterator[str]:
    """Group the writes of one user action under one change id (for undo)."""
    outer = _current.get()
    if outer is not None:
        yield outer[0]
        return
    change = uuid.uuid4().hex
    token = _current.set((change, user))
    try:
        yield change
    finally:
        _current.reset(token)


def _context() -> tuple[str, int | None]:
    change, user = _acting()
    return change, user.id if user is not None else None


def _acting() -> tuple[str, User | None]:
    current = _current.get()
    if current is None:
        raise RuntimeError("audited write outside changes.action()")  # a programming error
    return current


def _permit(kind: str, instance: BaseModel, fields: dict[str, Any]) -> None:
    """Every write is checked against the acting user's role (domain.permissions)."""
    permissions.check(_acting()[1], kind, instance, fields)


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date, Decimal)):
        return str(value)
    if isinstance(value, pw.Model):
        return value.get_id()
    return value


def _row(instance: BaseModel) -> dict[str, Any]:
    return {
        name: _plain(instance.__data__.get(name))
        for name in instance._meta.fields
        if name not in ("updated_at",)
    }


def _log(instance: BaseModel, kind: str, changes: dict[str, Any]) -> None:
    change, user_id = _context()
    AuditEvent.insert(
        change=change, user=user_id, table=instance._meta.table_name, row_id=instance.get_id(),
        action=kind, changes=json.dumps(changes, sort_keys=True), at=utcnow_naive(),
    ).execute()


@dataclass(frozen=True)
class Event:
    """A committed change other programs may care about (see interop.hooks).

    `name` is "create" (a record or an activity was created) or "complete"
    (an activity was marked done); `data` is the row as it is after the write.
    """

    name: str
    kind: str
    """lead, account, contact, opportunity, case or activity."""
    id: int
    user: str | None
    at: dt.datetime
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The JSON a hook reads on standard input (README: Hooks)."""
        return {
            "event": self.name, "kind": self.kind, "id": self.id, "user": self.user,
            "at": self.at.isoformat(timespec="seconds") + "Z", "data": self.data,
        }


_EVENT_KINDS = {model: kind for kind, model in RECORD_MODELS.items()} | {Activity: "activity"}


def _announce(name: str, instance: BaseModel) -> None:
    """Queue an event for the listeners, delivered only once the transaction committed."""
    if not COMMITTED:
        return
    _, user = _acting()
    event = Event(name, _EVENT_KINDS[type(instance)], instance.get_id(), user.login if user else None,
                  utcnow_naive(), _row(instance))

    def deliver() -> None:
        for listener in list(COMMITTED):
            listener(event)

    db.after_commit(deliver)


def create(model: type[M], **fields: Any) -> M:
    """Insert a row and audit it, if the acting user may."""
    _permit("create", model(**fields), fields)
    instance = model.create(**fields)
    _log(instance, "create", _row(instance))
    if model in _EVENT_KINDS:
        _announce("create", instance)
    return instance


def update(instance: M, expected_version: int | None = None, **fields: Any) -> M:
    """Change fields of a row, refusing a stale save of a versioned row.

    `expected_version` is the version the user's form was loaded at; when
    None, the instance's own version is used (a read-then-write in one action).
    Returns the instance with its new values and version.
    """
    model = type(instance)
    diff: dict[str, Any] = {}
    for name, new in fields.items():
        if name not in model._meta.fields:
            raise AttributeError(f"{model.__name__} has no field {name}")
        old = instance.__data__.get(name)
        if isinstance(new, pw.Model):
            new = new.get_id()
        if old != new:
            diff[name] = new
    if not diff:
        return instance
    _permit("update", instance, diff)
    diff["updated_at"] = utcnow_naive()
    query = model.update(**diff).where(model._meta.primary_key == instance.get_id())
    if isinstance(instance, Versioned):
        version = instance.version if expected_version is None else expected_version
        diff["version"] = version + 1
        query = model.update(**diff).where(
            (model._meta.primary_key == instance.get_id()) & (model.version == version)
        )
    if query.execute() != 1:
        raise stale(instance)
    audited = {
        name: [_plain(instance.__data__.get(name)), _plain(value)]
        for name, value in diff.items()
        if name not in UNAUDITED
    }
    for name, value in diff.items():
        instance.__data__[name] = value
        instance._dirty.discard(name)
    if audited:
        _log(instance, "update", audited)
    if model is Activity and diff.get("status") == "done":
        _announce("complete", instance)
    return instance


def touch(instance: M, **fields: Any) -> None:
    """Set derived columns (last touch, next activity) without a version bump or audit."""
    model = type(instance)
    model.update(**fields).where(model._meta.primary_key == instance.get_id()).execute()
    instance.__data__.update(fields)


def delete(instance: BaseModel) -> None:
    _permit("delete", instance, {})
    _log(instance, "delete", _row(instance))
    instance.delete_instance()


def stale(instance: BaseModel) -> DomainError:
    """The error for a save that lost the race: who changed the row, and when."""
    model = type(instance)
    if model.get_or_none(model._meta.primary_key == instance.get_id()) is None:
        return Conflict(f"this {model.__name__.lower()} was deleted by someone else")
    last = last_change(instance)
    if last is None:
        return Conflict(f"this {model.__name__.lower()} was changed by someone else")
    who, when = last
    return Conflict(
        f"{who} changed this {model.__name__.lower()} at {when:%Y-%m-%d %H:%M} UTC; "
        "your input is kept: reload and apply it again",
        by=who, at=f"{when:%Y-%m-%d %H:%M}",
    )


def last_change(instance: BaseModel) -> tuple[str, dt.datetime] | None:
    """Who last changed a row and when (from the audit log)."""
    event = (
        AuditEvent.select(AuditEvent.at, User.display_name)
        .join(User, pw.JOIN.LEFT_OUTER, on=(AuditEvent.user == User.id))
        .where((AuditEvent.table == instance._meta.table_name) & (AuditEvent.row_id == instance.get_id()))
        .order_by(AuditEvent.id.desc())
        .tuples()
        .first()
    )
    if event is None:
        return None
    return (event[1] or "someone", event[0])


def gone_row(table: str, row_id: int) -> dict[str, Any]:
    """The values a row had when it was last created or deleted, from the audit
    log: for an undo hook whose row undo just removed (it undid a create)."""
    event = (
        AuditEvent.select(AuditEvent.changes)
        .where((AuditEvent.table == table) & (AuditEvent.row_id == row_id) & (AuditEvent.action != "update"))
        .order_by(AuditEvent.id.desc())
        .first()
    )
    return json.loads(event.changes) if event is not None else {}


def latest_change_id() -> int:
    """A token that grows with every committed write, by any process."""
    return AuditEvent.select(pw.fn.MAX(AuditEvent.id)).scalar() or 0


def _restore_value(model: type[pw.Model], name: str, value: Any) -> Any:
    field = model._meta.fields[name]
    if value is None:
        return None
    if isinstance(field, pw.ForeignKeyField):
        return value
    if isinstance(field, (MoneyField, ScaledField)):
        return Decimal(str(value))  # the audit log keeps exact decimals as text ("12.50"), not cents
    return field.python_value(value)


@db.atomic
def undo_last(user: User) -> list[tuple[str, int]]:
    """Revert the user's last action that is not yet undone, all of it.

    Refused, with nothing changed, when someone else has changed one of the
    rows since: undo never overwrites another user's work.
    Returns the (table, row id) pairs it restored.
    """
    last = (
        AuditEvent.select(AuditEvent.change)
        .where((AuditEvent.user == user.id) & (AuditEvent.undone == False))  # noqa: E712
        .order_by(AuditEvent.id.desc())
        .first()
    )
    if last is None:
        raise DomainError("nothing to undo")
    events = list(
        AuditEvent.select().where(AuditEvent.change == last.change).order_by(AuditEvent.id.desc())
    )
    newest = max(event.id for event in events)
    for module in STAMP_KEEPERS:
        importlib.import_module(module)
    with action(user):
        for event in events:
            later = (
                AuditEvent.select()
                .where(
                    (AuditEvent.table == event.table) & (AuditEvent.row_id == event.row_id)
                    & (AuditEvent.id > newest) & (AuditEvent.undone == False)  # noqa: E712
                )
                .first()
            )
            if later is not None:
                author = User.get_or_none(User.id == later.user_id)
                who = author.display_name if author is not None else "someone"
                raise Conflict(f"cannot undo: {who} changed it since, at {later.at:%H:%M}", by=who)
            _revert(event)
        for event in events:
            for hook in AFTER_REVERT:
                hook(event.table, event.row_id)
        AuditEvent.update(undone=True).where(AuditEvent.change == last.change).execute()
        # The revert's own events are bookkeeping, not a new action to undo.
        AuditEvent.update(undone=True).where(AuditEvent.change == _context()[0]).execute()
    return [(event.table, event.row_id) for event in events]


def _revert(event: AuditEvent) -> None:
    model = _TABLES[event.table]
    data = json.loads(event.changes)
    pk = model._meta.primary_key
    instance = model.get_or_none(pk == event.row_id)
    if event.action == "create":
        if instance is not None:
            delete(instance)
    elif event.action == "delete":
        values = {name: _restore_value(model, name, value) for name, value in data.items()}
        _permit("create", model(**values), values)
        model.insert(**values).execute()
        _log(model.get(pk == event.row_id), "create", data)
    elif instance is not None:
        update(instance, **{name: _restore_value(model, name, pair[0]) for name, pair in data.items()})
