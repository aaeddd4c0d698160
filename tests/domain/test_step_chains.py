"""Methodology steps offer their next activity the way chains do: subject
template, delay in working days, and suggest / auto / none."""

from __future__ import annotations

import datetime as dt

import pytest

from crm_tui.config import Config, ConfigError, Step, config_from_dict
from crm_tui.domain import methodology
from crm_tui.models import Activity, Opportunity, User

STEPS = (
    Step("discovery", "Discovery call", 2, "call"),
    Step("demo", "Demo", 7, "demo", subject="Demo for {record}", delay_days=3, mode="auto"),
    Step("proposal", "Proposal", 5, "email", mode="none"),
    Step("closing", "Closing", 2, "call", delay_days=9),
)
CFG = Config(methodology=STEPS, holidays=(dt.date(2026, 11, 20),))


@pytest.fixture
def opp(rep: User) -> Opportunity:
    return Opportunity.create(name="Rollout", owner=rep, step="discovery")


def test_auto_step_schedules_its_activity_after_its_delay(rep: User, opp: Opportunity) -> None:
    result = methodology.complete_step(rep, CFG, opp.id)  # no follow-up passed: the auto step needs none
    assert result.next is not None and result.next.mode == "auto"
    scheduled = Activity.get_by_id(result.scheduled.id)
    # Wed + 3 working days: Thu, (Fri holiday), Mon, Tue.
    assert (scheduled.type, scheduled.subject, scheduled.planned_date) == ("demo", "Demo for Rollout",
                                                                          dt.date(2026, 11, 24))
    assert scheduled.deadline == result.next.due


def test_none_and_capped_delays(rep: User, opp: Opportunity) -> None:
    methodology.complete_step(rep, CFG, opp.id)
    result = methodology.complete_step(rep, CFG, opp.id)  # demo done; proposal's mode is none
    assert result.next.mode == "none" and result.scheduled is None
    closing = methodology.suggest_next(CFG, opp.id, STEPS[2], rep.time_zone)
    assert closing.day == closing.due  # 9 working days ahead is capped at its 2-day time frame
    assert closing.when == closing.due.isoformat()


def test_step_settings_are_validated() -> None:
    with pytest.raises(ConfigError, match=r"methodology\[0\].mode"):
        config_from_dict({"methodology": [{"key": "a", "name": "A", "mode": "sometimes"}]})
    with pytest.raises(ConfigError, match=r"methodology\[0\].subject"):
        config_from_dict({"methodology": [{"key": "a", "name": "A", "subject": "{subject}"}]})
    with pytest.raises(ConfigError, match=r"chains\[0\].outcome"):
        config_from_dict({"chains": [{"after": "call", "outcome": "bored"}]})
    with pytest.raises(ConfigError, match=r"chains\[1\]: a second chain"):
        config_from_dict({"chains": [{"after": "call"}, {"after": "call"}]})
    with pytest.raises(ConfigError, match=r"chains\[0\].time"):
        config_from_dict({"chains": [{"after": "call", "time": "25:00"}]})
