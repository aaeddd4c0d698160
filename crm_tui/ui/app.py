"""The app: four modes (Today, Plan Tomorrow, Records, Exceptions), the header
clock, change polling, undo, and `make_app`, the one factory the CLI and every
UI test use. Screen-specific handlers live on their screens."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

import platformdirs
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from crm_tui import clock, db
from crm_tui.config import APP_NAME, Config
from crm_tui.db import DatabaseError
from crm_tui.domain import changes, permissions
from crm_tui.domain.errors import DomainError
from crm_tui.models import User
from crm_tui.ui.context import Session
from crm_tui.ui.screens.base import CrmScreen
from crm_tui.ui.presence import PresenceHeartbeat
from crm_tui.ui.stylesheet import ThemeCachedStylesheet

T = TypeVar("T")


def _screen(module: str, name: str) -> Callable[[], Screen]:
    """A mode's screen, imported when the mode is first shown: start-up imports
    only the screen it opens on (first paint), the others come with their key."""

    def make() -> Screen:
        import importlib

        return getattr(importlib.import_module(f"crm_tui.ui.screens.{module}"), name)()

    return make

MODE_TITLES = {
    "today": "Today",
    "plan": "Plan Tomorrow",
    "records": "Records",
    "exceptions": "Exceptions",
}


SCREENS = Binding.Group("Screens", compact=True)
"""The footer shows the four mode keys as one short item ("1234 Screens"), so
the screen's own keys and `?` still fit at 80 columns; `?` names each one."""


