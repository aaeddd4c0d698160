"""Quotes on the opportunity detail, the account's summary and department filter, and the
Records screen's quotes, orders and invoices, driven with keys like a user would."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from textual.widgets import Input, Label, Select

from crm_tui.config import Config
from crm_tui.domain import sales, users
from crm_tui.models import Invoice, Payment, Quote, SalesOrder, User
from crm_tui.ui.app import make_app
from crm_tui.ui.dialogs.quote_lines import QuoteLinesDialog
from crm_tui.ui.dialogs.reason import ReasonDialog
from crm_tui.ui.dialogs.send_quote import SendQuoteDialog
from crm_tui.ui.screens.record_detail import RecordDetailScreen
from tests.domain.sales_fixtures import opportunity
from tests.ui.test_record_actions import offered, open_detail, section

CFG = Config()
SIZE = (120, 40)


@pytest.fixture
def priced(manager: User) -> None:
    sales.add_product(manager, CFG, code="LIC", name="Licence [pro]", unit_price="1000")


async def test_quote_from_draft_to_order_and_invoice_on_the_detail(rep: User, manager: User, priced: None,
                                                                   tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    opp = opportunity(rep, CFG)
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, pilot, "opportunity", opp.id)
        assert "No quotes yet" in section(app, "quotes")
        assert "quote.new" in offered(app) and "quote.submit" not in offered(app)
        await pilot.press("Q")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, QuoteLinesDialog)
        dialog.query_one("#quote-product", Select).value = "LIC"
        dialog.query_one("#quote-qty", Input).value = "2"
        dialog.query_one("#quote-discount", Input).value = "25"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "total 1,785.00 EUR" in str(dialog.query_one("#quote-totals").render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RecordDetailScreen)
        assert "Q-00001  draft" in section(app, "quotes") and "quote.submit" in offered(app)
        await pilot.press("U")
        await pilot.pause()
        assert "submitted" in section(app, "quotes")
        assert {"quote.approve", "quote.reject"} <= offered(app)
        await pilot.press("P")  # the author may not approve: refused with a message, nothing changes
        await pilot.pause()
        assert Quote.get().status == "submitted"
    quote = Quote.get()
    sales.approve(manager, quote.id)

    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, pilot, "opportunity", opp.id)
        assert "quote.send" in offered(app)
        await pilot.press("H")
        await pilot.pause()
        assert "Licence [pro]" in (tmp_path / "Q-00001.html").read_text()
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, SendQuoteDialog)
        assert app.screen.query_one("#sendquote-to", Input).value == "kim@acme.test"
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, RecordDetailScreen) and "sent" in section(app, "quotes")
        await pilot.press("Y")
        await pilot.pause()
        assert "O-00001  ordered" in section(app, "quotes")
        await pilot.press("V")
        await pilot.pause()
        await pilot.press("B")
        await pilot.pause()
    assert SalesOrder.get().status == "delivered"
    assert Invoice.get().total == Decimal("1785.00")


async def test_manager_rejects_with_a_reason(rep: User, manager: User, priced: None) -> None:
    opp = opportunity(rep, CFG)
    quote = sales.create_quote(rep, CFG, opp.id)
    sales.add_line(rep, quote.id, product="LIC", discount="50")
    sales.submit(rep, CFG, quote.id)
    app = make_app(manager, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, pilot, "opportunity", opp.id)
        await pilot.press("J")
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press("enter")  # no reason: refused in the dialog
        await pilot.pause()
        assert "a reason for rejecting is required" in str(app.screen.query_one("#reason-error").render())
        await pilot.press(*"too deep", "enter")
        await pilot.pause()
        assert isinstance(app.screen, RecordDetailScreen)
        assert "too deep" in section(app, "quotes")
    assert Quote.get().status == "rejected"


async def test_account_summary_payment_and_department_filter(rep: User, priced: None) -> None:
    opp = opportunity(rep, CFG)
    quote = sales.create_quote(rep, CFG, opp.id)
    sales.add_line(rep, quote.id, product="LIC")
    sales.submit(rep, CFG, quote.id)
    sales.mark_sent(rep, quote.id)
    sales.accept(rep, CFG, quote.id)
    from crm_tui.domain import billing

    billing.invoice_order(rep, CFG, SalesOrder.get().id)
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, pilot, "account", opp.account_id)
        assert "1 open opportunity · 1 order in delivery · unpaid 1,190.00 EUR · 0 open cases" in section(app, "summary")
        await pilot.press("F", "F", "F")  # sales -> delivery -> billing
        await pilot.pause()
        assert str(app.screen.query_one("#timeline-heading", Label).render()) == "Timeline · billing only"
        timeline = app.screen.query_one("#timeline")
        shown = [str(timeline.get_option_at_index(i).prompt) for i in range(timeline.option_count)]
        assert len(shown) == 1 and "Invoice INV-00001 issued" in shown[0]
        await pilot.press("dollar_sign")
        await pilot.pause()
        app.screen.query_one("#payment-amount", Input).value = "190"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RecordDetailScreen)
        assert "unpaid 1,000.00 EUR" in section(app, "summary")
    assert Payment.get().amount == Decimal("190.00")


async def test_records_lists_quotes_orders_invoices(rep: User, priced: None) -> None:
    opp = opportunity(rep, CFG, "Beta [EU]")
    quote = sales.create_quote(rep, CFG, opp.id)
    sales.add_line(rep, quote.id, product="LIC")
    app = make_app(rep, CFG, start_mode="records")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("Q")
        await pilot.pause()
        table = app.screen.query_one("#records-table")
        assert table.row_count == 1
        assert [str(cell) for cell in table.get_row_at(0)][:4] == ["Q-00001", "Beta [EU] rollout", "Beta [EU]", "draft"]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RecordDetailScreen) and app.screen.kind == "opportunity"
        await pilot.press("escape", "I")
        await pilot.pause()
        assert app.screen.query_one("#records-table").row_count == 0
    assert users.get_user("ann").id == rep.id


async def test_cancel_the_open_order_with_a_reason(rep: User, manager: User, priced: None) -> None:
    from crm_tui.models import Activity

    opp = opportunity(rep, CFG)
    quote = sales.create_quote(rep, CFG, opp.id)
    sales.add_line(rep, quote.id, product="LIC")
    sales.submit(rep, CFG, quote.id)  # within the discount limit: approved at once
    sales.mark_sent(rep, quote.id)
    sales.accept(rep, CFG, quote.id)
    order = SalesOrder.get()
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, pilot, "opportunity", opp.id)
        assert "order.cancel" in offered(app)
        await pilot.press("C")
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press("enter")  # no reason: refused in the dialog, nothing changes
        await pilot.pause()
        assert "a reason for cancelling is required" in str(app.screen.query_one("#reason-error").render())
        assert SalesOrder.get_by_id(order.id).status == "ordered"
        await pilot.press(*"budget frozen", "enter")
        await pilot.pause()
        assert isinstance(app.screen, RecordDetailScreen)
        assert "order.cancel" not in offered(app)
        assert "cancelled" in section(app, "quotes")
    assert SalesOrder.get_by_id(order.id).status == "cancelled"
    task = Activity.get_by_id(order.delivery_activity_id)
    assert (task.status, task.cancel_reason) == ("cancelled", "budget frozen")
