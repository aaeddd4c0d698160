"""The price list and quotes: lines, totals, the approval flow, sending, acceptance.

Quote flow: draft -> submitted -> approved | rejected -> sent -> accepted | declined.

- Lines (a product from the price list, or free text) are edited while the
  quote is a draft (editing a rejected quote makes it a draft again). Totals
  follow `domain.money`: each line rounded to cents, tax (`[sales] tax_rate`,
  fixed on the quote when it is created) on the subtotal.
- Submitting a quote whose every line discount is within `[sales]
  discount_limit` approves it at once; above the limit it waits for a
  manager (or a holder of the "approve" step's job role), who is never the
  quote's author (domain.permissions). A rejection needs a reason.
- Sending logs an email activity on the opportunity (and may send it by
  SMTP: interop.mail does that part, see interop.quotes.send_quote).
- Accepting creates the order (domain.delivery) in the same action.

Quote numbers come from `domain.numbering`: gapless under concurrency.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import peewee as pw

from crm_tui import clock, db
from crm_tui.config import Config
from crm_tui.domain import changes, money, permissions, validation
from crm_tui.domain.errors import DomainError, NotFound
from crm_tui.domain.money import Money
from crm_tui.domain.numbering import next_number
from crm_tui.models import Account, Contact, Opportunity, Product, Quote, QuoteLine, User

EDITABLE = ("draft", "rejected")
OPEN_STATUSES = ("draft", "submitted", "approved", "sent")
TRANSITIONS = {
    "draft": ("submitted", "approved"), "rejected": ("submitted", "approved"),
    "submitted": ("approved", "rejected"), "approved": ("sent",), "sent": ("accepted", "declined"),
    "accepted": (), "declined": (),
}


def quote_label(number: int) -> str:
    """How a quote number is shown and printed: Q-00042."""
    return f"Q-{number:05d}"


# ---- Price list -------------------------------------------------------------

def list_products(*, active_only: bool = True) -> list[Product]:
    query = Product.select().order_by(Product.code)
    if active_only:
        query = query.where(Product.active == True)  # noqa: E712
    return list(query)


def get_product(code_or_id: str | int) -> Product:
    if isinstance(code_or_id, int):
        product = Product.get_or_none(Product.id == code_or_id)
    else:
        product = Product.get_or_none(Product.code == code_or_id.strip())
    if product is None:
        raise NotFound(f"no product {code_or_id!r} in the price list", "product")
    return product


@db.atomic
def add_product(actor: User | None, config: Config, *, code: str, name: str, unit_price: Decimal | str,
                currency: str | None = None) -> Product:
    """Add a price-list entry; codes are unique."""
    code = validation.required(code, "code", max_length=40)
    if Product.get_or_none(Product.code == code) is not None:
        raise DomainError(f"a product with code {code!r} exists already", "code")
    price = money.to_decimal(unit_price, "unit_price")
    if price < 0:
        raise DomainError("unit price: must not be negative", "unit_price")
    with changes.action(actor):
        return changes.create(
            Product, code=code, name=validation.required(name, "name"), unit_price=money.cents(price),
            currency=money.check_currency(currency or config.sales.currency),
        )


@db.atomic
def set_product(actor: User | None, code: str, *, name: str | None = None, unit_price: Decimal | str | None = None,
                active: bool | None = None) -> Product:
    """Change a product's name, price or active flag (quotes keep the price they copied)."""
    product = get_product(code)
    values: dict[str, object] = {}
    if name is not None:
        values["name"] = validation.required(name, "name")
    if unit_price is not None:
        price = money.to_decimal(unit_price, "unit_price")
        if price < 0:
            raise DomainError("unit price: must not be negative", "unit_price")
        values["unit_price"] = money.cents(price)
    if active is not None:
        values["active"] = active
    with changes.action(actor):
        return changes.update(product, **values)


# ---- Quotes -----------------------------------------------------------------

def get_quote(quote_id: int) -> Quote:
    quote = Quote.get_or_none(Quote.id == quote_id)
    if quote is None:
        raise NotFound(f"quote {quote_id} does not exist")
    return quote


def lines(quote_id: int) -> list[QuoteLine]:
    return list(QuoteLine.select().where(QuoteLine.quote == quote_id).order_by(QuoteLine.position, QuoteLine.id))


def quotes_for(opportunity_id: int) -> list[Quote]:
    """An opportunity's quotes, newest first."""
    return list(Quote.select().where(Quote.opportunity == opportunity_id).order_by(Quote.number.desc()))


def newest(opportunity_id: int, statuses: tuple[str, ...]) -> Quote | None:
    """The opportunity's newest quote in one of these statuses (what a detail-view key acts on)."""
    return (Quote.select().where((Quote.opportunity == opportunity_id) & Quote.status.in_(statuses))
            .order_by(Quote.number.desc()).first())


