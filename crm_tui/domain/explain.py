"""Why an exception fired: what its rule saw, for `crm exceptions --explain`.

Rules are single set-based queries (domain.exceptions) that return only the
hits; this module looks again at one hit's record, as of the same instant,
and reports the facts the rule weighed: the record's last touch and when,
the configured threshold(s), the events counted (notes, phone notes, calls
and activities done, open activities, answers, steps) and the moments that
matter (created, planned, due). A few indexed point queries per hit: fine
for an explanation, never on the screen's hot path.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import peewee as pw

from crm_tui import clock, db
from crm_tui.config import Config
from crm_tui.domain.exceptions import PHONE_ACTIVITY_TYPE, PHONE_NOTE_KINDS, Hit, iso_utc
from crm_tui.models import (
    RECORD_MODELS, Activity, AuditEvent, Case, Lead, Note, Opportunity, QualificationAnswer, StepCompletion,
)

THRESHOLDS: dict[str, tuple[str, ...]] = {
    "lead_untouched": ("lead_untouched_days",),
    "lead_undecided": ("lead_undecided_days", "lead_min_phone_notes"),
    "lead_questions": ("qualified_grace_days",),
    "lead_no_opportunity": ("qualified_grace_days",),
    "opportunity_steps": ("opportunity_steps_days",),
    "no_open_activity": ("no_open_activity_days",),
    "activity_overdue": ("activity_overdue_days",),
    "case_sla": ("case_escalation_answer_hours",),
}
"""Which `[thresholds]` settings each rule applies."""


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return iso_utc(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return iso_utc(db.as_datetime(value))


def _count(query: pw.SelectQuery) -> int:
    return query.count()


def explain(config: Config, hit: Hit, at: dt.datetime | None = None) -> dict[str, Any]:
    """The facts behind one hit as a JSON-ready dict (README: `explain` key)."""
    instant = _naive_utc(at)
    thresholds = {name: getattr(config.thresholds, name) for name in THRESHOLDS.get(hit.rule, ())}
    result: dict[str, Any] = {"at": iso_utc(instant), "threshold": thresholds}
    kind, record_id = hit.kind, hit.record_id
    if kind == "activity":
        activity = Activity.get_or_none(Activity.id == record_id)
        if activity is not None:
            result["activity"] = {
                "id": activity.id, "type": activity.type, "subject": activity.subject,
                "planned_date": _iso(activity.planned_date), "start_at": _iso(activity.start_at),
                "status": activity.status,
            }
            result["due"] = _iso(hit.since - dt.timedelta(days=config.thresholds.activity_overdue_days))
            kind, record_id = activity.record_kind, activity.record_id
    model = RECORD_MODELS.get(kind)
    record = model.get_or_none(model.id == record_id) if model else None
    if record is None:
        return result
    result["record"] = {"kind": kind, "id": record_id}
    result["created_at"] = _iso(record.created_at)
    result["last_touch_at"] = _iso(record.last_touch_at if record.last_touch_at and record.last_touch_at <= instant
                                   else None)
    result["last_touch"] = _last_touch(kind, record_id, instant)
    result["events"] = _events(config, kind, record_id, instant, record)
    if isinstance(record, Case):
        result["sla_due"] = _iso(record.sla_due)
        result["escalated_at"] = _iso(record.escalated_at)
        result["answered_at"] = _iso(record.answered_at)
        result["threshold"]["sla_hours"] = config.sla.hours(record.priority)
    return result


def _last_touch(kind: str, record_id: int, at: dt.datetime) -> dict[str, Any] | None:
    """The latest event of any kind up to `at`: an activity done, a note, or a change."""
    candidates: list[tuple[dt.datetime, str]] = []
    done = (Activity.select(Activity.completed_at, Activity.type, Activity.outcome)
            .where((Activity.record_kind == kind) & (Activity.record_id == record_id)
                   & (Activity.status == "done") & (Activity.completed_at <= at))
            .order_by(Activity.completed_at.desc()).tuples().first())
    if done:
        candidates.append((db.as_datetime(done[0]), f"{done[1]} done" + (f": {done[2]}" if done[2] else "")))
    note = (Note.select(Note.created_at, Note.kind)
            .where((Note.record_kind == kind) & (Note.record_id == record_id) & (Note.created_at <= at))
            .order_by(Note.created_at.desc()).tuples().first())
    if note:
        candidates.append((db.as_datetime(note[0]), f"{note[1]} note"))
    table = RECORD_MODELS[kind]._meta.table_name
    change = (AuditEvent.select(AuditEvent.at, AuditEvent.action)
              .where((AuditEvent.table == table) & (AuditEvent.row_id == record_id)
                     & (AuditEvent.action == "update") & (AuditEvent.at <= at))
              .order_by(AuditEvent.at.desc()).tuples().first())
    if change:
        candidates.append((db.as_datetime(change[0]), "record changed"))
    if not candidates:
        return None
    when, what = max(candidates)
    return {"at": iso_utc(when), "what": what}


def _naive_utc(at: dt.datetime | None) -> dt.datetime:
    """The instant the rules were evaluated at, as the naive UTC they use (default now)."""
    if at is None:
        return clock.utcnow_naive()
    if at.tzinfo is not None:
        at = at.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return dt.datetime(at.year, at.month, at.day, at.hour, at.minute, at.second, at.microsecond)


def _events(config: Config, kind: str, record_id: int, at: dt.datetime, record: Any) -> dict[str, Any]:
    on_record_note = (Note.record_kind == kind) & (Note.record_id == record_id) & (Note.created_at <= at)
    on_record = (Activity.record_kind == kind) & (Activity.record_id == record_id)
    events: dict[str, Any] = {
        "notes": _count(Note.select().where(on_record_note)),
        "phone_notes": _count(Note.select().where(on_record_note & Note.kind.in_(PHONE_NOTE_KINDS)
                                                  & Note.activity.is_null())),
        "calls_done": _count(Activity.select().where(on_record & (Activity.status == "done")
                                                     & (Activity.type == PHONE_ACTIVITY_TYPE)
                                                     & (Activity.completed_at <= at))),
        "activities_done": _count(Activity.select().where(on_record & (Activity.status == "done")
                                                          & (Activity.completed_at <= at))),
        "open_activities": _count(Activity.select().where(on_record & (Activity.status == "open")
                                                          & (Activity.created_at <= at))),
    }
    if isinstance(record, Lead):
        keys = [question.key for question in config.qualification]
        events["status"] = record.status
        events["questions_answered"] = _count(QualificationAnswer.select().where(
            (QualificationAnswer.lead == record_id) & QualificationAnswer.question.in_(keys)
            & (QualificationAnswer.answer != "")))
        events["questions"] = len(keys)
        events["opportunities"] = _count(Opportunity.select().where(Opportunity.lead == record_id))
    if isinstance(record, Opportunity):
        events["steps_done"] = _count(StepCompletion.select().where(
            (StepCompletion.opportunity == record_id) & (StepCompletion.completed_at <= at)))
    return events


def explain_all(config: Config, hits: list[Hit], at: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Each hit's JSON shape with its `explain` key added."""
    return [{**hit.as_dict(), "explain": explain(config, hit, at)} for hit in hits]
