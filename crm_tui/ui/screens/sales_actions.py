"""Quotes, orders, invoices and the cross-department account view, plugged
into the record detail view through its extension API (see record_detail).

Opportunity keys act on its newest quote (or order) that can take the step:
`Q` new quote, `L` lines, `U` submit, `P` approve, `J` reject, `D` send,
`Y` accepted, `X` declined, `H` HTML file, `V` delivered, `C` cancel the order, `B` bill (invoice).
The "Quotes & orders" panel lists them. Account: `$` record a payment, `F`
cycle the timeline's department filter, and the "Summary" panel heads the
view (open opportunities, orders in delivery, unpaid balance, open cases).
ui/app.py imports this module once, so the keys exist before a detail opens.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import RenderableType
from rich.text import Text

from crm_tui.domain import account_summary, billing, delivery, documents, history, money, sales
from crm_tui.interop import quotes
from crm_tui.ui.dialogs.payment import PaymentDialog
from crm_tui.ui.dialogs.quote_lines import QuoteLinesDialog
from crm_tui.ui.dialogs.reason import ReasonDialog
from crm_tui.ui.dialogs.send_quote import SendQuoteDialog
from crm_tui.ui.screens.record_actions import _opener
from crm_tui.ui.screens.record_detail import DetailAction, DetailSection, RecordDetailScreen, register_action, register_section


def _quote(screen: RecordDetailScreen, statuses: tuple[str, ...]) -> int | None:
    quote = sales.newest(screen.record_id, statuses)
    if quote is None:
        screen.notify("No quote here can take that step", severity="warning")
        return None
    return int(quote.id)


def _has_quote(*statuses: str):  # type: ignore[no-untyped-def]
    return lambda opp: sales.newest(opp.id, statuses) is not None


def _direct(statuses: tuple[str, ...], step, said: str):  # type: ignore[no-untyped-def]
    """A key that runs one domain step on the newest quote in `statuses`, then reloads."""

    def run(screen: RecordDetailScreen) -> None:
        quote_id = _quote(screen, statuses)
        if quote_id is None:
            return
        result = screen.attempt(step, screen, quote_id)
        if result is not None:
            screen.notify(said.format(label=sales.quote_label(result.number), status=result.status))
            screen.changed()

    return run


def _new_quote(screen: RecordDetailScreen) -> None:
    quote = screen.attempt(sales.create_quote, screen.session.user, screen.session.config, screen.record_id)
    if quote is None:
        return
    screen.changed()
    screen.notify(f"Quote {sales.quote_label(quote.number)} drafted: add its lines")
    screen.app.push_screen(QuoteLinesDialog(quote.id), lambda _: screen.changed())


def _lines(screen: RecordDetailScreen) -> None:
    quote_id = _quote(screen, sales.EDITABLE)
    if quote_id is not None:
        screen.app.push_screen(QuoteLinesDialog(quote_id), lambda _: screen.changed())


def _reason(statuses: tuple[str, ...], title: str, placeholder: str, button: str, step, said: str):  # type: ignore[no-untyped-def]
    def run(screen: RecordDetailScreen) -> None:
        quote_id = _quote(screen, statuses)
        if quote_id is None:
            return

        def finished(result) -> None:  # type: ignore[no-untyped-def]
            if result is not None:
                screen.notify(said.format(label=sales.quote_label(result.number)))
                screen.changed()

        screen.app.push_screen(
            ReasonDialog(title, placeholder, lambda reason: step(screen, quote_id, reason), button=button), finished)

    return run


def _send(screen: RecordDetailScreen) -> None:
    quote_id = _quote(screen, ("approved",))
    if quote_id is not None:
        _opener(lambda s: SendQuoteDialog(quote_id), lambda m: f"Quote sent to {m.to}")(screen)


def _html(screen: RecordDetailScreen) -> None:
    quote = sales.newest(screen.record_id, tuple(sales.TRANSITIONS))
    if quote is None:
        screen.notify("This opportunity has no quote yet", severity="warning")
        return
    path = Path.cwd() / f"{sales.quote_label(quote.number)}.html"
    written = screen.attempt(quotes.write_html, quote.id, screen.session.user, path)
    if written is not None:
        screen.notify(f"Wrote {written}", title="Quote as HTML")


OPEN_ORDER = ("ordered", "in delivery")


def _delivered(screen: RecordDetailScreen) -> None:
    order = delivery.newest_order(screen.record_id, OPEN_ORDER)
    if order is None:
        return
    done = screen.attempt(delivery.mark_delivered, screen.session.user, screen.session.config, order.id)
    if done is not None:
        screen.notify(f"Order {delivery.order_label(done.number)} delivered")
        screen.changed()


def _cancel_order(screen: RecordDetailScreen) -> None:
    order = delivery.newest_order(screen.record_id, OPEN_ORDER)
    if order is None:
        return
    label = delivery.order_label(order.number)

    def finished(result) -> None:  # type: ignore[no-untyped-def]
        if result is not None:
            screen.notify(f"Order {label} cancelled; its delivery task too")
            screen.changed()

    screen.app.push_screen(ReasonDialog(
        f"Cancel order {label}", "why the order is cancelled (the customer sees no mail)",
        lambda reason: delivery.cancel_order(_user(screen), screen.session.config, order.id, reason,
                                             expected_version=order.version),
        button="Cancel order"), finished)


def _bill(screen: RecordDetailScreen) -> None:
    order = delivery.newest_order(screen.record_id, ("ordered", "in delivery", "delivered"), uninvoiced=True)
    if order is None:
        return
    invoice = screen.attempt(billing.invoice_order, screen.session.user, screen.session.config, order.id)
    if invoice is not None:
        screen.notify(f"Invoice {invoice.number}: {money.format_amount(invoice.total)} {invoice.currency}, "
                      f"due {invoice.due_on:%d %b %Y}")
        screen.changed()


def _user(screen: RecordDetailScreen):  # type: ignore[no-untyped-def]
    return screen.session.user


register_action("opportunity", DetailAction(
    key="Q", id="quote.new", description="New quote", tooltip="Draft a quote on this opportunity",
    run=_new_quote, available=lambda opp: opp.state == "open"))
register_action("opportunity", DetailAction(
    key="L", id="quote.lines", description="Quote lines", tooltip="Add or remove lines of the draft quote",
    run=_lines, available=_has_quote(*sales.EDITABLE)))
register_action("opportunity", DetailAction(
    key="U", id="quote.submit", description="Submit quote",
    tooltip="Hand the draft in: approved at once within the discount limit, else a manager approves",
    run=_direct(sales.EDITABLE, lambda s, q: sales.submit(_user(s), s.session.config, q), "Quote {label} {status}"),
    available=_has_quote(*sales.EDITABLE)))
register_action("opportunity", DetailAction(
    key="P", id="quote.approve", description="Approve quote",
    tooltip="Approve the submitted quote (managers; never your own)",
    run=_direct(("submitted",), lambda s, q: sales.approve(_user(s), q), "Quote {label} approved"),
    available=_has_quote("submitted")))
register_action("opportunity", DetailAction(
    key="J", id="quote.reject", description="Reject quote", tooltip="Send the submitted quote back, with a reason",
    run=_reason(("submitted",), "Reject the quote", "why (required)", "Reject",
                lambda s, q, reason: sales.reject(_user(s), q, reason), "Quote {label} rejected"),
    available=_has_quote("submitted")))
register_action("opportunity", DetailAction(
    key="D", id="quote.send", description="Send quote", tooltip="Email the approved quote (SMTP or log only)",
    run=_send, available=_has_quote("approved")))
register_action("opportunity", DetailAction(
    key="Y", id="quote.accept", description="Accepted", tooltip="The customer accepted the quote: make the order",
    run=_direct(("sent",), lambda s, q: sales.accept(_user(s), s.session.config, q), "Quote {label} accepted: order placed"),
    available=_has_quote("sent")))
register_action("opportunity", DetailAction(
    key="X", id="quote.decline", description="Declined", tooltip="The customer declined the quote",
    run=_reason(("sent",), "The customer declined", "why (optional)", "Declined",
                lambda s, q, reason: sales.decline(_user(s), q, reason), "Quote {label} declined"),
    available=_has_quote("sent")))
register_action("opportunity", DetailAction(
    key="H", id="quote.html", description="Quote HTML",
    tooltip="Write the newest quote as an HTML file (in the current directory)",
    run=_html, available=_has_quote(*sales.TRANSITIONS), writes=False))
register_action("opportunity", DetailAction(
    key="V", id="order.delivered", description="Delivered", tooltip="The newest open order was delivered",
    run=_delivered, available=lambda opp: delivery.newest_order(opp.id, OPEN_ORDER) is not None))
register_action("opportunity", DetailAction(
    key="C", id="order.cancel", description="Cancel order",
    tooltip="Cancel the newest open order, with a reason (its delivery task is cancelled too)",
    run=_cancel_order, available=lambda opp: delivery.newest_order(opp.id, OPEN_ORDER) is not None))
register_action("opportunity", DetailAction(
    key="B", id="order.bill", description="Bill order", tooltip="Invoice the newest order not billed yet",
    run=_bill, available=lambda opp: delivery.newest_order(
        opp.id, ("ordered", "in delivery", "delivered"), uninvoiced=True) is not None))


def _quotes_text(screen: RecordDetailScreen) -> RenderableType:
    found = sales.quotes_for(screen.record_id)
    if not found:
        return Text("No quotes yet (Q drafts one)", style="italic")
    text = Text()
    for index, quote in enumerate(found[:8]):
        if index:
            text.append("\n")
        text.append(f"{sales.quote_label(quote.number)}  ", style="bold")
        text.append(f"{quote.status:<10}")
        text.append(f"{money.format_amount(quote.total):>12} {quote.currency}")
        if quote.status == "rejected" and quote.decision_reason:
            text.append(f"  — {quote.decision_reason}", style="italic")
    for order in delivery.orders_for_opportunity(screen.record_id)[:4]:
        text.append(f"\n{delivery.order_label(order.number)}  ", style="bold")
        text.append(f"{order.status:<10}")
        if order.promised_on and order.status in ("ordered", "in delivery"):
            text.append(f" promised {order.promised_on:%d %b %Y}", style="dim")
    return text


register_section("opportunity", DetailSection(id="quotes", title="Quotes & orders", render=_quotes_text))


# ---- account ------------------------------------------------------------------

def _summary_text(screen: RecordDetailScreen) -> RenderableType:
    head = account_summary.summary(screen.record_id)
    text = Text(head.text)
    invoices = [row for row in documents.listing("invoice", account_id=screen.record_id, limit=5)
                if row["status"] in ("open", "overdue")]
    for row in invoices:
        text.append(f"\n{row['number']}  {money.format_amount(row['open'])} {row['currency']} open, "
                    f"due {row['due']:%d %b %Y}", style="bold red" if row["status"] == "overdue" else "")
    return text


def _next_department(screen: RecordDetailScreen) -> None:
    order: list[str | None] = [None, *history.DEPARTMENTS]
    following = order[(order.index(screen.department) + 1) % len(order)]
    screen.set_department(following)
    screen.notify(f"Timeline: {following or 'every department'}", timeout=2)


register_section("account", DetailSection(id="summary", title="Summary", render=_summary_text, first=True))
register_action("account", DetailAction(
    key="F", id="account.department", description="Department",
    tooltip="Filter the timeline: every department, sales, delivery, billing, support",
    run=_next_department, writes=False))
register_action("account", DetailAction(
    key="dollar_sign", id="account.payment", description="Payment", tooltip="Record a payment on an open invoice",
    run=_opener(lambda s: PaymentDialog(s.record_id),
                lambda p: f"Payment of {money.format_amount(p.amount)} recorded"),
    available=lambda account: bool(billing.unpaid_balance(account.id))))
