"""Create or edit a record of any kind; dismisses the record's id, or None.

What is typed is never lost: a refusal is shown at its field; a possible
duplicate is named ("Contact Kim Ng at Acme has the same email — create
anyway?") with a button to create anyway; a stale save says who changed the
record and when, and "Reload and reapply" takes their version as the new
base while keeping the input, so the next save applies it on top.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from crm_tui.db import DatabaseError
from crm_tui.domain import records
from crm_tui.domain.errors import Conflict, DomainError
from crm_tui.domain.records import PossibleDuplicate
from crm_tui.ui.widgets.forms import RecordForm


class RecordFormDialog(ModalScreen[int | None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="record_form.save", tooltip="Save this record"),
        Binding("escape", "cancel", "Cancel", id="record_form.cancel", tooltip="Close without saving"),
    ]

    def __init__(self, kind: str, record_id: int | None = None, initial: dict[str, str] | None = None) -> None:
        super().__init__()
        self.kind = kind
        self.record_id = record_id
        self._initial = dict(initial or {})
        self.version: int | None = None
        self._loaded: dict[str, str] = {}
        """The values the form was loaded with: what the user changed is what differs."""

    @property
    def creating(self) -> bool:
        return self.record_id is None

    def compose(self) -> ComposeResult:
        session = self.app.session  # type: ignore[attr-defined]
        config = session.config
        specs = records.fields(self.kind, config, creating=self.creating)
        if self.creating:
            values = {"owner": str(session.user.id), **self._initial}
            if self.kind == "opportunity":
                values.setdefault("currency", "EUR")
            if self.kind == "case":
                values.setdefault("priority", "normal")
            title = f"New {records.KIND_LABELS[self.kind].lower()}"
        else:
            record = records.get(self.kind, self.record_id)  # type: ignore[arg-type]
            self.version = record.version
            values = records.form_values(self.kind, record, config)
            self._loaded = dict(values)
            title = Text(f"Edit {records.KIND_LABELS[self.kind].lower()}: ")
            title.append(records.display_name(record))
        with Vertical(id="record-form-dialog"):
            yield Label(title, id="record-form-title")
            with VerticalScroll(id="record-form-scroll"):
                yield RecordForm(specs, values, records.owners(), id="record-form")
            yield Static("", id="record-form-message", markup=False)
            with Horizontal(id="record-form-buttons"):
                yield Button("Save", variant="primary", id="record-form-save")
                yield Button("Create anyway", variant="warning", id="record-form-anyway", classes="-hidden")
                yield Button("Reload and reapply", variant="warning", id="record-form-reload", classes="-hidden")
                yield Button("Cancel", id="record-form-cancel")

    def on_mount(self) -> None:
        inputs = self.query("#record-form Input")
        if inputs:
            inputs.first().focus()

    @property
    def form(self) -> RecordForm:
        return self.query_one("#record-form", RecordForm)

    def _message(self, text: str, *, warning: bool = True) -> None:
        message = self.query_one("#record-form-message", Static)
        message.update(text)
        message.set_class(bool(text) and warning, "-warning")

    def _buttons(self, *, anyway: bool = False, reload: bool = False) -> None:
        self.query_one("#record-form-anyway").set_class(not anyway, "-hidden")
        self.query_one("#record-form-reload").set_class(not reload, "-hidden")

    def action_save(self, allow_duplicates: bool = False) -> None:
        session = self.app.session  # type: ignore[attr-defined]
        form = self.form
        form.clear_errors()
        self._message("")
        self._buttons()
        values = form.values()
        try:
            if self.creating:
                record = records.create(session.user, session.config, self.kind, values,
                                        allow_duplicates=allow_duplicates)
            else:
                record = records.update(session.user, session.config, self.kind, self.record_id,  # type: ignore[arg-type]
                                        values, expected_version=self.version or 0)
        except PossibleDuplicate as exc:
            self._message(str(exc))
            self._buttons(anyway=True)
            return
        except Conflict as exc:
            self._message(str(exc))
            self._buttons(reload=True)
            return
        except DomainError as exc:
            if exc.field and form.has_field(exc.field):
                form.show_error(exc.field, str(exc))
            else:
                self._message(str(exc))
            return
        except DatabaseError as exc:
            self._message(str(exc))
            return
        self.dismiss(record.id)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def reload_and_reapply(self) -> None:
        """Load the saved version and apply the user's own changes on top of it:
        fields the user changed keep what was typed, the others take the saved value."""
        session = self.app.session  # type: ignore[attr-defined]
        try:
            record = records.get(self.kind, self.record_id)  # type: ignore[arg-type]
        except DomainError as exc:
            self._message(str(exc))
            return
        saved = records.form_values(self.kind, record, session.config)
        typed = self.form.values()
        mine = {name: value for name, value in typed.items() if value != self._loaded.get(name, "")}
        self.form.set_values({**saved, **mine})
        self._loaded, self.version = saved, record.version
        self._buttons()
        changed = ", ".join(sorted(mine)) or "nothing"
        self._message(f"Reloaded the saved version; your changes ({changed}) are applied on top. "
                      "Save to keep them.", warning=False)

    @on(Button.Pressed, "#record-form-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#record-form-anyway")
    def _anyway_pressed(self) -> None:
        self.action_save(allow_duplicates=True)

    @on(Button.Pressed, "#record-form-reload")
    def _reload_pressed(self) -> None:
        self.reload_and_reapply()

    @on(Button.Pressed, "#record-form-cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()
