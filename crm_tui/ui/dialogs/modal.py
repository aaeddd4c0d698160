"""The base of the process dialogs: session access, escape to cancel, and
domain refusals shown inside the dialog (at the field when it names one),
so what the user typed stays put."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, ClassVar, TypeVar

from rich.text import Text
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.widgets import Static

from crm_tui.config import Config
from crm_tui.db import DatabaseError
from crm_tui.domain.errors import DomainError
from crm_tui.models import User

if TYPE_CHECKING:
    from crm_tui.ui.app import CrmApp

R = TypeVar("R")
T = TypeVar("T")


class CrmDialog(ModalScreen[R]):
    """A dialog that dismisses a typed result, or None when cancelled with escape.

    Subclasses set `PREFIX` (widget ids start with it, the error line is
    `#<PREFIX>-error`) and `FIELDS`, mapping a DomainError's field to the id
    of the input to focus.
    """

    PREFIX: ClassVar[str] = "dialog"
    FIELDS: ClassVar[dict[str, str]] = {}
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel", tooltip="Close without changing anything"),
    ]

    @property
    def crm(self) -> "CrmApp":
        return self.app  # type: ignore[return-value]

    @property
    def user(self) -> User:
        return self.crm.session.user

    @property
    def config(self) -> Config:
        return self.crm.session.config

    def error_line(self) -> Static:
        return Static("", id=f"{self.PREFIX}-error", classes="dialog-error", markup=False)

    def show_error(self, message: str, field: str | None = None) -> None:
        """Show a refusal in the dialog and focus the input it is about."""
        error = self.query_one(f"#{self.PREFIX}-error", Static)
        error.update(Text(message))
        error.set_class(bool(message), "-shown")
        target = self.FIELDS.get(field or "")
        if target:
            try:
                self.query_one(f"#{target}").focus()
            except NoMatches:
                pass

    def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """Call a domain function; a refusal is shown here and None returned."""
        try:
            result = fn(*args, **kwargs)
        except DomainError as exc:
            self.show_error(str(exc), exc.field)
            return None
        except DatabaseError as exc:
            self.show_error(str(exc))
            return None
        self.show_error("")
        return result

    def done(self, result: R) -> None:
        """A write succeeded: refresh what the screens show, then close with the result."""
        changed = getattr(self.app, "changed", None)
        if callable(changed):
            changed()
        self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)
