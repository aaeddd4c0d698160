"""The Records screen: leads, accounts, contacts, opportunities and cases,
and the sales documents: quotes, orders and invoices.

A tab per kind (keys `l` `a` `k` `o` `c`), filters (mine or all or one
owner, status, step) and a sort, over `#records-table`, a windowed table that
fetches only the rows around its cursor through keyset pages
(domain.records.page), so 100,000 records scroll like 100. `/` searches as
you type across every kind (debounced; hits replace the table until
`escape`). `enter` opens a record's detail, `n` creates a record of the
current kind (then asks about a follow-up, rule 1), `e` edits the highlighted
one, `N` schedules an activity on it when the app offers that.

Quotes (`Q`), orders (`O`) and invoices (`I`) are listed newest first (the
latest 500, by status and owner; domain.documents); `enter` opens the
opportunity a quote or order is on, or an invoice's account.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import DataTable, Input, Label, Select, Tab, Tabs

from crm_tui.domain import documents, presence, records, search, views
from crm_tui.domain.records import Filters
from crm_tui.ui.dialogs.follow_up import ask_follow_up
from crm_tui.ui.screens.base import CrmScreen
from crm_tui.ui.widgets.windowed_table import WindowedTable
from crm_tui.ui.widgets.key_bar import KeyBar

KIND_TABS = (("lead", "Leads", "l"), ("account", "Accounts", "a"), ("contact", "Contacts", "k"),
             ("opportunity", "Opportunities", "o"), ("case", "Cases", "c"),
             ("quote", "Quotes", "Q"), ("order", "Orders", "O"), ("invoice", "Invoices", "I"))
SORT_CHOICES = (
    ("Name A–Z", "name"), ("Name Z–A", "-name"), ("Newest first", "-created"), ("Oldest first", "created"),
    ("Stalest first", "last_touch"), ("Last touched first", "-last_touch"), ("Next activity soonest", "next_activity"),
)
SEARCH_COLUMNS = ("Kind", "Name", "Company", "Email", "Phone")
SEARCH_DEBOUNCE = 0.1
SEARCH_LIMIT = 50


class RecordsScreen(CrmScreen):
    BINDINGS = [
        *(Binding(key, f"kind('{kind}')", label, id=f"records.kind.{kind}", tooltip=f"Show {label.lower()}",
                  show=False) for kind, label, key in KIND_TABS),
        Binding("slash", "search", "Search", id="records.search", tooltip="Search every kind as you type"),
        Binding("n", "new_record", "New", id="records.new", tooltip="Create a record of this kind"),
        Binding("e", "edit", "Edit", id="records.edit", tooltip="Edit the highlighted record"),
        Binding("N", "new_activity", "New activity", id="records.new_activity",
                tooltip="Schedule an activity on the highlighted record"),
        Binding("m", "toggle_mine", "Mine/all", id="records.mine", tooltip="Show my records or everyone's"),
        Binding("s", "next_sort", "Sort", id="records.sort", tooltip="Cycle the sort order"),
        Binding("escape", "clear_search", "Clear search", id="records.clear_search",
                tooltip="Leave search, back to the list", show=False),
        Binding("down", "to_table", "To the list", id="records.to_table",
                tooltip="From the search box (or the tabs) down into the list", show=False),
        Binding("v", "views", "Views", id="records.views", tooltip="Recall a saved view (filter and sort)"),
        Binding("V", "save_view", "Save view", id="records.save_view",
                tooltip="Save the current filter and sort under a name"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.kind = "lead"
        self.sort = "name"
        self.searching = False
        self._search_timer: Timer | None = None
        self._zone: ZoneInfo | None = None
        self._ready = False
        self._presence: dict[int, presence.Viewer] = {}
        self._scopes: set[str] = {"mine", "all"}

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield Tabs(*(Tab(f"{label} ({key})", id=f"tab-{kind}") for kind, label, key in KIND_TABS), id="records-kinds")
        with Horizontal(id="records-filters"):
            yield Select([("Mine", "mine"), ("All", "all")], value="mine", allow_blank=False, id="records-scope")
            yield Select([], prompt="Any status", id="records-status")
            yield Select([], prompt="Any step", id="records-step")
            yield Select(SORT_CHOICES, value="name", allow_blank=False, id="records-sort")
            yield Label("", id="records-count")
        yield Input(placeholder="Search names, companies, emails, phone numbers…", id="records-search",
                    classes="-hidden")
        yield WindowedTable(id="records-table")
        yield KeyBar()

    def on_mount(self) -> None:
        self._zone = ZoneInfo(self.session.user.time_zone)
        scope = self.query_one("#records-scope", Select)
        owners = [(name, f"user:{user_id}") for name, user_id in records.owners()]
        self._scopes = {"mine", "all", *(value for _, value in owners)}
        with self.prevent(Select.Changed):
            scope.set_options([("Mine", "mine"), ("All", "all"), *owners])
            scope.value = "mine"
        self._ready = True
        self._set_kind(self.kind)
        self.query_one("#records-table").focus()

    # ---- state -> query ---------------------------------------------------

    def filters(self) -> Filters:
        scope = self.query_one("#records-scope", Select).value
        owner: int | None = None
        if scope == "mine":
            owner = self.session.user.id
        elif isinstance(scope, str) and scope.startswith("user:"):
            owner = int(scope.split(":", 1)[1])
        status = self.query_one("#records-status", Select).value
        step = self.query_one("#records-step", Select).value
        return Filters(
            owner_id=owner,
            status=status if isinstance(status, str) and status else None,
            step=step if isinstance(step, str) and step and self.kind == "opportunity" else None,
        )

    def _set_kind(self, kind: str) -> None:
        self.kind = kind
        self._presence = {}
        self.query_one("#records-kinds", Tabs).active = f"tab-{kind}"
        status = self.query_one("#records-status", Select)
        step = self.query_one("#records-step", Select)
        statuses = documents.STATUSES[kind] if kind in documents.KINDS else records.statuses(kind)
        with self.prevent(Select.Changed):
            status.set_options([(value, value) for value in statuses])
            step.set_options([(s.name, s.key) for s in self.session.config.methodology])
        status.display = bool(statuses)
        step.display = kind == "opportunity"
        self.query_one("#records-sort", Select).display = kind not in documents.KINDS  # always newest first
        self._show_list()

    def _show_documents(self) -> None:
        """Quotes, orders or invoices: a short complete list (no paging)."""
        table = self.query_one("#records-table", WindowedTable)
        filters = self.filters()
        rows = self.attempt(documents.listing, self.kind, status=filters.status, owner_id=filters.owner_id)
        if rows is None:
            return
        columns = documents.COLUMNS[self.kind]
        kind = self.kind
        table.show_rows([name.capitalize() for name in columns],
                        [(row["id"], *(row[name] for name in columns)) for row in rows],
                        self._cells, lambda row: f"{kind}:{row[0]}")
        self._update_count()

    def _show_list(self) -> None:
        if self.kind in documents.KINDS:
            self._show_documents()
            return
        table = self.query_one("#records-table", WindowedTable)
        kind, filters, sort = self.kind, self.filters(), self.sort
        total = self.attempt(records.count, kind, filters)
        if total is None:
            return

        def fetch(key: Any, backward: bool, limit: int) -> tuple[list, list, bool]:
            result = records.page(kind, filters, sort, key, limit, backward=backward)
            return result.rows, result.keys, result.more

        table.set_source([*records.columns(kind), "Open by"], fetch, self._cells, lambda row: f"{kind}:{row[0]}",
                         total)
        self._update_count()

    def _update_count(self) -> None:
        table = self.query_one("#records-table", WindowedTable)
        label = self.query_one("#records-count", Label)
        if self.searching:
            found = table.total or 0
            label.update(f"best {found} shown, keep typing" if found >= SEARCH_LIMIT else f"{found} found")
        elif table.total:
            label.update(f"{table.first_index + table.cursor_row + 1:,} of {table.total:,}")
        else:
            label.update("none")

    def _cells(self, row: tuple) -> list[Text]:
        cells = [self._cell(value) for value in row[1:]]
        if self.kind in documents.KINDS:  # quotes, orders, invoices: no "Open by" column
            return cells
        viewer = self._presence.get(row[0])
        mark = (Text(presence.describe([viewer], self.session.user.time_zone), style="bold yellow")
                if viewer is not None else Text(""))
        return [*cells, mark]

    # ---- presence (ui.presence calls these) -------------------------------

    def presence_kind(self) -> str | None:
        """The kind whose rows show "open by ..." marks (none while searching or on documents)."""
        return None if self.searching or self.kind in documents.KINDS else self.kind

    def show_presence(self, found: dict[int, presence.Viewer]) -> None:
        """Redraw the window when who-has-what-open changed (rarely: one cheap page read)."""
        marks = {record_id: (viewer.login, viewer.since) for record_id, viewer in found.items()}
        if marks == {record_id: (viewer.login, viewer.since) for record_id, viewer in self._presence.items()}:
            return
        self._presence = found
        if not self.searching and self._ready:
            self.query_one("#records-table", WindowedTable).reload()

    def _cell(self, value: Any) -> Text:
        """User data is never markup: a company called "Acme [EU]" shows as typed."""
        if value is None or value == "":
            return Text("—", style="dim")
        if isinstance(value, dt.datetime):
            local = value.replace(tzinfo=dt.timezone.utc).astimezone(self._zone)
            return Text(f"{local:%d %b %Y %H:%M}")
        if isinstance(value, dt.date):
            return Text(f"{value:%d %b %Y}")
        if isinstance(value, Decimal):
            return Text(f"{value:,.2f}", justify="right")
        return Text(str(value))

    def reload(self) -> None:
        if not self._ready or self.searching:
            if self.searching:
                self._run_search()
            return
        if self.kind in documents.KINDS:
            self._show_documents()
            return
        total = self.attempt(records.count, self.kind, self.filters())
        self.query_one("#records-table", WindowedTable).reload(total)
        self._update_count()

    # ---- events -----------------------------------------------------------

    @on(Tabs.TabActivated, "#records-kinds")
    def _tab(self, event: Tabs.TabActivated) -> None:
        kind = (event.tab.id or "").removeprefix("tab-")
        if self._ready and kind and kind != self.kind:
            self._leave_search()
            self._set_kind(kind)

    @on(Select.Changed)
    def _filter_changed(self, event: Select.Changed) -> None:
        if not self._ready or event.select.id not in ("records-scope", "records-status", "records-step",
                                                      "records-sort"):
            return
        if event.select.id == "records-sort" and isinstance(event.value, str):
            self.sort = event.value
        self._leave_search()
        self._show_list()

    @on(DataTable.RowHighlighted, "#records-table")
    def _moved(self) -> None:
        self._update_count()

    @on(DataTable.RowSelected, "#records-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        current = self.current_record()
        if current is not None:
            self.crm.open_record(*current)

    @on(Input.Changed, "#records-search")
    def _typed(self) -> None:
        if not self.searching:  # the box was just cleared on the way out
            return
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DEBOUNCE, self._run_search)

    @on(Input.Submitted, "#records-search")
    def _search_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#records-table").focus()

    def _run_search(self) -> None:
        if not self.searching:
            return
        text = self.query_one("#records-search", Input).value
        table = self.query_one("#records-table", WindowedTable)
        hits = self.attempt(search.search, text, limit=SEARCH_LIMIT) if len(text.strip()) >= search.MIN_LENGTH else []
        rows = [(hit.kind, hit.id, records.KIND_LABELS[hit.kind], hit.name, hit.company, hit.email, hit.phone)
                for hit in hits or []]
        table.show_rows(SEARCH_COLUMNS, rows, lambda row: [self._cell(v) for v in row[2:]],
                        lambda row: f"{row[0]}:{row[1]}")
        self._update_count()

    # ---- actions ----------------------------------------------------------

    def current_record(self) -> tuple[str, int] | None:
        """The highlighted record as (kind, id); app-level actions (new activity) use it."""
        row = self.query_one("#records-table", WindowedTable).current_row
        if row is None:
            return None
        if self.searching:
            return (row[0], row[1])
        if self.kind in documents.KINDS:  # a document opens (and takes activities on) its record
            return self.attempt(records.resolve, self.kind, row[0])
        return (self.kind, row[0])

    def action_kind(self, kind: str) -> None:
        self._leave_search()
        self._set_kind(kind)
        self.query_one("#records-table").focus()

    def action_search(self) -> None:
        search_input = self.query_one("#records-search", Input)
        search_input.remove_class("-hidden")
        self.searching = True
        search_input.focus()
        if search_input.value:
            self._run_search()

    def _leave_search(self) -> None:
        if not self.searching:
            return
        self.searching = False
        search_input = self.query_one("#records-search", Input)
        search_input.value = ""
        search_input.add_class("-hidden")
        if self._search_timer is not None:
            self._search_timer.stop()

    def action_clear_search(self) -> None:
        if self.searching:
            self._leave_search()
            self._show_list()
            self.query_one("#records-table").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_search":
            return self.searching
        if action == "new_activity":
            return hasattr(self.app, "action_new_activity")
        if action in ("new_record", "edit") and (self.session.readonly or self.kind in documents.KINDS):
            return False
        if action == "next_sort" and self.kind in documents.KINDS:
            return False
        return True

    def action_to_table(self) -> None:
        self.query_one("#records-table").focus()

    def action_toggle_mine(self) -> None:
        scope = self.query_one("#records-scope", Select)
        scope.value = "all" if scope.value == "mine" else "mine"

    def action_next_sort(self) -> None:
        values = [value for _, value in SORT_CHOICES]
        self.query_one("#records-sort", Select).value = values[(values.index(self.sort) + 1) % len(values)]

    def action_new_record(self) -> None:
        from crm_tui.ui.dialogs.record_form import RecordFormDialog

        kind = self.kind

        def created(record_id: int | None) -> None:
            if record_id is not None:
                self.crm.changed()
                self._after_create(kind, record_id)

        self.app.push_screen(RecordFormDialog(kind), created)

    def _after_create(self, kind: str, record_id: int) -> None:
        """Rule 1: after creating a record, decide whether to schedule a follow-up."""
        ask_follow_up(self, kind, record_id)

    def action_edit(self) -> None:
        from crm_tui.ui.dialogs.record_form import RecordFormDialog

        current = self.current_record()
        if current is None:
            self.notify("Nothing to edit here", severity="warning")
            return

        def saved(record_id: int | None) -> None:
            if record_id is not None:
                self.notify("Saved")
                self.crm.changed()

        self.app.push_screen(RecordFormDialog(*current), saved)

    def action_new_activity(self) -> None:
        self.crm.action_new_activity()

    # ---- saved views ------------------------------------------------------

    def view_state(self) -> dict[str, str]:
        """The filter and sort on screen, as a saved view holds them."""
        scope = self.query_one("#records-scope", Select).value
        status = self.query_one("#records-status", Select).value
        step = self.query_one("#records-step", Select).value
        return {
            "kind": self.kind, "scope": scope if isinstance(scope, str) else "mine",
            "status": status if isinstance(status, str) else "",
            "step": step if isinstance(step, str) and self.kind == "opportunity" else "", "sort": self.sort,
        }

    def action_save_view(self) -> None:
        from crm_tui.ui.dialogs.saved_views import SaveViewDialog

        def saved(view: views.View | None) -> None:
            if view is not None:
                self.notify(f"View saved: {view.name}")

        self.app.push_screen(SaveViewDialog(**self.view_state()), saved)

    def action_views(self) -> None:
        from crm_tui.ui.dialogs.saved_views import ViewsDialog

        def chosen(view: views.View | None) -> None:
            if view is not None:
                self.apply_view(view)

        self.app.push_screen(ViewsDialog(), chosen)

    def apply_view(self, view: views.View) -> None:
        """Show the records a saved view names: its tab, scope, status, step and sort."""
        self._leave_search()
        self._set_kind(view.kind)
        scope = self.query_one("#records-scope", Select)
        with self.prevent(Select.Changed):
            scope.value = view.scope if view.scope in self._scopes else "all"  # a deactivated owner: everyone
            self.query_one("#records-status", Select).value = view.status or Select.NULL
            self.query_one("#records-step", Select).value = view.step or Select.NULL
            self.query_one("#records-sort", Select).value = view.sort
        self.sort = view.sort
        self._show_list()
        self.query_one("#records-table").focus()
        self.notify(f"View: {view.name}", timeout=2)

    def commands(self) -> Iterable[SystemCommand]:
        if self.kind not in documents.KINDS:
            label = records.KIND_LABELS[self.kind].lower()
            yield SystemCommand(f"New {label}", f"Create a {label}", self.action_new_record)
        yield SystemCommand("Search records", "Search every kind as you type", self.action_search)
        yield SystemCommand("Edit record", "Edit the highlighted record", self.action_edit)
        yield SystemCommand("New activity", "Schedule an activity on the highlighted record",
                            self.action_new_activity)
        for kind, title, key in KIND_TABS:
            yield SystemCommand(f"Show {title.lower()}", f"Records: {title} ({key})",
                                lambda k=kind: self.action_kind(k))
        yield SystemCommand("Save this view", "Save the current filter and sort under a name (V)",
                            self.action_save_view)
        yield SystemCommand("Saved views", "Pick a saved view (v)", self.action_views)
        for view in self.attempt(views.list_views, self.session.user) or []:
            yield SystemCommand(f"View: {view.name}", view.summary, lambda v=view: self.apply_view(v))
