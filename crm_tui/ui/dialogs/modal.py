"""The one base of every dialog: session access, escape to cancel, and domain
refusals shown inside the dialog, so what the user typed stays put.

Errors are shown one way: a `FieldError` label. A refusal naming a field
(`DomainError.field`, looked up in `FIELDS`) goes under that field when the
dialog has a `#<input-id>-error` label there, and the input is focused;
anything else (a stale-save `Conflict` with who changed it and when, a
database problem, a refusal about no field in particular) goes on the
dialog's own line at the top, `#<PREFIX>-error` (`error_line()`). Every
label has class `-error` while it shows a message.

Two ways to write, both keeping the dialog open on a refusal:
- `run(fn, ...)` calls a domain function and returns its result (None when
  refused); `done(result)` then refreshes the screens and closes.
- A `save` callable given to the constructor: `build(make)` makes the typed
  result from the fields (refusals at the field), `submit(result)` passes it
  to `save` and closes with it. Without `save` the result is just dismissed
  for the caller to write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, ClassVar, TypeVar

from textual.binding import Binding
from textual.screen import ModalScreen

from crm_tui.config import Config
from crm_tui.db import DatabaseError
from crm_tui.domain.errors import Conflict, DomainError
from crm_tui.models import User
from crm_tui.ui.widgets.field_error import FieldError

if TYPE_CHECKING:
    from crm_tui.ui.app import CrmApp

R = TypeVar("R")
T = TypeVar("T")


class CrmDialog(ModalScreen[R]):
    """A dialog that dismisses a typed result, or None when cancelled with escape.

    Subclasses set `PREFIX` (widget ids start with it, the error line is
    `#<PREFIX>-error`) and `FIELDS`, mapping a DomainError's field to the id
    of the input it is about (focused; its error shown at `#<id>-error` when
    the dialog has one, otherwise on the error line).
    """

    PREFIX: ClassVar[str] = "dialog"
    FIELDS: ClassVar[dict[str, str]] = {}
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel", tooltip="Close without changing anything"),
    ]

    def __init__(self, save: Callable[[R], Any] | None = None, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._save_result = save

    @property
    def crm(self) -> "CrmApp":
        return self.app  # type: ignore[return-value]

    @property
    def user(self) -> User:
        return self.crm.session.user

    @property
    def config(self) -> Config:
        return self.crm.session.config

    def error_line(self) -> FieldError:
        """The dialog's own message line, `#<PREFIX>-error`; yield it near the top."""
        line = FieldError(self.PREFIX)
        line.add_class("dialog-error")
        return line

    def show_error(self, message: str, field: str | None = None) -> None:
        """Show a refusal at its field (or on the error line) and focus the input
        it is about; an empty message clears every error."""
        for label in self.query(FieldError):
            label.show("")
        target = self.FIELDS.get(field or "")
        if message:
            at_field = next(iter(self.query(f"#{target}-error").results(FieldError)), None) if target else None
            (at_field or self._error_line()).show(message)
        if target:
            widget = next(iter(self.query(f"#{target}")), None)
            if widget is not None and widget.focusable:
                widget.focus()

    def _error_line(self) -> FieldError:
        return self.query_one(f"#{self.PREFIX}-error", FieldError)

    def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[bool, T | None]:
        """(True, result), or (False, None) after showing the refusal."""
        try:
            result = fn(*args, **kwargs)
        except Conflict as exc:  # a stale save is about the whole record, never one field
            self.show_error(str(exc))
            return False, None
        except DomainError as exc:
            self.show_error(str(exc), exc.field)
            return False, None
        except DatabaseError as exc:
            self.show_error(str(exc))
            return False, None
        self.show_error("")
        return True, result

    def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """Call a domain function; a refusal is shown here and None returned."""
        return self._call(fn, *args, **kwargs)[1]

    def build(self, make: Callable[[], R]) -> None:
        """Make the result from the fields (a refusal shown at its field) and submit it."""
        ok, result = self._call(make)
        if ok:
            self.submit(result)  # type: ignore[arg-type]

    def submit(self, result: R) -> None:
        """Save the result (when a `save` was given) and close; on a refusal keep the input."""
        if self._save_result is None:
            self.dismiss(result)
            return
        ok, _ = self._call(self._save_result, result)
        if ok:
            self.done(result)

    def done(self, result: R) -> None:
        """A write succeeded: refresh what the screens show, then close with the result."""
        changed = getattr(self.app, "changed", None)
        if callable(changed):
            changed()
        self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)

