"""The title bar: the top line of every main screen.

"crm — who · when · zone" centred, the app's icon on the left (click: the
command palette). It draws what Textual's `Header` draws, as one widget
that repaints in the same frame as a title change: the `Header` composes
three widgets and sets its title from an async callback a frame later, so
the first paint showed "crm" without whose data it is.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widget import Widget

ICON = "◆"


class TitleBar(Widget, can_focus=False):
    COMPONENT_CLASSES = {"title-bar--icon", "title-bar--sub-title"}
    ALLOW_SELECT = False

    def on_mount(self) -> None:
        self.watch(self.app, "title", self._retitled, init=False)
        self.watch(self.app, "sub_title", self._retitled, init=False)

    def _retitled(self) -> None:
        self.refresh()

    def render(self) -> Text:
        icon = Text(f" {ICON} ", self.get_component_rich_style("title-bar--icon"))
        title = Text(self.app.title)
        if self.app.sub_title:
            title.append(" — " + self.app.sub_title, self.get_component_rich_style("title-bar--sub-title"))
        room = max(0, self.size.width - 2 * len(icon))
        title.truncate(room, overflow="ellipsis")
        left = (room - title.cell_len) // 2
        return Text.assemble(icon, " " * left, title)

    def on_click(self, event: events.Click) -> None:
        if event.x < len(ICON) + 2:
            self.app.action_command_palette()