@db.atomic
def create_quote(actor: User, config: Config, opportunity_id: int, *, currency: str | None = None) -> Quote:
    """A draft quote on an open opportunity, numbered from the gapless sequence."""
    opportunity = Opportunity.get_or_none(Opportunity.id == opportunity_id)
    if opportunity is None:
        raise NotFound(f"opportunity {opportunity_id} does not exist")
    if opportunity.state != "open":
        raise DomainError(f"this opportunity is {opportunity.state}: quote an open one")
    today = clock.today(actor.time_zone)
    with changes.action(actor):
        return changes.create(
            Quote, number=next_number("quote"), opportunity=opportunity, account=opportunity.account_id,
            owner=actor, currency=money.check_currency(currency or opportunity.currency or config.sales.currency),
            tax_rate=config.sales.tax_rate, valid_until=today + dt.timedelta(days=config.sales.quote_valid_days),
        )


def _editable(quote: Quote) -> None:
    if quote.status not in EDITABLE:
        raise DomainError(f"this quote is {quote.status}: only a draft (or a rejected quote) can be changed")


def _recompute(quote: Quote) -> dict[str, object]:
    """Totals and the largest discount from the lines, as values for changes.update."""
    rows = lines(quote.id)
    totals = money.document_totals([Money(row.net, quote.currency) for row in rows], quote.tax_rate, quote.currency)
    values: dict[str, object] = {
        "subtotal": totals.subtotal, "tax": totals.tax, "total": totals.total,
        "max_discount": max((row.discount for row in rows), default=Decimal("0.00")),
    }
    if quote.status == "rejected":
        values.update(status="draft", decided_by=None, decision_reason="")
    return values


@db.atomic
def add_line(
    actor: User,
    quote_id: int,
    *,
    product: str | int | None = None,
    description: str = "",
    quantity: Decimal | str | int = 1,
    unit_price: Decimal | str | None = None,
    discount: Decimal | str | int = 0,
    expected_version: int | None = None,
) -> QuoteLine:
    """Add a line: a product (its name and price unless given) or free text with a price."""
    quote = get_quote(quote_id)
    _editable(quote)
    item = get_product(product) if product not in (None, "") else None
    if item is not None:
        if not item.active:
            raise DomainError(f"{item.code} is no longer sold", "product")
        if item.currency != quote.currency:
            raise DomainError(f"{item.code} is priced in {item.currency}, this quote in {quote.currency}: "
                              "currencies are never mixed in one quote", "product")
    text = description.strip() or (item.name if item else "")
    text = validation.required(text, "description", "a description (or a product)", max_length=300)
    if unit_price in (None, "") and item is None:
        raise DomainError("a free-text line needs a unit price", "unit_price")
    price = money.cents(money.to_decimal(unit_price, "unit_price")) if unit_price not in (None, "") else item.unit_price
    qty = money.to_decimal(quantity, "quantity")
    if qty != qty.quantize(Decimal("0.001")):
        raise DomainError("quantity: at most three decimal places", "quantity")
    off = money.to_decimal(discount, "discount")
    if off != off.quantize(Decimal("0.01")):
        raise DomainError("discount: at most two decimal places", "discount")
    net = money.line_net(qty, price, off)
    position = (QuoteLine.select(pw.fn.MAX(QuoteLine.position)).where(QuoteLine.quote == quote.id).scalar() or 0) + 1
    with changes.action(actor):
        line = changes.create(QuoteLine, quote=quote, position=position, product=item, description=text,
                              quantity=qty, unit_price=price, discount=off, net=net)
        changes.update(quote, expected_version, **_recompute(quote))
    return line


@db.atomic
def remove_line(actor: User, line_id: int) -> Quote:
    line = QuoteLine.get_or_none(QuoteLine.id == line_id)
    if line is None:
        raise NotFound(f"quote line {line_id} does not exist")
    quote = get_quote(line.quote_id)
    _editable(quote)
    with changes.action(actor):
        changes.delete(line)
        return changes.update(quote, **_recompute(quote))


def _move(quote: Quote, status: str) -> None:
    if status not in TRANSITIONS[quote.status]:
        raise DomainError(f"this quote is {quote.status}; it cannot become {status}")


def needs_approval(quote: Quote, config: Config) -> bool:
    """Does a manager have to approve it? Yes when a line discount is above the limit."""
    return quote.max_discount > config.sales.discount_limit


@db.atomic
def submit(actor: User, config: Config, quote_id: int, *, expected_version: int | None = None) -> Quote:
    """Hand the quote in: approved at once within the discount limit, else it waits for a manager."""
    quote = get_quote(quote_id)
    if not lines(quote.id):
        raise DomainError("a quote needs at least one line before it is submitted")
    now = clock.utcnow_naive()
    with changes.action(actor):
        if needs_approval(quote, config):
            _move(quote, "submitted")
            return changes.update(quote, expected_version, status="submitted", submitted_at=now,
                                  decided_by=None, decision_reason="")
        _move(quote, "approved")
        return changes.update(quote, expected_version, status="approved", submitted_at=now, approved_at=now,
                              decided_by=None,
                              decision_reason=f"discount within the {config.sales.discount_limit}% limit")


