"""Editing text in the user's own editor ($VISUAL, then $EDITOR, then vi).

The UI calls `edit_text` inside `app.suspend()`, so the editor gets the
terminal; the text goes through a temporary file that is removed after.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path


class EditorError(RuntimeError):
    """The editor could not be started or failed; the text is unchanged."""


def editor_command() -> list[str]:
    """The editor to run, split like a shell would ("code --wait" works)."""
    value = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        parts = shlex.split(value)
    except ValueError:
        raise EditorError(f"cannot understand the editor setting {value!r}") from None
    if not parts:
        raise EditorError("the editor setting is empty")
    return parts


def edit_text(initial: str, suffix: str = ".txt") -> str:
    """Open `initial` in the editor and return the saved text (unchanged if not saved)."""
    command = editor_command()
    handle, name = tempfile.mkstemp(prefix="crm-", suffix=suffix, text=True)
    path = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(initial)
        try:
            result = subprocess.run([*command, str(path)], check=False)
        except OSError as exc:
            raise EditorError(f"cannot start the editor {command[0]!r}: {exc.strerror or exc}") from None
        if result.returncode != 0:
            raise EditorError(f"the editor {command[0]!r} exited with status {result.returncode}; text unchanged")
        return path.read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)
