"""Qualify a lead: the configured questions one at a time, in asking order,
each a multiple choice picked with a number key; then a summary that saves
all answers in one action, optionally marking the lead qualified.

`QualificationDialog(lead_id)` dismisses the saved `Lead`, or None (escape:
nothing saved).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, OptionList, Static
from textual.widgets.option_list import Option

from crm_tui.domain import qualification
from crm_tui.models import Lead
from crm_tui.ui.dialogs.modal import CrmDialog


class QualificationDialog(CrmDialog[Lead | None]):
    PREFIX = "qualification"
    BINDINGS = [
        *[Binding(str(n), f"pick({n})", f"Choice {n}", id=f"qualification.pick{n}", show=False,
                  tooltip=f"Answer with choice {n}") for n in range(1, 10)],
        Binding("left", "step(-1)", "Back", id="qualification.back", tooltip="The previous question"),
        Binding("right", "step(1)", "Skip", id="qualification.skip", tooltip="The next question, unanswered"),
        Binding("ctrl+s", "save", "Save", id="qualification.save", tooltip="Save the answers"),
    ]

    def __init__(self, lead_id: int) -> None:
        super().__init__()
        self.lead_id = lead_id
        self._questions: list[qualification.QuestionState] = []
        self._answers: dict[str, str] = {}
        self._index = 0
        self._lead_name = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="qualification-dialog", classes="dialog"):
            yield Static("", id="qualification-title", classes="dialog-title", markup=False)
            yield Static("", id="qualification-question", markup=False)
            yield OptionList(id="qualification-choices", compact=True)
            yield Static("", id="qualification-summary", markup=False)
            yield Checkbox("Mark the lead qualified", id="qualification-qualify", compact=True)
            yield self.error_line()
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="qualification-save", variant="primary", compact=True)
            yield Static("1-9 pick · ← back · → skip · ctrl+s save · esc cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        lead = self.run(qualification.get_lead, self.lead_id)
        if lead is None:
            return
        self._lead_name = lead.name
        self._questions = qualification.questions(self.config, self.lead_id)
        self._answers = {q.key: q.answer for q in self._questions if q.answer is not None}
        self._index = next((i for i, q in enumerate(self._questions) if q.answer is None), len(self._questions))
        self._show()

    @property
    def answers(self) -> dict[str, str]:
        """The answers as picked so far (saved only on save)."""
        return dict(self._answers)

    def _show(self) -> None:
        total = len(self._questions)
        title = self.query_one("#qualification-title", Static)
        choices = self.query_one("#qualification-choices", OptionList)
        summary = self.query_one("#qualification-summary", Static)
        qualify = self.query_one("#qualification-qualify", Checkbox)
        asking = self._index < total
        choices.display = asking
        self.query_one("#qualification-question").display = asking
        summary.display = not asking
        qualify.display = not asking
        if asking:
            question = self._questions[self._index]
            title.update(Text(f"Qualify {self._lead_name} · question {self._index + 1} of {total}"))
            self.query_one("#qualification-question", Static).update(Text(question.text, style="bold"))
            choices.clear_options()
            choices.add_options([Option(Text(f"{n}  {choice}"), id=choice)
                                 for n, choice in enumerate(question.choices, start=1)])
            current = self._answers.get(question.key)
            choices.highlighted = question.choices.index(current) if current in question.choices else 0
            choices.focus()
            return
        title.update(Text(f"Qualify {self._lead_name} · summary"))
        text = Text()
        for question in self._questions:
            text.append(f"{question.text}: ", style="bold")
            text.append(f"{self._answers.get(question.key, '— not answered')}\n")
        summary.update(text)
        complete = all(q.key in self._answers for q in self._questions)
        qualify.disabled = not complete
        qualify.value = complete
        self.query_one("#qualification-save", Button).focus()

    def action_pick(self, number: int) -> None:
        if self._index >= len(self._questions):
            return
        question = self._questions[self._index]
        if 1 <= number <= len(question.choices):
            self._answers[question.key] = question.choices[number - 1]
            self._index += 1
            self._show()

    def action_step(self, delta: int) -> None:
        self._index = max(0, min(len(self._questions), self._index + delta))
        self._show()

    @on(OptionList.OptionSelected, "#qualification-choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_pick(event.option_index + 1)

    @on(Button.Pressed, "#qualification-save")
    def action_save(self) -> None:
        qualify = self.query_one("#qualification-qualify", Checkbox)
        lead = self.run(
            qualification.answer_all, self.user, self.config, self.lead_id, self._answers,
            qualify_lead=qualify.value and not qualify.disabled,
        )
        if lead is not None:
            self.done(lead)
