"""Quick follow-up choices and typed dates: working days, holidays, zones, DST."""

import datetime as dt

import pytest

from crm_tui import clock
from crm_tui.config import Config
from crm_tui.domain import dates
from crm_tui.domain.errors import DomainError

CFG = Config()
BERLIN = "Europe/Berlin"
WED = dt.date(2026, 11, 18)  # the frozen today


def test_quick_choices_from_a_wednesday() -> None:
    assert dates.quick_day(CFG, BERLIN, dates.TOMORROW) == dt.date(2026, 11, 19)
    assert dates.quick_day(CFG, BERLIN, dates.IN_2_DAYS) == dt.date(2026, 11, 20)
    assert dates.quick_day(CFG, BERLIN, dates.NEXT_WEEK) == dt.date(2026, 11, 23)  # Monday
    assert dates.quick_day(CFG, BERLIN, dates.IN_N_DAYS, days="7") == dt.date(2026, 11, 25)
    assert dates.quick_day(CFG, BERLIN, dates.A_DATE, date="2026-12-01") == dt.date(2026, 12, 1)


def test_weekend_rolls_forward_to_monday() -> None:
    clock.freeze("2026-11-20T09:00:00Z")  # a Friday
    assert dates.quick_day(CFG, BERLIN, dates.TOMORROW) == dt.date(2026, 11, 23)
    assert dates.quick_day(CFG, BERLIN, dates.IN_2_DAYS) == dt.date(2026, 11, 23)
    assert dates.quick_day(CFG, BERLIN, dates.IN_N_DAYS, days=1) == dt.date(2026, 11, 23)
    assert dates.parse_when(CFG, BERLIN, "+1d") == (dt.date(2026, 11, 23), None)
    assert dates.parse_when(CFG, BERLIN, "+2wd") == (dt.date(2026, 11, 24), None)


def test_holidays_are_skipped() -> None:
    cfg = Config(holidays=(dt.date(2026, 11, 19), dt.date(2026, 11, 23)))
    assert dates.quick_day(cfg, BERLIN, dates.TOMORROW) == dt.date(2026, 11, 20)
    assert dates.quick_day(cfg, BERLIN, dates.NEXT_WEEK) == dt.date(2026, 11, 24)  # holiday Monday
    assert dates.parse_when(cfg, BERLIN, "+2wd")[0] == dt.date(2026, 11, 24)


def test_working_days_come_from_the_config() -> None:
    six_days = Config(working_days=(0, 1, 2, 3, 4, 5))
    clock.freeze("2026-11-20T09:00:00Z")  # Friday
    assert dates.quick_day(six_days, BERLIN, dates.TOMORROW) == dt.date(2026, 11, 21)  # Saturday works


@pytest.mark.parametrize(("text", "day", "time"), [
    ("2026-12-01", dt.date(2026, 12, 1), None),
    ("2026-12-01 10:00", dt.date(2026, 12, 1), dt.time(10, 0)),
    ("today", WED, None),
    ("Tomorrow 9.30", dt.date(2026, 11, 19), dt.time(9, 30)),
    ("+3d", dt.date(2026, 11, 23), None),  # Saturday rolls to Monday
    ("+3", dt.date(2026, 11, 23), None),
    ("+2wd", dt.date(2026, 11, 20), None),
    ("+1w", dt.date(2026, 11, 25), None),
    ("in 2 weeks", dt.date(2026, 12, 2), None),
    ("in 3 days", dt.date(2026, 11, 23), None),
    ("next week", dt.date(2026, 11, 23), None),
    ("fri", dt.date(2026, 11, 20), None),
    ("Friday 14:15", dt.date(2026, 11, 20), dt.time(14, 15)),
    ("wed", dt.date(2026, 11, 25), None),  # never today itself
    ("next mon", dt.date(2026, 11, 23), None),
    ("15:30", WED, dt.time(15, 30)),
])
def test_typed_forms(text: str, day: dt.date, time: dt.time | None) -> None:
    assert dates.parse_when(CFG, BERLIN, text) == (day, time)


@pytest.mark.parametrize("text", ["", "soon", "2026-02-30", "fri 25:00", "+0d", "in 9999 days", "x"])
def test_bad_input_names_the_field(text: str) -> None:
    with pytest.raises(DomainError) as info:
        dates.parse_when(CFG, BERLIN, text, field="follow_up_day")
    assert info.value.field == "follow_up_day"


def test_in_n_days_needs_a_number() -> None:
    with pytest.raises(DomainError, match="whole number") as info:
        dates.quick_day(CFG, BERLIN, dates.IN_N_DAYS, days="")
    assert info.value.field == "day"


def test_today_is_the_users_local_day() -> None:
    clock.freeze("2026-11-18T23:30:00Z")  # Thu 00:30 in Berlin, still Wed 15:30 in Los Angeles
    assert dates.quick_day(CFG, BERLIN, dates.TOMORROW) == dt.date(2026, 11, 20)
    assert dates.quick_day(CFG, "America/Los_Angeles", dates.TOMORROW) == dt.date(2026, 11, 19)
    assert dates.parse_when(CFG, BERLIN, "today")[0] == dt.date(2026, 11, 19)


def test_dst_change_keeps_wall_clock_time() -> None:
    # Berlin switches to summer time at 02:00 on Sunday 29 March 2026.
    clock.freeze("2026-03-27T22:30:00Z")  # Fri 23:30 CET
    day, time = dates.parse_when(CFG, BERLIN, "tomorrow 10:00")
    assert day == dt.date(2026, 3, 30)  # Monday, after the weekend
    assert clock.to_utc_naive(dt.datetime.combine(day, time), BERLIN) == dt.datetime(2026, 3, 30, 8, 0)  # CEST
    assert dates.parse_when(CFG, BERLIN, "today 10:00")[0] == dt.date(2026, 3, 27)
    clock.freeze("2026-03-28T23:30:00Z")  # Sun 00:30 CET: the DST day itself
    assert clock.today(BERLIN) == dt.date(2026, 3, 29)
    assert dates.quick_day(CFG, BERLIN, dates.TOMORROW) == dt.date(2026, 3, 30)
