"""The message under a form field, so a refusal is read where it happened."""

from __future__ import annotations

from textual.widgets import Label


class FieldError(Label):
    """Empty and hidden until there is an error; `#<field>-error`, class `-error` when shown."""

    def __init__(self, field: str) -> None:
        super().__init__("", id=f"{field}-error", classes="field-error", markup=False)

    def show(self, message: str) -> None:
        self.update(message)
        self.set_class(bool(message), "-error")
