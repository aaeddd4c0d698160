"""Who may change what, enforced where every write passes: domain.changes.

Reps change the records and activities they own (and, when
`[permissions] reps_edit_team = true`, those of their team mates); managers
change their team's records; admins change everything and are the only ones
who manage users. Everyone may read everything. A write without an acting
user (actor None: first-user bootstrap, demo build, imports an admin runs) is
the system's own and is allowed.

`domain.changes` calls `check()` before each create, update and delete, so no
domain function can bypass the rules by forgetting to ask. The UI may use
`can_edit()` to dim what a user cannot change; that is a convenience, not the
enforcement. A new model gets its rule with `register()`; a model without a
rule is not restricted. Derived stamps written by `changes.touch` (last
touch, next activity) are not checked: they follow from a write that was.

The policy is process-wide: the CLI (the composition root) calls
`configure(config.permissions)` once; tests call it to try other settings.
"""

from __future__ import annotations

from typing import Any, Callable

import peewee as pw

from crm_tui.config import Permissions, Roles
from crm_tui.domain.errors import PermissionDenied
from crm_tui.models import (
    RECORD_MODELS, Activity, EmailTemplate, LeadTouch, Note, QualificationAnswer, Record,
    Invoice, Payment, Product, Quote, QuoteLine, SalesOrder, StepCompletion, User, UserJobRole,
)

_policy = Permissions()
_roles = Roles()

# Fields a user may change on their own User row without being an admin.
SELF_SERVICE_FIELDS = frozenset({"display_name", "email", "phone", "time_zone", "capacity"})

Rule = Callable[[User, str, pw.Model, dict[str, Any]], None]
_rules: dict[type[pw.Model], Rule] = {}


def configure(policy: Permissions, roles: Roles | None = None) -> None:
    """Use these settings for every check in this process (job roles: who approves,
    delivers and bills)."""
    global _policy, _roles
    _policy = policy
    _roles = roles or Roles()


def policy() -> Permissions:
    return _policy


def register(model: type[pw.Model], rule: Rule) -> None:
    """Give a model its rule: `rule(user, action, instance, fields)` raises PermissionDenied."""
    _rules[model] = rule


def team_logins(login: str) -> frozenset[str] | None:
    """The logins sharing a team with `login` (itself included); None means everyone."""
    if not _policy.teams:
        return None
    mates = {login}
    for members in _policy.teams.values():
        if login in members:
            mates.update(members)
    return frozenset(mates)


def may_edit_owned_by(user: User, owner_id: int | None) -> bool:
    """May `user` change something owned by the user with id `owner_id`?

    Unowned records are the shared pool: anyone may take one.
    """
    if user.role == "admin" or owner_id is None or owner_id == user.id:
        return True
    if user.role == "rep" and not _policy.reps_edit_team:
        return False
    mates = team_logins(user.login)
    if mates is None:
        return True
    owner_login = User.select(User.login).where(User.id == owner_id).scalar()
    return owner_login in mates


def can_edit(user: User | None, instance: pw.Model, action: str = "update") -> bool:
    """True when `check` would let `user` do `action` to `instance`."""
    try:
        check(user, action, instance, {})
    except PermissionDenied:
        return False
    return True


def check(user: User | None, action: str, instance: pw.Model, fields: dict[str, Any]) -> None:
    """Refuse a write the acting user's role does not allow (PermissionDenied).

    `action` is create, update or delete; `instance` holds the row as it is
    (update, delete) or will be (create); `fields` are the new values of an update.
    """
    if user is None:
        return
    # Roles are read now, not when the session started: a rep demoted or
    # deactivated by an admin loses the right at once, open app or not.
    current = User.get_or_none(User.id == user.id)
    if current is None:
        raise PermissionDenied(f"{user.login} is no longer a CRM user")
    if not current.active:
        raise PermissionDenied(f"{current.login} is deactivated and cannot change anything")
    user = current
    for model in type(instance).__mro__:
        rule = _rules.get(model)  # type: ignore[arg-type]
        if rule is not None:
            rule(user, action, instance, fields)
            return


