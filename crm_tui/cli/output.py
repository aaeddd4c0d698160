"""Printing rows for scripts and people: one shape for every command with --format.

Every listing command (`crm exceptions`, `crm today`, `crm review`, ...) hands
`emit` a list of flat dicts and the columns to show, so all of them agree on
what json, csv, text and `-q` mean:

- json: a list of objects with stable keys (README documents each shape);
- csv: a header line, then one line per row, in `columns` order;
- text: aligned columns with a header on a terminal; tab-separated with the
  same header when stdout is not a terminal (a pipe, a file, cron), so `cut`
  and `awk` work and no padding or truncation hides a value;
- `-q`: only the ids, one per line, for `xargs`.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import shutil
import sys
from decimal import Decimal
from typing import Any, Iterable, Mapping, Sequence, TextIO

FORMATS = ("text", "json", "csv")
_AS_IS = frozenset((str, int, bool, float, type(None)))


def add_format_flags(parser: argparse.ArgumentParser, *, quiet: bool = True,
                     default: str | None = "text") -> None:
    """--format (and -q) with the same help text on every command."""
    parser.add_argument("--format", choices=FORMATS, default=default,
                        help="text (default), json or csv")
    if quiet:
        parser.add_argument("-q", "--quiet", action="store_true",
                            help="print only the ids, one per line")


def plain(value: Any) -> Any:
    """A value as JSON holds it: dates as ISO text, Decimal as a string (exact)."""
    if type(value) in _AS_IS:
        return value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def emit(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], fmt: str, *,
         quiet: bool = False, id_key: str = "id", empty: str = "nothing to show",
         stream: TextIO | None = None) -> None:
    """Write rows in the chosen format; `columns` orders csv and text output
    (json keeps every key of each row)."""
    out = stream or sys.stdout
    rows = [{key: plain(value) for key, value in row.items()} for row in rows]
    if quiet:
        for row in rows:
            out.write(f"{row[id_key]}\n")
    elif fmt == "json":
        out.write(_json(rows))
        out.write("\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n",
                                extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    elif not rows:
        out.write(f"{empty}\n")
    else:
        _text(rows, columns, out)


_SCALARS = {str: json.encoder.encode_basestring, int: int.__repr__, bool: lambda v: "true" if v else "false",
            type(None): lambda v: "null"}


def _json(rows: list[dict[str, Any]]) -> str:
    """`json.dumps(rows, indent=2, ensure_ascii=False)`, written directly for
    flat rows of text, numbers and nulls: Python's encoder with an indent is
    pure Python, ~10x slower, and a big team's `crm exceptions` prints 10,000 rows."""
    if not rows:
        return "[]"
    key = json.encoder.encode_basestring
    scalars = _SCALARS
    objects = []
    try:
        for row in rows:
            if not row:
                objects.append("  {}")
                continue
            fields = ",\n".join([f"    {key(k)}: {scalars[type(v)](v)}" for k, v in row.items()])
            objects.append("  {\n" + fields + "\n  }")
    except KeyError:  # a value of another type (a float, a list): the general encoder
        return json.dumps(rows, indent=2, ensure_ascii=False)
    return "[\n" + ",\n".join(objects) + "\n]"


def _cell(value: Any) -> str:
    return "" if value is None else str(value).replace("\t", " ").replace("\n", " ")


def _text(rows: list[dict[str, Any]], columns: Sequence[str], out: TextIO) -> None:
    table = [list(columns)] + [[_cell(row.get(col)) for col in columns] for row in rows]
    if not out.isatty():
        for line in table:
            out.write("\t".join(line) + "\n")
        return
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    room = shutil.get_terminal_size((120, 40)).columns
    for line in table:
        text = "  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip()
        out.write((text if len(text) <= room else text[: room - 1] + "…") + "\n")
