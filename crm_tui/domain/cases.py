"""Support cases: the SLA due time, assignment, escalation, answers and status flow.

- A case must be answered within `config.sla` hours for its priority
  (wall-clock hours from creation): `sla_due`.
- `owner` is the assignee; anyone may assign a case to an active user.
- Escalation hands a case to an active manager or admin (or a holder of the
  job role that takes escalations, `[[roles.process]]` step "escalate") with a reason,
  for what a rep may not decide (a refund, an upgrade). It clears
  `answered_at`, so the case waits on that manager's Today
  (`escalations_for(manager)`) until someone answers it.
- Status flow: new -> open -> waiting <-> open -> resolved -> closed;
  a resolved case may be reopened, a closed one is final.
"""

from __future__ import annotations

import datetime as dt

from crm_tui import clock, db
from crm_tui.config import Config
from crm_tui.domain import activities, changes, permissions, validation
from crm_tui.domain.errors import DomainError, NotFound
from crm_tui.models import CASE_PRIORITIES, Account, Case, Contact, User

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("open", "resolved"),
    "open": ("waiting", "resolved"),
    "waiting": ("open", "resolved"),
    "resolved": ("closed", "open"),
    "closed": (),
}
"""Allowed status changes: a new case may be resolved at once (answered on first contact)."""

ESCALATION_ROLES = ("manager", "admin")
FINISHED = ("resolved", "closed")


def get_case(case_id: int) -> Case:
    case = Case.get_or_none(Case.id == case_id)
    if case is None:
        raise NotFound(f"case {case_id} does not exist")
    return case


def sla_due_for(config: Config, priority: str, opened_at: dt.datetime) -> dt.datetime:
    """When a case opened at `opened_at` must be answered by."""
    priority = validation.choice(priority, "priority", CASE_PRIORITIES)
    return opened_at + dt.timedelta(hours=config.sla.hours(priority))


