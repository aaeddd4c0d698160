"""Write an email on a record from a template: pick the template, see the merged
text, edit it here or in $EDITOR, then log it only, or send it through the
configured SMTP server and log it.

`ComposeEmailDialog(record_kind, record_id)` dismisses a
`templates.EmailLog` (the done email activity; `sent` says whether crm sent
it), or None (escape: nothing logged or sent). Sending runs in a thread
worker; a failed send is shown here and nothing is logged.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from crm_tui.domain import records, templates
from crm_tui.interop import editor
from crm_tui.ui.dialogs.mail_dialog import MailDialog


class ComposeEmailDialog(MailDialog[templates.EmailLog | None]):
    NOT_SENT = "not sent, nothing logged"
    PREFIX = "compose"
    FIELDS = {"to": "compose-to", "subject": "compose-subject", "body": "compose-body"}
    BINDINGS = [
        Binding("ctrl+e", "external_editor", "$EDITOR", id="compose.editor",
                tooltip="Edit the text in your own editor ($VISUAL / $EDITOR)"),
        Binding("ctrl+l", "log_only", "Log only", id="compose.log",
                tooltip="Log the email on the record without sending it"),
        Binding("ctrl+s", "send", "Send", id="compose.send",
                tooltip="Send through the SMTP server and log it"),
    ]

    def __init__(self, record_kind: str, record_id: int) -> None:
        super().__init__()
        self.record_kind = record_kind
        self.record_id = record_id

    def compose(self) -> ComposeResult:
        with Vertical(id="compose-dialog", classes="dialog"):
            yield Static("Email", id="compose-title", classes="dialog-title", markup=False)
            with Horizontal(classes="dialog-row"):
                yield Label("Template", classes="dialog-label")
                yield Select[int]([], id="compose-template", prompt="pick one (or write freely)", compact=True)
            with Horizontal(classes="dialog-row"):
                yield Label("To", classes="dialog-label")
                yield Input(id="compose-to", placeholder="name@example.com", compact=True)
            with Horizontal(classes="dialog-row"):
                yield Label("Subject", classes="dialog-label")
                yield Input(id="compose-subject", compact=True)
            yield TextArea(id="compose-body", soft_wrap=True)
            yield self.error_line()
            with Horizontal(classes="dialog-buttons"):
                yield Button("Send and log", id="compose-send", variant="primary", compact=True)
                yield Button("Log only", id="compose-log", compact=True)
                yield Button("Edit in $EDITOR", id="compose-editor", compact=True)
            yield Static("ctrl+s send · ctrl+l log only · ctrl+e $EDITOR · esc cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        record = self.run(records.get, self.record_kind, self.record_id)
        if record is None:
            return
        self.query_one("#compose-title", Static).update(f"Email on {records.display_name(record)}")
        select = self.query_one("#compose-template", Select)
        select.set_options([(Text(template.name), template.id) for template in templates.list_templates()])
        context = templates.context_for(self.user, self.record_kind, self.record_id)
        self.query_one("#compose-to", Input).value = templates.recipient(context)
        select.focus()

    @on(Select.Changed, "#compose-template")
    def _template_picked(self, event: Select.Changed) -> None:
        if not isinstance(event.value, int):
            return
        composed = self.run(templates.compose, self.user, event.value, self.record_kind, self.record_id)
        if composed is None:
            return
        if composed.to:
            self.query_one("#compose-to", Input).value = composed.to
        self.query_one("#compose-subject", Input).value = composed.subject
        self.query_one("#compose-body", TextArea).text = composed.body

    def _message(self) -> tuple[str, str, str] | None:
        return self.run(
            templates.check_message,
            self.query_one("#compose-to", Input).value,
            self.query_one("#compose-subject", Input).value,
            self.query_one("#compose-body", TextArea).text,
        )

    @on(Button.Pressed, "#compose-editor")
    def action_external_editor(self) -> None:
        body = self.query_one("#compose-body", TextArea)
        try:
            with self.app.suspend():
                text = editor.edit_text(body.text, suffix=".eml.txt")
        except SuspendNotSupported:
            self.show_error("this terminal cannot hand over to an editor; edit the text here")
            return
        except editor.EditorError as exc:
            self.show_error(str(exc))
            return
        body.text = text
        self.show_error("")

    @on(Button.Pressed, "#compose-log")
    def action_log_only(self) -> None:
        self._log(sent=False)

    def _log(self, *, sent: bool, message: tuple[str, str, str] | None = None) -> None:
        message = message or self._message()
        if message is None:
            return
        to, subject, body = message
        result = self.run(templates.log_email, self.user, self.config, self.record_kind, self.record_id,
                          to, subject, body, sent=sent)
        if result is not None:
            self.done(result)

    @on(Button.Pressed, "#compose-send")
    def action_send(self) -> None:
        message = None if self.sending else self._message()
        if message is not None:
            self.send(*message, then=lambda: self._log(sent=True, message=message))
