"""Send an approved quote: the email from the quote template, editable, then
`ctrl+s` sends it through SMTP (off the UI thread) and logs it, or `ctrl+l`
only logs it (sent some other way). Either way the quote becomes sent; a
failed send is shown here and changes nothing.

`SendQuoteDialog(quote_id)` dismisses the QuoteMessage, or None.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static, TextArea

from crm_tui.domain import sales, templates
from crm_tui.interop import quotes
from crm_tui.ui.dialogs.mail_dialog import MailDialog


class SendQuoteDialog(MailDialog[quotes.QuoteMessage | None]):
    PREFIX = "sendquote"
    FIELDS = {"to": "sendquote-to", "subject": "sendquote-subject", "body": "sendquote-body"}
    BINDINGS = [
        Binding("ctrl+s", "send", "Send", id="sendquote.send", tooltip="Send through the mail server, then log it"),
        Binding("ctrl+l", "log_only", "Log only", id="sendquote.log", tooltip="Log it as sent some other way"),
    ]

    def __init__(self, quote_id: int) -> None:
        super().__init__()
        self.quote_id = quote_id

    def compose(self) -> ComposeResult:
        with Vertical(id="sendquote-dialog", classes="dialog"):
            yield Static("Send quote", id="sendquote-title", classes="dialog-title", markup=False)
            with Horizontal(classes="dialog-row"):
                yield Label("To", classes="dialog-label")
                yield Input(id="sendquote-to", placeholder="name@example.com", compact=True)
            with Horizontal(classes="dialog-row"):
                yield Label("Subject", classes="dialog-label")
                yield Input(id="sendquote-subject", compact=True)
            yield TextArea(id="sendquote-body", soft_wrap=False)
            yield self.error_line()
            with Horizontal(classes="dialog-buttons"):
                yield Button("Send and log", id="sendquote-send", variant="primary", compact=True)
                yield Button("Log only", id="sendquote-log", compact=True)
            yield Static("ctrl+s send · ctrl+l log only · esc cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        message = self.run(quotes.compose, self.user, self.config, self.quote_id)
        quote = self.run(sales.get_quote, self.quote_id)
        if message is None or quote is None:
            return
        self.query_one("#sendquote-title", Static).update(f"Send quote {sales.quote_label(quote.number)}")
        self.query_one("#sendquote-to", Input).value = message.to
        self.query_one("#sendquote-subject", Input).value = message.subject
        self.query_one("#sendquote-body", TextArea).text = message.body
        self.query_one("#sendquote-to", Input).focus()

    def _message(self) -> quotes.QuoteMessage | None:
        checked = self.run(templates.check_message, self.query_one("#sendquote-to", Input).value,
                           self.query_one("#sendquote-subject", Input).value,
                           self.query_one("#sendquote-body", TextArea).text)
        return quotes.QuoteMessage(*checked) if checked is not None else None

    @on(Button.Pressed, "#sendquote-log")
    def action_log_only(self) -> None:
        message = self._message()
        if message is not None:
            self._finish(message, smtp=False)

    def _finish(self, message: quotes.QuoteMessage, *, smtp: bool) -> None:
        checked = (message.to, message.subject, message.body)
        result = self.run(sales.send, self.user, self.config, self.quote_id, *checked, by_smtp=smtp)
        if result is not None:
            self.done(message)

    @on(Button.Pressed, "#sendquote-send")
    def action_send(self) -> None:
        message = None if self.sending else self._message()
        if message is not None:
            self.send(message.to, message.subject, message.body, then=lambda: self._finish(message, smtp=True))
