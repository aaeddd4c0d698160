"""A DataTable that shows a window of a long, keyset-paged list.

Loading 100,000 rows into a DataTable takes ~18 s and 180 MiB (PERF.md), so
this table holds at most `MAX_ROWS` rows around the cursor. When the cursor
comes within `MARGIN` rows of an edge (or the mouse wheel scrolls to an
edge of the window), it asks its source for the next or previous page (keyset: after the last row's key, before the first row's) and
drops rows at the far end. `home`/`end` (and ctrl+home/ctrl+end) jump to the
true first and last rows. The source is a plain callable the screen sets, so
the widget never touches the database:

    fetch(key, backward, limit) -> (rows, keys, more)

`render` turns a row tuple into cells and `row_key` names it.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.widgets import DataTable

Fetch = Callable[[Any, bool, int], tuple[Sequence[tuple], Sequence[Any], bool]]

PAGE = 100
MARGIN = 20
MAX_ROWS = 300


class WindowedTable(DataTable):
    BINDINGS = [
        Binding("home,ctrl+home", "scroll_top", "First", show=False, id="records.first",
                tooltip="Jump to the first row"),
        Binding("end,ctrl+end", "scroll_bottom", "Last", show=False, id="records.last",
                tooltip="Jump to the last row"),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self._fetch: Fetch | None = None
        self._render: Callable[[tuple], list] = list
        self._row_key: Callable[[tuple], str] = lambda row: str(row[0])
        self.rows_data: list[tuple] = []
        self._keys: list[Any] = []
        self._anchor: Any = None
        """Key of the row just before the window (None: the window starts at the top)."""
        self._more_before = False
        self._more_after = False
        self.first_index = 0
        """Position of the window's first row in the whole list (for "rows 101-400 of N")."""
        self.total: int | None = None
        self._shifting = False

    # ---- what the screen calls ----------------------------------------

    def set_source(
        self, columns: Sequence[str], fetch: Fetch, render: Callable[[tuple], list],
        row_key: Callable[[tuple], str] | None = None, total: int | None = None,
    ) -> None:
        """Show a new list from its start."""
        self._fetch, self._render, self.total = fetch, render, total
        if row_key is not None:
            self._row_key = row_key
        self.clear(columns=True)
        self.add_columns(*columns)
        self._load_start()

    def show_rows(self, columns: Sequence[str], rows: Sequence[tuple], render: Callable[[tuple], list],
                  row_key: Callable[[tuple], str]) -> None:
        """Show a short, complete list (search hits): no paging."""
        self._fetch = None
        self._render, self._row_key = render, row_key
        self.total = len(rows)
        self.clear(columns=True)
        self.add_columns(*columns)
        self._replace(list(rows), [None] * len(rows), None, False, False, 0, 0)

    def reload(self, total: int | None = None) -> None:
        """Re-read the window where it is, keeping the cursor on the same record."""
        if self._fetch is None:
            return
        self.total = total if total is not None else self.total
        current = self.current_row
        keep = self._row_key(current) if current is not None else None
        rows, keys, more = self._fetch(self._anchor, False, max(len(self.rows_data), PAGE * 2))
        rows, keys = list(rows), list(keys)
        index = next((i for i, row in enumerate(rows) if self._row_key(row) == keep), self.cursor_row)
        self._replace(rows, keys, self._anchor, self._anchor is not None, more, index, self.first_index)

    @property
    def current_row(self) -> tuple | None:
        if not self.rows_data or not 0 <= self.cursor_row < len(self.rows_data):
            return None
        return self.rows_data[self.cursor_row]

    # ---- windowing ------------------------------------------------------

    def _load_start(self) -> None:
        assert self._fetch is not None
        rows, keys, more = self._fetch(None, False, PAGE * 2)
        self._replace(list(rows), list(keys), None, False, more, 0, 0)

    def _load_end(self) -> None:
        assert self._fetch is not None
        rows, keys, anchor, more = self._before(None, PAGE * 2)
        first = (self.total - len(rows)) if self.total is not None else 0
        self._replace(rows, keys, anchor, more, False, len(rows) - 1, max(first, 0))

    def _before(self, key: Any, limit: int) -> tuple[list[tuple], list[Any], Any, bool]:
        """`limit` rows before `key`, and the key of the row before those (the new anchor)."""
        assert self._fetch is not None
        rows, keys, more = self._fetch(key, True, limit + 1)
        rows, keys = list(rows), list(keys)
        if len(rows) > limit:
            return rows[1:], keys[1:], keys[0], True
        return rows, keys, None, False

    def _replace(self, rows: list[tuple], keys: list[Any], anchor: Any, more_before: bool, more_after: bool,
                 cursor: int, first_index: int) -> None:
        self._shifting = True
        try:
            self.rows_data, self._keys, self._anchor = rows, keys, anchor
            self._more_before, self._more_after, self.first_index = more_before, more_after, first_index
            self.clear()
            self.add_rows([self._render(row) for row in rows])
            if rows:
                self.move_cursor(row=max(0, min(cursor, len(rows) - 1)), animate=False)
        finally:
            self._shifting = False

    def watch_cursor_coordinate(self, old: Coordinate, new: Coordinate) -> None:
        super().watch_cursor_coordinate(old, new)
        if not self._shifting and self._fetch is not None:
            self.call_later(self._shift_window)

    def on_mouse_scroll_down(self) -> None:
        self.call_after_refresh(self._wheel_at_edge, True)

    def on_mouse_scroll_up(self) -> None:
        self.call_after_refresh(self._wheel_at_edge, False)

    def _wheel_at_edge(self, down: bool) -> None:
        """The mouse wheel reached an edge of the window: bring the cursor
        there, which loads the next (or previous) page as the keys do."""
        if self._fetch is None or not self.rows_data:
            return
        if down and self.scroll_y >= self.max_scroll_y and self._more_after:
            self.move_cursor(row=len(self.rows_data) - 1, scroll=False)
        elif not down and self.scroll_y <= 0 and self._more_before:
            self.move_cursor(row=0, scroll=False)

    def _shift_window(self) -> None:
        if self._fetch is None or not self.rows_data:
            return
        row = self.cursor_row
        if row >= len(self.rows_data) - MARGIN and self._more_after:
            rows, keys, more = self._fetch(self._keys[-1], False, PAGE)
            all_rows, all_keys = self.rows_data + list(rows), self._keys + list(keys)
            drop = max(0, len(all_rows) - MAX_ROWS)
            anchor = all_keys[drop - 1] if drop else self._anchor
            self._replace(all_rows[drop:], all_keys[drop:], anchor, self._more_before or drop > 0, more,
                          row - drop, self.first_index + drop)
        elif row < MARGIN and self._more_before:
            rows, keys, anchor, more = self._before(self._keys[0], PAGE)
            all_rows, all_keys = rows + self.rows_data, keys + self._keys
            keep = min(len(all_rows), MAX_ROWS)
            self._replace(all_rows[:keep], all_keys[:keep], anchor, more,
                          self._more_after or keep < len(all_rows), row + len(rows),
                          max(0, self.first_index - len(rows)))

    def action_scroll_top(self) -> None:
        if self._fetch is None or not self._more_before:
            super().action_scroll_top()
        else:
            self._load_start()

    def action_scroll_bottom(self) -> None:
        if self._fetch is None or not self._more_after:
            super().action_scroll_bottom()
        else:
            self._load_end()
