"""Shared fixtures: a fresh database per test (SQLite, and PostgreSQL too when
CRM_TEST_POSTGRES_URL is set), a frozen clock, and no developer config."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from crm_tui import clock, config, db, schema
from crm_tui.domain import permissions, users
from crm_tui.models import User

# Wednesday 18 November 2026, 09:00 UTC: mid-week, so tomorrow is a working day.
FROZEN_NOW = "2026-11-18T09:00:00+00:00"
POSTGRES_URL = os.environ.get("CRM_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Hide the developer's own config and variables; freeze the clock."""
    for name in ("CRM_DATABASE", "CRM_NOW", "CRM_USER", "CRM_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    # `crm` commands run in-process set the clock from --now / CRM_NOW: without this
    # they would run at the real date, and fixtures planned around FROZEN_NOW drift
    # into "overdue" as days pass.
    monkeypatch.setenv("CRM_NOW", FROZEN_NOW)
    monkeypatch.setattr(config, "SYSTEM_CONFIG", tmp_path / "no-system-config.toml")
    monkeypatch.setattr(config, "user_config_path", lambda: tmp_path / "no-user-config.toml")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    clock.freeze(FROZEN_NOW)
    permissions.configure(config.Permissions())
    yield
    clock.freeze(None)
    permissions.configure(config.Permissions())
    db.close()


def open_test_database(backend: str, tmp_path: Path) -> str:
    """Open an empty, current-schema database; returns its URL."""
    if backend == "postgresql":
        db.open_database(POSTGRES_URL)
        db.database.obj.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        schema.ensure_schema()
        return POSTGRES_URL
    path = tmp_path / "crm.db"
    db.open_database(str(path))
    schema.ensure_schema()
    return str(path)


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each configured backend; yields its URL."""
    url = open_test_database(request.param, tmp_path)
    yield url
    db.close()


@pytest.fixture
def cfg() -> config.Config:
    return config.Config()


@pytest.fixture
def rep(database: str) -> User:
    return users.add_user("ann", "Ann Lee", role="rep", time_zone="Europe/Berlin")


@pytest.fixture
def manager(database: str) -> User:
    return users.add_user("max", "Max Mayer", role="manager", time_zone="Europe/Berlin")
