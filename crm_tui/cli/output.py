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
from operator import methodcaller
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
    if fmt == "json" and not quiet:
        out.write(_json(rows if isinstance(rows, list) else list(rows)))  # makes values plain itself
        out.write("\n")
        return
    rows = [{key: plain(value) for key, value in row.items()} for row in rows]
    if quiet:
        for row in rows:
            out.write(f"{row[id_key]}\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n",
                                extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    elif not rows:
        out.write(f"{empty}\n")
    else:
        _text(rows, columns, out)


def emit_columns(keys: Sequence[str], values: Sequence[Sequence[Any]], columns: Sequence[str], fmt: str, *,
                 empty: str = "nothing to show", stream: TextIO | None = None) -> None:
    """`emit` for rows handed over a column at a time (`values[i]` holds key
    i's value in every row), for a listing of thousands of rows: the JSON is
    written straight from the columns, with no dict built per row; csv and
    text get the same rows as `emit`."""
    if fmt != "json":
        emit([dict(zip(keys, row)) for row in zip(*values)], columns, fmt, empty=empty, stream=stream)
        return
    out = stream or sys.stdout
    try:
        text = _json_columns(keys, [_json_column(column) for column in values])
    except KeyError:  # a value of another type (a list, a dict): the general encoder
        text = _json([dict(zip(keys, row)) for row in zip(*values)])
    out.write(text)
    out.write("\n")


_SCALARS = {str: json.encoder.encode_basestring, int: int.__repr__, bool: lambda v: "true" if v else "false",
            type(None): lambda v: "null", float: json.dumps}


def _json(rows: Sequence[Mapping[str, Any]]) -> str:
    """`json.dumps([plain rows], indent=2, ensure_ascii=False)`, written directly
    for flat rows of text, numbers, booleans and nulls: Python's encoder with an
    indent is pure Python, ~10x slower, and a big team's `crm exceptions`
    prints 10,000 rows. Rows with the same keys (the usual case) are encoded a
    column at a time, each column by one C function where its values share a
    type, and the text is interleaved from the columns and the constant
    key lines in one join, with no Python code run per row."""
    if not rows:
        return "[]"
    keys = tuple(rows[0])
    try:
        if not keys or not all(map(keys.__eq__, map(tuple, rows))):
            return _json_rows(rows)
        return _json_columns(keys, [_json_column(values) for values in zip(*map(methodcaller("values"), rows))])
    except KeyError:  # a value of another type (a list, a dict): the general encoder
        return json.dumps([{key: plain(value) for key, value in row.items()} for row in rows],
                          indent=2, ensure_ascii=False)


def _json_columns(keys: Sequence[str], columns: Sequence[Sequence[str]]) -> str:
    """The JSON list of objects from columns already encoded as JSON text."""
    if not columns or not columns[0]:
        return "[]"
    key = json.encoder.encode_basestring
    rows = len(columns[0])
    # Row r's pieces sit at r * width + i: a key line, then its value, for each
    # key, then the object's end. Filled a piece kind at a time by slice
    # assignment (a C copy), then joined once.
    width = 2 * len(columns) + 1
    parts: list[str] = [""] * (rows * width)
    for number, (name, column) in enumerate(zip(keys, columns)):
        parts[2 * number::width] = [(",\n  {\n    " if number == 0 else ",\n    ") + key(name) + ": "] * rows
        parts[2 * number + 1::width] = column
    parts[width - 1::width] = ["\n  }"] * rows
    # Every object starts with ",\n"; the first one's is dropped.
    return "[\n" + "".join(parts)[2:] + "\n]"


def _json_column(values: Sequence[Any]) -> list[str]:
    """One column's values as JSON text (KeyError for a type that is not a scalar)."""
    types = set(map(type, values))
    if len(types) == 1:
        kind = types.pop()
        if kind in _SCALARS:
            encode = _SCALARS[kind]
            # A column like "rule" (a few values repeated): encode each value once.
            if len(values) >= 64 and len(set(values[:64])) <= 8:
                distinct = set(values)
                if len(distinct) * 8 < len(values):
                    return list(map({value: encode(value) for value in distinct}.__getitem__, values))
            return list(map(encode, values))
    scalars = _SCALARS
    encoded = []
    for value in values:
        value = plain(value)
        encoded.append(scalars[type(value)](value))
    return encoded


def _json_rows(rows: Sequence[Mapping[str, Any]]) -> str:
    """Rows whose keys differ: one row at a time."""
    key = json.encoder.encode_basestring
    scalars = _SCALARS
    objects = []
    for row in rows:
        if not row:
            objects.append("  {}")
            continue
        fields = ",\n".join([f"    {key(k)}: {scalars[type(v)](v)}" for k, v in
                             ((k, plain(v)) for k, v in row.items())])
        objects.append("  {\n" + fields + "\n  }")
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
