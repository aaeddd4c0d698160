"""The Exceptions screen: where the process broke, and how the process is doing.

Left, every exception the viewer may see (managers: all owners; reps: their
own), grouped by rule or by owner, filterable, with counts per rule; `enter`
opens the record. Right, the team's process metrics over 7, 30 or 90 days,
with a text chart, and "what wins" learnt from closed deals (`w` cycles its
views; a rep sees their own figures beside the team's, nobody anyone else's). The rules run in a thread worker so the screen never waits.
"""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from crm_tui import clock, db
from crm_tui.domain import exceptions, insights, metrics, snooze
from crm_tui.domain.exceptions import Hit, Parked
from crm_tui.domain.metrics import ProcessMetrics
from crm_tui.ui.screens.base import CrmScreen
from crm_tui.ui.widgets.chart import Bar, BarChart
from crm_tui.ui.widgets.what_wins import WhatWins
from crm_tui.ui.widgets.key_bar import KeyBar

RELOAD_EVERY = 15.0
"""Seconds between re-runs caused by other users' changes (a busy team changes data every second)."""
WINS_EVERY = 300.0
"""Seconds between re-learning what wins when others change data: closed deals change slowly."""
MAX_ROWS = 1000
"""More rows than this are not put in the table (a DataTable slows down); counts stay complete."""
INTAKE_ROWS = 5  # the process view names the top sources; `crm intake counts` lists them all
UTC = dt.timezone.utc



COLUMNS: tuple[tuple[str, int | None], ...] = (
    ("Rule", 4), ("Record", 34), ("Owner", 12), ("Since", 18), ("Detail", None),
)
"""Fixed widths: a long group title must not push Owner and Since off screen."""


def spread(title: Text) -> list[Text]:
    """A group title across the empty cells of its row (Record, Owner, Since,
    Detail), broken between words, so the whole rule text is readable instead
    of cut at the Record column's width."""
    words = title.plain.split(" ")
    cells: list[Text] = []
    for _, width in COLUMNS[1:]:
        line: list[str] = []
        while words and (width is None or len(" ".join([*line, words[0]])) <= width):
            line.append(words.pop(0))
        if not line and words and width is not None and not cells:
            line.append(words.pop(0))  # one word longer than the Record column: cut there
        cells.append(Text(" ".join(line), style=title.style))
    return cells


