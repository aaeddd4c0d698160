"""One record: its fields, related records, and its whole timeline.

Pushed on the current mode's stack by `CrmApp.open_record(kind, id)`;
`escape` goes back. Keys: `e` edit, `n` new activity on this record (when the
app has `action_new_activity`), `t` add a note, `enter` on a related record
opens it, `enter` on the timeline's last line loads older entries.

Extension API (for workflows built elsewhere: qualification and conversion,
methodology steps, case assignment and escalation, templates, knowledge):

    from crm_tui.ui.screens.record_detail import DetailAction, DetailSection, register_action, register_section

    register_action("lead", DetailAction(
        key="v", id="lead.convert", description="Convert", tooltip="Convert to account, contact, opportunity",
        run=lambda screen: screen.app.push_screen(ConvertDialog(screen.record_id), lambda _: screen.changed()),
        available=lambda record: record.status == "qualified",
    ))
    register_section("opportunity", DetailSection(
        id="steps", title="Methodology", render=lambda screen: steps_text(screen.record)))

- `register_action(kinds, action)`: `kinds` is a kind or an iterable of kinds.
  The action becomes a real Binding of that kind's detail screen (footer, `?`
  help, keymap by `id`, and the command palette). `run(screen)` gets the
  RecordDetailScreen: `screen.kind`, `screen.record_id`, `screen.record` (the
  model instance, re-read on each reload), `screen.session`, `screen.attempt(fn,
  ...)` for domain calls, and `screen.changed()` to call after writing (reloads
  it and every screen that shows the data). `available(record)` hides the key
  when it does not apply; `writes=False` keeps it in read-only sessions
  (otherwise hidden there). Registering an id again replaces it. Keys used
  here and not to be reused: e, n, t, escape, enter, tab, 1-4, ?, u, q.
- `register_section(kinds, section)`: a panel under the fields; `render(screen)`
  returns a Rich renderable (use rich.text.Text for user data), called on
  every reload; its widget id is `detail-section-<id>`. `first=True` puts it
  above the fields (a header summary, like the account's).

Register at import time of your module (import it from ui/app.py or your
screen module); screens opened afterwards have the bindings: each kind gets a
subclass of RecordDetailScreen with the registered bindings, created by
`RecordDetailScreen(kind, record_id)` itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Iterable
from zoneinfo import ZoneInfo

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Label, Static

from crm_tui.domain import activities, history, presence, records
from crm_tui.domain.errors import DomainError
from crm_tui.models import RECORD_KINDS
from crm_tui.ui.screens.base import CrmScreen
from crm_tui.ui.widgets.timeline import Timeline

TIMELINE_PAGE = 100


@dataclass(frozen=True)
class DetailAction:
    """A key on the detail screen of some kinds, run with the screen."""

    key: str
    id: str
    description: str
    tooltip: str
    run: Callable[["RecordDetailScreen"], None]
    available: Callable[[Any], bool] | None = None
    writes: bool = True
    """Hidden in a read-only session (managers' `crm exceptions`) unless False."""


@dataclass(frozen=True)
class DetailSection:
    """A panel under the fields of some kinds, rendered on each reload."""

    id: str
    title: str
    render: Callable[["RecordDetailScreen"], RenderableType]
    first: bool = False
    """Above the fields (a header summary) instead of under them."""


_ACTIONS: dict[str, dict[str, DetailAction]] = {kind: {} for kind in RECORD_KINDS}
_SECTIONS: dict[str, dict[str, DetailSection]] = {kind: {} for kind in RECORD_KINDS}
_classes: dict[tuple[str, int], type["RecordDetailScreen"]] = {}
_generation = 0


def _kinds(kinds: str | Iterable[str]) -> list[str]:
    chosen = [kinds] if isinstance(kinds, str) else list(kinds)
    for kind in chosen:
        records.model_for(kind)
    return chosen


def register_action(kinds: str | Iterable[str], action: DetailAction) -> None:
    """Add (or replace, by id) a key on the detail screen of these kinds."""
    global _generation
    for kind in _kinds(kinds):
        _ACTIONS[kind][action.id] = action
    _generation += 1


def register_section(kinds: str | Iterable[str], section: DetailSection) -> None:
    """Add (or replace, by id) a panel on the detail screen of these kinds."""
    for kind in _kinds(kinds):
        _SECTIONS[kind][section.id] = section


def actions_for(kind: str) -> list[DetailAction]:
    return list(_ACTIONS[kind].values())


def _screen_class(kind: str) -> type["RecordDetailScreen"]:
    key = (kind, _generation)
    if key not in _classes:
        bindings = [
            Binding(action.key, f"detail_action('{action.id}')", action.description, id=action.id,
                    tooltip=action.tooltip)
            for action in _ACTIONS[kind].values()
        ]
        name = f"{records.KIND_LABELS[kind]}DetailScreen"
        _classes[key] = type(name, (RecordDetailScreen,), {"BINDINGS": bindings, "KIND": kind})
    return _classes[key]


class RecordDetailScreen(CrmScreen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="detail.back", tooltip="Back to the list"),
        Binding("e", "edit", "Edit", id="detail.edit", tooltip="Edit this record"),
        Binding("n", "new_activity", "New activity", id="detail.new_activity",
                tooltip="Schedule an activity on this record"),
        Binding("t", "add_note", "Note", id="detail.note", tooltip="Add a note to this record"),
    ]
    KIND: ClassVar[str] = ""
    AUTO_FOCUS = "#timeline"

    def __new__(cls, kind: str, record_id: int, *args: Any, **kwargs: Any) -> "RecordDetailScreen":
        # The kind's subclass carries the bindings registered for it (see the module docstring).
        target = _screen_class(kind) if cls is RecordDetailScreen else cls
        return super().__new__(target)

    def __init__(self, kind: str, record_id: int) -> None:
        super().__init__()
        self.kind = kind
        self.record_id = record_id
        self.record: Any = records.get(kind, record_id)
        self._related: list[tuple[str, int]] = []
        self._ready = False
        self.department: str | None = None
        """Show only this department's timeline entries (history.DEPARTMENTS); None: all."""

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        with Horizontal(id="detail-body"):
            with VerticalScroll(id="detail-side"):
                yield Static("", id="detail-title")
                yield Static("", id="detail-presence", markup=False)
                sections = list(_SECTIONS[self.kind].values())
                for section in sections:
                    if section.first:
                        yield Static("", id=f"detail-section-{section.id}", classes="detail-section")
                yield Static("", id="detail-fields")
                for section in sections:
                    if not section.first:
                        yield Static("", id=f"detail-section-{section.id}", classes="detail-section")
                yield Label("Related", classes="detail-heading")
                yield DataTable(id="detail-related", cursor_type="row", show_header=False)
            with Vertical(id="detail-main"):
                yield Label("Timeline", classes="detail-heading", id="timeline-heading")
                yield Timeline(self.session.user.time_zone, id="timeline")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#detail-related", DataTable).add_columns("Kind", "Name", "What")
        self._ready = True
        self.reload()
        self._beat()

    def _beat(self) -> None:
        heartbeat = getattr(self.app, "presence", None)
        if heartbeat is not None:
            heartbeat.beat()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        self._beat()

    def presence_target(self) -> tuple[str, int]:
        """The record this view tells others it has open (ui.presence)."""
        return (self.kind, self.record_id)

    def show_presence(self, viewers: list[presence.Viewer]) -> None:
        """"open by Dana since 10:42" under the title, or nothing."""
        line = self.query_one("#detail-presence", Static)
        line.update(presence.describe(viewers, self.session.user.time_zone))
        line.set_class(bool(viewers), "-shown")

    def current_record(self) -> tuple[str, int]:
        """The record this screen is about (for app-level actions such as new activity)."""
        return (self.kind, self.record_id)

    # ---- data -------------------------------------------------------------

    def reload(self) -> None:
        if not self._ready:
            return  # change polling can reach a screen pushed a moment ago, before it mounted
        try:
            self.record = records.get(self.kind, self.record_id)
        except DomainError as exc:
            self.notify(str(exc), severity="warning")
            self.app.pop_screen()
            return
        title = Text(f"{records.KIND_LABELS[self.kind]}  ", style="dim")
        title.append(records.display_name(self.record), style="bold")
        self.query_one("#detail-title", Static).update(title)
        self.query_one("#detail-fields", Static).update(self._fields_table())
        for section in _SECTIONS[self.kind].values():
            widget = self.query_one(f"#detail-section-{section.id}", Static)
            widget.border_title = section.title
            try:
                widget.update(section.render(self))
            except DomainError as exc:
                widget.update(Text(str(exc), style="italic"))
        self._fill_related()
        self._load_timeline(append=False)
        if self.is_mounted and any(a.available for a in _ACTIONS[self.kind].values()):
            # The record changed, so a key's availability may have. (Only then:
            # refreshing the footer costs more than the rest of a reload.)
            self.refresh_bindings()

    def _fields_table(self) -> Table:
        config = self.session.config
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column()
        values = records.form_values(self.kind, self.record, config)
        owners = {str(user_id): name for name, user_id in records.owners()}
        for spec in records.fields(self.kind, config, creating=False):
            value = values.get(spec.name, "")
            if spec.input == "owner":
                value = owners.get(value, "—" if not value else f"user {value}")
            if spec.input == "textarea" and len(value) > 400:
                value = value[:400] + "…"
            grid.add_row(Text(spec.label), Text(value or "—"))
        for name, label in (("status", "Status"), ("step", "Step"), ("state", "State"), ("original_source", "Original source"),
                            ("sla_due", "SLA due"), ("close_reason", "Close reason")):
            value = getattr(self.record, name, None)
            if value not in (None, "") and not any(spec.name == name for spec in records.fields(self.kind, config, creating=False)):
                grid.add_row(Text(label), Text(self._when(value) if isinstance(value, dt.datetime) else str(value)))
        grid.add_row(Text("Last touch"), Text(self._when(self.record.last_touch_at)))
        grid.add_row(Text("Next activity"), Text(f"{self.record.next_activity_on:%a %d %b %Y}"
                                                 if self.record.next_activity_on else "— none planned"))
        grid.add_row(Text("Created"), Text(self._when(self.record.created_at)))
        return grid

    def _when(self, instant: Any) -> str:
        if instant is None:
            return "—"
        local = instant.replace(tzinfo=dt.timezone.utc).astimezone(ZoneInfo(self.session.user.time_zone))
        return f"{local:%a %d %b %Y %H:%M}"

    def _fill_related(self) -> None:
        table = self.query_one("#detail-related", DataTable)
        table.clear()
        rows = history.related(self.kind, self.record_id)
        self._related = [(kind, record_id) for kind, record_id, _, _ in rows]
        for kind, _, name, what in rows:
            table.add_row(Text(records.KIND_LABELS[kind]), Text(name), Text(what))
        table.display = bool(rows)

    def _load_timeline(self, *, append: bool) -> None:
        timeline = self.query_one("#timeline", Timeline)
        offset = timeline.count if append else 0
        entries = self.attempt(history.timeline, self.kind, self.record_id, limit=TIMELINE_PAGE + 1, offset=offset,
                               department=self.department)
        if entries is None:
            return
        timeline.show(entries[:TIMELINE_PAGE], more=len(entries) > TIMELINE_PAGE, append=append)

    def set_department(self, department: str | None) -> None:
        """Filter the timeline to one department (None: every department) and reload it."""
        self.department = department
        heading = "Timeline" if department is None else f"Timeline · {department} only"
        self.query_one("#timeline-heading", Label).update(heading)
        self._load_timeline(append=False)

    def changed(self) -> None:
        """Call after a write made from this screen: reloads it (and the rest of the app)."""
        self.crm.changed()

    # ---- keys -------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "add_note", "new_activity") and self.session.readonly:
            return False
        if action == "new_activity":
            return hasattr(self.app, "action_new_activity")
        if action == "detail_action" and parameters:
            found = _ACTIONS[self.kind].get(str(parameters[0]))
            if found is None or (found.writes and self.session.readonly):
                return False
            if found.available is not None:
                try:
                    return bool(found.available(self.record))
                except DomainError:
                    return False
        return True

    def action_detail_action(self, action_id: str) -> None:
        found = _ACTIONS[self.kind].get(action_id)
        if found is not None:
            found.run(self)

    def action_back(self) -> None:
        app = self.app
        app.pop_screen()
        heartbeat = getattr(app, "presence", None)
        if heartbeat is not None:
            app.call_later(heartbeat.beat)  # the screen below says what is open now (maybe nothing)

    def action_edit(self) -> None:
        from crm_tui.ui.dialogs.record_form import RecordFormDialog

        def saved(result: int | None) -> None:
            if result is not None:
                self.notify("Saved")
                self.changed()

        self.app.push_screen(RecordFormDialog(self.kind, self.record_id), saved)

    def action_new_activity(self) -> None:
        action = getattr(self.app, "action_new_activity", None)
        if action is None:
            self.notify("Activities are scheduled from the Today screen in this build", severity="warning")
            return
        action()

    def action_add_note(self) -> None:
        from crm_tui.ui.dialogs.note import NoteDialog

        def save(text: str) -> None:
            activities.add_note(self.session.user, self.kind, self.record_id, text)

        def written(text: str | None) -> None:
            if text is not None:
                self.notify("Note added")  # the dialog saved and refreshed this screen

        self.app.push_screen(NoteDialog(records.display_name(self.record), save=save), written)

    @on(DataTable.RowSelected, "#detail-related")
    def _open_related(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self._related):
            kind, record_id = self._related[event.cursor_row]
            self.crm.open_record(kind, record_id)

    @on(Timeline.MoreRequested, "#timeline")
    def _older(self) -> None:
        self._load_timeline(append=True)

    def commands(self) -> Iterable[SystemCommand]:
        readonly = self.session.readonly
        if not readonly:
            yield SystemCommand("Edit this record", "Change its fields", self.action_edit)
            yield SystemCommand("Add a note", "A note on this record", self.action_add_note)
            if hasattr(self.app, "action_new_activity"):
                yield SystemCommand("New activity", "Schedule an activity on this record", self.action_new_activity)
        for action in _ACTIONS[self.kind].values():
            if self.check_action("detail_action", (action.id,)):
                yield SystemCommand(action.description, action.tooltip, lambda a=action: a.run(self))


# The process keys of the detail view register themselves on import; importing them
# here keeps every way of opening a record (the app, a test) complete.
from crm_tui.ui.screens import record_actions  # noqa: E402,F401
from crm_tui.ui.screens import record_snooze  # noqa: E402,F401  (snooze keys)
from crm_tui.ui.screens import sales_actions  # noqa: E402,F401  (quote, order, payment keys, account summary)
from crm_tui.ui.widgets.key_bar import KeyBar
