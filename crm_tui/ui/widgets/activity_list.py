"""The grouped activity list of the Today screen (`#today-list`).

An OptionList whose options are agenda rows under group headings (Overdue,
Today, Escalated to me). Attributes down: the screen hands it an
`agenda.Agenda` with `show()`. Messages up: `ActivityList.Opened` when a row
is opened (enter, or a double click; a single click only selects). A redraw
keeps the selected row by its id, so a live refresh never moves the cursor
away from what the user was looking at.

A rep's backlog can be thousands of rows, so the list is lazy: every row is
one line, so the line map is arithmetic instead of measuring each option, and
a row's text is drawn only when it scrolls into view (`_LazyOption`).
"""

from __future__ import annotations

from dataclasses import dataclass

from typing import Callable

from rich.text import Text

from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from crm_tui.domain.agenda import Agenda, AgendaRow, EscalatedRow
from crm_tui.models import PRIORITIES

Item = AgendaRow | EscalatedRow


def item_key(item: Item) -> str:
    """The option id of a row: stable across refreshes."""
    if isinstance(item, AgendaRow):
        return f"activity-{item.activity_id}"
    return f"case-{item.case_id}"


class _LazyOption(Option):
    """An option whose prompt is drawn the first time it is shown."""

    def __init__(self, item: Item, draw: Callable[[Item], Text], id: str) -> None:
        super().__init__("", id=id)
        self._item = item
        self._draw = draw
        self._prompt = None

    @property
    def prompt(self) -> Text:
        if self._prompt is None:
            self._prompt = self._draw(self._item)
        return self._prompt

    def forget(self) -> None:
        """Draw again on next sight (the width changed)."""
        self._prompt = None
        self._visual = None


class ActivityList(OptionList):
    """Overdue, today's and escalated rows; enter or double click opens one."""

    BINDINGS = [
        Binding("enter", "select", "Open", id="activity_list.open", show=False,
                tooltip="Open the linked record"),
    ]

    @dataclass
    class Opened(Message):
        """The user asked to open a row's linked record."""

        activity_list: "ActivityList"
        item: Item

        @property
        def control(self) -> "ActivityList":
            return self.activity_list

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._items: dict[str, Item] = {}
        self._agenda: Agenda | None = None

    @property
    def selected(self) -> Item | None:
        """The highlighted row, or None (nothing there, or a heading)."""
        option = self.highlighted_option
        if option is None or option.id is None:
            return None
        return self._items.get(option.id)

    def show(self, agenda: Agenda) -> None:
        """Redraw from an agenda, keeping the highlighted row if it is still there."""
        self._agenda = agenda
        keep = self.highlighted_option.id if self.highlighted_option is not None else None
        old_index = self.highlighted
        styles = self._styles()
        draw = lambda item: self._render_item(item, styles)  # noqa: E731
        options: list[Option] = []
        items: dict[str, Item] = {}
        groups: list[tuple[str, str, tuple[Item, ...]]] = [
            ("overdue", f"⚠ Overdue ({len(agenda.overdue)})", agenda.overdue),
            ("today", f"Today ({len(agenda.today)})", agenda.today),
            ("escalated", f"Escalated to me ({len(agenda.escalated)})", agenda.escalated),
        ]
        for name, title, rows in groups:
            if not rows:
                continue
            heading = Text(title, style=styles[f"head-{name}"], no_wrap=True, overflow="ellipsis")
            options.append(Option(heading, id=f"group-{name}", disabled=True))
            for item in rows:
                key = item_key(item)
                items[key] = item
                options.append(_LazyOption(item, draw, key))
        self._items = items
        self.set_options(options)
        target: int | None = None
        if keep is not None and keep in items:
            target = self.get_option_index(keep)
        elif options:
            # The row went away (done, moved): stay near where the cursor was.
            target = self._nearest_enabled(min(old_index or 0, len(options) - 1))
        self.highlighted = target

    def _nearest_enabled(self, index: int) -> int | None:
        for candidate in list(range(index, self.option_count)) + list(range(index - 1, -1, -1)):
            if not self.get_option_at_index(candidate).disabled:
                return candidate
        return None

    def _styles(self) -> dict[str, str]:
        theme = self.app.current_theme
        error = theme.error or "red"
        warning = theme.warning or "yellow"
        return {
            "late": f"bold {error}",
            "started": warning,
            "head-overdue": f"bold {error}",
            "head-today": f"bold {theme.primary}",
            "head-escalated": f"bold {warning}",
            "high": f"bold {warning}",
        }

    def _render_item(self, item: Item, styles: dict[str, str]) -> Text:
        """One line of fixed-width cells: a plain Text is cheap to measure and draw,
        where a Rich table per row made a backlog of thousands slow to paint."""
        width = max(60, (self.size.width or self.app.size.width) - 3)
        rest = width - (13 + 8 + 5 + 6) - 5
        subject_width = rest * 3 // 5
        if isinstance(item, AgendaRow):
            if item.overdue_days:
                marker = (f"⚠ {item.lateness}", styles["late"])
            elif item.late_minutes:
                marker = (item.lateness, styles["started"])
            else:
                marker = ("", "")
            priority = PRIORITIES.get(item.priority, str(item.priority))
            cells = [
                marker, (item.type_label, ""), (item.time_text, ""), (item.subject, ""),
                (item.record_label, ""), (priority, styles["high"] if item.priority == 1 else ""),
            ]
        else:
            cells = [
                (f"⚑ {item.waiting_hours:g}h", styles["head-escalated"]), ("Case", ""),
                (item.escalated_at.strftime("%H:%M") if item.escalated_at else "—", ""),
                (item.subject, ""), (item.record_label, ""), (item.case_priority, ""),
            ]
        line = Text(no_wrap=True, overflow="ellipsis")
        for (value, style), cell_width in zip(cells, (13, 8, 5, subject_width, rest - subject_width, 6)):
            cell = Text(value, style=style)
            cell.truncate(cell_width, overflow="ellipsis", pad=True)
            line.append_text(cell)
            line.append(" ")
        line.rstrip()
        return line

    def on_resize(self) -> None:
        """Cell widths follow the list's width: rows are drawn again as they show."""
        for option in self.options:
            if isinstance(option, _LazyOption):
                option.forget()
        self._clear_caches()

    # Every option is one line (rows are cut to the width, headings too), so
    # OptionList's per-option measuring, which draws every row, is not needed.

    def _update_lines(self) -> None:
        if not self.scrollable_content_region:
            return
        cache = self._line_cache
        count = len(self.options)
        done = len(cache.lines)
        if done < count:
            cache.lines.extend((index, 0) for index in range(done, count))
            cache.heights.update(dict.fromkeys(range(done, count), 1))
            cache.index_to_line.update(zip(range(done, count), range(done, count)))
        width = self.scrollable_content_region.width - self._get_left_gutter_width()
        virtual_size = Size(width, count)
        if virtual_size != self.virtual_size:
            self.virtual_size = virtual_size
            self._scroll_update(virtual_size)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.option_count

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    async def _on_click(self, event: events.Click) -> None:
        """A click selects; a double click opens (OptionList would open on one click)."""
        event.prevent_default()
        index = event.style.meta.get("option")
        if index is None or self.get_option_at_index(index).disabled:
            return
        self.highlighted = index
        if event.chain >= 2:
            self.action_select()

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        item = self._items.get(event.option.id or "")
        if item is not None:
            self.post_message(self.Opened(self, item))
