"""Editing text in $EDITOR through a temporary file."""

import sys
from pathlib import Path

import pytest

from crm_tui.interop import editor


def test_the_editor_changes_the_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = tmp_path / "ed.py"
    script.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1])\np.write_text(p.read_text().replace('Hello', 'Hi'))\n")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    assert editor.edit_text("Hello Kim\n") == "Hi Kim\n"


def test_a_failing_editor_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VISUAL", "false")
    with pytest.raises(editor.EditorError, match="exited with status 1"):
        editor.edit_text("x")
    monkeypatch.setenv("VISUAL", "/nonexistent/editor --wait")
    with pytest.raises(editor.EditorError, match="cannot start the editor '/nonexistent/editor'"):
        editor.edit_text("x")
