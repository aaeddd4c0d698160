"""`crm products|quotes|orders|invoices`: the whole flow from a shell, with one-line refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crm_tui.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_sell_deliver_bill_from_the_shell(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    dbp = str(tmp_path / "c.db")

    def crm(user: str, *argv: str) -> tuple[int, str, str]:
        return run(capsys, "--db", dbp, "--user", user, "--now", "2026-11-18T09:00:00+00:00", *argv)

    assert crm("root", "users", "add", "root", "--role", "admin")[0] == 0
    crm("root", "users", "add", "ann", "--name", "Ann Lee")
    crm("root", "users", "add", "max", "--role", "manager")
    from crm_tui.config import Config
    from crm_tui.domain import users
    from tests.domain.sales_fixtures import opportunity

    opp = opportunity(users.get_user("ann"), Config())
    code, out, _ = crm("max", "products", "add", "LIC", "--name", "Licence", "--price", "1000")
    assert code == 0 and out.strip() == "added LIC Licence: 1000.00 EUR"
    code, _, err = crm("ann", "products", "add", "X", "--name", "X", "--price", "1")
    assert code == 1 and "only managers, admins and billing keep the price list" in err
    assert crm("ann", "quotes", "new", str(opp.id))[1].strip() == "created Q-00001: draft, 0.00 EUR"
    code, out, _ = crm("ann", "quotes", "line", "Q-00001", "--product", "LIC", "--qty", "2", "--discount", "20")
    assert out.strip() == "Q-00001: draft, 1904.00 EUR"
    assert "waiting for a manager's approval" in crm("ann", "quotes", "submit", "1")[1]
    code, _, err = crm("ann", "quotes", "approve", "1")
    assert code == 1 and err.strip() == "crm: you cannot approve or reject your own quote: another manager decides"
    code, _, err = crm("max", "quotes", "reject", "1")
    assert code == 2 and "--reason" in err
    assert crm("max", "quotes", "approve", "q1")[1].strip() == "Q-00001: approved, 1904.00 EUR"
    code, out, _ = crm("ann", "quotes", "show", "1")
    assert "Licence" in out and "20%" in out and "1,904.00 EUR" in out
    code, out, _ = crm("ann", "quotes", "html", "1", str(tmp_path / "q.html"))
    assert code == 0 and "Q-00001" in (tmp_path / "q.html").read_text()
    code, out, _ = crm("ann", "quotes", "send", "1")
    assert out.strip() == "logged to kim@acme.test: Quote Q-00001 for Acme [EU] rollout"
    code, out, _ = crm("ann", "quotes", "accept", "1")
    assert out.strip() == "Q-00001 accepted; order O-00001 promised for 2026-12-02"
    assert crm("ann", "orders", "deliver", "O-00001")[1].strip() == "O-00001: delivered"
    code, out, _ = crm("ann", "orders", "invoice", "1")
    assert out.startswith("INV-00001: 1904.00 EUR, due ")
    assert crm("ann", "invoices", "pay", "INV-00001", "1000")[1].strip() == "INV-00001: open, 904.00 EUR open"
    code, _, err = crm("ann", "invoices", "pay", "INV-00001", "1000")
    assert code == 1 and "only 904.00 EUR is open" in err
    code, out, _ = crm("ann", "invoices", "list", "--format", "json")
    [row] = json.loads(out)
    assert (row["number"], row["status"], row["open"]) == ("INV-00001", "open", "904.00")
    code, out, _ = crm("ann", "quotes", "list", "-q")
    assert out.strip() == "Q-00001"
    code, _, err = crm("ann", "quotes", "show", "Q-00099")
    assert code == 1 and err.strip() == "crm: no quote Q-00099"


def test_unknown_order_and_invoice_numbers_are_one_line_and_exit_1(capsys: pytest.CaptureFixture[str],
                                                                    tmp_path: Path) -> None:
    dbp = str(tmp_path / "c.db")
    assert run(capsys, "--db", dbp, "--user", "root", "users", "add", "root", "--role", "admin")[0] == 0
    base = ("--db", dbp, "--user", "root")
    assert run(capsys, *base, "orders", "deliver", "O-00042") == (1, "", "crm: no order O-00042\n")
    assert run(capsys, *base, "orders", "start", "nine") == (
        1, "", "crm: 'nine' is not an order number like O-00007\n")
    assert run(capsys, *base, "invoices", "pay", "INV-00009", "10") == (1, "", "crm: no invoice INV-00009\n")
    assert run(capsys, *base, "invoices", "list", "--format", "json")[:2] == (0, "[]\n")
