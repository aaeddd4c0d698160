"""`crm exceptions --at` with ISO and relative moments (the TUI too), and `--explain`
on a fixture: what each rule saw, with the plain JSON shape unchanged without it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from crm_tui import clock, db
from crm_tui.cli import main
from crm_tui.models import Activity, Case, Lead, Note, User

T = dt.datetime(2026, 11, 18, 9, 0)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
NOW = ("--now", "2026-11-18T09:00:00Z")
HIT_KEYS = ["rule", "rule_text", "kind", "record_id", "record_name", "owner", "since", "detail"]


@pytest.fixture
def data(database: str, rep: User, manager: User) -> str:
    """Ann's lead: entered 2 days ago, never touched (rule 1 since yesterday 09:00).
    Max's case: normal priority, past its SLA since an hour ago (rule 8)."""
    lead = Lead.create(last_name="Ng", company="Acme", owner=rep, status="new", created_at=T - 2 * D)
    case = Case.create(subject="Late", owner=manager, status="open", created_at=T - 3 * D, sla_due=T - H)
    Note.create(record_kind="case", record_id=case.id, kind="phone", body="called them", author=manager,
                created_at=T - 2 * D)
    for kind, record_id, owner in (("lead", lead.id, rep), ("case", case.id, manager)):
        Activity.create(type="call", subject="follow up", owner=owner, record_kind=kind, record_id=record_id,
                        planned_date=(T + D).date(), created_at=T - 3 * D)
    db.close()
    return database


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def rules(out: str) -> list[str]:
    return [row["rule"] for row in json.loads(out)]


@pytest.mark.parametrize(("at", "expected"), [
    ("2026-11-18T07:00:00Z", ["lead_untouched"]),  # ISO: the SLA was not yet past
    ("2026-11-18", ["lead_untouched"]),  # an ISO date is its midnight UTC
    ("-1d", ["lead_untouched"]),
    ("2 days ago", []),
    ("yesterday 10:00", ["lead_untouched"]),  # Ann's zone, Berlin: 09:00 UTC
    ("yesterday 09:59", []),
    ("someday", None),
    ("now", ["lead_untouched", "case_sla"]),
])
def test_at_reads_iso_and_relative_moments(data: str, capsys: pytest.CaptureFixture[str], at: str,
                                           expected: list[str] | None) -> None:
    code, out, err = run(capsys, "exceptions", "--db", data, "--user", "ann", *NOW, "--format", "json", f"--at={at}")
    if expected is None:
        assert code == 2 and "--at:" in err and "is not a day" in err
        return
    assert (code, err) == (0, "")
    assert rules(out) == expected


def test_at_opens_the_tui_as_of_that_moment(data: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple] = []

    def fake_launch(ctx, *, start_mode: str, readonly: bool) -> int:  # noqa: ANN001
        seen.append((start_mode, readonly, clock.utcnow_naive()))
        return 0

    monkeypatch.setattr("crm_tui.cli.app_cmd.launch", fake_launch)
    assert main(["exceptions", "--db", data, "--user", "ann", *NOW, "--at=-3d"]) == 0
    assert seen == [("exceptions", True, T - 3 * D)]


def test_explain_json_says_what_each_rule_saw(data: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "exceptions", "--db", data, *NOW, "--format", "json", "--explain")
    assert (code, err) == (0, "")
    lead_hit, case_hit = json.loads(out)
    assert list(lead_hit) == HIT_KEYS + ["explain"]
    why = lead_hit["explain"]
    assert why["threshold"] == {"lead_untouched_days": 1}
    assert (why["last_touch_at"], why["last_touch"]) == (None, None)
    assert why["created_at"] == "2026-11-16T09:00:00Z" and why["at"] == "2026-11-18T09:00:00Z"
    assert why["events"]["notes"] == 0 and why["events"]["activities_done"] == 0
    assert why["events"]["open_activities"] == 1 and why["events"]["status"] == "new"
    why = case_hit["explain"]
    assert why["threshold"] == {"case_escalation_answer_hours": 4, "sla_hours": 24}
    assert why["sla_due"] == "2026-11-18T08:00:00Z"
    assert why["last_touch"] == {"at": "2026-11-16T09:00:00Z", "what": "phone note"}
    assert why["events"]["phone_notes"] == 1

    code, out, _ = run(capsys, "exceptions", "--db", data, *NOW, "--format", "json")
    assert [list(row) for row in json.loads(out)] == [HIT_KEYS] * 2  # unchanged without --explain


def test_explain_as_of_an_earlier_moment_counts_only_what_was_there(data: str,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "exceptions", "--db", data, *NOW, "--format", "json", "--explain",
                       "--at=2026-11-16T10:00:00Z")
    assert code == 0 and json.loads(out) == []
    code, out, _ = run(capsys, "exceptions", "--db", data, *NOW, "--format", "json", "--explain", "--at=-1h")
    [lead_hit] = json.loads(out)
    assert lead_hit["explain"]["at"] == "2026-11-18T08:00:00Z"


def test_explain_text_and_csv(data: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "exceptions", "--db", data, *NOW, "--format", "text", "--explain")
    assert code == 0
    assert "      threshold: lead_untouched_days = 1" in out and "      last touch: never" in out
    assert "      last touch: phone note at 2026-11-16T09:00:00Z" in out
    code, out, _ = run(capsys, "exceptions", "--db", data, *NOW, "--format", "csv", "--explain")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == HIT_KEYS + ["explain"]
    assert json.loads(rows[0]["explain"])["threshold"] == {"lead_untouched_days": 1}
    code, _, err = run(capsys, "exceptions", "--db", data, "--explain")
    assert code == 2 and "--explain works with --format" in err
