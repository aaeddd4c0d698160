"""Queue mode (`w` on Today): work the list one activity at a time.

Each item shows the activity and a one-screen context of its record
(domain.context: key fields, open activities, the last few timeline
entries, qualification answers still missing) and offers: `c` complete (the
same complete-and-follow-up dialog as Today), `s` reschedule, `space` skip,
`o` open the record (escape there comes back to the same item), `escape`
leave. After each, the next item comes up until the list is done; the bar
and the line above it show the progress. Items that someone else finished
or moved meanwhile are passed over.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import ProgressBar, Static

from crm_tui.domain import agenda, context
from crm_tui.domain.agenda import AgendaRow
from crm_tui.ui.dialogs.complete import Completion, ask_complete
from crm_tui.ui.dialogs.reschedule import Reschedule, ask_reschedule
from crm_tui.ui.screens.base import CrmScreen
from crm_tui.ui.widgets.record_context import render_context
from crm_tui.ui.widgets.key_bar import KeyBar


class QueueScreen(CrmScreen):
    BINDINGS = [
        Binding("c", "complete", "Complete", id="queue.complete",
                tooltip="Complete this activity: outcome, note and the follow-up decision"),
        Binding("s", "reschedule", "Reschedule", id="queue.reschedule", tooltip="Move it to another day"),
        Binding("space,right", "skip", "Skip", id="queue.skip", tooltip="Leave it for later; next item"),
        Binding("o", "open", "Open", id="queue.open", tooltip="Open the record (escape comes back here)"),
        Binding("escape", "leave", "Leave", id="queue.leave", tooltip="Stop working the queue, back to Today"),
    ]

    def __init__(self, items: list[AgendaRow]) -> None:
        super().__init__()
        self.items = list(items)
        self.index = 0
        self.completed = 0
        self.moved = 0
        self.skipped = 0
        self.current: AgendaRow | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield Static("", id="queue-progress", markup=False)
        yield ProgressBar(total=max(1, len(self.items)), show_eta=False, id="queue-bar")
        yield Static("", id="queue-item", markup=False)
        with VerticalScroll(id="queue-body"):
            yield Static("", id="queue-context", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.show_current()

    # ---- the queue --------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.index >= len(self.items)

    def show_current(self) -> None:
        """Show the item at `index`, passing over ones no longer open and due."""
        fresh = self.attempt(agenda.for_user, self.session.user, self.session.config)
        rows = {row.activity_id: row for row in fresh.rows()} if fresh is not None else {}
        while not self.finished and self.items[self.index].activity_id not in rows:
            self.index += 1
        self.current = None if self.finished else rows[self.items[self.index].activity_id]
        self._progress()
        if self.current is None:
            self._show_done()
            return
        row = self.current
        line = Text(f"{row.type_label}: ", style="bold")
        line.append(row.subject, style="bold")
        line.append(f"  {row.planned_date:%a %d %b} {row.time_text}  {row.lateness}".rstrip(), style="dim")
        self.query_one("#queue-item", Static).update(line)
        found = self.attempt(context.record_context, self.session.config, row.record_kind, row.record_id,
                             self.session.user.time_zone)
        body = self.query_one("#queue-context", Static)
        body.update(render_context(found) if found is not None else Text("record not readable", style="italic"))
        self.refresh_bindings()

    def _progress(self) -> None:
        total = len(self.items)
        position = min(self.index + 1, total)
        text = (f"Queue: item {position} of {total}" if not self.finished else f"Queue: {total} of {total}")
        text += f" · {self.completed} done · {self.moved} rescheduled · {self.skipped} skipped"
        self.query_one("#queue-progress", Static).update(text)
        self.query_one("#queue-bar", ProgressBar).update(total=max(1, total), progress=min(self.index, total))

    def _show_done(self) -> None:
        summary = Text("The queue is done.", style="bold")
        left = ""
        if self.skipped:
            left = f" {self.skipped} skipped item{'s stay' if self.skipped != 1 else ' stays'} on Today."
        summary.append(f" {self.completed} completed, {self.moved} rescheduled.{left}")
        self.query_one("#queue-item", Static).update(summary)
        self.query_one("#queue-context", Static).update(Text("escape: back to Today", style="dim"))
        self.refresh_bindings()

    def _next(self, counter: str, activity_id: int) -> None:
        """Count what was done to `activity_id` and move past it. A dialog that saved
        has already refreshed this screen, which may have passed over it already."""
        setattr(self, counter, getattr(self, counter) + 1)
        if not self.finished and self.items[self.index].activity_id == activity_id:
            self.index += 1
        self.show_current()

    def reload(self) -> None:
        """Someone changed data: re-read the current item's context (the queue itself stays)."""
        if self.is_mounted and self.current is not None:
            self.show_current()

    # ---- keys -------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("complete", "reschedule", "skip", "open"):
            if self.current is None:
                return False
            if action in ("complete", "reschedule") and self.session.readonly:
                return False
        return True

    def action_complete(self) -> None:
        row = self.current
        if row is None:
            return

        def done(result: Completion | None) -> None:
            if result is not None:
                self._next("completed", row.activity_id)

        ask_complete(self, row, done)

    def action_reschedule(self) -> None:
        row = self.current
        if row is None:
            return

        def done(result: Reschedule | None) -> None:
            if result is not None:
                self._next("moved", row.activity_id)

        ask_reschedule(self, row, done)

    def action_skip(self) -> None:
        if self.current is not None:
            self.skipped += 1
            self.index += 1
            self.show_current()

    def action_open(self) -> None:
        if self.current is not None:
            self.crm.open_record(self.current.record_kind, self.current.record_id)

    def action_leave(self) -> None:
        self.app.pop_screen()

    def current_record(self) -> tuple[str, int] | None:
        """The current item's record, so `n` plans another activity on it."""
        return (self.current.record_kind, self.current.record_id) if self.current else None

    def commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("Queue: complete", "Complete the current activity", self.action_complete),
            SystemCommand("Queue: reschedule", "Move the current activity", self.action_reschedule),
            SystemCommand("Queue: skip", "Next item, leave this one for later", self.action_skip),
            SystemCommand("Queue: open record", "Open the current item's record", self.action_open),
            SystemCommand("Queue: leave", "Back to Today", self.action_leave),
        ]
