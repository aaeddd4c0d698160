"""The Today screen: where a rep starts and ends the day.

It shows `domain.agenda.for_user` (overdue, today, cases escalated to me) in
`#today-list` and turns keys into domain calls through the dialogs: complete
with the follow-up decision (`c`), reschedule (`s`), edit (`e`), cancel with
a reason (`x`), postpone by a number of days (`p`), make it repeat or edit
or stop its series (`R`), open the linked record (`enter`, double click). `n` (new
activity) and `u` (undo) are app-wide. Other users' changes arrive through
the app's change polling, which calls `reload()`; the cursor stays on the
same activity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.widgets import Static

from crm_tui import clock
from crm_tui.domain import agenda
from crm_tui.domain.agenda import AgendaRow, EscalatedRow
from crm_tui.ui.screens.base import CrmScreen
from crm_tui.ui.widgets.activity_list import ActivityList
from crm_tui.ui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from crm_tui.ui.dialogs.complete import Completion
    from crm_tui.ui.dialogs.edit_activity import ActivityEdit

EMPTY_TEXT = "Nothing due. Press n to plan an activity, or 2 to plan tomorrow."


class TodayScreen(CrmScreen):
    BINDINGS = [
        Binding("c", "complete", "Complete", id="today.complete",
                tooltip="Complete the activity: outcome, note, and the follow-up decision"),
        Binding("s", "reschedule", "Reschedule", id="today.reschedule", tooltip="Move the activity to another day"),
        Binding("p", "postpone", "Postpone", id="today.postpone",
                tooltip="Postpone the activity by a number of days (working days only)"),
        Binding("R", "repeat", "Repeat", id="today.repeat",
                tooltip="Make the activity repeat (weekly, monthly, N days after done), or edit or stop its series",
                show=False),  # in ? help and the palette: the footer keeps room for 1-4, n, u and q
        Binding("e", "edit", "Edit", id="today.edit", tooltip="Edit subject, type, day, time, priority"),
        Binding("x,delete", "cancel_activity", "Cancel", id="today.cancel",
                tooltip="Cancel the activity (asks for a reason)", show=False),
        Binding("enter", "open", "Open", id="today.open", tooltip="Open the linked record"),
        Binding("w", "queue", "Queue", id="today.queue",
                tooltip="Work the list one activity at a time, with each record's context"),
        Binding("W", "review", "Review", id="today.review",
                tooltip="The weekly review: walk through my records that need a look (resumes where I left off)"),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield Static("", id="today-header", markup=False)
        yield Static("", id="today-review", markup=False)
        yield ActivityList(id="today-list")
        yield Static(EMPTY_TEXT, id="today-empty", markup=False)
        yield KeyBar()

    _reload_queued = False
    _read_whole = False
    """Whether the whole agenda was read once: the first frame reads one screen's worth."""

    def on_mount(self) -> None:
        day = clock.today(self.session.user.time_zone)
        self.query_one("#today-header", Static).update(Text(f"{day:%A %d %B} · …", style="bold"))
        self.query_one("#today-list", ActivityList).focus()
        # Lateness ("late by 1h20") and the local day move on with the clock,
        # even when no data changed.
        self.set_interval(60, self.reload)

    # -- data ---------------------------------------------------------------

    def resumed(self) -> None:
        """Read the agenda once per showing, not once per resume event."""
        if not self._reload_queued:
            self._reload_queued = True
            self.call_later(self._resumed)

    def _resumed(self) -> None:
        self._reload_queued = False
        self.reload()

    def reload(self) -> None:
        """Re-read the agenda and redraw, keeping the selected activity."""
        if not self.is_mounted:
            return
        try:
            listing = self.query_one("#today-list", ActivityList)
            heading = self.query_one("#today-header", Static)
        except NoMatches:  # a change poll landing while the app closes: the widgets are gone
            return
        # The first frame shows one screen of rows; the whole list follows right after it.
        first = None if self._read_whole else self.app.size.height
        self._read_whole = True
        result = self.attempt(agenda.for_user, self.session.user, self.session.config, first=first)
        if result is None:
            return
        if not result.complete:
            self.call_after_paint(self.reload)
        listing.show(result)
        header = Text(f"{result.day:%A %d %B} · ", style="bold")
        header.append(result.header, style="bold")
        heading.set_class(bool(result.overdue), "-overdue")
        heading.update(header)
        self.set_class(result.empty, "-empty")
        # The list paints first; the reminder (its module and its query) follows.
        self.call_after_paint(self._review_reminder)

    def _review_reminder(self) -> None:
        """A line under the header while the weekly review is due or under way (not for read-only sessions)."""
        if not self.is_mounted:
            return
        from crm_tui.domain import review_status

        status = None if self.session.readonly else self.attempt(review_status.status, self.session.user,
                                                                   self.session.config)
        text = status.text if status is not None else ""
        reminder = self.query_one("#today-review", Static)
        reminder.update(text)
        reminder.set_class(bool(text), "-shown")

    @property
    def selected(self) -> AgendaRow | EscalatedRow | None:
        return self.query_one("#today-list", ActivityList).selected

    def current_record(self) -> tuple[str, int] | None:
        """The record of the highlighted row, so `n` plans the next activity for it."""
        item = self.selected
        if isinstance(item, AgendaRow):
            return (item.record_kind, item.record_id)
        if isinstance(item, EscalatedRow):
            return ("case", item.case_id)
        return None

    def _activity(self) -> AgendaRow | None:
        if self.session.readonly:
            self.notify("This session is read-only: nothing can be changed here.", severity="warning")
            return None
        item = self.selected
        if isinstance(item, AgendaRow):
            return item
        if isinstance(item, EscalatedRow):
            self.notify("That is an escalated case: press enter to open and answer it.", severity="warning")
        else:
            self.notify("No activity selected.", severity="warning")
        return None

    def _after(self, message: str) -> Callable[[object], None]:
        def done(result: object) -> None:
            if result is not None:
                self.notify(message)  # the dialog saved and refreshed the screen
        return done

    # -- actions ------------------------------------------------------------

    def action_complete(self) -> None:
        row = self._activity()
        if row is None:
            return
        # Dialogs are imported when first used: start-up (first paint) needs none of them.
        from crm_tui.ui.dialogs.complete import ask_complete

        def done(result: Completion | None) -> None:
            if result is None:
                return
            if result.follow_up is None:
                self.notify(f"Done ({result.outcome}); no follow-up")
            else:
                self.notify(f"Done ({result.outcome}); follow-up on {result.follow_up.day:%a %d %b}")

        ask_complete(self, row, done)

    def action_reschedule(self) -> None:
        row = self._activity()
        if row is None:
            return
        from crm_tui.ui.dialogs.reschedule import ask_reschedule

        ask_reschedule(self, row, self._after("Moved"))

    def action_postpone(self) -> None:
        row = self._activity()
        if row is None:
            return

        def done(moved: object) -> None:
            if moved is not None:
                self.notify(f"Postponed to {moved.planned_date:%a %d %b}")  # type: ignore[attr-defined]

        from crm_tui.ui.dialogs.postpone import PostponeDialog

        self.app.push_screen(PostponeDialog(row.activity_id, row.version, row.subject, row.planned_date), done)

    def action_repeat(self) -> None:
        row = self._activity()
        if row is None:
            return

        def done(series: object) -> None:
            if series is not None:
                self.notify("Series ended" if not series.active else  # type: ignore[attr-defined]
                            f"Repeats {recurrence.describe(series)}")  # type: ignore[arg-type]

        from crm_tui.domain import recurrence  # like the dialogs: when used, not on the first paint's path
        from crm_tui.ui.dialogs.repeat import RepeatDialog

        self.app.push_screen(RepeatDialog(row.activity_id, row.version, row.subject), done)

    def action_edit(self) -> None:
        row = self._activity()
        if row is None:
            return
        session = self.session
        from crm_tui.domain import activities
        from crm_tui.ui.dialogs.edit_activity import EditActivityDialog

        def save(result: ActivityEdit) -> None:
            # The type is checked against the standard list only when it changes,
            # so an activity of a since-retired type can still be edited.
            changed_type = {"type": result.type} if result.type != row.type else {}
            activities.edit(
                session.user, session.config, result.activity_id, expected_version=result.expected_version,
                day=result.day, time=result.time, duration_min=result.duration_min,
                subject=result.subject, priority=result.priority, fixed=result.fixed,
                deadline=result.deadline, **changed_type,
            )

        self.app.push_screen(
            EditActivityDialog(session.config, session.user.time_zone, row, save=save), self._after("Saved"),
        )

    def action_cancel_activity(self) -> None:
        row = self._activity()
        if row is None:
            return
        session = self.session
        from crm_tui.domain import activities
        from crm_tui.ui.dialogs.cancel_activity import CancelActivityDialog

        def save(reason: str) -> None:
            activities.cancel(session.user, row.activity_id, reason, expected_version=row.version)

        self.app.push_screen(CancelActivityDialog(subject=row.subject, save=save), self._after("Cancelled"))

    def action_queue(self) -> None:
        """Queue mode over the activities on the list now (overdue first), from the first one."""
        from crm_tui.ui.screens.queue import QueueScreen

        result = self.attempt(agenda.for_user, self.session.user, self.session.config)
        if result is None:
            return
        if not result.rows():
            self.notify("Nothing to work: the list has no open activities.", severity="warning")
            return
        self.app.push_screen(QueueScreen(list(result.rows())))

    def action_review(self) -> None:
        self.crm.action_review()

    def action_open(self) -> None:
        item = self.selected
        if item is not None:
            self._open(item)

    @on(ActivityList.Opened, "#today-list")
    def _opened(self, event: ActivityList.Opened) -> None:
        self._open(event.item)

    def _open(self, item: AgendaRow | EscalatedRow) -> None:
        if isinstance(item, AgendaRow):
            self.crm.open_record(item.record_kind, item.record_id)
        else:
            self.crm.open_record("case", item.case_id)

    def commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("Complete activity", "Outcome, note and follow-up for the selected activity",
                          self.action_complete),
            SystemCommand("Reschedule activity", "Move the selected activity to another day",
                          self.action_reschedule),
            SystemCommand("Postpone activity", "Move the selected activity a number of days later",
                          self.action_postpone),
            SystemCommand("Repeat activity", "Make the selected activity repeat, or edit or stop its series",
                          self.action_repeat),
            SystemCommand("Edit activity", "Change the selected activity", self.action_edit),
            SystemCommand("Cancel activity", "Cancel the selected activity with a reason",
                          self.action_cancel_activity),
            SystemCommand("Open record", "Open the record of the selected activity", self.action_open),
            SystemCommand("Work queue", "Work the list one activity at a time (w)", self.action_queue),
        ]