class CrmApp(App[None]):
    TITLE = "crm"
    CSS_PATH = str(Path(__file__).resolve().parents[1] / "screens.tcss")  # not importlib.resources: ~4 ms of start-up
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    """Screens get class -narrow below 100 columns (a tighter key bar in screens.tcss)."""
    MODES = {
        "today": _screen("today", "TodayScreen"),
        "plan": _screen("plan", "PlanScreen"),
        "records": _screen("records", "RecordsScreen"),
        "exceptions": _screen("exceptions", "ExceptionsScreen"),
    }
    BINDINGS = [
        Binding("1", "switch_mode('today')", "Today", id="mode.today", tooltip="Overdue and today's activities",
                group=SCREENS),
        Binding("2", "switch_mode('plan')", "Plan", id="mode.plan", tooltip="Plan tomorrow: move work between days",
                group=SCREENS),
        Binding("3", "switch_mode('records')", "Records", id="mode.records",
                tooltip="Leads, accounts, contacts, opportunities, cases", group=SCREENS),
        Binding("4", "switch_mode('exceptions')", "Exceptions", id="mode.exceptions", tooltip="Where the process broke",
                group=SCREENS),
        Binding("question_mark", "help", "Help", id="help", tooltip="Every key that works here"),
        Binding("n", "new_activity", "New", id="new_activity",
                tooltip="Plan a new activity (for the record on screen, if any)"),
        Binding("u", "undo", "Undo", id="undo", tooltip="Undo my last change"),
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit crm"),
    ]

    def __init__(self, session: Session, start_mode: str = "today") -> None:
        # The first screen is the start mode itself, built while the app composes:
        # no default screen to replace, and one full CSS reparse where
        # switch_mode() from on_mount cost two (~40 ms of first paint).
        self.DEFAULT_MODE = start_mode
        super().__init__()
        self.stylesheet = ThemeCachedStylesheet(variables=self.get_css_variables(),
                                                cache_dir=Path(platformdirs.user_cache_dir(APP_NAME)) / "styles")
        self.session = session
        self._change_token = 0
        self.presence = PresenceHeartbeat(self)
        if session.config.keymap:
            self.set_keymap(session.config.keymap)

    @property
    def user(self) -> User:
        return self.session.user

    def on_mount(self) -> None:
        self.theme = "textual-dark"
        self._change_token = self.attempt(changes.latest_change_id) or 0
        self._tick()
        self.set_interval(15, self._tick)
        self.set_interval(self.session.config.refresh_seconds, self._poll_changes)
        self.set_interval(self.session.config.presence_seconds, self.presence.beat)
        if not gc.isenabled():
            self.set_timer(1.0, self._collect_from_now_on)

    def _collect_from_now_on(self) -> None:
        """The launcher (cli.main) started the app with the cyclic garbage
        collector off, to paint sooner. What start-up built lives as long as
        the app: freeze it out of later collections (shorter pauses all
        day), then collect as usual."""
        gc.freeze()
        gc.enable()

    def on_unmount(self) -> None:
        self.presence.stop()

    def _tick(self) -> None:
        local = clock.local_wall(self.user.time_zone)
        parts = [self.user.display_name, f"{local:%a} {local.day} {local:%b %H:%M}", self.user.time_zone]
        if self.session.readonly:
            parts.append("read-only")
        self.sub_title = " · ".join(parts)

    def _poll_changes(self) -> None:
        """Cheap cross-process refresh: one indexed MAX(id) per interval."""
        try:
            token = changes.latest_change_id()
        except Exception:  # a passing database hiccup must not kill the app
            db.recover()  # a dropped server connection reconnects on the next poll
            return
        if token != self._change_token:
            self._change_token = token
            self.reload_screen()

    def reload_screen(self) -> None:
        """Re-read the data of the screen the user is looking at."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, CrmScreen):
                screen.reload()
                break

    def attempt(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """Run a domain call; a refusal or database trouble becomes a message."""
        try:
            result = fn(*args, **kwargs)
        except DomainError as exc:
            self.notify(str(exc), severity="warning", title="Not done")
            return None
        except DatabaseError as exc:
            self.notify(str(exc), severity="error", title="Database")
            return None
        return result

    def changed(self) -> None:
        """Called after this process wrote: refresh now, and skip the echo on the next poll."""
        self._change_token = self.attempt(changes.latest_change_id) or self._change_token
        self.reload_screen()

    def open_record(self, kind: str, record_id: int) -> None:
        """Show a record's detail on the current mode's stack; escape goes back.
        An activity (an overdue-activity exception) opens the record it is on."""
        from crm_tui.domain import records  # with the record screens, not at start-up
        from crm_tui.ui.screens.record_detail import RecordDetailScreen

        target = self.attempt(records.resolve, kind, record_id)
        if target is None:
            return

        screen = self.attempt(RecordDetailScreen, *target)
        if screen is not None:
            self.push_screen(screen)

    def action_undo(self) -> None:
        restored = self.attempt(changes.undo_last, self.user)
        if restored is not None:
            self.notify(f"Undone ({len(restored)} change{'s' if len(restored) != 1 else ''})")
            self.changed()

    def action_new_activity(self) -> None:
        """`n` anywhere: the new-activity dialog, preselecting the screen's record."""
        if isinstance(self.screen, ModalScreen):
            return  # not on top of another dialog
        if self.session.readonly:
            self.notify("This session is read-only: nothing can be changed here.", severity="warning")
            return
        from crm_tui.ui.dialogs.new_activity import open_new_activity

        open_new_activity(self)

    def action_help(self) -> None:
        """List every active key; keys bound to one action share a row. crm's own
        keys (they all have a binding id) come first, the widgets' generic moving
        keys (cursor, page, focus) after them, so `?` answers "what can I do here"."""
        rows: dict[str, tuple[list[str], str]] = {}
        ours: set[str] = set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.description:
                continue
            keys, text = rows.setdefault(binding.action, ([], binding.tooltip or binding.description))
            keys.append(self.get_key_display(binding))
            if binding.tooltip:
                rows[binding.action] = (keys, binding.tooltip)
            if binding.id:
                ours.add(binding.action)
        listed = [(action, ", ".join(keys), text) for action, (keys, text) in rows.items()]
        title = f"Keys on {MODE_TITLES.get(self.current_mode, self.current_mode)}"
        from crm_tui.ui.dialogs.help import HelpScreen

        self.push_screen(HelpScreen([(keys, text) for action, keys, text in listed if action in ours], title,
                                    moving=[(keys, text) for action, keys, text in listed if action not in ours]))

    def action_import_file(self) -> None:
        """The import dialog (command palette: "Import a file")."""
        if self.session.readonly:
            self.notify("this session is read-only: nothing can be imported", severity="warning")
            return
        from crm_tui.ui.dialogs.import_file import ImportFileDialog

        self.push_screen(ImportFileDialog(self.user, self.session.config))

    def action_review(self) -> None:
        """The weekly review (`W` on Today, or the command palette); it resumes where it was left."""
        from crm_tui.ui.screens.review import ReviewScreen

        if isinstance(self.screen, (ModalScreen, ReviewScreen)):
            return
        if self.session.readonly:
            self.notify("This session is read-only: the weekly review is a rep's own.", severity="warning")
            return
        self.push_screen(ReviewScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for mode, title in MODE_TITLES.items():
            yield SystemCommand(f"Go to {title}", f"Switch to the {title} screen", lambda m=mode: self.switch_mode(m))
        yield SystemCommand("Undo", "Undo my last change", self.action_undo)
        yield SystemCommand("New activity", "Plan a new activity on a record", self.action_new_activity)
        yield SystemCommand("Help", "List every key", self.action_help)
        if not self.session.readonly:
            yield SystemCommand("Weekly review", "Walk through my records that need a look, one at a time",
                                self.action_review)
            yield SystemCommand("Import a file", "Leads, contacts, accounts or activities from CSV, vCard or iCalendar",
                                self.action_import_file)
        if isinstance(screen, CrmScreen):
            yield from screen.commands()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """One place where a failed background job becomes a clear message."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, (DomainError, DatabaseError)):
            self.notify(str(error), severity="error")
        else:
            self.notify(f"{event.worker.name or 'background job'} failed: {error}", severity="error")


def make_app(user: User, config: Config | None = None, *, readonly: bool = False, start_mode: str = "today") -> CrmApp:
    """The one factory: the CLI and every UI test build the app here."""
    config = config or Config()
    permissions.configure(config.permissions, config.roles)
    return CrmApp(Session(user=user, config=config, readonly=readonly), start_mode=start_mode)

