import datetime as dt

import pytest

from crm_tui import clock


def test_frozen_clock_is_utc_and_stays() -> None:
    clock.freeze("2026-03-01T12:30:00+01:00")
    assert clock.now().isoformat() == "2026-03-01T11:30:00+00:00"
    assert clock.now() == clock.now()
    assert clock.utcnow_naive() == dt.datetime(2026, 3, 1, 11, 30)


def test_today_is_local_to_the_zone() -> None:
    clock.freeze("2026-11-18T23:30:00Z")
    assert clock.today("UTC") == dt.date(2026, 11, 18)
    assert clock.today("Europe/Berlin") == dt.date(2026, 11, 19)
    assert clock.today("America/New_York") == dt.date(2026, 11, 18)


def test_local_and_back_round_trip_across_dst() -> None:
    local = dt.datetime(2026, 3, 29, 10, 0)  # Berlin switched to summer time that night
    utc = clock.to_utc_naive(local, "Europe/Berlin")
    assert utc == dt.datetime(2026, 3, 29, 8, 0)
    assert clock.to_local(utc, "Europe/Berlin").hour == 10


def test_env_freezes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_NOW", "2027-01-02 08:00")
    clock.freeze_from_env()
    assert clock.now().isoformat() == "2027-01-02T08:00:00+00:00"


def test_bad_frozen_time_is_a_clear_error() -> None:
    with pytest.raises(clock.ClockError, match="not an ISO-8601"):
        clock.freeze("next tuesday-ish")