def _owner_name(owner_id: int | None) -> str:
    name = User.select(User.display_name).where(User.id == owner_id).scalar()
    return name or "someone else"


def _why(user: User) -> str:
    if user.role == "rep":
        return "reps change only their own records" + (" and their team's" if _policy.reps_edit_team else "")
    return "managers change only their team's records"


def _record_rule(user: User, action: str, instance: pw.Model, fields: dict[str, Any]) -> None:
    assert isinstance(instance, Record)
    if may_edit_owned_by(user, instance.owner_id):
        return
    kind = type(instance).__name__.lower()
    raise PermissionDenied(
        f"you may not {action} this {kind}: it belongs to {_owner_name(instance.owner_id)}, and {_why(user)}"
    )


def _record_owner(kind: str, record_id: int | None) -> tuple[bool, int | None]:
    """(exists, owner id) of the record an activity or note hangs on."""
    model = RECORD_MODELS.get(kind)
    if model is None or record_id is None:
        return False, None
    row = model.select(model.owner).where(model.id == record_id).tuples().first()
    return (row is not None, row[0] if row else None)


def _may_edit_record(user: User, kind: str, record_id: int | None) -> bool:
    exists, owner_id = _record_owner(kind, record_id)
    return not exists or may_edit_owned_by(user, owner_id)


def _activity_rule(user: User, action: str, instance: pw.Model, fields: dict[str, Any]) -> None:
    """An activity is yours to change if you own it or may change its record."""
    assert isinstance(instance, Activity)
    if may_edit_owned_by(user, instance.owner_id):
        return
    if _may_edit_record(user, instance.record_kind, instance.record_id):
        return
    raise PermissionDenied(
        f"you may not {action} this activity: it is {_owner_name(instance.owner_id)}'s, on a record "
        f"that is not yours, and {_why(user)}"
    )


def _note_rule(user: User, action: str, instance: pw.Model, fields: dict[str, Any]) -> None:
    """A note follows its record, or the activity it was written on."""
    assert isinstance(instance, Note)
    if _may_edit_record(user, instance.record_kind, instance.record_id):
        return
    if instance.activity_id is not None:
        owner_id = Activity.select(Activity.owner).where(Activity.id == instance.activity_id).scalar()
        if owner_id == user.id:
            return
    raise PermissionDenied(f"you may not {action} a note on this {instance.record_kind}: {_why(user)}")


def _child_rule(kind: str, attr: str) -> Rule:
    """Rows that belong to one lead or opportunity follow that record."""

    def rule(user: User, action: str, instance: pw.Model, fields: dict[str, Any]) -> None:
        if not _may_edit_record(user, kind, getattr(instance, attr)):
            raise PermissionDenied(f"you may not change this {kind}: {_why(user)}")

    return rule


def _user_rule(user: User, action: str, instance: pw.Model, fields: dict[str, Any]) -> None:
    """Admins manage users; anyone may change their own name, zone, capacity, email and phone."""
    if user.role == "admin":
        return
    assert isinstance(instance, User)
    if action == "update" and instance.id == user.id and set(fields) <= SELF_SERVICE_FIELDS:
        return
    raise PermissionDenied(f"only an admin can manage users; {user.login} is a {user.role}")


def _template_rule(user: User, action: str, instance: pw.Model, fields: dict[str, Any]) -> None:
    if user.role in ("admin", "manager"):
        return
    raise PermissionDenied("only managers and admins change email templates")


def _job_role_rule(user: User, action: str, instance: pw.Model, fields: dict[str, Any]) -> None:
    """Job roles are handed out by admins, like users themselves."""
    if user.role != "admin":
        raise PermissionDenied(f"only an admin can change job roles; {user.login} is a {user.role}")


# ---- Sell, deliver, bill -----------------------------------------------------

