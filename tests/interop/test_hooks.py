"""Hooks: on-create, on-complete and on-exception get their event as JSON on stdin;
a failing or hanging hook never breaks or slows the user's action, and is logged."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Iterator

import pytest

from crm_tui import db
from crm_tui.cli import main
from crm_tui.config import Config
from crm_tui.domain import activities, changes, records
from crm_tui.interop import hooks
from crm_tui.models import Activity, HookFired, Lead, User

T = dt.datetime(2026, 11, 18, 9, 0)


def hook(directory: Path, name: str, body: str) -> Path:
    path = directory / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def hooks_dir(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "hooks"
    directory.mkdir()
    yield directory
    hooks.wait(5)
    hooks.uninstall()


def config_for(directory: Path, timeout: float = 5) -> Config:
    return Config(hooks_dir=str(directory), hook_timeout=timeout, hooks_log=str(directory.parent / "hooks.log"))


def test_on_create_and_on_complete_get_the_event_as_json(rep: User, hooks_dir: Path) -> None:
    out = hooks_dir.parent / "events.jsonl"
    hook(hooks_dir, "on-create", f"cat >> {out}; echo >> {out}")
    hook(hooks_dir, "on-complete", f"cat >> {out}; echo >> {out}")
    cfg = config_for(hooks_dir)
    hooks.install(cfg)
    lead = records.create(rep, cfg, "lead", {"first_name": "Kim", "last_name": "Ng", "company": "Acme"})
    hooks.wait(5)
    call = activities.create(rep, cfg, type="call", subject="Intro", record_kind="lead", record_id=lead.id,
                             day=dt.date(2026, 11, 18))
    hooks.wait(5)
    activities.complete(rep, cfg, call.id, outcome="connected", follow_up=None)
    hooks.wait(5)
    events = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    assert [(e["event"], e["kind"], e["id"]) for e in events] == [
        ("create", "lead", lead.id), ("create", "activity", call.id), ("complete", "activity", call.id)]
    first = events[0]
    assert set(first) == {"event", "kind", "id", "user", "at", "data"}
    assert (first["user"], first["at"], first["data"]["last_name"]) == ("ann", "2026-11-18T09:00:00Z", "Ng")
    assert events[2]["data"]["status"] == "done" and events[2]["data"]["outcome"] == "connected"
    assert not (hooks_dir.parent / "hooks.log").exists()  # nothing failed


def test_a_failing_hook_is_logged_and_the_action_stands(rep: User, hooks_dir: Path) -> None:
    hook(hooks_dir, "on-create", "echo 'boom: no CRM sync today' >&2; exit 3")
    cfg = config_for(hooks_dir)
    hooks.install(cfg)
    started = time.monotonic()
    lead = records.create(rep, cfg, "lead", {"last_name": "Ng"})
    assert time.monotonic() - started < 0.5
    hooks.wait(5)
    assert Lead.get_by_id(lead.id).last_name == "Ng"
    log = (hooks_dir.parent / "hooks.log").read_text()
    assert "on-create: exit status 3" in log and "boom: no CRM sync today" in log


def test_a_hanging_hook_is_killed_at_its_time_limit_without_slowing_the_action(rep: User, hooks_dir: Path) -> None:
    hook(hooks_dir, "on-complete", "sleep 30")
    cfg = config_for(hooks_dir, timeout=0.5)
    lead = Lead.create(last_name="Ng", owner=rep)
    call = activities.create(rep, cfg, type="call", subject="Intro", record_kind="lead", record_id=lead.id,
                             day=dt.date(2026, 11, 18))
    hooks.install(cfg)
    started = time.monotonic()
    activities.complete(rep, cfg, call.id, outcome="connected", follow_up=None)
    assert time.monotonic() - started < 0.3  # the hook runs after commit, in the background
    hooks.wait(5)
    assert time.monotonic() - started < 3
    assert "on-complete: killed after 0.5 s" in (hooks_dir.parent / "hooks.log").read_text()


def test_a_rolled_back_action_fires_nothing(rep: User, hooks_dir: Path) -> None:
    out = hooks_dir.parent / "events.jsonl"
    hook(hooks_dir, "on-create", f"cat >> {out}")
    hooks.install(config_for(hooks_dir))

    @db.atomic
    def create_then_fail() -> None:
        with changes.action(rep):
            changes.create(Lead, last_name="Ghost", owner=rep)
        raise RuntimeError("refused after the insert")

    with pytest.raises(RuntimeError):
        create_then_fail()
    hooks.wait(5)
    assert not out.exists() and Lead.select().count() == 0


def test_on_exception_fires_once_per_new_exception(database: str, rep: User, hooks_dir: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = hooks_dir.parent / "exceptions.jsonl"
    hook(hooks_dir, "on-exception", f"cat >> {out}; echo >> {out}")
    lead = Lead.create(last_name="Ng", owner=rep, status="new", created_at=T - dt.timedelta(days=2))
    Activity.create(type="call", subject="Call", owner=rep, record_kind="lead", record_id=lead.id,
                    planned_date=dt.date(2026, 11, 19))
    config_file = hooks_dir.parent / "crm.toml"
    config_file.write_text(f'hooks_dir = "{hooks_dir}"\nhooks_log = "{hooks_dir.parent / "hooks.log"}"\n')
    db.close()
    argv = ["hooks", "exceptions", "--db", database, "--config", str(config_file), "--user", "ann"]
    assert main(argv) == 0
    assert "1 new exception handed to on-exception" in capsys.readouterr().out
    [event] = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    assert (event["event"], event["rule"], event["kind"], event["owner"]) == ("exception", "lead_untouched", "lead",
                                                                            "ann")
    assert main(argv) == 0  # the next run: nothing new
    assert "0 new exceptions" in capsys.readouterr().out
    db.open_database(database)
    assert HookFired.select().count() == 1
