"""The process dialogs driven like a user would: keys in, typed result out, the database checked."""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from textual.widgets import Input, Select, Static, TextArea

from crm_tui.config import Config, Smtp
from crm_tui.domain import cases, knowledge, qualification, templates
from crm_tui.models import Account, Activity, Case, CaseArticle, Contact, Lead, Note, Opportunity, User
from crm_tui.ui.app import make_app
from crm_tui.ui.dialogs.case_assign import CaseAssignDialog
from crm_tui.ui.dialogs.case_answer import CaseAnswerDialog
from crm_tui.ui.dialogs.case_escalate import CaseEscalateDialog
from crm_tui.ui.dialogs.case_status import CaseStatusDialog
from crm_tui.ui.dialogs.compose_email import ComposeEmailDialog
from crm_tui.ui.dialogs.convert_lead import ConvertLeadDialog
from crm_tui.ui.dialogs.knowledge import KnowledgeDialog
from crm_tui.ui.dialogs.qualification import QualificationDialog
from crm_tui.ui.dialogs.step_complete import StepCompleteDialog
from crm_tui.ui.dialogs.won_lost import WonLostDialog

CFG = Config()
SIZE = (100, 40)


def error_text(app: Any, prefix: str) -> str:
    return str(app.screen.query_one(f"#{prefix}-error", Static).render())


async def open_dialog(app: Any, pilot: Any, dialog: Any) -> list[Any]:
    results: list[Any] = []
    await pilot.pause()
    app.push_screen(dialog, callback=results.append)
    await pilot.pause()
    return results


@pytest.fixture
def lead(rep: User) -> Lead:
    return Lead.create(first_name="Kim", last_name="Ng", company="Acme [EU]", email="kim@acme.test", owner=rep)


async def test_qualification_answers_in_order_with_number_keys(rep: User, lead: Lead) -> None:
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        results = await open_dialog(app, pilot, QualificationDialog(lead.id))
        assert "Budget" in str(app.screen.query_one("#qualification-question", Static).render())
        await pilot.press("3", "3", "3", "2")  # budget, authority, need, timeline
        await pilot.pause()
        assert app.screen.query_one("#qualification-qualify").value is True
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert isinstance(results[0], Lead) and results[0].status == "qualified"
    assert qualification.answers(lead.id) == {
        "budget": "10k-50k", "authority": "decision maker", "need": "pressing", "timeline": "90 days",
    }
    assert app.current_mode == "today"  # the number keys answered, they did not switch screens


async def test_qualification_escape_saves_nothing(rep: User, lead: Lead) -> None:
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        results = await open_dialog(app, pilot, QualificationDialog(lead.id))
        await pilot.press("1", "2", "escape")
        await pilot.pause()
    assert results == [None]
    assert qualification.answers(lead.id) == {} and Lead.get_by_id(lead.id).status == "new"


async def test_convert_lead_into_an_existing_account(rep: User, lead: Lead) -> None:
    account = Account.create(name="Acme [EU]", owner=rep)
    qualification.answer_all(rep, CFG, lead.id, {q.key: q.choices[0] for q in CFG.qualification}, qualify_lead=True)
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        results = await open_dialog(app, pilot, ConvertLeadDialog(lead.id))
        assert app.screen.query_one("#convert-account", Select).value == account.id
        app.screen.query_one("#convert-amount", Input).value = "abc"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "'abc' is not an amount" in error_text(app, "convert")
        assert app.screen.focused is app.screen.query_one("#convert-amount")
        app.screen.query_one("#convert-amount", Input).value = "9000"
        app.screen.query_one("#convert-close", Input).value = "2027-01-15"
        await pilot.press("ctrl+s")
        await pilot.pause()
    conversion = results[0]
    assert conversion.account.id == account.id and not conversion.account_created
    opp = Opportunity.get_by_id(conversion.opportunity.id)
    assert (opp.amount, opp.forecast_close, opp.lead_id, opp.step) == (Decimal("9000.00"), dt.date(2027, 1, 15), lead.id, "discovery")
    assert Lead.get_by_id(lead.id).status == "converted" and Account.select().count() == 1


async def test_convert_refuses_an_unqualified_lead(rep: User, lead: Lead) -> None:
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        results = await open_dialog(app, pilot, ConvertLeadDialog(lead.id))
        assert "only a qualified lead can be converted" in error_text(app, "convert")
        await pilot.press("ctrl+s", "escape")
        await pilot.pause()
    assert results == [None] and Opportunity.select().count() == 0 and Account.select().count() == 0


