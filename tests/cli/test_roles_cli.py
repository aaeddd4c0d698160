"""`crm users roles` and `crm process`: a team sets and reads its own chart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crm_tui.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_job_roles_through_the_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    dbp = str(tmp_path / "c.db")
    assert run(capsys, "users", "add", "root", "--role", "admin", "--db", dbp)[0] == 0
    code, out, _ = run(capsys, "--user", "root", "--db", dbp, "users", "add", "dana",
                       "--job-role", "sales rep", "--job-role", "billing")
    assert code == 0 and out.strip().endswith("job roles: sales rep, billing")
    code, out, _ = run(capsys, "--user", "root", "--db", dbp, "users", "roles", "dana",
                       "--grant", "delivery", "--revoke", "billing")
    assert code == 0 and out.strip() == "dana: sales rep, delivery"
    code, _, err = run(capsys, "--user", "dana", "--db", dbp, "users", "roles", "root", "--grant", "billing")
    assert code == 1 and "only an admin" in err
    code, _, err = run(capsys, "--user", "root", "--db", dbp, "users", "roles", "dana", "--grant", "pilot")
    assert code == 1 and "unknown job role 'pilot'" in err
    code, out, _ = run(capsys, "--db", dbp, "users", "list")
    assert "sales rep, delivery" in out
    code, out, _ = run(capsys, "--db", dbp, "--user", "root", "process", "--format", "json")
    chart = {row["step"]: row for row in json.loads(out)}
    assert chart["sell"]["people"] == ["dana"] and chart["deliver"]["people"] == ["dana"]
    assert chart["bill"]["people"] == [] and chart["sell"]["manager_role"] == "sales manager"
    code, out, _ = run(capsys, "--db", dbp, "--user", "root", "process")
    assert code == 0 and "(nobody holds this role)" in out and "Deliver orders" in out
