"""The base of every main screen: access to the session, safe domain calls,
and a hook that reloads what the screen shows when data changed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, TypeVar

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from crm_tui.ui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from crm_tui.ui.app import CrmApp
    from crm_tui.ui.context import Session

T = TypeVar("T")


class CrmScreen(Screen):
    """A main screen. Subclasses implement `reload()` to re-read their data."""

    BINDINGS = [
        # The app's `?` again, on the screen, so `?` help lists it with the
        # screen's keys; the key bar puts it first on every screen (KeyBar.items).
        Binding("question_mark", "app.help", "Help", id="help", tooltip="Every key that works here"),
    ]

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        # The width class (-narrow, -wide) that Textual's first resize would
        # give, given before the first styling: added after it, it restyled
        # every widget of the screen (~7 ms of Today's first paint).
        try:
            width, breakpoints = self.app.size.width, self.app.HORIZONTAL_BREAKPOINTS or []
        except RuntimeError:  # built outside a running app (NoActiveAppError): the resize sets it
            return
        for threshold, class_name in sorted(breakpoints, reverse=True):
            if width >= threshold:
                self.add_class(class_name)
                break

    @property
    def crm(self) -> "CrmApp":
        return self.app  # type: ignore[return-value]

    @property
    def session(self) -> "Session":
        return self.crm.session

    def compose_chrome(self) -> ComposeResult:
        """The title bar every main screen shows; the key bar is yielded last by `compose`."""
        yield TitleBar()

    def commands(self) -> Iterable[SystemCommand]:
        """This screen's actions for the command palette."""
        return ()

    def reload(self) -> None:
        """Re-read data from the domain; called on show and when data changed."""

    def on_screen_resume(self) -> None:
        self.resumed()

    def resumed(self) -> None:
        """The screen is shown (again): re-read its data. A screen may defer or
        coalesce this (Textual resumes a new mode's screen twice)."""
        self.reload()

    def attempt(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """Call a domain function; a refusal becomes a notification, not a crash."""
        return self.crm.attempt(fn, *args, **kwargs)

    _after_paint: list[Callable[[], object]] | None = None

    def call_after_paint(self, callback: Callable[[], object]) -> None:
        """Run `callback` once the screen's next frame has gone to the terminal.

        `call_after_refresh` is not that: at start-up its message is handled
        with the others queued before the screen first goes idle and paints,
        so work deferred with it still delayed the first frame."""
        if self._after_paint is None:
            self._after_paint = []
        if callback not in self._after_paint:  # reloads while covered by a dialog queue it once
            self._after_paint.append(callback)

    def _compositor_refresh(self) -> None:
        """Paint the screen, but not a frame that Textual 8 would throw away.

        Inside `App.batch_update` (all of start-up, and the calendar's moves)
        a layout still renders the whole screen and `App._display` then drops
        the frame: for Today's first paint that was ~40 ms spent on a frame
        nobody saw. While a batch is open the top screen only notes that it
        needs a repaint, which Textual does when the batch ends."""
        if self.app._batch_count and self is self.app.screen:
            self._repaint_required = True
            return
        super()._compositor_refresh()
        if self._after_paint and self is self.app.screen:
            callbacks, self._after_paint = self._after_paint, None
            for callback in callbacks:
                self.call_later(callback)
