"""`crm review` and `crm insights`: the same items and figures as the domain, in
stable JSON shapes, and the refusal to show anyone else's figures."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from crm_tui import db
from crm_tui.cli import main
from crm_tui.domain import users
from crm_tui.models import Account, Activity, Lead, Opportunity, User

T = dt.datetime(2026, 11, 18, 9, 0)
D = dt.timedelta(days=1)


@pytest.fixture
def data(database: str, rep: User) -> str:
    Opportunity.create(name="Acme [EU]: fleet", owner=rep, created_at=T - 30 * D, last_touch_at=T - 2 * D,
                       forecast_close=dt.date(2026, 11, 1), next_activity_on=dt.date(2026, 11, 19))
    Account.create(name="Quiet GmbH", owner=rep, created_at=T - 40 * D, last_touch_at=T - 20 * D)
    Lead.create(last_name="Ng", owner=users.add_user("bo", "Bo Berg"), status="new", created_at=T - 40 * D)
    for i in range(12):
        opp = Opportunity.create(name=f"Closed {i}", owner=rep, state="won" if i % 3 else "lost",
                                 created_at=T - 50 * D, closed_at=T - 20 * D)
        Activity.create(type="demo", subject="demo", owner=rep, record_kind="opportunity", record_id=opp.id,
                        planned_date=(T - 48 * D).date(), status="done", outcome="demo held",
                        completed_at=T - 48 * D)
    db.close()
    return database


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["--now", "2026-11-18T09:00:00Z", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_review_json_lists_the_items_in_order(data: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "review", "--db", data, "--user", "ann", "--format", "json")
    assert (code, err) == (0, "")
    rows = json.loads(out)
    assert [list(row) for row in rows] == [["kind", "id", "name", "reasons", "why", "status", "last_touch_at",
                                            "next_activity_on", "forecast_close"]] * 2
    opp, account = rows
    assert (opp["kind"], opp["name"], opp["reasons"]) == ("opportunity", "Acme [EU]: fleet", ["close_date_past"])
    assert opp["forecast_close"] == "2026-11-01" and opp["last_touch_at"] == "2026-11-16T09:00:00Z"
    assert account["reasons"] == ["no_next_activity", "stale"]
    assert account["why"] == "no next activity planned; no touch in 20 days"


def test_review_text_and_other_users(data: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "review", "--db", data, "--user", "ann")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split("\t") == ["kind", "id", "name", "why"]
    assert lines[1].startswith("opportunity\t") and "forecast close Sun 01 Nov 2026 is past" in lines[1]
    code, out, _ = run(capsys, "review", "--db", data, "--user", "bo", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(row["kind"], row["name"]) for row in rows] == [("lead", "Ng")]


def test_insights_json_and_csv(data: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "insights", "--db", data, "--user", "ann", "--format", "json")
    assert (code, err) == (0, "")
    rows = json.loads(out)
    demo_one = next(r for r in rows if (r["section"], r["group"], r["bucket"]) == ("activity_count", "demo", "1"))
    assert demo_one == {
        "scope": "team", "section": "activity_count", "group": "demo", "bucket": "1", "n": 12, "enough": True,
        "hits": 8, "rate": 0.6667, "low": 0.3906, "high": 0.8619, "median_days": None,
        "text": "67% (8 of 12, 39%-86%)",
    }
    assert {row["scope"] for row in rows} == {"team"}
    code, out, _ = run(capsys, "insights", "--db", data, "--user", "ann", "--mine", "--format", "csv")
    table = list(csv.DictReader(io.StringIO(out)))
    assert {row["scope"] for row in table} == {"team", "mine"}
    assert list(table[0]) == ["scope", "section", "group", "bucket", "hits", "n", "rate", "low", "high",
                              "median_days", "enough"]


def test_insights_text_flags_small_buckets(data: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "insights", "--db", data, "--user", "ann")
    assert code == 0
    assert "activity_count\tdemo\t0\tteam\tnot enough data (0 of 0)" in out
    code, out, err = run(capsys, "insights", "--db", data, "--user", "ann", "--days", "0")
    assert code == 2 and "whole number of days" in err
