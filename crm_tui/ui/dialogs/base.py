"""What every form dialog shares: errors shown at the field, input kept.

A form dialog is a `ModalScreen[T]`. When it is given a `save` callable, it
calls it with its typed result before dismissing: a `DomainError` from the
domain is shown under the field it names (a `FieldError` label with class
`-error`), a `Conflict` (a stale save) at the top with who changed it and
when, and the dialog stays open with everything the user typed. Escape
dismisses `None` (or the dialog's own cancel value) and changes nothing.
"""

from __future__ import annotations

from typing import Any, Callable, Generic, TypeVar

from textual.binding import Binding
from textual.screen import ModalScreen

from crm_tui.db import DatabaseError
from crm_tui.domain.errors import Conflict, DomainError
from crm_tui.ui.widgets.field_error import FieldError

T = TypeVar("T")


class FormDialog(ModalScreen[T], Generic[T]):
    """A dialog with fields whose errors come from the domain."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel", tooltip="Close without changing anything"),
    ]

    FIELDS: dict[str, str] = {}
    """Domain field name -> the id prefix of the FieldError that shows it."""

    cancel_value: Any = None

    def __init__(self, save: Callable[[T], Any] | None = None) -> None:
        super().__init__()
        self._save = save

    def action_cancel(self) -> None:
        self.dismiss(self.cancel_value)

    def clear_errors(self) -> None:
        for label in self.query(FieldError):
            label.show("")

    def show_error(self, exc: DomainError) -> None:
        """Put the message at its field (or at the top when no field is named)."""
        self.clear_errors()
        target = self.FIELDS.get(exc.field or "", "form")
        if isinstance(exc, Conflict):
            target = "form"
        matches = self.query(f"#{target}-error").results(FieldError)
        label = next(iter(matches), None) or self.query_one("#form-error", FieldError)
        label.show(str(exc))
        focus_target = next(iter(self.query(f"#{target}")), None)
        if focus_target is not None and focus_target.focusable:
            focus_target.focus()

    def submit(self, result: T) -> None:
        """Save (if a save was given) and close; on a refusal keep the input."""
        if self._save is not None:
            try:
                self._save(result)
            except DomainError as exc:
                self.show_error(exc)
                return
            except DatabaseError as exc:
                self.clear_errors()
                self.query_one("#form-error", FieldError).show(str(exc))
                return
        self.dismiss(result)

    def build(self, make: Callable[[], T]) -> None:
        """Build the result from the fields (refusals at the field) and submit it."""
        try:
            result = make()
        except DomainError as exc:
            self.show_error(exc)
            return
        self.submit(result)