class ExceptionsScreen(CrmScreen):
    BINDINGS = [
        Binding("g", "toggle_group", "Group", id="exceptions.group", tooltip="Group by rule or by owner"),
        Binding("slash", "filter", "Filter", id="exceptions.filter", tooltip="Filter by rule, owner or text"),
        Binding("p", "period", "Period", id="exceptions.period", tooltip="Process view over 7, 30 or 90 days"),
        Binding("r", "refresh", "Refresh", id="exceptions.refresh", tooltip="Run the rules again now"),
        Binding("w", "wins_view", "What wins", id="exceptions.wins",
                tooltip="Next view of what wins: early activity, activity counts, lead sources, days"),
        # priority: otherwise the focused table's own (hidden) enter shadows it in the footer and `?` help.
        Binding("enter", "open", "Open", id="exceptions.open", tooltip="Open the record of this exception",
                priority=True),
        Binding("escape", "clear_filter", "Clear", id="exceptions.clear", tooltip="Clear the filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[Hit] = []
        self.parked: list[Parked] = []
        """Snoozed records (managers): shown in their own group after the exceptions."""
        self._row_parked: dict[str, Parked] = {}
        self.group_by = "rule"
        self.days = 30
        self.metrics: ProcessMetrics | None = None
        self._row_hits: dict[str, Hit] = {}
        self._last_run = -RELOAD_EVERY
        self._wins_at = -WINS_EVERY
        self._deferred: Timer | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        with Horizontal(id="exceptions-body"):
            with Vertical(id="exceptions-main"):
                yield Input(placeholder="Filter: rule number, owner, record or text (/)", id="exceptions-filter")
                yield Static("", id="exceptions-counts", markup=False)
                yield DataTable(id="exceptions-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="exceptions-process"):
                yield Static("", id="exceptions-metrics", markup=False)
                yield BarChart(id="exceptions-chart", bar_width=12)
                yield WhatWins(id="exceptions-wins")
        yield KeyBar()

    def on_mount(self) -> None:
        self.set_class(self.session.readonly, "-readonly")
        table = self.query_one("#exceptions-table", DataTable)
        for label, width in COLUMNS:
            table.add_column(label, width=width)
        self.query_one("#exceptions-counts", Static).update("Running the rules…")
        table.focus()

    # ---- data ------------------------------------------------------------

    def reload(self) -> None:
        """Other users changed data: re-run now, or once a little later if we just ran."""
        wait = RELOAD_EVERY - (time.monotonic() - self._last_run)
        if wait <= 0:
            self.run_rules()
        elif self._deferred is None:
            self._deferred = self.set_timer(wait, self._run_deferred)

    def _run_deferred(self) -> None:
        self._deferred = None
        self.run_rules()

    def on_screen_resume(self) -> None:
        self.run_rules(wins=True)

    @work(thread=True, exclusive=True, exit_on_error=False, group="exceptions")
    def run_rules(self, wins: bool = False) -> None:
        """Evaluate every rule and the process metrics off the UI thread (own connection);
        what wins too when asked (`wins`) or when it is WINS_EVERY old."""
        user, config, days = self.session.user, self.session.config, self.days
        self._last_run = time.monotonic()
        learn = wins or self._last_run - self._wins_at >= WINS_EVERY
        with db.connection():
            hits, parked = exceptions.for_viewer_with_parked(user, config)
            process = metrics.process_metrics(config, days)
            report = None
            if learn:
                self._wins_at = self._last_run
                # A rep sees their own figures beside the team's; others see the team's.
                report = insights.report(user, config, owner=user if user.role == "rep" else None)
        self.app.call_from_thread(self.show_results, hits, process, parked, report)

    def show_results(self, hits: list[Hit], process: ProcessMetrics, parked: list[Parked] | None = None,
                     wins: insights.Report | None = None) -> None:
        self.hits = hits
        self.parked = parked or []
        self.metrics = process
        self.refresh_table()
        self.refresh_process()
        if wins is not None:
            self.query_one("#exceptions-wins", WhatWins).show(wins, self.session.config.activity_type_names)

    # ---- table -----------------------------------------------------------

    def visible_hits(self) -> list[Hit]:
        """The hits that match the filter: a rule number, or text in any column."""
        needle = self.query_one("#exceptions-filter", Input).value.strip().lower()
        if not needle:
            return self.hits
        if needle.isdigit():
            return [hit for hit in self.hits if hit.number == int(needle)]
        return [
            hit for hit in self.hits
            if needle in " ".join((hit.rule, hit.rule_text, hit.kind, str(hit.record_id), hit.record_name,
                                   hit.owner_login, hit.owner_name, hit.detail)).lower()
        ]

    def refresh_table(self) -> None:
        table = self.query_one("#exceptions-table", DataTable)
        keep = self._cursor_key(table)
        table.clear()
        self._row_hits = {}
        shown = self.visible_hits()
        zone = ZoneInfo(self.session.user.time_zone)
        now = clock.utcnow_naive()
        ordered = sorted(shown, key=self._group_key)
        current: object = None
        rows = 0
        for hit in ordered:
            if rows >= MAX_ROWS:
                break
            group = self._group_key(hit)[0]
            if group != current:
                current = group
                size = sum(1 for other in shown if self._group_key(other)[0] == group)
                table.add_row(Text(""), *spread(self._group_title(hit, size)), key=f"group:{group}")
            key = f"{hit.rule}:{hit.kind}:{hit.record_id}"
            self._row_hits[key] = hit
            table.add_row(
                Text(str(hit.number)), Text(f"{hit.kind} · {hit.record_name}"),
                Text(hit.owner_name or "unassigned"), Text(self._since_text(hit.since, zone, now)),
                Text(hit.detail), key=key,
            )
            rows += 1
        self._add_parked(table, zone, now)
        self._update_counts(shown)
        if keep in self._row_hits:
            table.move_cursor(row=table.get_row_index(keep))
        elif self._row_hits:
            table.move_cursor(row=table.get_row_index(next(iter(self._row_hits))))

    def visible_parked(self) -> list[Parked]:
        """Parked records matching the filter text (a rule number matches the rules they would break)."""
        needle = self.query_one("#exceptions-filter", Input).value.strip().lower()
        if not needle:
            return self.parked
        if needle.isdigit():
            return [item for item in self.parked if any(hit.number == int(needle) for hit in item.hits)]
        return [item for item in self.parked
                if needle in " ".join((item.snooze.kind, str(item.snooze.record_id), item.snooze.record_name,
                                       item.snooze.owner_login, item.snooze.owner_name, item.snooze.reason,
                                       "parked snoozed")).lower()]

    def _add_parked(self, table: DataTable, zone: ZoneInfo, now: dt.datetime) -> None:
        """The "parked" group: snoozed records, with the reason and how long they have been parked,
        so parking cannot hide neglect."""
        self._row_parked = {}
        shown = self.visible_parked()
        if not shown:
            return
        table.add_row(Text(""), Text(f"Parked: snoozed records ({len(shown)})", style="bold"), Text(""),
                      Text(""), Text(""), key="group:parked")
        for item in shown:
            s = item.snooze
            key = f"parked:{s.kind}:{s.record_id}"
            self._row_parked[key] = item
            rules = ",".join(str(hit.number) for hit in item.hits)
            local = s.parked_at.replace(tzinfo=UTC).astimezone(zone)
            detail = Text(f"until {s.until:%d %b}: ")
            detail.append(s.reason)
            if rules:
                detail.append(f" · rules {rules}", style="dim")
            table.add_row(Text("P"), Text(f"{s.kind} · {s.record_name}"), Text(s.owner_name or "unassigned"),
                          Text(f"{local:%d %b} (parked {snooze.parked_for(now, s.parked_at)})"), detail, key=key)

    def _group_key(self, hit: Hit) -> tuple:
        if self.group_by == "owner":
            return ((hit.owner_name or "~unassigned").lower(), hit.number, hit.since)
        return (hit.number, hit.since, hit.owner_name)

    def _group_title(self, hit: Hit, size: int) -> Text:
        if self.group_by == "owner":
            label = f"{hit.owner_name or 'unassigned'} ({size})"
        else:
            label = f"{hit.number}. {hit.rule_text} ({size})"
        return Text(label, style="bold")

    @staticmethod
    def _since_text(since: dt.datetime, zone: ZoneInfo, now: dt.datetime) -> str:
        local = since.replace(tzinfo=UTC).astimezone(zone)
        age = now - since
        ago = f"{age.days}d" if age.days >= 1 else f"{max(0, age.seconds // 3600)}h"
        when = f"{local:%d %b %H:%M}" if age.days < 300 else f"{local:%d %b %Y}"
        return f"{when} ({ago})"

    def _cursor_key(self, table: DataTable) -> str | None:
        if not table.row_count:
            return None
        try:
            return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:  # noqa: BLE001 - a stale cursor just means "start at the top"
            return None

    def _update_counts(self, shown: list[Hit]) -> None:
        counts = exceptions.counts_by_rule(self.hits)
        parts = [f"{rule.number}: {counts[rule.id]}" for rule in exceptions.RULES]
        line = f"{len(self.hits)} exceptions · per rule  " + "  ".join(parts)
        if len(shown) != len(self.hits):
            line += f" · {len(shown)} match the filter"
        if len(shown) > MAX_ROWS:
            line += f" · showing the first {MAX_ROWS}: filter to narrow"
        if self.parked:
            line += f" · {len(self.parked)} parked"
        if self.session.readonly:
            line += " · read-only"
        self.query_one("#exceptions-counts", Static).update(line)

    # ---- process view ----------------------------------------------------

    def refresh_process(self) -> None:
        m = self.metrics
        if m is None:
            return
        text = Text()
        text.append(f"Process, last {m.days} days (team)\n", style="bold")
        text.append(f"{m.touched.label}\n  {m.touched.text}\n")
        text.append(f"{m.response_label}\n  {metrics.duration_text(m.response_median)}"
                    f" ({m.responded.part} of {m.responded.whole} leads)\n")
        text.append(f"{m.steps.label}\n  {m.steps.text}\n")
        if m.intake:
            text.append("Captured leads, source / campaign: all, new, converted\n")
            for row in m.intake[:INTAKE_ROWS]:
                where = f"{row.source} / {row.campaign}" if row.campaign else row.source
                text.append(f"  {where}: {row.received}, {row.new_leads}, {row.converted}\n")
        text.append(f"{m.quoted_fast.label}\n  {m.quoted_fast.text}\n")
        text.append(f"{m.quoted_day.label}\n  {m.quoted_day.text}\n")
        text.append(f"{metrics.QUOTE_MEDIAN_LABEL}\n  {metrics.duration_text(m.quote_median)}\n")
        text.append("p: 7 / 30 / 90 days", style="dim")
        self.query_one("#exceptions-metrics", Static).update(text)
        bars = [Bar(bucket.label, bucket.share.ratio, bucket.share.text) for bucket in m.touched_by_week]
        self.query_one("#exceptions-chart", BarChart).show("Touched within a day", bars)

    # ---- actions ---------------------------------------------------------

    def action_toggle_group(self) -> None:
        self.group_by = "owner" if self.group_by == "rule" else "rule"
        self.notify(f"Grouped by {self.group_by}", timeout=2)
        self.refresh_table()

    def action_filter(self) -> None:
        self.query_one("#exceptions-filter", Input).focus()

    def action_clear_filter(self) -> None:
        field = self.query_one("#exceptions-filter", Input)
        field.value = ""
        self.query_one("#exceptions-table", DataTable).focus()

    def action_period(self) -> None:
        periods = metrics.PERIODS
        self.days = periods[(periods.index(self.days) + 1) % len(periods)] if self.days in periods else periods[0]
        self.run_rules()

    def action_refresh(self) -> None:
        self.run_rules(wins=True)

    def action_wins_view(self) -> None:
        self.query_one("#exceptions-wins", WhatWins).next_view()

    def action_open(self) -> None:
        """Open the record under the cursor; from the filter, enter goes to the table."""
        table = self.query_one("#exceptions-table", DataTable)
        if self.focused is not table:
            table.focus()
            return
        key = self._cursor_key(table)
        hit = self._row_hits.get(key or "")
        if hit is not None:
            self.crm.open_record(hit.kind, hit.record_id)
        elif (key or "") in self._row_parked:
            parked = self._row_parked[key or ""].snooze
            self.crm.open_record(parked.kind, parked.record_id)

    @on(Input.Changed, "#exceptions-filter")
    def _filter_changed(self) -> None:
        self.refresh_table()

    @on(DataTable.RowSelected, "#exceptions-table")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        hit = self._row_hits.get(event.row_key.value or "")
        if hit is not None:
            self.crm.open_record(hit.kind, hit.record_id)
        elif (event.row_key.value or "") in self._row_parked:
            parked = self._row_parked[event.row_key.value or ""].snooze
            self.crm.open_record(parked.kind, parked.record_id)

    def commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("Exceptions: group by rule or owner", "Toggle the grouping", self.action_toggle_group),
            SystemCommand("Exceptions: process period", "Switch between 7, 30 and 90 days", self.action_period),
            SystemCommand("Exceptions: run the rules again", "Refresh now", self.action_refresh),
            SystemCommand("What wins: next view", "Early activity, activity counts, lead sources, days",
                          self.action_wins_view),
        ]