async def test_step_complete_schedules_the_next_step_within_its_time_frame(rep: User) -> None:
    opp = Opportunity.create(name="Rollout", owner=rep, step="discovery")
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        results = await open_dialog(app, pilot, StepCompleteDialog(opp.id))
        assert "by Fri 27 Nov" in str(app.screen.query_one("#step-next-text", Static).render())
        assert app.screen.query_one("#step-day", Input).value == "2026-11-19"
        app.screen.query_one("#step-day", Input).value = "2026-12-01"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Demo is due within 7 working days, by Fri 27 Nov" in error_text(app, "step")
        app.screen.query_one("#step-day", Input).value = "someday"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "'someday' is not a day" in error_text(app, "step")
        assert app.screen.focused is app.screen.query_one("#step-day")
        app.screen.query_one("#step-day", Input).value = "mon"  # relative days work here too
        app.screen.query_one("#step-note", Input).value = "Budget confirmed"
        await pilot.press("ctrl+s")
        await pilot.pause()
    result = results[0]
    assert result.completed.key == "discovery" and result.scheduled is not None
    demo = Activity.get_by_id(result.scheduled.id)
    assert (demo.type, demo.planned_date, demo.deadline, demo.record_id) == ("demo", dt.date(2026, 11, 23), dt.date(2026, 11, 27), opp.id)
    assert Opportunity.get_by_id(opp.id).step == "demo"
    assert "Budget confirmed" in Note.get().body


async def test_lost_needs_a_reason(rep: User) -> None:
    opp = Opportunity.create(name="Rollout", owner=rep)
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        results = await open_dialog(app, pilot, WonLostDialog(opp.id, "lost"))
        await pilot.press("enter")
        await pilot.pause()
        assert "a reason for losing it is required" in error_text(app, "wonlost")
        assert Opportunity.get_by_id(opp.id).state == "open"
        await pilot.press(*"price", "enter")
        await pilot.pause()
    assert results[0].state == "lost"
    assert (Opportunity.get_by_id(opp.id).close_reason, Opportunity.get_by_id(opp.id).probability) == ("price", 0)


async def test_escalate_a_case_to_the_manager(rep: User, manager: User) -> None:
    case = cases.create(rep, CFG, subject="Refund 2,000 EUR")
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        results = await open_dialog(app, pilot, CaseEscalateDialog(case.id))
        assert app.screen.query_one("#escalate-manager", Select).value == manager.id
        app.screen.query_one("#escalate-reason", Input).value = "Above my refund limit"
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert results[0].escalated_to_id == manager.id
    assert [c.id for c in cases.escalations_for(manager)] == [case.id]


async def test_case_status_offers_only_allowed_moves(rep: User, manager: User) -> None:
    case = cases.create(rep, CFG, subject="Broken part")
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        results = await open_dialog(app, pilot, CaseStatusDialog(case.id))
        await pilot.press("1")  # new -> open
        await pilot.pause()
        results3 = await open_dialog(app, pilot, CaseAnswerDialog(case.id))
        await pilot.press(*"Sent a new part")
        await pilot.press("ctrl+s")
        await pilot.pause()
        # Handing the case over last: afterwards it is the manager's, not the rep's, to change.
        results2 = await open_dialog(app, pilot, CaseAssignDialog(case.id))
        await pilot.press("down", "enter")  # ann, then max
        await pilot.pause()
    assert results[0].status == "open"
    assert results2[0].owner_id == manager.id
    fresh = Case.get_by_id(case.id)
    assert (fresh.status, fresh.owner_id) == ("open", manager.id) and fresh.answered_at is not None
    assert Note.get().body == "Sent a new part" and results3[0].id == case.id


async def test_knowledge_search_and_link_from_a_case(rep: User, manager: User) -> None:
    case = cases.create(rep, CFG, subject="Money back?")
    knowledge.create_article(rep, "Returns policy", "Goods may be returned within 30 days.", "returns")
    refunds = knowledge.create_article(rep, "Refunds", "Refunds above 500 EUR need a manager.", "refunds")
    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        results = await open_dialog(app, pilot, KnowledgeDialog(case.id))
        await pilot.press(*"refund")
        await pilot.pause()
        assert "need a manager" in str(app.screen.query_one("#knowledge-article", Static).render())
        await pilot.press("enter", "enter")  # to the results, then link the highlighted one
        await pilot.pause()
    assert results[0].id == refunds.id
    assert [a.id for a in knowledge.case_articles(case.id)] == [refunds.id]
    assert CaseArticle.select().count() == 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Recorder:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@pytest.fixture
