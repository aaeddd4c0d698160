"""The key bar: the keys that work on this screen, on its bottom line.

It shows what Textual's `Footer` shows (the screen's bindings with
`show=True`, a binding group as one item such as "1234 Screens", the command
palette key on the right; click a key to press it, hover for its tooltip),
drawn as one line of one widget. The `Footer` mounts a widget per key and
mounts them all again after every focus change: ~70 ms of start-up before
Today's first paint, and again each time a dialog opens or closes. Here a
change of bindings only repaints. Items that do not fit are left out whole,
never cut mid-word; `?` lists every key.
"""

from __future__ import annotations

from itertools import groupby
from typing import NamedTuple

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widget import Widget


HELP_KEY = "question_mark"


class KeyItem(NamedTuple):
    """One item on the bar: a key (or a group's keys) and what it does."""

    keys: tuple[str, ...]
    labels: tuple[str, ...]
    description: str
    enabled: bool
    tooltip: str


class _Span(NamedTuple):
    start: int
    end: int
    key: str
    item: KeyItem


class KeyBar(Widget, can_focus=False):
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--hover"}
    ALLOW_SELECT = False

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._spans: list[_Span] = []
        self._hover: KeyItem | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def _bindings_changed(self, screen: object) -> None:
        if screen is self.screen:
            self.refresh()

    def items(self) -> tuple[list[KeyItem], KeyItem | None]:
        """The screen's shown keys in order, and the command palette's key.

        A key bound to an action twice shows once; consecutive bindings of one
        group become one item, their keys side by side; `?` comes first."""
        active = self.screen.active_bindings
        first: dict[str, tuple[Binding, bool, str]] = {}
        for _node, binding, enabled, tooltip in active.values():
            if binding.show:
                first.setdefault(binding.action, (binding, enabled, tooltip))
        items: list[KeyItem] = []
        for group, members_iter in groupby(first.values(), key=lambda member: member[0].group):
            members = list(members_iter)
            if group is not None and len(members) > 1:
                items.append(KeyItem(
                    keys=tuple(binding.key for binding, _, _ in members),
                    labels=tuple(self.app.get_key_display(binding) for binding, _, _ in members),
                    description=group.description,
                    enabled=any(enabled for _, enabled, _ in members),
                    tooltip=" · ".join(f"{self.app.get_key_display(binding)} {binding.description}"
                                       for binding, _, _ in members),
                ))
                continue
            items.extend(self._item(binding, enabled, tooltip) for binding, enabled, tooltip in members)
        # `?` first on every screen, even where a focused widget's keys come
        # first: it is the key that explains all the others.
        items.sort(key=lambda item: HELP_KEY not in item.keys)
        palette = None
        if self.app.ENABLE_COMMAND_PALETTE and self.app.COMMAND_PALETTE_BINDING in active:
            _node, binding, enabled, tooltip = active[self.app.COMMAND_PALETTE_BINDING]
            palette = self._item(binding, enabled, tooltip)
        return items, palette

    def _item(self, binding: Binding, enabled: bool, tooltip: str) -> KeyItem:
        return KeyItem((binding.key,), (self.app.get_key_display(binding),), binding.description, enabled,
                       tooltip or binding.tooltip or binding.description)

    def render(self) -> Text:
        items, palette = self.items()
        key_pad = self.get_component_styles("key-bar--key").padding
        text_pad = self.get_component_styles("key-bar--description").padding
        key_style = self.get_component_rich_style("key-bar--key")
        text_style = self.get_component_rich_style("key-bar--description")
        hover_style = self.get_component_rich_style("key-bar--hover")

        def draw(item: KeyItem, at: int) -> tuple[Text, list[_Span]]:
            hovered = item == self._hover
            keys = key_style + hover_style if hovered else key_style
            line, spans = Text(" " * key_pad.left, keys), []
            for key, label in zip(item.keys, item.labels):
                spans.append(_Span(at + line.cell_len, at + line.cell_len + cell_len(label), key, item))
                line.append(label, keys)
            line.append(" " * key_pad.right, keys)
            if item.description:
                line.append(" " * text_pad.left + item.description + " " * text_pad.right,
                            text_style + hover_style if hovered else text_style)
            if len(spans) == 1:  # a lone key: the whole item presses it
                spans = [_Span(at, at + line.cell_len, item.keys[0], item)]
            if not item.enabled:
                line.stylize("dim")
            return line, spans

        width = self.size.width
        tail, tail_spans = draw(palette, 0) if palette is not None else (Text(), [])
        room = width - (tail.cell_len + 1 if palette is not None else 0)
        line, self._spans = Text(), []
        for item in items:
            piece, spans = draw(item, line.cell_len)
            if line.cell_len + piece.cell_len > room:
                break
            line.append_text(piece)
            self._spans.extend(spans)
        if palette is not None:
            start = width - tail.cell_len
            line.append(" " * max(1, start - line.cell_len))
            line.append_text(tail)
            self._spans.extend(_Span(s.start + start, s.end + start, s.key, s.item) for s in tail_spans)
        return line

    def shown(self) -> list[tuple[str, str]]:
        """(keys, description) of each item as drawn on the bar, left to right."""
        seen: list[tuple[str, str]] = []
        for span in self._spans:
            entry = ("".join(span.item.labels), span.item.description)
            if not seen or seen[-1] != entry:
                seen.append(entry)
        return seen

    def _span_at(self, x: int) -> _Span | None:
        return next((span for span in self._spans if span.start <= x < span.end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        span = self._span_at(event.x)
        item = span.item if span is not None else None
        if item != self._hover:
            self._hover = item
            self.tooltip = item.tooltip if item is not None else None
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        span = self._span_at(event.x)
        if span is None:
            return
        if span.item.enabled:
            self.app.simulate_key(span.key)
        else:
            self.app.bell()
