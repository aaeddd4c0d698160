"""Shared bits of the interop tests: run the CLI, find the shared real-world files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crm_tui import db
from crm_tui.cli import main

REPO = Path(__file__).resolve().parents[2]



def _find_real() -> Path:
    """`<repo>/../shared/testdata/real` (a clone beside shared/), or one level further up
    (a git worktree under wt/); CRM_TESTDATA_REAL overrides both."""
    if os.environ.get("CRM_TESTDATA_REAL"):
        return Path(os.environ["CRM_TESTDATA_REAL"])
    for base in (REPO.parent, REPO.parent.parent):
        candidate = base / "shared" / "testdata" / "real"
        if candidate.is_dir():
            return candidate.resolve()
    return REPO.parent / "shared" / "testdata" / "real"


REAL = _find_real()


def real_files(folder: str, pattern: str) -> list[Path]:
    """The shared third-party files, or none when this is a lone clone."""
    where = REAL / folder
    return sorted(where.glob(pattern)) if where.is_dir() else []


def needs_real(files: list[Path]) -> None:
    if not files:
        pytest.skip("shared real-world test data not present (../shared/testdata/real)")


def cli(capsys: pytest.CaptureFixture[str], database: str, *argv: str, user: str = "ann") -> tuple[int, str, str]:
    """Run `crm` as a user would, on the test database; reopen it for the test afterwards."""
    code = main(["--db", database, "--user", user, "--now", "2026-11-18T09:00:00+00:00", *argv])
    out, err = capsys.readouterr()
    db.open_database(database)
    return code, out, err


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path
