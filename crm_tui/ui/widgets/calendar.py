"""The planning calendar: one column per day, a card per activity, a load bar.

Attributes down, messages up: the Plan screen hands it `DayPlan` rows (plain
data from `domain.planning`) through `show()`, and it posts
`Calendar.ActivityMoved` when the user drags a card or moves it by keyboard.
It never writes anything itself; the screen asks the domain, then shows the
result again, and `show()` repaints only the days whose data changed.

Drag follows Textual's own pattern (scrollbar.py): MouseDown captures the
mouse, MouseMove highlights the day under it, MouseUp releases and posts.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Callable, Iterable, Mapping, Sequence

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from crm_tui.domain.planning import Card, DayPlan


def day_id(day: dt.date) -> str:
    return f"day-{day.isoformat()}"


def hours(minutes: int) -> str:
    """390 -> "6h30", 420 -> "7h", 45 -> "45m"."""
    if minutes < 60:
        return f"{minutes}m"
    whole, rest = divmod(minutes, 60)
    return f"{whole}h{rest:02d}" if rest else f"{whole}h"


class ActivityCard(Static, can_focus=True):
    """One activity. Focus is the selection; `-dragging` marks the one being moved."""

    ALLOW_SELECT = False

    def __init__(self, card: Card, type_label: str) -> None:
        super().__init__(self._text(card, type_label), id=f"activity-{card.id}", classes="activity-card")
        self.card = card
        self._type_label = type_label
        self._apply_classes()

    @staticmethod
    def _text(card: Card, type_label: str) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if card.priority == 1:
            text.append("! ", style="bold")
        if card.time:
            text.append(f"{card.time} ", style="bold")
        text.append(f"{type_label} {hours(card.minutes)}")
        if card.fixed:
            text.append(" [fixed]")
        text.append("\n")
        text.append(card.subject)
        return text

    def _apply_classes(self) -> None:
        self.set_class(self.card.fixed, "-fixed")
        self.set_class(self.card.priority == 1, "-high")
        self.set_class(self.card.priority == 3, "-low")
        self.set_class(bool(self.card.time), "-timed")

    def set_card(self, card: Card, type_label: str) -> None:
        if card == self.card and type_label == self._type_label:
            return
        self.card = card
        self._type_label = type_label
        self.update(self._text(card, type_label))
        self._apply_classes()


class LoadBar(Widget):
    """Planned minutes against capacity; an overloaded day also says so in words."""

    load: reactive[int] = reactive(0)
    capacity: reactive[int] = reactive(0)

    def render(self) -> Text:
        width = max(4, self.size.width)
        over = self.load - self.capacity
        text = Text(no_wrap=True, overflow="ellipsis")
        if over > 0:
            text.append(f"▲ OVER {hours(over)}", style="bold")
        else:
            text.append(f"{hours(self.load)} / {hours(self.capacity)}")
        text.append("\n")
        filled = width if over > 0 or not self.capacity else round(width * self.load / self.capacity)
        if not self.capacity and not self.load:
            filled = 0
        text.append("█" * filled, style="bold")
        text.append("░" * (width - filled))
        return text


class DayCards(VerticalScroll, can_focus=False, inherit_bindings=False):
    """A day's cards, scrolling. No key bindings of its own: the arrows select
    cards (the Calendar's bindings); the selected card scrolls into view."""


class DayColumn(Vertical):
    """One day: its title, its load bar and its cards, top to bottom."""

    def __init__(self, plan: DayPlan, cards: Iterable[ActivityCard]) -> None:
        super().__init__(id=day_id(plan.day), classes="day-column")
        self.plan = plan
        self._initial = list(cards)
        self.title = Static(self._title(plan), classes="day-title")
        self.bar = LoadBar(classes="load-bar")
        self.cards = DayCards(*self._initial, classes="day-cards")

    @property
    def day(self) -> dt.date:
        return self.plan.day

    def compose(self) -> ComposeResult:
        yield self.title
        yield self.bar
        yield self.cards

    def on_mount(self) -> None:
        self.set_plan(self.plan)

    @staticmethod
    def _title(plan: DayPlan) -> Text:
        text = Text(f"{plan.day:%a %d %b}", style="bold", no_wrap=True, overflow="ellipsis")
        if plan.holiday:
            text.append(" holiday")
        elif not plan.working:
            text.append(" off")
        elif plan.past:
            text.append(" past")
        return text

    def set_plan(self, plan: DayPlan) -> None:
        self.plan = plan
        self.title.update(self._title(plan))
        self.bar.load = plan.load
        self.bar.capacity = plan.capacity
        self.set_class(plan.load > plan.capacity, "-overloaded")
        self.set_class(not plan.working, "-nonworking")
        self.set_class(plan.past, "-past")

    def card_widgets(self) -> list[ActivityCard]:
        return [child for child in self.cards.children if isinstance(child, ActivityCard)]


class Calendar(Widget, can_focus=True):
    """Days as columns with activity cards; drag or keys move a card to another day."""

    ALLOW_SELECT = False

    BINDINGS = [
        Binding("up", "select_card(-1)", "Up", show=False, id="plan.card_up", tooltip="Select the card above"),
        Binding("down", "select_card(1)", "Down", show=False, id="plan.card_down", tooltip="Select the card below"),
        Binding("left", "select_day(-1)", "Left", show=False, id="plan.day_left",
                tooltip="Select a card on the day before (in move mode: pick the day)"),
        Binding("right", "select_day(1)", "Right", show=False, id="plan.day_right",
                tooltip="Select a card on the next day (in move mode: pick the day)"),
        Binding("shift+left", "nudge(-1)", "Earlier", id="plan.move_earlier",
                tooltip="Move the selected activity to the working day before"),
        Binding("shift+right", "nudge(1)", "Later", id="plan.move_later",
                tooltip="Move the selected activity to the next working day"),
        Binding("m", "move_mode", "Move", id="plan.move",
                tooltip="Move the selected activity: arrows pick the day, enter drops, escape cancels"),
        Binding("enter", "drop", "Drop here", id="plan.drop", tooltip="Drop the activity on the picked day"),
        Binding("escape", "cancel_move", "Cancel move", id="plan.cancel_move", tooltip="Leave move mode, nothing moves"),
    ]

    readonly: reactive[bool] = reactive(False)
    """A manager's look at a rep's plan: select and read, never move."""

    class ActivityMoved(Message):
        """The user dropped an activity on another day; nothing is saved yet."""

        def __init__(self, calendar: "Calendar", activity_id: int, day: dt.date) -> None:
            super().__init__()
            self.calendar = calendar
            self.activity_id = activity_id
            self.day = day

        @property
        def control(self) -> "Calendar":
            return self.calendar

    def __init__(self, *, id: str | None = "calendar", classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.type_labels: Mapping[str, str] = {}
        """Activity type name -> label shown on cards (from config)."""
        self.is_working_day: Callable[[dt.date], bool] = lambda day: day.weekday() < 5
        """Which days shift+arrows may land on (from config)."""
        self._plans: dict[dt.date, DayPlan] = {}
        self._columns: dict[dt.date, DayColumn] = {}
        self._selected: int | None = None
        self._moving: ActivityCard | None = None
        self._target: dt.date | None = None
        self._drag: ActivityCard | None = None
        self._lock = asyncio.Lock()
        self.row = Horizontal(classes="calendar-days")

    def compose(self) -> ComposeResult:
        yield self.row

    def watch_readonly(self, readonly: bool) -> None:
        self.set_class(readonly, "-readonly")
        if readonly:
            self._end_move()
        self.refresh_bindings()

    # ---- data in -----------------------------------------------------------

    @property
    def days(self) -> list[dt.date]:
        return list(self._columns)

    def plan(self, day: dt.date) -> DayPlan | None:
        return self._plans.get(day)

    async def show(self, plans: Sequence[DayPlan]) -> list[dt.date]:
        """Show these days; repaint only the columns whose data changed.

        Returns the days repainted. A selected card stays selected, even when
        it moved to another day.
        """
        async with self._lock:
            # Removing a focused card hands focus to a neighbour; remember the real selection.
            selected = self._selected
            keep_focus = selected is not None and self._focus_is_mine()
            # One frame for the whole change, not one per removed or mounted card.
            with self.app.batch_update():
                if [plan.day for plan in plans] != list(self._columns):
                    await self._rebuild(plans)
                    changed = [plan.day for plan in plans]
                else:
                    changed = await self._patch([plan for plan in plans if self._plans.get(plan.day) != plan])
            self._plans = {plan.day: plan for plan in plans}
            self._selected = selected
            if keep_focus:
                card = self._card(selected)
                if card is not None:
                    # After layout, so it scrolls to where the card ends up, not where it was mounted.
                    self.call_after_refresh(card.focus)
                else:
                    self._selected = None
                    self.focus()
            return changed

    def _focus_is_mine(self) -> bool:
        focused = self.screen.focused
        return focused is None or focused is self or isinstance(focused, ActivityCard)

    def _new_card(self, card: Card) -> ActivityCard:
        return ActivityCard(card, self.type_labels.get(card.type, card.type.capitalize()))

    async def _rebuild(self, plans: Sequence[DayPlan]) -> None:
        self._end_move()
        await self.row.remove_children()
        columns = [DayColumn(plan, [self._new_card(card) for card in plan.cards]) for plan in plans]
        self._columns = {column.day: column for column in columns}
        await self.row.mount_all(columns)

    async def _patch(self, changed: Sequence[DayPlan]) -> list[dt.date]:
        # Remove first, everywhere, so a card moving between days never exists twice.
        for plan in changed:
            column = self._columns[plan.day]
            keep = {card.id for card in plan.cards}
            gone = [widget for widget in column.card_widgets() if widget.card.id not in keep]
            if gone:
                if self._moving in gone:
                    self._end_move()
                await column.cards.remove_children(gone)
        for plan in changed:
            column = self._columns[plan.day]
            column.set_plan(plan)
            existing = {widget.card.id: widget for widget in column.card_widgets()}
            ordered: list[ActivityCard] = []
            new: list[ActivityCard] = []
            for card in plan.cards:
                widget = existing.get(card.id)
                if widget is None:
                    widget = self._new_card(card)
                    new.append(widget)
                else:
                    widget.set_card(card, self.type_labels.get(card.type, card.type.capitalize()))
                ordered.append(widget)
            if new:
                await column.cards.mount_all(new)
            for index, widget in enumerate(ordered):
                if column.cards.children[index] is not widget:
                    column.cards.move_child(widget, before=index)
        return [plan.day for plan in changed]

    # ---- lookups -------------------------------------------------------------

    def _card(self, activity_id: int | None) -> ActivityCard | None:
        if activity_id is None:
            return None
        for column in self._columns.values():
            for widget in column.card_widgets():
                if widget.card.id == activity_id:
                    return widget
        return None

    def _column_of(self, widget: Widget | None) -> DayColumn | None:
        while widget is not None and widget is not self:
            if isinstance(widget, DayColumn):
                return widget
            widget = widget.parent  # type: ignore[assignment]
        return None

    def _under(self, x: int, y: int) -> Widget | None:
        try:
            widget, _ = self.screen.get_widget_at(x, y)
        except Exception:  # off the screen: no target
            return None
        return widget

    def _card_under(self, x: int, y: int) -> ActivityCard | None:
        widget = self._under(x, y)
        while widget is not None and widget is not self:
            if isinstance(widget, ActivityCard):
                return widget
            widget = widget.parent  # type: ignore[assignment]
        return None

    @property
    def selected(self) -> ActivityCard | None:
        return self._card(self._selected)

    # ---- selection -------------------------------------------------------------

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, ActivityCard):
            self._selected = event.widget.card.id

    def _first_card(self) -> ActivityCard | None:
        for column in self._columns.values():
            cards = column.card_widgets()
            if cards:
                return cards[0]
        return None

    def _selected_or_first(self) -> ActivityCard | None:
        """The selected card; with none selected, select the first and return None
        (the first arrow press only selects, it does not move on)."""
        current = self.selected
        if current is None:
            first = self._first_card()
            if first is not None:
                first.focus()
        return current

    def action_select_card(self, step: int) -> None:
        if self._moving is not None:
            return
        current = self._selected_or_first()
        if current is None:
            return
        cards = self._columns[current.card.day].card_widgets()
        index = cards.index(current) + step
        if 0 <= index < len(cards):
            cards[index].focus()

    def action_select_day(self, step: int) -> None:
        if self._moving is not None:
            self._step_target(step)
            return
        current = self._selected_or_first()
        if current is None:
            return
        days = list(self._columns)
        position = days.index(current.card.day)
        row = self._columns[current.card.day].card_widgets().index(current)
        position += step
        while 0 <= position < len(days):
            cards = self._columns[days[position]].card_widgets()
            if cards:
                cards[min(row, len(cards) - 1)].focus()
                return
            position += step

    # ---- moving by keyboard ------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("nudge", "move_mode"):
            return not self.readonly
        if action in ("drop", "cancel_move"):
            return self._moving is not None
        return True

    def action_nudge(self, step: int) -> None:
        card = self.selected
        if card is None:
            self.notify("Select an activity first (arrows or a click)", severity="warning")
            return
        day = card.card.day + dt.timedelta(days=step)
        for _ in range(366):
            if self.is_working_day(day):
                break
            day += dt.timedelta(days=step)
        self.post_message(self.ActivityMoved(self, card.card.id, day))

    def action_move_mode(self) -> None:
        card = self.selected
        if card is None:
            self.notify("Select an activity first (arrows or a click)", severity="warning")
            return
        self._moving = card
        card.add_class("-dragging")
        self._set_target(card.card.day)
        self.refresh_bindings()

    def _step_target(self, step: int) -> None:
        days = list(self._columns)
        if self._target not in days:
            return
        position = days.index(self._target) + step
        if 0 <= position < len(days):
            self._set_target(days[position])

    def action_drop(self) -> None:
        card, target = self._moving, self._target
        self._end_move()
        if card is not None and target is not None and target != card.card.day:
            self.post_message(self.ActivityMoved(self, card.card.id, target))

    def action_cancel_move(self) -> None:
        self._end_move()

    def _end_move(self) -> None:
        if self._moving is not None:
            self._moving.remove_class("-dragging")
        self._moving = None
        self._set_target(None)
        self.refresh_bindings()

    def _set_target(self, day: dt.date | None) -> None:
        if day == self._target:
            return
        if self._target in self._columns:
            self._columns[self._target].remove_class("-drop-target")
        self._target = day
        if day in self._columns:
            self._columns[day].add_class("-drop-target")

    @property
    def target(self) -> dt.date | None:
        """The day a drag or move mode would drop on."""
        return self._target

    # ---- moving by mouse ---------------------------------------------------------

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if self.readonly or event.button != 1 or self._moving is not None:
            return
        card = self._card_under(event.screen_x, event.screen_y)
        if card is None:
            return
        self._drag = card
        self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._drag is None:
            return
        column = self._column_of(self._under(event.screen_x, event.screen_y))
        self._drag.add_class("-dragging")
        self._set_target(column.day if column is not None else None)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._drag is None:
            return
        card, self._drag = self._drag, None
        self.release_mouse()
        column = self._column_of(self._under(event.screen_x, event.screen_y))
        card.remove_class("-dragging")
        self._set_target(None)
        if column is not None and column.day != card.card.day:
            self.post_message(self.ActivityMoved(self, card.card.id, column.day))
