"""Demo data for selling, delivering, billing and job roles (`crm --demo`).

Runs after the bulk builder (demo_builder) inside the same transaction, and
goes through the real domain functions, so the demo's quotes, orders and
invoices obey every rule (numbers, totals, approval, permissions) and show on
the accounts' timelines. Then a few stamps are moved back in time so that
each new exception rule has something to show: a quote waiting for approval
for two days, an order past its promised day, an overdue invoice.
Small on purpose: a dozen opportunities, whatever the demo's size.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from crm_tui import clock
from crm_tui.config import Config
from crm_tui.domain import activities, billing, delivery, roles, sales
from crm_tui.models import Activity, AuditEvent, Invoice, Opportunity, Quote, SalesOrder, User

PRICE_LIST = (
    ("FLEET-1", "Fleet tracking licence (per vehicle, year)", "180.00"),
    ("ANALYTICS", "Analytics suite (year)", "4800.00"),
    ("SUPPORT-G", "Support contract, gold (year)", "2400.00"),
    ("SENSOR-W", "Warehouse sensor", "89.90"),
    ("ONBOARD", "Onboarding package", "1500.00"),
    ("TRAIN-DAY", "Training day on site", "1100.00"),
)
JOB_ROLES = {
    "alex": ("sales rep",), "bea": ("sales rep",), "chris": ("sales rep", "support agent"),
    "dana": ("delivery",), "emre": ("billing", "support agent"), "mia": ("sales manager", "support lead"),
    "sam": ("admin",),
}
# What happens to the demo quotes, in order: each opportunity gets one.
STORY = ("waiting", "late", "overdue", "delivered-paid", "sent", "rejected", "declined", "draft", "approved",
         "delivering", "part-paid", "draft")


def build(config: Config, demo_login: str) -> dict[str, int]:
    """Products, job roles, and a quote story per opportunity; returns counts."""
    now = clock.utcnow_naive()
    for code, name, price in PRICE_LIST:
        sales.add_product(None, config, code=code, name=name, unit_price=price, currency=config.sales.currency)
    people = {user.login: user for user in User.select()}
    for login, held in JOB_ROLES.items():
        if login in people and all(role in config.roles.names for role in held):
            roles.set_roles(None, people[login], list(held), config=config)
    approver = next((u for u in people.values() if u.role == "manager"), None)
    demo_user = people.get(demo_login)
    candidates = list(
        Opportunity.select().where((Opportunity.state == "open") & Opportunity.account.is_null(False))
        .order_by((Opportunity.owner != (demo_user.id if demo_user else 0)), Opportunity.id)
        .limit(len(STORY))
    )
    made = 0
    for index, (opportunity, story) in enumerate(zip(candidates, STORY)):
        owner = people_by_id(people, opportunity.owner_id)
        if owner is None:
            continue
        _tell(config, opportunity, owner, approver, story, index, now)
        made += 1
    # The demo is history, not anyone's last action: nothing for `u` to undo, as for the bulk rows.
    AuditEvent.delete().execute()
    return {"products": len(PRICE_LIST), "quotes": made}


def people_by_id(people: dict[str, User], user_id: int | None) -> User | None:
    return next((user for user in people.values() if user.id == user_id), None)


def _tell(config: Config, opportunity: Opportunity, owner: User, approver: User | None, story: str, index: int,
          now: dt.datetime) -> None:
    quote = sales.create_quote(owner, config, opportunity.id)
    code, name, price = PRICE_LIST[index % len(PRICE_LIST)]
    extra, extra_name, extra_price = PRICE_LIST[(index + 2) % len(PRICE_LIST)]
    discount = "20" if story in ("waiting", "rejected") else "5"
    if quote.currency == config.sales.currency:
        sales.add_line(owner, quote.id, product=code, quantity=1 + index % 4, discount=discount)
        sales.add_line(owner, quote.id, product=extra, quantity=1)
    else:  # the price list is in one currency: a foreign deal is quoted line by line
        sales.add_line(owner, quote.id, description=name, unit_price=price, quantity=1 + index % 4, discount=discount)
        sales.add_line(owner, quote.id, description=extra_name, unit_price=extra_price, quantity=1)
    if story == "draft":
        return
    quote = sales.submit(owner, config, quote.id)
    if story == "waiting" or approver is None:
        _back(Quote, quote.id, submitted_at=now - dt.timedelta(hours=50), created_at=now - dt.timedelta(hours=52))
        return
    if quote.status == "submitted":
        quote = sales.reject(approver, quote.id, "20% is more than we give on this product")
    if story in ("rejected", "approved"):
        return
    sales.mark_sent(owner, quote.id)
    if story == "sent":
        return
    if story == "declined":
        sales.decline(owner, quote.id, "went with a cheaper offer")
        return
    sales.accept(owner, config, quote.id)
    order = SalesOrder.get(SalesOrder.quote == quote.id)
    if story == "delivering":
        delivery.start_delivery(owner, order.id)
        return
    if story == "late":
        _promise(order, (now - dt.timedelta(days=3)).date())
        return
    _promise(order, (now - dt.timedelta(days=1)).date())  # delivered on time, yesterday's promise
    delivery.mark_delivered(owner, config, order.id)
    invoice = billing.invoice_order(owner, config, order.id)
    if story == "delivered-paid":
        billing.record_payment(owner, invoice.id, invoice.total, reference="bank transfer")
    elif story == "overdue":
        issued = (now - dt.timedelta(days=45)).date()
        _back(Invoice, invoice.id, issued_on=issued, due_on=issued + dt.timedelta(days=config.sales.invoice_due_days))
    elif story == "part-paid":
        billing.record_payment(owner, invoice.id, (invoice.total / 2).quantize(Decimal("0.01")), reference="first half")


def _promise(order: SalesOrder, day: dt.date) -> None:
    """The order (and its delivery task) were promised for `day`."""
    _back(SalesOrder, order.id, promised_on=day)
    if order.delivery_activity_id:
        _back(Activity, order.delivery_activity_id, planned_date=day, first_planned_date=day, deadline=day)
        task = Activity.get_by_id(order.delivery_activity_id)
        activities.refresh_record(task.record_kind, task.record_id)  # the record's next-activity day follows


def _back(model: type, row_id: int, **stamps: object) -> None:
    """Move demo stamps into the past (a story that began days ago); not a user action."""
    model.update(**stamps).where(model.id == row_id).execute()
