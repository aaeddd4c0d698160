"""A form built from field specs (domain.records.FieldSpec): a label, an input
and, under it, the error for that field.

The domain says what fields a record has and checks them; this widget only
lays them out, hands back what was typed (as text), and shows a refusal at
the field that caused it, keeping everything typed. Choices (currencies,
priorities, methodology steps from config) become a Select; the owner a
Select of active users; other kinds an Input with a hint of the format.
"""

from __future__ import annotations

from typing import Any, Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, Select, TextArea

PLACEHOLDERS = {
    "email": "name@example.com", "phone": "+49 30 1234 5678", "money": "1,234.50",
    "date": "2026-12-31, fri, +2w", "integer": "0-100", "account": "the account's name",
}


class RecordForm(Vertical):
    """Fields in spec order; ids are `field-<name>` and `error-<name>`."""

    def __init__(
        self, specs: Sequence[Any], values: dict[str, str], owners: Sequence[tuple[str, int]], **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self._specs = list(specs)
        self._values = dict(values)
        self._owners = list(owners)

    def compose(self) -> ComposeResult:
        for spec in self._specs:
            with Vertical(classes="form-field"):
                with Horizontal(classes="form-row"):
                    label = spec.label + (" *" if spec.required else "")
                    yield Label(label, classes="form-label")
                    yield self._input(spec, self._values.get(spec.name, ""))
                yield Label("", id=f"error-{spec.name}", classes="form-error", markup=False)

    def _input(self, spec: Any, value: str) -> Widget:
        widget_id = f"field-{spec.name}"
        if spec.input == "choice":
            options = [(choice or "(none)", choice) for choice in spec.choices if choice]
            blank = "" in spec.choices or not spec.required
            initial = value if value in spec.choices and value else (Select.NULL if blank else spec.choices[0])
            return Select(options, value=initial, allow_blank=blank, id=widget_id, prompt="(none)", compact=True)
        if spec.input == "owner":
            options = [(name, str(user_id)) for name, user_id in self._owners]
            known = {str(user_id) for _, user_id in self._owners}
            return Select(options, value=value if value in known else Select.NULL, allow_blank=True,
                          id=widget_id, prompt="(nobody)", compact=True)
        if spec.input == "textarea":
            return TextArea(value, id=widget_id, soft_wrap=True, compact=True)
        return Input(value, placeholder=PLACEHOLDERS.get(spec.input, ""), id=widget_id, compact=True,
                     max_length=spec.max_length if spec.input == "text" else 0)

    def values(self) -> dict[str, str]:
        """What is typed now, as text per field name."""
        result: dict[str, str] = {}
        for spec in self._specs:
            widget = self.query_one(f"#field-{spec.name}")
            if isinstance(widget, Select):
                value = widget.value
                result[spec.name] = "" if value is Select.NULL or value is None else str(value)
            elif isinstance(widget, TextArea):
                result[spec.name] = widget.text
            else:
                result[spec.name] = widget.value  # type: ignore[attr-defined]
        return result

    def set_values(self, values: dict[str, str]) -> None:
        """Put values into the inputs (reload and reapply after a stale save)."""
        for spec in self._specs:
            if spec.name not in values:
                continue
            value = values[spec.name]
            widget = self.query_one(f"#field-{spec.name}")
            if isinstance(widget, Select):
                widget.value = value if value else Select.NULL
            elif isinstance(widget, TextArea):
                widget.text = value
            else:
                widget.value = value  # type: ignore[attr-defined]

    def has_field(self, name: str) -> bool:
        return any(spec.name == name for spec in self._specs)

    def show_error(self, field: str, message: str) -> None:
        """Show a refusal under its field and put the cursor there."""
        self.clear_errors()
        label = self.query_one(f"#error-{field}", Label)
        label.update(message)
        label.add_class("-error")
        widget = self.query_one(f"#field-{field}")
        widget.add_class("-invalid")
        widget.focus()

    def clear_errors(self) -> None:
        for label in self.query(".form-error.-error"):
            label.remove_class("-error")
            if isinstance(label, Label):
                label.update("")
        for widget in self.query(".-invalid"):
            widget.remove_class("-invalid")