@db.atomic
def approve(actor: User, quote_id: int, *, expected_version: int | None = None) -> Quote:
    """A manager (never the author) approves a submitted quote."""
    quote = get_quote(quote_id)
    permissions.check_approver(actor, quote)
    _move(quote, "approved")
    with changes.action(actor):
        return changes.update(quote, expected_version, status="approved", decided_by=actor,
                              approved_at=clock.utcnow_naive(), decision_reason="")


@db.atomic
def reject(actor: User, quote_id: int, reason: str, *, expected_version: int | None = None) -> Quote:
    """A manager (never the author) sends a submitted quote back, saying why."""
    quote = get_quote(quote_id)
    permissions.check_approver(actor, quote)
    reason = validation.required(reason, "reason", "a reason for rejecting", max_length=300)
    _move(quote, "rejected")
    with changes.action(actor):
        return changes.update(quote, expected_version, status="rejected", decided_by=actor, decision_reason=reason)


@db.atomic
def mark_sent(actor: User, quote_id: int) -> Quote:
    """The approved quote went to the customer some other way (no email to log)."""
    quote = get_quote(quote_id)
    _move(quote, "sent")
    with changes.action(actor):
        return changes.update(quote, status="sent", sent_at=clock.utcnow_naive())


@db.atomic
def send(actor: User, config: Config, quote_id: int, to: str, subject: str, body: str, *,
         by_smtp: bool) -> Quote:
    """The quote went out by email: log the email activity on the opportunity and mark it sent,
    as one action (interop.quotes sends it through SMTP first when asked)."""
    from crm_tui.domain import templates

    quote = get_quote(quote_id)
    _move(quote, "sent")
    with changes.action(actor):
        templates.log_email(actor, config, "opportunity", quote.opportunity_id, to, subject, body, sent=by_smtp)
        return changes.update(quote, status="sent", sent_at=clock.utcnow_naive())


@db.atomic
def accept(actor: User, config: Config, quote_id: int, *, expected_version: int | None = None) -> Quote:
    """The customer accepted: the quote closes and its order is created (one action)."""
    from crm_tui.domain import delivery

    quote = get_quote(quote_id)
    _move(quote, "accepted")
    with changes.action(actor):
        changes.update(quote, expected_version, status="accepted", closed_at=clock.utcnow_naive())
        delivery.create_order(actor, config, quote)
    return quote


@db.atomic
def decline(actor: User, quote_id: int, reason: str = "", *, expected_version: int | None = None) -> Quote:
    """The customer declined the quote."""
    quote = get_quote(quote_id)
    _move(quote, "declined")
    with changes.action(actor):
        return changes.update(quote, expected_version, status="declined", closed_at=clock.utcnow_naive(),
                              decision_reason=validation.optional(reason, "reason", max_length=300))


def sendable_to(quote: Quote) -> str:
    """The customer address a quote goes to: the opportunity's contact, else the account's."""
    opportunity = Opportunity.get_by_id(quote.opportunity_id)
    if opportunity.contact_id:
        email = Contact.select(Contact.email).where(Contact.id == opportunity.contact_id).scalar()
        if email:
            return str(email)
    if quote.account_id:
        email = (Contact.select(Contact.email)
                 .where((Contact.account == quote.account_id) & (Contact.email != ""))
                 .order_by(Contact.id).scalar())
        if email:
            return str(email)
        return str(Account.select(Account.email).where(Account.id == quote.account_id).scalar() or "")
    return ""


def render_text(quote: Quote, *, for_customer: bool = False) -> str:
    """The quote as plain text: for the terminal and `crm quotes show`, and (without
    its internal status) for the email body."""
    opportunity = Opportunity.get_by_id(quote.opportunity_id)
    account = Account.get_or_none(Account.id == quote.account_id) if quote.account_id else None
    out = [f"Quote {quote_label(quote.number)}" + ("" if for_customer else f"  ({quote.status})"),
           f"For: {account.name if account else opportunity.name}  ·  {opportunity.name}"]
    if quote.valid_until:
        out.append(f"Valid until: {quote.valid_until.isoformat()}")
    out.append("")
    out.append(f"{'#':>2}  {'Description':<36} {'Qty':>9} {'Unit price':>12} {'Disc.':>7} {'Net':>13}")
    for row in lines(quote.id):
        qty = f"{row.quantity.normalize():f}"
        off = f"{row.discount.normalize():f}%" if row.discount else ""
        out.append(f"{row.position:>2}  {row.description[:36]:<36} {qty:>9} "
                   f"{money.format_amount(row.unit_price):>12} {off:>7} {money.format_amount(row.net):>13}")
    width = 2 + 2 + 36 + 1 + 9 + 1 + 12 + 1 + 7 + 1 + 13
    out.append("-" * width)
    for label, amount in (("Subtotal", quote.subtotal), (f"Tax {quote.tax_rate.normalize():f}%", quote.tax),
                          ("Total", quote.total)):
        out.append(f"{label:>{width - 18}} {money.format_amount(amount):>13} {quote.currency}")
    return "\n".join(out) + "\n"
