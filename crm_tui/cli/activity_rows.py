"""The flat rows `crm today`, `crm add` and `crm done` print (one shape, README documents it).

Not a command: shared by the three daily-action commands so json, csv and
text agree on names. Times are wall-clock times in the owner's zone.
"""

from __future__ import annotations

from typing import Any

from crm_tui.domain import activities, records
from crm_tui.domain.agenda import AgendaRow
from crm_tui.models import Activity

TODAY_COLUMNS = ("id", "group", "day", "time", "type", "subject", "record_kind", "record_id", "record_name",
                 "priority", "overdue_days")
"""csv and text columns of `crm today` (json has these plus duration_min and deadline)."""

ACTIVITY_COLUMNS = ("role", "id", "status", "day", "time", "type", "subject", "record_kind", "record_id",
                    "record_name", "outcome")
"""csv and text columns of `crm add` and `crm done` (json adds duration_min, owner, priority, series_id)."""


def today_row(row: AgendaRow) -> dict[str, Any]:
    return {
        "id": row.activity_id, "group": row.group, "day": row.planned_date,
        "time": f"{row.local_time:%H:%M}" if row.local_time else "", "duration_min": row.duration_min,
        "type": row.type, "subject": row.subject, "record_kind": row.record_kind, "record_id": row.record_id,
        "record_name": row.record_name, "priority": row.priority, "overdue_days": row.overdue_days,
        "deadline": row.deadline,
    }


def activity_row(activity: Activity, role: str) -> dict[str, Any]:
    """`role`: added, done, next (the follow-up) or repeat (the series' next occurrence)."""
    owner = activity.owner
    local = activities.local_time(activity, owner.time_zone)
    name = records.names([(activity.record_kind, activity.record_id)]).get(
        (activity.record_kind, activity.record_id), "")
    return {
        "role": role, "id": activity.id, "status": activity.status, "day": activity.planned_date,
        "time": f"{local:%H:%M}" if local else "", "duration_min": activity.duration_min,
        "type": activity.type, "subject": activity.subject, "record_kind": activity.record_kind,
        "record_id": activity.record_id, "record_name": name, "owner": owner.login,
        "outcome": activity.outcome, "priority": activity.priority, "series_id": activity.series_id,
    }
