"""Edit a draft quote's lines: pick a product (or write free text), quantity,
price and discount; the totals follow (domain.sales, domain.money).

`QuoteLinesDialog(quote_id)` dismisses the Quote when a line was added or
removed, or None when nothing changed (escape).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from crm_tui.domain import money, sales
from crm_tui.models import Quote
from crm_tui.ui.dialogs.modal import CrmDialog


class QuoteLinesDialog(CrmDialog[Quote | None]):
    PREFIX = "quote"
    FIELDS = {"product": "quote-product", "description": "quote-text", "quantity": "quote-qty",
              "unit_price": "quote-price", "discount": "quote-discount"}
    BINDINGS = [
        Binding("ctrl+s", "add_line", "Add line", id="quote.add_line", tooltip="Add this line to the quote"),
        Binding("delete", "remove_line", "Remove line", id="quote.remove_line",
                tooltip="Remove the highlighted line (in the list of lines)"),
    ]

    def __init__(self, quote_id: int) -> None:
        super().__init__()
        self.quote_id = quote_id
        self.changed_lines = False
        self._line_ids: list[int] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="quote-dialog", classes="dialog"):
            yield Static("", id="quote-title", classes="dialog-title", markup=False)
            yield DataTable(id="quote-lines", cursor_type="row")
            yield Static("", id="quote-totals", markup=False)
            with Horizontal(classes="dialog-row"):
                yield Label("Product", classes="dialog-label")
                yield Select[str]([], id="quote-product", prompt="free text (no product)", compact=True)
            with Horizontal(classes="dialog-row"):
                yield Label("Text", classes="dialog-label")
                yield Input(id="quote-text", placeholder="description (default: the product's name)", compact=True)
            with Horizontal(classes="dialog-row"):
                yield Label("Quantity", classes="dialog-label")
                yield Input("1", id="quote-qty", compact=True)
            with Horizontal(classes="dialog-row"):
                yield Label("Unit price", classes="dialog-label")
                yield Input(id="quote-price", placeholder="default: the product's price", compact=True)
            with Horizontal(classes="dialog-row"):
                yield Label("Discount %", classes="dialog-label")
                yield Input("0", id="quote-discount", compact=True)
            yield self.error_line()
            with Horizontal(classes="dialog-buttons"):
                yield Button("Add line", id="quote-add", variant="primary", compact=True)
            yield Static("ctrl+s add line · delete remove the highlighted line · esc done", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#quote-lines", DataTable).add_columns("#", "Description", "Qty", "Unit price", "Disc.", "Net")
        products = [(Text(f"{p.code} · {p.name} · {money.format_amount(p.unit_price)} {p.currency}"), p.code)
                    for p in sales.list_products()]
        self.query_one("#quote-product", Select).set_options(products)
        self._refresh()
        self.query_one("#quote-product", Select).focus()

    def _refresh(self) -> None:
        quote = self.run(sales.get_quote, self.quote_id)
        if quote is None:
            return
        self.query_one("#quote-title", Static).update(
            f"Quote {sales.quote_label(quote.number)} · {quote.status} · {quote.currency}")
        table = self.query_one("#quote-lines", DataTable)
        table.clear()
        rows = sales.lines(quote.id)
        self._line_ids = [row.id for row in rows]
        for row in rows:
            table.add_row(Text(str(row.position)), Text(row.description), Text(f"{row.quantity.normalize():f}"),
                          Text(money.format_amount(row.unit_price), justify="right"),
                          Text(f"{row.discount.normalize():f}%" if row.discount else ""),
                          Text(money.format_amount(row.net), justify="right"))
        table.display = bool(rows)
        self.query_one("#quote-totals", Static).update(
            f"Subtotal {money.format_amount(quote.subtotal)} · tax {quote.tax_rate.normalize():f}% "
            f"{money.format_amount(quote.tax)} · total {money.format_amount(quote.total)} {quote.currency}")

    @on(Button.Pressed, "#quote-add")
    @on(Input.Submitted)
    def action_add_line(self) -> None:
        product = self.query_one("#quote-product", Select).value
        line = self.run(
            sales.add_line, self.user, self.quote_id,
            product=product if isinstance(product, str) else None,
            description=self.query_one("#quote-text", Input).value,
            quantity=self.query_one("#quote-qty", Input).value or "1",
            unit_price=self.query_one("#quote-price", Input).value or None,
            discount=self.query_one("#quote-discount", Input).value or "0",
        )
        if line is None:
            return
        self.changed_lines = True
        for widget_id, value in (("quote-text", ""), ("quote-qty", "1"), ("quote-price", ""), ("quote-discount", "0")):
            self.query_one(f"#{widget_id}", Input).value = value
        self.query_one("#quote-product", Select).clear()
        self._refresh()
        self.crm.changed()
        self.query_one("#quote-product", Select).focus()

    def action_remove_line(self) -> None:
        table = self.query_one("#quote-lines", DataTable)
        if not table.has_focus or not self._line_ids:
            return
        row = table.cursor_row
        if 0 <= row < len(self._line_ids) and self.run(sales.remove_line, self.user, self._line_ids[row]) is not None:
            self.changed_lines = True
            self._refresh()
            self.crm.changed()

    def action_cancel(self) -> None:
        self.dismiss(sales.get_quote(self.quote_id) if self.changed_lines else None)
