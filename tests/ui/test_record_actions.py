"""The process keys of the record detail view, driven from the detail screen
like a user would: the key opens the dialog, the database changes, the panel follows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from textual.widgets import Input, Static

from crm_tui.config import Config
from crm_tui.domain import cases, records
from crm_tui.models import (
    Account,
    Activity,
    Case,
    Contact,
    Lead,
    LeadTouch,
    Opportunity,
    QualificationAnswer,
    StepCompletion,
    User,
)
from crm_tui.ui.app import make_app
from crm_tui.ui.dialogs.compose_email import ComposeEmailDialog
from crm_tui.ui.screens.record_detail import RecordDetailScreen

CFG = Config()
SIZE = (120, 40)


def section(app: Any, section_id: str) -> str:
    return str(app.screen.query_one(f"#detail-section-{section_id}", Static).render())


def offered(app: Any) -> set[str]:
    """The ids of the process keys the detail screen offers right now."""
    screen = app.screen
    return {b.id for b in screen.BINDINGS if b.id and screen.check_action(b.action.split("(")[0], (b.id,))}


async def open_detail(app: Any, pilot: Any, kind: str, record_id: int) -> None:
    await pilot.pause()
    app.open_record(kind, record_id)
    await pilot.pause()
    assert isinstance(app.screen, RecordDetailScreen) and app.screen.record_id == record_id


async def test_lead_answers_touch_then_convert_from_its_detail(rep: User) -> None:
    lead = records.create(rep, CFG, "lead", {"first_name": "Lou", "last_name": "Reed", "company": "Velvet [EU]",
                                             "email": "lou@velvet.test"})
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, pilot, "lead", lead.id)
        assert "Missing: Budget, Authority, Need, Decision timeline" in section(app, "qualification")
        assert "No touches recorded" in section(app, "touches")
        assert {"lead.answers", "lead.touch", "record.mail"} <= offered(app) and "lead.convert" not in offered(app)

        await pilot.press("a", "3", "3", "3", "2", "ctrl+s")  # budget, authority, need, timeline; qualify
        await pilot.pause()
        assert isinstance(app.screen, RecordDetailScreen)
        assert "Decision timeline: 90 days" in section(app, "qualification")
        assert "All questions answered" in section(app, "qualification")
        assert "lead.convert" in offered(app)

        await pilot.press("o", *"seminar", "enter")
        await pilot.pause()
        assert "seminar" in section(app, "touches")

        await pilot.press("v")
        await pilot.pause()
        app.screen.query_one("#convert-amount", Input).value = "4200"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RecordDetailScreen) and "lead.convert" not in offered(app)
    assert QualificationAnswer.select().where(QualificationAnswer.lead == lead.id).count() == 4
    assert LeadTouch.get(LeadTouch.lead == lead.id).source == "seminar"
    assert Lead.get_by_id(lead.id).status == "converted"
    account = Account.get()
    assert account.name == "Velvet [EU]" and Contact.get().account_id == account.id
    opp = Opportunity.get()
    assert (opp.lead_id, opp.account_id, opp.amount) == (lead.id, account.id, Decimal("4200.00"))


async def test_complete_an_opportunity_step_from_its_detail(rep: User) -> None:
    opp = Opportunity.create(name="Rollout", owner=rep, step="discovery")
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, pilot, "opportunity", opp.id)
        assert section(app, "methodology").startswith("● Discovery call by")
        assert {"opportunity.step", "opportunity.won", "opportunity.lost"} <= offered(app)
        await pilot.press("s")
        await pilot.pause()
        app.screen.query_one("#step-day", Input).value = "2026-11-23"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RecordDetailScreen)
        assert section(app, "methodology").startswith("✓ Discovery call › ● Demo by Fri 27 Nov")

        await pilot.press("w", "enter")  # close it as won: the open-only keys go away
        await pilot.pause()
        assert not {"opportunity.step", "opportunity.won", "opportunity.lost"} & offered(app)
    assert [c.step for c in StepCompletion.select().where(StepCompletion.opportunity == opp.id)] == ["discovery"]
    demo = Activity.get(Activity.record_kind == "opportunity", Activity.record_id == opp.id)
    assert (demo.type, demo.planned_date, demo.deadline) == ("demo", dt.date(2026, 11, 23), dt.date(2026, 11, 27))
    assert Opportunity.get_by_id(opp.id).state == "won"


async def test_escalate_a_case_from_its_detail_and_mail_is_offered(rep: User, manager: User) -> None:
    case = cases.create(rep, CFG, subject="Refund 2,000 EUR")
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, pilot, "case", case.id)
        assert "Escalated: no" in section(app, "service") and "Articles: none linked" in section(app, "service")
        assert {"case.status", "case.assign", "case.escalate", "case.answer", "case.knowledge",
                "record.mail"} <= offered(app)
        await pilot.press("x")
        await pilot.pause()
        app.screen.query_one("#escalate-reason", Input).value = "Above my refund limit"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RecordDetailScreen)
        text = section(app, "service")
        assert f"to {manager.display_name}" in text and "Above my refund limit" in text

        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, ComposeEmailDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RecordDetailScreen)
    assert Case.get_by_id(case.id).escalated_to_id == manager.id