def holds_step_role(user: User, step: str) -> bool:
    """Does `user` hold the job role responsible for process step `step`?"""
    try:
        role = _roles.step_role(step)
    except KeyError:
        return False
    return UserJobRole.select().where((UserJobRole.user == user.id) & (UserJobRole.role == role)).exists()


def may_approve(user: User, owner_id: int | None) -> bool:
    """Managers, admins and holders of the approving job role decide on quotes, never their own."""
    if owner_id is not None and owner_id == user.id:
        return False
    return user.role in ("manager", "admin") or holds_step_role(user, "approve")


def check_approver(user: User | None, quote: Quote) -> None:
    """Refuse an approval or rejection the user may not make (PermissionDenied)."""
    if user is None:
        return
    if quote.owner_id == user.id:
        raise PermissionDenied("you cannot approve or reject your own quote: another manager decides")
    if not may_approve(user, quote.owner_id):
        raise PermissionDenied(
            f"only a manager or a {_roles.step_role('approve') if _has_step('approve') else 'manager'} "
            f"approves quotes; {user.login} is a {user.role}")


def _has_step(step: str) -> bool:
    return any(s.key == step for s in _roles.process)


def _quote_rule(user: User, action: str, instance: pw.Model, fields: dict[str, Any]) -> None:
    """A quote follows its opportunity; an approval or rejection needs an approver who is not its author."""
    assert isinstance(instance, Quote)
    if fields.get("decided_by") is not None:
        check_approver(user, instance)
        return
    if not _may_edit_record(user, "opportunity", instance.opportunity_id):
        raise PermissionDenied(f"you may not {action} this quote: its opportunity is not yours, and {_why(user)}")


def _quote_line_rule(user: User, action: str, instance: pw.Model, fields: dict[str, Any]) -> None:
    assert isinstance(instance, QuoteLine)
    opportunity_id = Quote.select(Quote.opportunity).where(Quote.id == instance.quote_id).scalar()
    if not _may_edit_record(user, "opportunity", opportunity_id):
        raise PermissionDenied(f"you may not change this quote: its opportunity is not yours, and {_why(user)}")


def _step_rule(step: str, what: str) -> Rule:
    """Orders (delivery) and invoices (billing): the owner, their managers, or the step's job role."""

    def rule(user: User, action: str, instance: pw.Model, fields: dict[str, Any]) -> None:
        owner_id = getattr(instance, "owner_id", None)
        if isinstance(instance, Payment):
            owner_id = Invoice.select(Invoice.owner).where(Invoice.id == instance.invoice_id).scalar()
        if may_edit_owned_by(user, owner_id) or holds_step_role(user, step):
            return
        role = _roles.step_role(step) if _has_step(step) else step
        raise PermissionDenied(f"you may not {action} this {what}: it is {_owner_name(owner_id)}'s, and you "
                               f"do not hold the {role} job role")

    return rule


def _product_rule(user: User, action: str, instance: pw.Model, fields: dict[str, Any]) -> None:
    if user.role in ("manager", "admin") or holds_step_role(user, "bill"):
        return
    raise PermissionDenied("only managers, admins and billing keep the price list")


for _model in RECORD_MODELS.values():
    register(_model, _record_rule)
register(Activity, _activity_rule)
register(Note, _note_rule)
register(LeadTouch, _child_rule("lead", "lead_id"))
register(QualificationAnswer, _child_rule("lead", "lead_id"))
register(StepCompletion, _child_rule("opportunity", "opportunity_id"))
register(User, _user_rule)
register(EmailTemplate, _template_rule)
register(UserJobRole, _job_role_rule)
register(Quote, _quote_rule)
register(QuoteLine, _quote_line_rule)
register(SalesOrder, _step_rule("deliver", "order"))
register(Invoice, _step_rule("bill", "invoice"))
register(Payment, _step_rule("bill", "payment"))
register(Product, _product_rule)
