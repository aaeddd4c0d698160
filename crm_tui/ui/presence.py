"""The app's presence heartbeat ("open by Dana since 10:42").

Every `config.presence_seconds` (and at once when a detail view opens or
closes) the app looks at the screen on top: a record's detail view beats for
its record (domain.presence.beat); on any other screen the app's row is
removed once, and after that nothing is written. The same trip reads who
else has something open and hands it to the screen's `show_presence(...)`
(the detail view and the Records list implement it); screens with neither
cost no database trip at all.
All of it runs in a thread worker, one at a time; a failed beat is ignored
(the next one repairs it), never shown, and never touches the change token.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from textual.screen import ModalScreen

from crm_tui import db
from crm_tui.domain import presence

if TYPE_CHECKING:
    from crm_tui.ui.app import CrmApp


class PresenceHeartbeat:
    """One per app: its session id, and the beat the app's timer calls."""

    def __init__(self, app: "CrmApp") -> None:
        self.app = app
        self.session = presence.new_session()
        self.interval = app.session.config.presence_seconds
        self.writes = not app.session.readonly
        self._pending: tuple[Any, ...] | None = None
        self._running = False
        self._lock = threading.Lock()
        self._marked = False
        """This app has a row in `presence` (so leaving needs a write)."""

    def _top(self) -> Any:
        for screen in reversed(self.app.screen_stack):
            if not isinstance(screen, ModalScreen):
                return screen
        return None

    def beat(self) -> None:
        """Beat now for whatever is on screen (safe to call any time).

        One beat runs at a time; a beat asked for meanwhile runs right after
        it, with the screen on top then (so none piles up on a slow database)."""
        screen = self._top()
        if screen is None:
            return
        target = getattr(screen, "presence_target", lambda: None)()
        listing = getattr(screen, "presence_kind", lambda: None)()
        if target is None and listing is None and not self._marked:
            return  # Today, Plan, Exceptions: nothing to say and nothing to read, so no database trip
        with self._lock:
            self._pending = (screen, target, listing, self.app.user)
            if self._running:
                return
            self._running = True
        self.app.run_worker(self._work, thread=True, group="presence", exit_on_error=False, name="presence")

    def _work(self) -> None:
        while True:
            with self._lock:
                job, self._pending = self._pending, None
                if job is None:
                    self._running = False
                    return
            self._once(*job)

    def _once(self, screen: Any, target: tuple[str, int] | None, listing: str | None, user: Any) -> None:
        try:
            with db.connection():
                if self.writes:
                    if target is not None:
                        presence.beat(self.session, user, *target)
                        self._marked = True
                    elif self._marked:
                        presence.leave(self.session)
                        self._marked = False
                if target is not None:
                    found: Any = presence.viewers(*target, interval=self.interval, exclude_user=user.id)
                elif listing is not None:
                    found = presence.open_records(listing, interval=self.interval, exclude_user=user.id)
                else:
                    return
        except Exception:  # noqa: BLE001 - presence is a courtesy: a busy or lost database must not nag
            db.recover()
            return
        show = getattr(screen, "show_presence", None)
        if show is not None and screen.is_attached:
            self.app.call_from_thread(show, found)

    def stop(self) -> None:
        """The app is closing: take this app's mark down now rather than letting it expire."""
        if not (self.writes and self._marked):
            return
        try:
            presence.leave(self.session)
        except Exception:  # noqa: BLE001 - it expires by itself within seconds anyway
            db.recover()
