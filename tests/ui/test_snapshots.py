"""SVG snapshots of the main screens at 80x24 and 120x40 (pytest-textual-snapshot).

A small fixed data set on SQLite only (the pictures must not depend on the
backend), the clock frozen by conftest (Wed 2026-11-18 09:00 UTC). A picture
that changes on purpose is accepted with `--snapshot-update` (README,
Development); the files live in tests/ui/__snapshots__/.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Iterator

import pytest

from crm_tui import db
from crm_tui.config import Config
from crm_tui.domain import activities, records, users
from crm_tui.models import Activity, Lead
from crm_tui.ui.app import make_app
from tests.conftest import open_test_database

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
CFG = Config()
WED, THU, FRI = dt.date(2026, 11, 18), dt.date(2026, 11, 19), dt.date(2026, 11, 20)
T = dt.datetime(2026, 11, 18, 9, 0)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """One rep's small book: a lead, an account with a contact and a deal, a
    day of work, an overloaded tomorrow, and two things for Exceptions."""
    open_test_database("sqlite", tmp_path)
    ann = users.add_user("ann", "Ann Lee", role="rep", time_zone="Europe/Berlin")
    users.add_user("max", "Max Mayer", role="manager", time_zone="Europe/Berlin")
    lead = records.create(ann, CFG, "lead", {"first_name": "Kim", "last_name": "Ng", "company": "Acme [EU]",
                                             "email": "kim@acme.test", "phone": "+49 30 1234 5678"})
    account = records.create(ann, CFG, "account", {"name": "Globex", "city": "Berlin", "country": "Germany"})
    contact = records.create(ann, CFG, "contact", {"first_name": "Lou", "last_name": "Reed", "account": "Globex",
                                                   "title": "Head of IT"})
    deal = records.create(ann, CFG, "opportunity", {"name": "Globex renewal", "account": "Globex",
                                                    "amount": "12,500", "currency": "EUR",
                                                    "forecast_close": "2026-12-15"})

    def plan(subject: str, kind: str, record_id: int, day: dt.date, time: dt.time | None = None,
             type: str = "call", minutes: int | None = None) -> Activity:
        return activities.create(ann, CFG, type=type, subject=subject, record_kind=kind, record_id=record_id,
                                 day=day, time=time, duration_min=minutes or (30 if time else None))

    plan("Intro call", "lead", lead.id, WED, dt.time(10, 0))
    plan("Send pricing", "opportunity", deal.id, WED, type="email")
    plan("Prepare the demo", "contact", contact.id, dt.date(2026, 11, 9), type="task")
    for hour, subject in ((9, "Renewal workshop"), (11, "Security review"), (14, "Rollout plan")):
        plan(subject, "opportunity", deal.id, THU, dt.time(hour, 0), type="meeting", minutes=120)
    plan("Check in with Lou", "contact", contact.id, FRI)
    Lead.create(first_name="Bo", last_name="Diaz", company="Initech", owner=ann, status="new",
                created_at=T - dt.timedelta(days=3))  # untouched since it came in: exception rule 1
    yield {"ann": ann, "lead": lead, "account": account}
    db.close()


def app_for(world: dict[str, Any], mode: str = "today") -> Any:
    return make_app(world["ann"], CFG, start_mode=mode)


async def settle(pilot: Any) -> None:
    """Wait for the screen's thread workers (Exceptions, search) and the repaint."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_today(snap_compare: Any, world: dict[str, Any], size: tuple[int, int]) -> None:
    assert snap_compare(app_for(world), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_plan(snap_compare: Any, world: dict[str, Any], size: tuple[int, int]) -> None:
    assert snap_compare(app_for(world, "plan"), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_records(snap_compare: Any, world: dict[str, Any], size: tuple[int, int]) -> None:
    assert snap_compare(app_for(world, "records"), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_record_detail(snap_compare: Any, world: dict[str, Any], size: tuple[int, int]) -> None:
    async def open_account(pilot: Any) -> None:
        await settle(pilot)
        pilot.app.open_record("account", world["account"].id)
        await settle(pilot)

    assert snap_compare(app_for(world), terminal_size=size, run_before=open_account)


@pytest.mark.parametrize("size", SIZES)
def test_exceptions(snap_compare: Any, world: dict[str, Any], size: tuple[int, int]) -> None:
    assert snap_compare(app_for(world, "exceptions"), terminal_size=size, run_before=settle)
