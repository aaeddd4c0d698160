"""Plan Tomorrow: tomorrow's agenda above a calendar of the coming working days.

The user drags cards (or uses shift+arrows, or `m`) to move work off
overloaded days, or presses `r` for a rebalance preview. Every change goes
through `domain.planning` as one undoable action; the calendar then shows the
new data and repaints only the days that changed. Views: `t` working days
from tomorrow (5 to 10, as many as fit), `w` this week, `W` next week.
Managers and admins press `v` to look at a rep's plan, read-only.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Sequence

from rich.text import Text
from textual import getters, on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.containers import Vertical
from textual.events import Resize
from textual.widgets import Static

from crm_tui import db
from crm_tui.config import Config
from crm_tui.domain import planning, users
from crm_tui.domain.planning import Card, DayPlan, Proposal
from crm_tui.models import User
from crm_tui.ui.dialogs.pick_user import PickUserDialog
from crm_tui.ui.dialogs.rebalance import RebalanceDialog
from crm_tui.ui.screens.base import CrmScreen
from crm_tui.ui.widgets.calendar import Calendar, hours
from crm_tui.ui.widgets.key_bar import KeyBar

COLUMN_WIDTH = 18
"""Terminal cells a day column needs to stay readable."""

VIEW_TITLES = {"ahead": "From tomorrow", "this_week": "This week", "next_week": "Next week"}


def columns_for(width: int) -> int:
    """How many days the "from tomorrow" view shows at this width: 5 to 10."""
    return max(5, min(10, width // COLUMN_WIDTH))


class PlanScreen(CrmScreen):
    AUTO_FOCUS = "#calendar"
    BINDINGS = [
        Binding("r", "rebalance", "Rebalance", id="plan.rebalance",
                tooltip="Propose moves that bring overloaded days within capacity; preview before applying"),
        Binding("t", "view('ahead')", "From tomorrow", id="plan.view_ahead",
                tooltip="Show the working days from tomorrow (as many as fit, 5 to 10)"),
        Binding("w", "view('this_week')", "This week", id="plan.view_this_week", tooltip="Show this week"),
        Binding("W", "view('next_week')", "Next week", id="plan.view_next_week", tooltip="Show next week"),
        Binding("v", "pick_rep", "View rep", id="plan.view_rep",
                tooltip="Look at a rep's plan, read-only (managers and admins)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = "ahead"
        self.count = 5
        self._viewing: User | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        with Vertical(id="plan-body"):
            yield Static(id="plan-heading")
            yield Static(id="plan-agenda")
            yield Calendar(id="calendar")
        yield KeyBar()

    calendar = getters.query_one("#calendar", Calendar)
    heading = getters.query_one("#plan-heading", Static)
    agenda_view = getters.query_one("#plan-agenda", Static)

    @property
    def viewing(self) -> User:
        """Whose plan is shown: mine, or the rep a manager picked."""
        return self._viewing or self.session.user

    @property
    def readonly(self) -> bool:
        return self.session.readonly or self.viewing.id != self.session.user.id

    def on_mount(self) -> None:
        config = self.session.config
        calendar = self.calendar
        calendar.type_labels = {kind.name: kind.title for kind in config.activity_types}
        calendar.is_working_day = config.is_working_day
        self.count = columns_for(self.size.width)

    def on_resize(self, event: Resize) -> None:
        count = columns_for(event.size.width)
        if count != self.count:
            self.count = count
            if self.view == "ahead":
                self.reload()

    # ---- showing -------------------------------------------------------------

    def reload(self) -> None:
        self.run_worker(self._refresh(), group="plan-refresh")

    async def _refresh(self) -> None:
        user, config = self.viewing, self.session.config
        span = self.attempt(planning.view_range, self.view, user, config, self.count)
        if span is None:
            return
        plans = self.attempt(planning.plan_days, user, span[0], span[1], config)
        tomorrow = self.attempt(planning.tomorrow, user, config)
        rows = self.attempt(planning.agenda, user, tomorrow, config) if tomorrow else None
        if plans is None or rows is None or tomorrow is None:
            return
        try:
            calendar, heading, agenda_view = self.calendar, self.heading, self.agenda_view
        except NoMatches:  # a change poll landing while the app closes: the widgets are going
            return
        calendar.readonly = self.readonly
        heading.update(self._heading(span))
        agenda_view.update(self._agenda(tomorrow, rows, user, config))
        await calendar.show(plans)

    def _heading(self, span: tuple[dt.date, dt.date]) -> Text:
        text = Text(f"{VIEW_TITLES[self.view]}: {span[0]:%a %d %b} – {span[1]:%a %d %b}", style="bold")
        if self.viewing.id != self.session.user.id:
            text.append(f"  ·  {self.viewing.display_name}'s plan (read-only)")
        elif self.readonly:
            text.append("  ·  read-only")
        return text

    def _agenda(self, day: dt.date, rows: Sequence[tuple[Card, str]], user: User, config: Config) -> Text:
        today = planning.local_today(user)
        label = "Tomorrow" if day == today + dt.timedelta(days=1) else "Next working day"
        load = sum(card.minutes for card, _ in rows)
        capacity = planning.capacity_for(user, day, config)
        text = Text()
        text.append(f"{label}, {day:%a %d %b}: ", style="bold")
        text.append(f"{len(rows)} activit{'y' if len(rows) == 1 else 'ies'}, {hours(load)} of {hours(capacity)}")
        if load > capacity:
            text.append(f"  ▲ OVER {hours(load - capacity)}", style="bold")
        if not rows:
            text.append("\nNothing planned yet: move work here, or schedule follow-ups from Today (1).")
        labels = {kind.name: kind.title for kind in config.activity_types}
        for card, record in rows:
            text.append("\n")
            text.append(f"{card.time or '  -  ':>5}  ", style="bold")
            text.append(f"{labels.get(card.type, card.type):<8} {card.subject}")
            if record:
                text.append(f"  · {record} ({card.record_kind})")
            if card.priority == 1:
                text.append("  ! high", style="bold")
            if card.fixed:
                text.append("  [fixed]")
        return text

    # ---- moving ----------------------------------------------------------------

    @on(Calendar.ActivityMoved, "#calendar")
    def _moved(self, event: Calendar.ActivityMoved) -> None:
        if self.readonly:
            self.notify("This plan is read-only", severity="warning")
            return
        moved = self.attempt(
            planning.move_activity, self.session.user, event.activity_id, event.day, self.session.config
        )
        if moved is None:
            return
        if event.day not in self.calendar.days:
            self.notify(f"Moved to {event.day:%a %d %b}, outside this view")
        self.crm.changed()

    def action_rebalance(self) -> None:
        if self.readonly:
            self.notify("This plan is read-only: nothing can be rebalanced here", severity="warning")
            return
        self._propose(self.session.user, self.view, self.count)

    @work(thread=True, exclusive=True, exit_on_error=False, group="rebalance")
    def _propose(self, user: User, view: str, count: int) -> None:
        """Read the days and compute the proposal off the UI thread."""
        config = self.session.config
        with db.connection():
            start, end = planning.view_range(view, user, config, count)
            plans = planning.plan_days(user, start, end, config)
            proposal = planning.propose(user, plans, config)
        self.app.call_from_thread(self._preview, plans, proposal)

    def _preview(self, plans: Iterable[DayPlan], proposal: Proposal) -> None:
        cards = {card.id: card for plan in plans for card in plan.cards}
        labels = {kind.name: kind.title for kind in self.session.config.activity_types}

        def done(apply: bool | None) -> None:
            if not apply:
                return
            count = self.attempt(planning.apply_rebalance, self.session.user, proposal, self.session.config)
            if count:
                self.notify(f"Moved {count} activit{'y' if count == 1 else 'ies'}; u undoes all of it")
                self.crm.changed()

        self.app.push_screen(RebalanceDialog(proposal, cards, labels), callback=done)

    # ---- views ---------------------------------------------------------------------

    def action_view(self, view: str) -> None:
        if view != self.view:
            self.view = view
            self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pick_rep":
            return planning.can_view_others(self.session.user)
        if action == "rebalance":
            return not self.readonly
        return True

    def action_pick_rep(self) -> None:
        if not planning.can_view_others(self.session.user):
            return
        people = self.attempt(users.list_users, active_only=True) or []
        choices = [(person.id, f"{person.display_name} ({person.login}, {person.role})") for person in people]
        by_id = {person.id: person for person in people}

        def chosen(user_id: int | None) -> None:
            if user_id is None or user_id not in by_id:
                return
            self._viewing = None if user_id == self.session.user.id else by_id[user_id]
            self.refresh_bindings()
            self.reload()

        self.app.push_screen(PickUserDialog(choices, "Whose plan?", self.viewing.id), callback=chosen)

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Plan: rebalance", "Propose moves off overloaded days", self.action_rebalance)
        for view, title in VIEW_TITLES.items():
            yield SystemCommand(f"Plan: {title.lower()}", f"Show {title.lower()} on the calendar",
                                lambda v=view: self.action_view(v))
        if planning.can_view_others(self.session.user):
            yield SystemCommand("Plan: view a rep", "Look at a rep's plan, read-only", self.action_pick_rep)
