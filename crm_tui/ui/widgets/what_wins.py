"""The "what wins" panel: one view at a time of `domain.insights.Report` as
text bars, readable without colour.

Views: win rate with each activity type done early; win rate by how many of
one type were done (one view per type); lead conversion by source and by
touches before first contact; days to close; days per methodology step (won deals, then lost ones).
Every bar carries its sample size and interval in words; a bucket with too
few cases shows a dash and "not enough data". When the report has the
viewer's own figures, each team bar is followed by a "you" bar: a person
only ever sees their own beside the team's.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from crm_tui.domain.insights import Days, Finding, Rate, Report
from crm_tui.ui.widgets.chart import Bar, BarChart


def caption(figure: Rate | Days | None) -> str:
    """A figure in words: rate, interval and sample size, or why there is none."""
    if figure is None:
        return ""
    if isinstance(figure, Days):
        return f"{figure.median:.1f} days, n={figure.n}" if figure.median is not None else f"not enough data, n={figure.n}"
    if figure.rate is None or figure.low is None or figure.high is None:
        return f"not enough data, n={figure.n}"
    return f"{figure.rate:.0%} ({figure.low:.0%}-{figure.high:.0%}) n={figure.n}"


def views(report: Report, activity_types: tuple[str, ...]) -> list[tuple[str, list[tuple[str, Finding]]]]:
    """(title, [(bar label, finding)]) for each view, in the order `w` cycles them."""
    days = report.early_days
    found: list[tuple[str, list[tuple[str, Finding]]]] = [(
        f"Win rate: activity within {days} days of creation",
        [(f"{f.group} {'yes' if f.bucket == 'yes' else 'no'}", f) for f in report.section("early_activity")],
    )]
    for kind in activity_types:
        found.append((f"Win rate by {kind} activities before close",
                      [(f.bucket, f) for f in report.section("activity_count") if f.group == kind]))
    found += [
        ("Lead conversion by original source", [(f.group, f) for f in report.section("lead_source")]),
        ("Lead conversion by touches before first contact",
         [(f"{f.bucket} touch{'es' if f.bucket != '1' else ''}", f) for f in report.section("touches_before_contact")]),
        ("Days from first touch to close", [(f.group, f) for f in report.section("days_to_close")]),
        ("Days per methodology step, won deals", [(f.group, f) for f in report.section("step_days") if f.bucket == "won"]),
        ("Days per methodology step, lost deals",
         [(f.group, f) for f in report.section("step_days") if f.bucket == "lost"]),
    ]
    return [(title, rows) for title, rows in found if rows]


def _value(figure: Rate | Days | None, longest: float) -> float | None:
    if isinstance(figure, Rate):
        return figure.rate
    if isinstance(figure, Days) and figure.median is not None and longest > 0:
        return figure.median / longest
    return None


def bars(rows: list[tuple[str, Finding]], own: bool) -> list[Bar]:
    """Team bars, each followed by the viewer's own when the report has them."""
    longest = max((f.team.median or 0.0 for _, f in rows if isinstance(f.team, Days)), default=0.0)
    longest = max([longest] + [f.mine.median or 0.0 for _, f in rows if isinstance(f.mine, Days)])
    result = []
    for label, finding in rows:
        result.append(Bar(label, _value(finding.team, longest), caption(finding.team)))
        if own:
            result.append(Bar("  you", _value(finding.mine, longest), caption(finding.mine)))
    return result


class WhatWins(Vertical):
    """A heading and a BarChart; `show(report, activity_types)` draws, `next_view()` cycles."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.report: Report | None = None
        self.activity_types: tuple[str, ...] = ()
        self.view = 0

    def compose(self) -> ComposeResult:
        yield Static("", id="wins-heading", markup=False)
        yield BarChart(id="wins-chart", bar_width=8)

    def show(self, report: Report, activity_types: tuple[str, ...]) -> None:
        self.report = report
        self.activity_types = activity_types
        self._draw()

    def next_view(self) -> None:
        self.view += 1
        self._draw()

    @property
    def title(self) -> str:
        if self.report is None:
            return ""
        found = views(self.report, self.activity_types)
        return found[self.view % len(found)][0] if found else ""

    def _draw(self) -> None:
        report = self.report
        if report is None:
            return
        heading = Text("What wins", style="bold")
        heading.append(f" · {report.deals} closed deals ({report.won} won), {report.leads} decided leads; "
                       f"team{' and you' if report.own else ''}")
        found = views(report, self.activity_types)
        chart = self.query_one("#wins-chart", BarChart)
        if not report.deals and not report.leads:
            heading.append("\nNo closed deals or decided leads yet: nothing to learn from.", style="italic")
            self.query_one("#wins-heading", Static).update(heading)
            chart.show("", [])
            return
        self.view %= len(found)
        title, rows = found[self.view]
        heading.append(f"\nw: next view ({self.view + 1} of {len(found)}) · fewer than {report.min_sample} "
                       f"cases: not enough data", style="dim")
        self.query_one("#wins-heading", Static).update(heading)
        chart.show(title, bars(rows, report.own))