def contact(rep: User, manager: User) -> Contact:
    account = Account.create(name="Acme", owner=rep)
    contact = Contact.create(account=account, first_name="Kim", last_name="Ng", email="kim@acme.test", owner=rep)
    templates.create_template(manager, "Seminar", "Thanks, {contact.first_name}", "Hi {contact.first_name}, see you.")
    return contact


async def _pick_template(app: Any, pilot: Any) -> None:
    select = app.screen.query_one("#compose-template", Select)
    select.value = templates.list_templates()[0].id
    await pilot.pause()


async def test_compose_from_a_template_and_send_through_smtp(rep: User, contact: Contact) -> None:
    handler = Recorder()
    port = free_port()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    try:
        app = make_app(rep, Config(smtp=Smtp(host="127.0.0.1", port=port, timeout=5)))
        async with app.run_test(size=SIZE) as pilot:
            results = await open_dialog(app, pilot, ComposeEmailDialog("contact", contact.id))
            await _pick_template(app, pilot)
            assert app.screen.query_one("#compose-to", Input).value == "kim@acme.test"
            assert app.screen.query_one("#compose-subject", Input).value == "Thanks, Kim"
            app.screen.query_one("#compose-body", TextArea).text = "Hi Kim, see you on Friday."
            await pilot.press("ctrl+s")
            await app.workers.wait_for_complete()
            await pilot.pause()
    finally:
        server.stop()
    assert results[0].sent is True
    assert handler.messages[0][1] == ["kim@acme.test"]
    assert b"see you on Friday" in handler.messages[0][2]
    activity = Activity.get()
    assert (activity.type, activity.status, activity.outcome) == ("email", "done", "sent")
    assert Note.get().body.startswith("Sent from crm to kim@acme.test\nSubject: Thanks, Kim")


async def test_a_failed_send_logs_nothing_and_says_why(rep: User, contact: Contact) -> None:
    app = make_app(rep, Config(smtp=Smtp(host="127.0.0.1", port=free_port(), timeout=2)))
    async with app.run_test(size=SIZE) as pilot:
        results = await open_dialog(app, pilot, ComposeEmailDialog("contact", contact.id))
        await _pick_template(app, pilot)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "not sent, nothing logged: cannot reach the mail server 127.0.0.1" in error_text(app, "compose")
        await pilot.press("escape")
        await pilot.pause()
    assert results == [None]
    assert Activity.select().count() == 0 and Note.select().count() == 0


async def test_log_only_after_editing_in_the_editor(
    rep: User, contact: Contact, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "ed.py"
    script.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1])\np.write_text(p.read_text() + 'PS: edited')\n")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    app = make_app(rep, CFG)
    monkeypatch.setattr(app, "suspend", contextlib.nullcontext)  # a headless test has no terminal to hand over
    async with app.run_test(size=SIZE) as pilot:
        results = await open_dialog(app, pilot, ComposeEmailDialog("contact", contact.id))
        await _pick_template(app, pilot)
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert app.screen.query_one("#compose-body", TextArea).text.endswith("PS: edited")
        await pilot.press("ctrl+l")
        await pilot.pause()
    assert results[0].sent is False
    assert "PS: edited" in Note.get().body and Note.get().body.startswith("Logged (sent outside crm)")


async def test_add_a_touch_by_hand(rep: User, lead: Lead) -> None:
    from crm_tui.ui.dialogs.lead_touch import LeadTouchDialog

    app = make_app(rep, CFG)
    async with app.run_test(size=SIZE) as pilot:
        results = await open_dialog(app, pilot, LeadTouchDialog(lead.id))
        await pilot.press("enter")
        await pilot.pause()
        assert "source is required" in error_text(app, "touch")
        await pilot.press(*"seminar", "enter")
        await pilot.pause()
    assert results[0].source == "seminar"
    assert Lead.get_by_id(lead.id).original_source == "seminar"


def test_steps_line_shows_done_current_and_overdue(rep: User) -> None:
    from crm_tui.domain import methodology
    from crm_tui.ui.widgets.methodology_steps import render_steps

    opp = Opportunity.create(name="Rollout", owner=rep, created_at=dt.datetime(2026, 11, 2, 9))
    methodology.complete_step(rep, CFG, opp.id)
    text = render_steps(methodology.state(CFG, opp.id, rep.time_zone))
    assert text.plain.startswith("✓ Discovery call › ● Demo by Fri 27 Nov › ○ Proposal")
    assert any(span.style == "red" for span in text.spans)  # discovery was done after its 2 working days
