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

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.style import Style as VisualStyle
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


def _fit(value: str, width: int) -> str:
    """`value` in exactly `width` cells: padded with spaces, or cut with an ellipsis."""
    length = cell_len(value)
    if length <= width:
        return value + " " * (width - length)
    return set_cell_size(value, width - 1) + "…"


class _LazyOption(Option):
    """A row's option: the list draws it when it scrolls into view, and its
    prompt (OptionList's API) is made only if asked for."""

    def __init__(self, item: Item, draw: Callable[[Item], Text], id: str) -> None:
        super().__init__("", id=id)
        self.item = item
        self._draw = draw
        self._prompt = None

    @property
    def prompt(self) -> Text:
        if self._prompt is None:
            self._prompt = self._draw(self.item)
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
        self._row_style_map: dict[str, Style] = {}

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
        styles = self._row_style_map = self._styles()
        draw = lambda item: self._render_item(item, styles)  # noqa: E731
        options: list[Option] = []
        items: dict[str, Item] = {}
        groups: list[tuple[str, str, tuple[Item, ...]]] = [
            ("overdue", f"⚠ Overdue ({agenda.overdue_count})", agenda.overdue),
            ("today", f"Today ({agenda.today_count})", agenda.today),
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

    def _styles(self) -> dict[str, Style]:
        theme = self.app.current_theme
        error = theme.error or "red"
        warning = theme.warning or "yellow"
        styles = {
            "late": f"bold {error}",
            "started": warning,
            "head-overdue": f"bold {error}",
            "head-today": f"bold {theme.primary}",
            "head-escalated": f"bold {warning}",
            "high": f"bold {warning}",
        }
        return {name: Style.parse(style) for name, style in styles.items()}

    def _cells(self, item: Item, styles: dict[str, Style]) -> list[tuple[str, Style | None]]:
        """A row as fixed-width cells, each cut or padded to its width and
        followed by a space (the last one's trailing spaces removed)."""
        width = max(60, (self.size.width or self.app.size.width) - 3)
        rest = width - (13 + 8 + 5 + 6) - 5
        subject_width = rest * 3 // 5
        if isinstance(item, AgendaRow):
            if item.overdue_days:
                marker = (f"⚠ {item.lateness}", styles["late"])
            elif item.late_minutes:
                marker = (item.lateness, styles["started"])
            else:
                marker = ("", None)
            priority = PRIORITIES.get(item.priority, str(item.priority))
            values = [
                marker, (item.type_label, None), (item.time_text, None), (item.subject, None),
                (item.record_label, None), (priority, styles["high"] if item.priority == 1 else None),
            ]
        else:
            values = [
                (f"⚑ {item.waiting_hours:g}h", styles["head-escalated"]), ("Case", None),
                (item.escalated_at.strftime("%H:%M") if item.escalated_at else "—", None),
                (item.subject, None), (item.record_label, None), (item.case_priority, None),
            ]
        cells: list[tuple[str, Style | None]] = []
        for (value, style), cell_width in zip(values, (13, 8, 5, subject_width, rest - subject_width, 6)):
            cells.append((_fit(value, cell_width), style))
            cells.append((" ", None))
        while cells and not cells[-1][0].rstrip():
            cells.pop()
        if cells:
            cells[-1] = (cells[-1][0].rstrip(), cells[-1][1])
        return cells

    def _render_item(self, item: Item, styles: dict[str, Style]) -> Text:
        """The row as a Text (an option's prompt); the list itself draws `_row_strip`."""
        line = Text(no_wrap=True, overflow="ellipsis")
        for value, style in self._cells(item, styles):
            line.append(value, style)
        return line

    def _get_option_render(self, option: Option, style: VisualStyle) -> list[Strip]:
        """A row drawn straight to one strip of cells.

        A plain line of fixed-width cells needs none of the wrapping and
        measuring of OptionList's general path (Text to Content to strips),
        which cost ~1 ms a row, so a first screenful ~35 ms."""
        if not isinstance(option, _LazyOption) or self.get_component_styles("option-list--option").padding:
            return super()._get_option_render(option, style)
        cache_key = (option, style)
        strips = self._option_render_cache.get(cache_key)
        if strips is None:
            base = style.rich_style
            width = self.scrollable_content_region.width - self._get_left_gutter_width()
            segments = [Segment(text, base + cell if cell is not None else base)
                        for text, cell in self._cells(option.item, self._row_style_map)]
            strip = Strip(segments).simplify()
            if strip.cell_length > width > 1:  # a terminal under 63 columns: cut the row, and say so
                cut = list(strip.crop(0, width - 1))
                strip = Strip([*cut, Segment("…", cut[-1].style)])
            strip = strip.extend_cell_length(width, base).apply_meta({"option": self._option_to_index[option]})
            self._option_render_cache[cache_key] = strips = [strip]
        return strips

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
