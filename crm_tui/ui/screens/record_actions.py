"""The process keys and panels of the record detail view: qualification,
conversion and touches on a lead; methodology steps and won/lost on an
opportunity; status, assignment, escalation, answers and knowledge on a case;
an email from a template on every record.

Everything here goes through the detail view's extension API (see
record_detail's docstring); ui/app.py imports this module once so the keys are
registered before the first detail screen opens. Each key opens an existing
process dialog; when it returns a result the detail screen (and the rest of
the app) reloads, so the panels and the keys on offer follow the new state.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable
from zoneinfo import ZoneInfo

from rich.console import RenderableType
from rich.text import Text
from textual.screen import ModalScreen

from crm_tui.domain import cases, knowledge, methodology, qualification, touches
from crm_tui.models import RECORD_KINDS
from crm_tui.ui.dialogs.case_answer import CaseAnswerDialog
from crm_tui.ui.dialogs.case_assign import CaseAssignDialog
from crm_tui.ui.dialogs.case_escalate import CaseEscalateDialog
from crm_tui.ui.dialogs.case_status import CaseStatusDialog
from crm_tui.ui.dialogs.compose_email import ComposeEmailDialog
from crm_tui.ui.dialogs.convert_lead import ConvertLeadDialog
from crm_tui.ui.dialogs.knowledge import KnowledgeDialog
from crm_tui.ui.dialogs.lead_touch import LeadTouchDialog
from crm_tui.ui.dialogs.qualification import QualificationDialog
from crm_tui.ui.dialogs.step_complete import StepCompleteDialog
from crm_tui.ui.dialogs.won_lost import WonLostDialog
from crm_tui.ui.screens.record_detail import (
    DetailAction,
    DetailSection,
    RecordDetailScreen,
    register_action,
    register_section,
)
from crm_tui.ui.widgets.methodology_steps import render_steps


def _opener(make: Callable[[RecordDetailScreen], ModalScreen[Any]], done: Callable[[Any], str]) -> Callable[[RecordDetailScreen], None]:
    """A `run` that pushes the dialog and, once it returns a result, says so and reloads."""

    def run(screen: RecordDetailScreen) -> None:
        def finished(result: Any) -> None:
            if result is None:
                return
            screen.notify(done(result))
            screen.changed()

        screen.app.push_screen(make(screen), finished)

    return run


def _local(screen: RecordDetailScreen, instant: dt.datetime | None) -> str:
    if instant is None:
        return "—"
    zone = ZoneInfo(screen.session.user.time_zone)
    return f"{instant.replace(tzinfo=dt.timezone.utc).astimezone(zone):%a %d %b %Y %H:%M}"


# ---- lead -------------------------------------------------------------------

register_action("lead", DetailAction(
    key="a", id="lead.answers", description="Answers",
    tooltip="Answer the qualification questions (and qualify the lead)",
    run=_opener(lambda s: QualificationDialog(s.record_id), lambda _: "Answers saved"),
    available=lambda lead: lead.status != "converted",
))
register_action("lead", DetailAction(
    key="v", id="lead.convert", description="Convert",
    tooltip="Convert this qualified lead to an account, a contact and an opportunity",
    run=_opener(lambda s: ConvertLeadDialog(s.record_id),
                lambda c: f"Converted: opportunity {c.opportunity.name}"),
    available=lambda lead: lead.status == "qualified",
))
register_action("lead", DetailAction(
    key="o", id="lead.touch", description="Touch",
    tooltip="Record that this lead reached us again (a seminar, a call-in)",
    run=_opener(lambda s: LeadTouchDialog(s.record_id), lambda t: f"Touch from {t.source} recorded"),
))


def _qualification_text(screen: RecordDetailScreen) -> RenderableType:
    config = screen.session.config
    text = Text()
    for state in qualification.questions(config, screen.record_id):
        text.append(f"{state.text}: ", style="dim")
        if state.answer is not None and state.answer in state.choices:
            text.append(f"{state.answer}\n")
        else:
            text.append("— not answered\n", style="italic")
    gaps = qualification.missing(config, screen.record_id)
    if gaps:
        text.append(f"Missing: {', '.join(q.text for q in gaps)}", style="yellow")
    elif config.qualification:
        text.append("All questions answered", style="green")
    else:
        text.append("No qualification questions are configured", style="italic")
    return text


def _touches_text(screen: RecordDetailScreen) -> RenderableType:
    found = touches.list_touches(screen.record_id)
    if not found:
        return Text("No touches recorded", style="italic")
    text = Text()
    for index, touch in enumerate(found):
        if index:
            text.append("\n")
        text.append(f"{_local(screen, touch.touched_at)}  ", style="dim")
        text.append(touch.source or "unknown source")
        extra = " · ".join(part for part in (touch.campaign, touch.medium, touch.referrer) if part)
        if extra:
            text.append(f"  {extra}", style="dim")
    return text


register_section("lead", DetailSection(id="qualification", title="Qualification", render=_qualification_text))
register_section("lead", DetailSection(id="touches", title="Touches", render=_touches_text))

# ---- opportunity --------------------------------------------------------------

register_action("opportunity", DetailAction(
    key="s", id="opportunity.step", description="Step done",
    tooltip="Complete the current methodology step and schedule the next one",
    run=_opener(lambda s: StepCompleteDialog(s.record_id), lambda r: f"{r.completed.name} done"),
    available=lambda opp: opp.state == "open",
))
register_action("opportunity", DetailAction(
    key="w", id="opportunity.won", description="Won", tooltip="Close this opportunity as won",
    run=_opener(lambda s: WonLostDialog(s.record_id, "won"), lambda _: "Closed as won"),
    available=lambda opp: opp.state == "open",
))
register_action("opportunity", DetailAction(
    key="l", id="opportunity.lost", description="Lost", tooltip="Close this opportunity as lost, with a reason",
    run=_opener(lambda s: WonLostDialog(s.record_id, "lost"), lambda _: "Closed as lost"),
    available=lambda opp: opp.state == "open",
))


def _steps_text(screen: RecordDetailScreen) -> RenderableType:
    states = methodology.state(screen.session.config, screen.record_id, screen.session.user.time_zone)
    if not states:
        return Text("No methodology steps are configured", style="italic")
    return render_steps(states)


register_section("opportunity", DetailSection(id="methodology", title="Methodology", render=_steps_text))

# ---- case ---------------------------------------------------------------------

register_action("case", DetailAction(
    key="S", id="case.status", description="Status", tooltip="Move the case along its status flow",
    run=_opener(lambda s: CaseStatusDialog(s.record_id), lambda c: f"Case is {c.status} now"),
    available=lambda case: bool(cases.next_statuses(case.status)),
))
register_action("case", DetailAction(
    key="A", id="case.assign", description="Assign", tooltip="Assign the case to someone else",
    run=_opener(lambda s: CaseAssignDialog(s.record_id), lambda _: "Case assigned"),
    available=lambda case: case.status != "closed",
))
register_action("case", DetailAction(
    key="x", id="case.escalate", description="Escalate", tooltip="Escalate the case to a manager with a reason",
    run=_opener(lambda s: CaseEscalateDialog(s.record_id), lambda _: "Case escalated"),
    available=lambda case: case.status not in cases.FINISHED,
))
register_action("case", DetailAction(
    key="r", id="case.answer", description="Answer", tooltip="Record that the case was answered",
    run=_opener(lambda s: CaseAnswerDialog(s.record_id), lambda _: "Answer recorded"),
    available=lambda case: case.status != "closed",
))
register_action("case", DetailAction(
    key="k", id="case.knowledge", description="Knowledge",
    tooltip="Look up knowledge articles and link one to this case",
    run=_opener(lambda s: KnowledgeDialog(s.record_id), lambda a: f"Linked {a.title}"),
))


def _service_text(screen: RecordDetailScreen) -> RenderableType:
    case = screen.record
    lines = Text()
    lines.append("SLA due: ", style="dim")
    if case.sla_due is None:
        lines.append("—")
    else:
        breached = cases.sla_breached(case)
        lines.append(_local(screen, case.sla_due) + (" (missed)" if breached else ""),
                     style="bold red" if breached else "")
    lines.append("\nAnswered: ", style="dim")
    lines.append(_local(screen, case.answered_at))
    lines.append("\nEscalated: ", style="dim")
    if case.escalated_to_id is None:
        lines.append("no")
    else:
        who = case.escalated_to.display_name if case.escalated_to is not None else f"user {case.escalated_to_id}"
        lines.append(f"to {who} on {_local(screen, case.escalated_at)}")
        if case.escalation_reason:
            lines.append(f" — {case.escalation_reason}", style="italic")
    articles = knowledge.case_articles(screen.record_id)
    lines.append("\nArticles: ", style="dim")
    lines.append(", ".join(a.title for a in articles) if articles else "none linked", style="" if articles else "italic")
    return lines


register_section("case", DetailSection(id="service", title="Service", render=_service_text))

# ---- every kind -----------------------------------------------------------------

register_action(RECORD_KINDS, DetailAction(
    key="m", id="record.mail", description="Mail", tooltip="Write an email on this record from a template",
    run=_opener(lambda s: ComposeEmailDialog(s.kind, s.record_id),
                lambda log: "Email sent and logged" if log.sent else "Email logged"),
))
