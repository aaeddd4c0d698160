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