def _active_user(user_id: int, field: str) -> User:
    user = User.get_or_none(User.id == user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist", field)
    if not user.active:
        raise DomainError(f"{user.display_name} is deactivated", field)
    return user


@db.atomic
def create(
    actor: User,
    config: Config,
    *,
    subject: str,
    description: str = "",
    priority: str = "normal",
    account_id: int | None = None,
    contact_id: int | None = None,
    owner_id: int | None = None,
) -> Case:
    """Open a case; its SLA due time follows from its priority."""
    subject = validation.required(subject, "subject")
    description = validation.optional(description, "description", max_length=20000)
    priority = validation.choice(priority, "priority", CASE_PRIORITIES)
    account = contact = None
    if contact_id is not None:
        contact = Contact.get_or_none(Contact.id == contact_id)
        if contact is None:
            raise NotFound(f"contact {contact_id} does not exist", "contact")
    if account_id is not None:
        account = Account.get_or_none(Account.id == account_id)
        if account is None:
            raise NotFound(f"account {account_id} does not exist", "account")
    elif contact is not None and contact.account_id is not None:
        account = contact.account
    owner = _active_user(owner_id, "owner") if owner_id is not None else actor
    now = clock.utcnow_naive()
    with changes.action(actor):
        case = changes.create(
            Case, subject=subject, description=description, priority=priority, account=account,
            contact=contact, owner=owner, sla_due=sla_due_for(config, priority, now), last_touch_at=now,
        )
    return case


@db.atomic
def set_priority(actor: User, config: Config, case_id: int, priority: str) -> Case:
    """Change the priority; the SLA due time is recomputed from when the case was opened."""
    case = get_case(case_id)
    priority = validation.choice(priority, "priority", CASE_PRIORITIES)
    with changes.action(actor):
        changes.update(case, priority=priority, sla_due=sla_due_for(config, priority, case.created_at))
    return case


@db.atomic
def assign(actor: User, case_id: int, user_id: int, *, expected_version: int | None = None) -> Case:
    """Give the case to someone else (someone with the expertise)."""
    case = get_case(case_id)
    if case.status == "closed":
        raise DomainError("this case is closed")
    assignee = _active_user(user_id, "owner")
    with changes.action(actor):
        changes.update(case, expected_version, owner=assignee)
        activities.touch_record("case", case.id, clock.utcnow_naive())
    return case


def managers() -> list[User]:
    """Who a case may be escalated to: holders of the escalation job role first
    (the support lead), then the other active managers and admins."""
    active = list(User.select().where(User.active == True).order_by(User.display_name))  # noqa: E712
    leads = [user for user in active if permissions.holds_step_role(user, "escalate")]
    return leads + [user for user in active if user.role in ESCALATION_ROLES and user not in leads]


def suggested_assignees() -> list[User]:
    """Active holders of the job role that answers cases (the "support" step), least busy first."""
    from crm_tui.domain import roles

    holders = [user for user in User.select().where(User.active == True).order_by(User.login)  # noqa: E712
               if permissions.holds_step_role(user, "support")]
    first = roles.least_loaded(holders)
    return ([first] + [user for user in holders if user != first]) if first else []


@db.atomic
def escalate(
    actor: User, case_id: int, manager_id: int, reason: str, *, expected_version: int | None = None
) -> Case:
    """Escalate to a manager with a reason; it shows on the manager's Today until answered."""
    case = get_case(case_id)
    if case.status in FINISHED:
        raise DomainError(f"this case is {case.status}; reopen it before escalating")
    reason = validation.required(reason, "reason", "a reason for escalating", max_length=300)
    manager = _active_user(manager_id, "escalated_to")
    if manager.role not in ESCALATION_ROLES and not permissions.holds_step_role(manager, "escalate"):
        raise DomainError(f"{manager.display_name} is a {manager.role}: escalate to a manager or admin "
                          "(or to a holder of the job role that takes escalations)", "escalated_to")
    now = clock.utcnow_naive()
    with changes.action(actor):
        changes.update(case, expected_version, escalated_to=manager, escalated_at=now,
                       escalation_reason=reason, answered_at=None)
        activities.add_note(actor, "case", case.id, f"Escalated to {manager.display_name}: {reason}")
    return case


def escalations_for(user: User) -> list[Case]:
    """Cases escalated to this user and not answered yet, oldest escalation first."""
    return list(
        Case.select()
        .where((Case.escalated_to == user.id) & Case.answered_at.is_null() & Case.status.not_in(FINISHED))
        .order_by(Case.escalated_at, Case.id)
    )


@db.atomic
def answer(actor: User, case_id: int, text: str = "") -> Case:
    """The customer (or, after an escalation, the rep) got an answer; a new case becomes open.

    The answer text, when given, is kept as a note on the case.
    """
    case = get_case(case_id)
    if case.status == "closed":
        raise DomainError("this case is closed")
    now = clock.utcnow_naive()
    with changes.action(actor):
        values: dict[str, object] = {"answered_at": now}
        if case.status == "new":
            values["status"] = "open"
        changes.update(case, **values)
        if text.strip():
            activities.add_note(actor, "case", case.id, text)
        activities.touch_record("case", case.id, now)
    return case


def next_statuses(status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())


@db.atomic
def set_status(actor: User, case_id: int, status: str, *, expected_version: int | None = None) -> Case:
    """Move the case along its status flow; a move the flow does not allow is refused."""
    case = get_case(case_id)
    status = validation.choice(status, "status", tuple(TRANSITIONS))
    if status == case.status:
        return case
    allowed = next_statuses(case.status)
    if status not in allowed:
        where = f"it can go to: {', '.join(allowed)}" if allowed else "a closed case is final"
        raise DomainError(f"a {case.status} case cannot become {status}; {where}", "status")
    now = clock.utcnow_naive()
    with changes.action(actor):
        values: dict[str, object] = {"status": status}
        if status == "resolved" and case.answered_at is None:
            values["answered_at"] = now  # resolving it answers it
        changes.update(case, expected_version, **values)
        activities.touch_record("case", case.id, now)
    return case


def sla_breached(case: Case, at: dt.datetime | None = None) -> bool:
    """Answered after its SLA due time, or still unanswered past it."""
    if case.sla_due is None:
        return False
    if case.answered_at is not None:
        return case.answered_at > case.sla_due
    return (at or clock.utcnow_naive()) > case.sla_due
