"""Relative dates as users type them, across a weekend, a holiday and the two
Europe/Berlin daylight-saving changes (2026-10-25 and 2027-03-28)."""

from __future__ import annotations

import datetime as dt

import pytest

from crm_tui import clock
from crm_tui.config import Config
from crm_tui.domain import activities, dates, records
from crm_tui.domain.errors import DomainError
from crm_tui.models import Activity, Lead, User

BERLIN = "Europe/Berlin"
FRI_OCT = "2026-10-23T09:00:00+00:00"  # Friday before the autumn change (CEST, UTC+2)
FRI_MAR = "2027-03-26T09:00:00+00:00"  # Friday before the spring change (CET, UTC+1)
MON_26_OCT = dt.date(2026, 10, 26)


@pytest.mark.parametrize(("typed", "day"), [
    ("+2wd", dt.date(2026, 10, 27)),        # Fri + 2 working days: Mon, Tue
    ("+1d", MON_26_OCT),                     # Saturday rolls forward to Monday
    ("tomorrow", MON_26_OCT),
    ("next week", MON_26_OCT),
    ("in 2 weeks", dt.date(2026, 11, 6)),
    ("+1w", dt.date(2026, 10, 30)),
    ("in 3 working days", dt.date(2026, 10, 28)),
    ("mon", MON_26_OCT),
    ("2026-10-24", dt.date(2026, 10, 24)),  # an ISO date is taken as typed
])
def test_over_a_weekend(typed: str, day: dt.date) -> None:
    clock.freeze(FRI_OCT)
    assert dates.parse_when(Config(), BERLIN, typed) == (day, None)


def test_working_days_skip_a_holiday() -> None:
    clock.freeze(FRI_OCT)
    config = Config(holidays=(MON_26_OCT,))
    assert dates.parse_when(config, BERLIN, "+2wd")[0] == dt.date(2026, 10, 28)
    assert dates.parse_when(config, BERLIN, "next week")[0] == dt.date(2026, 10, 27)
    assert dates.parse_when(config, BERLIN, "tomorrow")[0] == dt.date(2026, 10, 27)
    assert dates.parse_day(config, BERLIN, "+1wd") == dt.date(2026, 10, 27)


@pytest.mark.parametrize(("typed", "time"), [
    ("fri 10:00", dt.time(10, 0)), ("fri 10am", dt.time(10, 0)), ("fri 3:30pm", dt.time(15, 30)),
    ("fri at 9", dt.time(9, 0)), ("fri 12am", dt.time(0, 0)), ("fri 14h15", dt.time(14, 15)),
])
def test_times_of_day(typed: str, time: dt.time) -> None:
    assert dates.parse_when(Config(), BERLIN, typed) == (dt.date(2026, 11, 20), time)


@pytest.mark.parametrize("typed", ["someday", "+0d", "13pm", "fri 25:00", "2026-02-30", "in 9999 days"])
def test_invalid_entries_name_the_field(typed: str) -> None:
    with pytest.raises(DomainError) as caught:
        dates.parse_when(Config(), BERLIN, typed, field="deadline")
    assert caught.value.field == "deadline"


def test_day_only_fields() -> None:
    assert dates.parse_day(Config(), BERLIN, "") is None
    assert dates.parse_day(Config(), BERLIN, "fri") == dt.date(2026, 11, 20)
    with pytest.raises(DomainError, match="leave out the time") as caught:
        dates.parse_day(Config(), BERLIN, "fri 10:00", field="forecast_close")
    assert caught.value.field == "forecast_close"
    with pytest.raises(DomainError, match="required"):
        dates.parse_day(Config(), BERLIN, " ", required=True)


@pytest.mark.parametrize(("now", "typed", "local_day", "utc"), [
    # Autumn: Friday is CEST (UTC+2), Monday after 25 Oct is CET (UTC+1).
    (FRI_OCT, "today 10:00", dt.date(2026, 10, 23), dt.datetime(2026, 10, 23, 8, 0)),
    (FRI_OCT, "+1wd 10:00", MON_26_OCT, dt.datetime(2026, 10, 26, 9, 0)),
    # Spring: Friday is CET (UTC+1), Monday after 28 Mar is CEST (UTC+2).
    (FRI_MAR, "today 10:00", dt.date(2027, 3, 26), dt.datetime(2027, 3, 26, 9, 0)),
    (FRI_MAR, "mon 10am", dt.date(2027, 3, 29), dt.datetime(2027, 3, 29, 8, 0)),
])
def test_time_of_day_stays_local_across_daylight_saving(
    rep: User, now: str, typed: str, local_day: dt.date, utc: dt.datetime,
) -> None:
    clock.freeze(now)
    lead = Lead.create(last_name="Ng", owner=rep)
    day, time = dates.parse_when(Config(), rep.time_zone, typed)
    made = activities.create(rep, Config(), type="call", subject="Call", record_kind="lead", record_id=lead.id,
                             day=day, time=time, check_day=True)
    stored = Activity.get_by_id(made.id)
    assert (stored.planned_date, stored.start_at) == (local_day, utc)
    assert activities.local_time(stored, rep.time_zone) == dt.time(10, 0)


def test_local_midnight_on_the_change_night(rep: User) -> None:
    """00:30 on Sunday 25 Oct in Berlin (22:30 UTC Saturday): tomorrow is Monday."""
    clock.freeze("2026-10-24T22:30:00+00:00")
    assert clock.today(BERLIN) == dt.date(2026, 10, 25)
    assert dates.parse_when(Config(), BERLIN, "tomorrow")[0] == MON_26_OCT
    assert dates.parse_when(Config(), "UTC", "tomorrow")[0] == MON_26_OCT  # Saturday in UTC -> Monday


def test_record_forms_and_conversion_read_relative_dates(rep: User) -> None:
    opp = records.create(rep, Config(), "opportunity", {"name": "Rollout", "forecast_close": "+2w"})
    assert opp.forecast_close == dt.date(2026, 12, 2)
    with pytest.raises(DomainError) as caught:
        records.create(rep, Config(), "opportunity", {"name": "Other", "forecast_close": "soon"})
    assert caught.value.field == "forecast_close"
