"""A one-glance line of an opportunity's methodology steps: done, current
(with its due day, red when overdue) and upcoming. The screen passes in
`methodology.state(...)`; the widget never reads the database."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from crm_tui.domain.methodology import StepState


def render_steps(states: list[StepState]) -> Text:
    """'✓ Discovery call › ● Demo by Fri 27 Nov › ○ Proposal …' as styled text."""
    text = Text()
    for index, state in enumerate(states):
        if index:
            text.append(" › ", style="dim")
        if state.status == "done":
            text.append(f"✓ {state.step.name}", style="red" if state.overdue else "green")
        elif state.status == "current":
            due = f" by {state.due:%a %d %b}" if state.due else ""
            text.append(f"● {state.step.name}{due}", style="bold red" if state.overdue else "bold")
        else:
            text.append(f"○ {state.step.name}", style="dim")
    return text


class MethodologySteps(Static):
    """Shows the steps of one opportunity; call `show_states` after each reload."""

    def show_states(self, states: list[StepState]) -> None:
        self.set_class(any(s.status == "current" and s.overdue for s in states), "-overdue")
        self.update(render_steps(states))
