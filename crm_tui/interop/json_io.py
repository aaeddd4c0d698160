"""JSON export and restore of the whole database (see domain.backup for the rules).

The document is UTF-8 JSON with sorted keys and one table per key, so two
exports of the same data are byte-identical and diff well.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

from crm_tui.domain import backup
from crm_tui.interop.textfile import FileProblem, decode, read_bytes


def export_json(out: TextIO) -> dict[str, int]:
    """Write everything to `out`; returns rows per table."""
    document = backup.snapshot()
    json.dump(document, out, ensure_ascii=False, indent=1, sort_keys=True)
    out.write("\n")
    return {name: len(rows) for name, rows in document["tables"].items()}


def read_json(path: Path) -> Any:
    text = decode(read_bytes(path), str(path)).text
    if not text.strip():
        raise FileProblem(f"{path} is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileProblem(f"{path}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None


def import_json(path: Path) -> dict[str, int]:
    """Restore an export into the (empty) open database; returns rows per table."""
    return backup.restore(read_json(path))
