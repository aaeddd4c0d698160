"""The "what wins" panel on the Exceptions screen: bars with their numbers in
words (no colour needed), small buckets marked, a rep's own bars beside the
team's and a manager's view with the team's only; `w` cycles the views."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Static

from crm_tui.config import Config, Insights
from crm_tui.models import Activity, Opportunity, User
from crm_tui.ui.app import make_app
from crm_tui.ui.widgets.chart import BarChart

T = dt.datetime(2026, 11, 18, 9, 0)
D = dt.timedelta(days=1)
CFG = Config(insights=Insights(min_sample=4))
SIZE = (140, 60)


def closed_deals(owner: User, count: int, won: int, demo: bool) -> None:
    for i in range(count):
        opp = Opportunity.create(name=f"Deal {i}", owner=owner, state="won" if i < won else "lost",
                                 created_at=T - 40 * D, closed_at=T - 10 * D)
        if demo:
            Activity.create(type="demo", subject="demo", owner=owner, record_kind="opportunity", record_id=opp.id,
                            planned_date=(T - 38 * D).date(), status="done", outcome="demo held",
                            completed_at=T - 38 * D)


async def panel(app, pilot) -> tuple[str, str]:  # noqa: ANN001
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    heading = str(app.screen.query_one("#wins-heading", Static).render())
    chart = app.screen.query_one("#wins-chart", BarChart)
    return heading, str(chart.render())


async def test_a_rep_sees_own_bars_beside_the_team(rep: User, manager: User) -> None:
    closed_deals(rep, 5, 4, demo=True)
    closed_deals(manager, 6, 1, demo=False)
    app = make_app(rep, CFG, start_mode="exceptions")
    async with app.run_test(size=SIZE) as pilot:
        heading, chart = await panel(app, pilot)
        assert "What wins · 11 closed deals (5 won)" in heading and "team and you" in heading
        lines = chart.splitlines()
        assert lines[0] == "Win rate: activity within 7 days of creation"
        demo_yes = lines.index(next(line for line in lines if line.startswith("demo yes")))
        assert lines[demo_yes].endswith("80% (38%-96%) n=5") and "██████" in lines[demo_yes]
        assert lines[demo_yes + 1].startswith("  you") and lines[demo_yes + 1].endswith("80% (38%-96%) n=5")
        demo_no = next(line for line in lines if line.startswith("demo no"))
        assert demo_no.endswith("17% (3%-56%) n=6")
        call_yes = next(line for line in lines if line.startswith("call yes"))
        assert call_yes.endswith("not enough data, n=0") and " - " in call_yes
        await pilot.press("w")  # calls by count
        _, chart = await panel(app, pilot)
        assert chart.splitlines()[0] == "Win rate by call activities before close"
        for _ in range(4):
            await pilot.press("w")
        _, chart = await panel(app, pilot)
        assert chart.splitlines()[0] == "Win rate by demo activities before close"
        assert any(line.startswith("1 ") and line.endswith("n=5") for line in chart.splitlines())


async def test_a_manager_sees_the_team_only(rep: User, manager: User) -> None:
    closed_deals(rep, 5, 4, demo=True)
    app = make_app(manager, CFG, readonly=True, start_mode="exceptions")
    async with app.run_test(size=SIZE) as pilot:
        heading, chart = await panel(app, pilot)
        assert "team and you" not in heading and "; team" in heading
        assert "  you" not in chart


async def test_no_closed_deals_says_so(rep: User) -> None:
    app = make_app(rep, CFG, start_mode="exceptions")
    async with app.run_test(size=SIZE) as pilot:
        heading, _ = await panel(app, pilot)
        assert "nothing to learn from" in heading
