"""The one output shape every listing command shares (--format, -q, pipes)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

from crm_tui.cli import output

ROWS = [
    {"id": 7, "subject": "Call Dana", "due": dt.date(2026, 11, 18), "amount": Decimal("12.50")},
    {"id": 9, "subject": "Tab\there", "due": None, "amount": Decimal("0.10")},
]
COLUMNS = ("id", "subject", "due")


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def render(fmt: str, stream: io.StringIO | None = None, **kw: object) -> str:
    out = stream or io.StringIO()
    output.emit(ROWS, COLUMNS, fmt, stream=out, **kw)
    return out.getvalue()


def test_json_keeps_every_key_with_exact_values() -> None:
    data = json.loads(render("json"))
    assert data[0] == {"id": 7, "subject": "Call Dana", "due": "2026-11-18", "amount": "12.50"}
    assert data[1]["due"] is None


def test_csv_has_header_and_columns_in_order() -> None:
    lines = list(csv.reader(io.StringIO(render("csv"))))
    assert lines == [["id", "subject", "due"], ["7", "Call Dana", "2026-11-18"], ["9", "Tab\there", ""]]


def test_text_to_a_pipe_is_tab_separated_and_never_padded() -> None:
    assert render("text").splitlines() == ["id\tsubject\tdue", "7\tCall Dana\t2026-11-18", "9\tTab here\t"]


def test_text_on_a_terminal_is_aligned() -> None:
    lines = render("text", Tty()).splitlines()
    assert lines[0].startswith("id  subject    due")
    assert lines[1] == "7   Call Dana  2026-11-18"


def test_quiet_prints_only_ids_whatever_the_format() -> None:
    assert render("json", quiet=True) == "7\n9\n"


def test_empty_text_says_so_and_empty_json_is_a_list() -> None:
    out = io.StringIO()
    output.emit([], COLUMNS, "text", stream=out, empty="no activities")
    assert out.getvalue() == "no activities\n"
    out = io.StringIO()
    output.emit([], COLUMNS, "json", stream=out)
    assert json.loads(out.getvalue()) == []


def test_json_is_exactly_what_the_json_module_writes() -> None:
    """The fast writer's text equals json.dumps(indent=2, ensure_ascii=False) of the plain
    rows: same keys (columns encoded at once), differing keys, repeated values, odd types."""
    many = [{"rule": "r1" if i % 3 else "r%2", "n": i, "ok": i % 2 == 0, "x": None if i % 5 else 1.5,
             "day": dt.date(2026, 11, i % 28 + 1), "text": f'"quoted" é {i}\n'} for i in range(200)]
    mixed = [{"id": 1, "a": "x"}, {"a": "y", "id": 2}, {}, {"id": 3, "amount": Decimal("0.10")}]
    nested = [{"id": 1, "tags": ["a", "b"]}]
    for rows in (many, mixed, nested, ROWS):
        expected = json.dumps([{key: output.plain(value) for key, value in row.items()} for row in rows],
                              indent=2, ensure_ascii=False)
        assert render_rows(rows, "json") == expected + "\n"


def test_rows_given_column_wise_print_the_same() -> None:
    keys = tuple(ROWS[0])
    columns = [[row[key] for row in ROWS] for key in keys]
    for fmt in ("json", "csv", "text"):
        out = io.StringIO()
        output.emit_columns(keys, columns, COLUMNS, fmt, stream=out)
        assert out.getvalue() == render(fmt)
    out = io.StringIO()
    output.emit_columns(keys, [[] for _ in keys], COLUMNS, "json", stream=out)
    assert out.getvalue() == "[]\n"


def render_rows(rows: list[dict], fmt: str) -> str:
    out = io.StringIO()
    output.emit(rows, COLUMNS, fmt, stream=out)
    return out.getvalue()
