"""Orders: made from accepted quotes, delivered by whoever holds the delivery job role.

Status flow: ordered -> in delivery -> delivered, and ordered | in delivery ->
cancelled (with a reason). Creating an order schedules a delivery task on the
quote's opportunity for the least-loaded holder of the role responsible for
the "deliver" process step (domain.roles), due on the promised day
(`[sales] delivery_days` after acceptance); marking the order delivered
completes that task. With nobody in the role the task goes to the order's
owner, so no delivery is ever unassigned.
"""

from __future__ import annotations

import datetime as dt

from crm_tui import clock, db
from crm_tui.config import Config
from crm_tui.domain import activities, changes, roles, validation
from crm_tui.domain.errors import DomainError, NotFound
from crm_tui.domain.numbering import next_number
from crm_tui.models import Activity, Quote, SalesOrder, User

TRANSITIONS = {
    "ordered": ("in delivery", "delivered", "cancelled"),
    "in delivery": ("delivered", "cancelled"),
    "delivered": (),
    "cancelled": (),
}


def order_label(number: int) -> str:
    return f"O-{number:05d}"


def get_order(order_id: int) -> SalesOrder:
    order = SalesOrder.get_or_none(SalesOrder.id == order_id)
    if order is None:
        raise NotFound(f"order {order_id} does not exist")
    return order


def _task_type(config: Config) -> str:
    names = config.activity_type_names
    return "task" if "task" in names else names[0]


def create_order(actor: User, config: Config, quote: Quote) -> SalesOrder:
    """The order for an accepted quote, and its delivery task (inside the accepting action)."""
    if quote.status != "accepted":
        raise DomainError("only an accepted quote becomes an order")
    if SalesOrder.get_or_none(SalesOrder.quote == quote.id) is not None:
        raise DomainError("this quote has its order already")
    promised = clock.today(actor.time_zone) + dt.timedelta(days=config.sales.delivery_days)
    deliverer = roles.least_loaded(roles.responsible_for("deliver", config)) if _has_deliver(config) else None
    with changes.action(actor):
        order = changes.create(
            SalesOrder, number=next_number("order"), quote=quote, account=quote.account_id, owner=quote.owner_id,
            currency=quote.currency, total=quote.total, promised_on=promised,
        )
        owner = deliverer or (User.get_by_id(quote.owner_id) if quote.owner_id else actor)
        task = activities.create(
            actor, config, type=_task_type(config), subject=f"Deliver order {order_label(order.number)}",
            record_kind="opportunity", record_id=quote.opportunity_id, day=promised, deadline=promised,
            owner=owner, notes=f"Quote {quote.number}: {quote.total} {quote.currency}",
        )
        return changes.update(order, delivery_activity=task)


def _has_deliver(config: Config) -> bool:
    return any(step.key == "deliver" for step in config.roles.process)


def _move(order: SalesOrder, status: str) -> None:
    if status not in TRANSITIONS[order.status]:
        raise DomainError(f"this order is {order.status}; it cannot become {status}")


@db.atomic
def start_delivery(actor: User, order_id: int, *, expected_version: int | None = None) -> SalesOrder:
    order = get_order(order_id)
    _move(order, "in delivery")
    with changes.action(actor):
        return changes.update(order, expected_version, status="in delivery")


@db.atomic
def mark_delivered(actor: User, config: Config, order_id: int, *, expected_version: int | None = None) -> SalesOrder:
    """Delivered: stamps the time and completes the open delivery task."""
    order = get_order(order_id)
    _move(order, "delivered")
    with changes.action(actor):
        changes.update(order, expected_version, status="delivered", delivered_at=clock.utcnow_naive())
        _close_task(actor, config, order, done=True)
    return order


@db.atomic
def cancel_order(actor: User, config: Config, order_id: int, reason: str, *,
                 expected_version: int | None = None) -> SalesOrder:
    order = get_order(order_id)
    reason = validation.required(reason, "reason", "a reason for cancelling", max_length=200)
    _move(order, "cancelled")
    with changes.action(actor):
        changes.update(order, expected_version, status="cancelled")
        _close_task(actor, config, order, done=False, reason=reason)
    return order


def _close_task(actor: User, config: Config, order: SalesOrder, *, done: bool, reason: str = "") -> None:
    if order.delivery_activity_id is None:
        return
    task = Activity.get_or_none(Activity.id == order.delivery_activity_id)
    if task is None or task.status != "open":
        return
    if done:
        outcomes = config.activity_type(task.type).outcomes if task.type in config.activity_type_names else ("done",)
        activities.complete(actor, config, task.id, outcome=outcomes[0], follow_up=None)
    else:
        activities.cancel(actor, task.id, reason)


def orders_for_opportunity(opportunity_id: int) -> list[SalesOrder]:
    """The orders of an opportunity's quotes, newest first."""
    return list(SalesOrder.select().join(Quote, on=(SalesOrder.quote == Quote.id))
                .where(Quote.opportunity == opportunity_id).order_by(SalesOrder.number.desc()))


def newest_order(opportunity_id: int, statuses: tuple[str, ...], *, uninvoiced: bool = False) -> SalesOrder | None:
    """The opportunity's newest order in one of these statuses (optionally one not billed yet)."""
    from crm_tui.models import Invoice

    query = (SalesOrder.select().join(Quote, on=(SalesOrder.quote == Quote.id))
             .where((Quote.opportunity == opportunity_id) & SalesOrder.status.in_(statuses)))
    if uninvoiced:
        billed = Invoice.select(Invoice.order).where(Invoice.order.is_null(False) & (Invoice.status != "cancelled"))
        query = query.where(SalesOrder.id.not_in(billed))
    return query.order_by(SalesOrder.number.desc()).first()


def order_by_number(text: str) -> int:
    """The id of the order numbered `text` (O-00007, 7), as people type it."""
    digits = text.strip().upper().removeprefix("O").lstrip("-")
    if not digits.isdigit():
        raise DomainError(f"{text!r} is not an order number like O-00007", "order")
    found = SalesOrder.select(SalesOrder.id).where(SalesOrder.number == int(digits)).scalar()
    if found is None:
        raise DomainError(f"no order {order_label(int(digits))}", "order")
    return int(found)
