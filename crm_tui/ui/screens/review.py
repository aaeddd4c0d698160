"""The weekly review: one record at a time, with why it needs a look and its
recent timeline, and a key for each way of dealing with it.

Pushed on the current mode's stack by `CrmApp.action_review` (`W` on Today,
"Weekly review" in the command palette); `escape` leaves it, and coming back
resumes at the first record not dealt with, because the progress lives in
the database (domain.review), not in this screen. Keys: `s` schedule the next
activity (Today's quick choices), `d` change the status or the forecast close
date, `l` mark the opportunity lost with a reason, `r` reviewed (no change),
`right`/`left` skip to the next or previous record not dealt with, `o` open
the record's full detail. `n` (new activity) plans on the record shown.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, Static

from crm_tui.domain import history, records, review
from crm_tui.ui.dialogs.review_actions import ReviewLostDialog, ReviewScheduleDialog, ReviewUpdateDialog
from crm_tui.ui.screens.base import CrmScreen
from crm_tui.ui.widgets.timeline import Timeline
from crm_tui.ui.widgets.key_bar import KeyBar

TIMELINE_ENTRIES = 15
"""How much recent history each record shows; `o` opens the whole of it."""


class ReviewScreen(CrmScreen):
    BINDINGS = [
        Binding("s", "schedule", "Schedule", id="review.schedule",
                tooltip="Plan the record's next activity (the same quick choices as Today)"),
        Binding("d", "update", "Status/date", id="review.update",
                tooltip="Change the status (lead, case) or the forecast close date (opportunity)"),
        Binding("l", "lost", "Lost", id="review.lost", tooltip="Close the opportunity as lost, with a reason"),
        Binding("r", "reviewed", "Reviewed", id="review.reviewed", tooltip="Looked at it, nothing to change: next"),
        # priority: the focused timeline would otherwise take left/right to scroll sideways.
        Binding("right", "skip", "Skip", id="review.skip", tooltip="The next record; this one stays on the review",
                priority=True),
        Binding("left", "previous", "Previous", id="review.previous",
                tooltip="The previous record not dealt with yet", priority=True),
        Binding("o", "open", "Open", id="review.open", tooltip="Open the record's full detail"),
        Binding("escape", "back", "Back", id="review.back",
                tooltip="Leave the review; it resumes where you left off"),
    ]
    AUTO_FOCUS = "#review-timeline"

    def __init__(self) -> None:
        super().__init__()
        self.step: review.Step | None = None
        self.progress: review.Progress | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield Static("", id="review-progress", markup=False)
        with Vertical(id="review-body"):
            yield Static("", id="review-record")
            yield Label("Recent timeline", classes="detail-heading")
            yield Timeline(self.session.user.time_zone, id="review-timeline")
        yield Static("", id="review-complete")
        yield KeyBar()

    def on_mount(self) -> None:
        if self.session.readonly:
            self._show_complete("This session is read-only: the weekly review is a rep's own, in their own session.")
            return
        self.progress = self.attempt(review.start, self.session.user, self.session.config)
        self.reload()

    # ---- data ------------------------------------------------------------

    @property
    def position(self) -> int:
        return self.step.position if self.step is not None else 0

    def reload(self) -> None:
        """Show the record at the current position, or the next one not dealt with."""
        if not self.is_mounted or self.session.readonly:
            return
        self._show(self.attempt(review.current, self.session.user, max(0, self.position - 1)))

    def _show(self, step: review.Step | None) -> None:
        self.step = step
        if step is None:
            self._show_complete()
            return
        self.progress = step.progress
        self.set_class(False, "-complete")
        progress = Text("Weekly review · ", style="bold")
        progress.append(step.progress.text, style="bold")
        progress.append(f" · record {step.position} of {step.progress.total}")
        self.query_one("#review-progress", Static).update(progress)
        self.query_one("#review-record", Static).update(self._record_text(step))
        entries = self.attempt(history.timeline, step.kind, step.record_id, limit=TIMELINE_ENTRIES)
        if entries is not None:
            self.query_one("#review-timeline", Timeline).show(entries, more=False)
        self.refresh_bindings()

    def _record_text(self, step: review.Step) -> Text:
        record = step.record
        text = Text()
        text.append(f"{records.KIND_LABELS[step.kind]}  ", style="dim")
        text.append(step.name, style="bold")
        text.append("\nNeeds a look: ", style="dim")
        text.append(step.reasons or "—", style="bold")
        facts = []
        for name, label in (("status", "status"), ("state", "state"), ("step", "step")):
            value = getattr(record, name, "")
            if value:
                facts.append(f"{label} {value}")
        close = getattr(record, "forecast_close", None)
        if close is not None:
            facts.append(f"forecast close {close:%a %d %b %Y}")
        nxt = record.next_activity_on
        facts.append(f"next activity {nxt:%a %d %b}" if nxt else "no next activity")
        facts.append(f"last touch {self._when(record.last_touch_at)}")
        text.append("\n" + " · ".join(facts), style="dim")
        if step.outcome:
            text.append(f"\n(already {step.outcome})", style="italic")
        return text

    def _when(self, instant: dt.datetime | None) -> str:
        if instant is None:
            return "never"
        local = instant.replace(tzinfo=dt.timezone.utc).astimezone(ZoneInfo(self.session.user.time_zone))
        return f"{local:%a %d %b %Y}"

    def _show_complete(self, message: str = "") -> None:
        self.set_class(True, "-complete")
        progress = self.progress
        if not message:
            total = progress.total if progress is not None else 0
            message = (f"Weekly review complete: {total} of {total} reviewed. Recorded; Today reminds you "
                       f"again on the next review day. Press escape to go back.")
            if total == 0:
                message = "Nothing needs a look this week: the review is recorded as complete. Press escape to go back."
        self.query_one("#review-progress", Static).update(Text("Weekly review", style="bold"))
        self.query_one("#review-complete", Static).update(Text(message))
        self.refresh_bindings()

    def current_record(self) -> tuple[str, int] | None:
        """The record shown, so `n` plans an activity on it."""
        return (self.step.kind, self.step.record_id) if self.step is not None else None

    # ---- keys ------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return True
        step = self.step
        if step is None:
            return False
        if action == "lost":
            return step.kind == "opportunity" and getattr(step.record, "state", "") == "open"
        if action == "update":
            return step.kind in ("opportunity", "lead", "case")
        return True

    def _label(self) -> str:
        assert self.step is not None
        return f"{records.KIND_LABELS[self.step.kind].lower()} {self.step.name}"

    def _after(self, result: review.Progress | None) -> None:
        if result is None:
            return
        self.notify(result.text if not result.complete else "Weekly review complete")
        self.reload()

    def action_schedule(self) -> None:
        if self.step is None:
            return
        self.app.push_screen(
            ReviewScheduleDialog(self.step.item_id, self._label(), default_type="call",
                                 default_subject=f"Follow up: {self.step.name}"),
            self._after,
        )

    def action_update(self) -> None:
        step = self.step
        if step is None:
            return
        close = getattr(step.record, "forecast_close", None)
        status = getattr(step.record, "status", "") or getattr(step.record, "state", "")
        self.app.push_screen(
            ReviewUpdateDialog(step.item_id, step.kind, self._label(), status,
                               close.isoformat() if isinstance(close, dt.date) else ""),
            self._after,
        )

    def action_lost(self) -> None:
        if self.step is not None:
            self.app.push_screen(ReviewLostDialog(self.step.item_id, self._label()), self._after)

    def action_reviewed(self) -> None:
        if self.step is None:
            return
        result = self.attempt(review.mark_reviewed, self.session.user, self.step.item_id)
        if result is not None:
            self.crm.changed()
            self._after(result)

    def action_skip(self) -> None:
        if self.step is not None:
            self._show(self.attempt(review.current, self.session.user, self.position))

    def action_previous(self) -> None:
        if self.step is not None:
            self._show(self.attempt(review.current, self.session.user, self.position, back=True))

    def action_open(self) -> None:
        if self.step is not None:
            self.crm.open_record(self.step.kind, self.step.record_id)

    def action_back(self) -> None:
        self.app.pop_screen()

    def commands(self) -> list[SystemCommand]:
        if self.step is None:
            return []
        found = [
            SystemCommand("Review: schedule the next activity", "Plan the next activity on this record",
                          self.action_schedule),
            SystemCommand("Review: mark reviewed", "Nothing to change: go to the next record", self.action_reviewed),
            SystemCommand("Review: skip", "Go to the next record, keep this one on the review", self.action_skip),
        ]
        if self.check_action("update", ()):
            found.append(SystemCommand("Review: status or close date", "Change the status or forecast close date",
                                       self.action_update))
        if self.check_action("lost", ()):
            found.append(SystemCommand("Review: mark lost", "Close the opportunity as lost, with a reason",
                                       self.action_lost))
        return found
