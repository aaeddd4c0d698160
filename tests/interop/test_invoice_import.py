"""`crm import invoices FILE.csv`: invoices from an accounting system, with the usual row report."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from crm_tui.domain import billing
from crm_tui.models import Account, AuditEvent, Invoice, User

from .helpers import cli, write

HEADER = "Invoice No,Customer,Invoice Date,Due Date,Amount,Currency,Amount Paid,Memo\n"


def test_invoices_with_bad_rows(capsys, database, rep: User, tmp_path: Path) -> None:
    acme = Account.create(name="Acme [EU]", owner=rep)
    Account.create(name="Beta GmbH", owner=rep)
    Invoice.create(number="A-0", account=acme, total=Decimal("5"), issued_on="2026-10-01", due_on="2026-10-31")
    src = write(tmp_path / "invoices.csv", HEADER
                + "A-1,acme [eu],2026-10-01,2026-10-31,\"1,190.00\",EUR,,x\n"      # matched case-insensitively
                + "A-2,Beta GmbH,2026-11-01,2026-12-01,500.005,eur,500.01,\n"     # rounds half up, fully paid
                + "A-3,Nobody Ltd,2026-11-01,2026-12-01,10,EUR,,\n"               # unknown account
                + "A-4,Beta GmbH,2026-11-01,2026-10-01,10,EUR,,\n"                # due before issued
                + "A-5,Beta GmbH,2026-11-01,2026-12-01,ten,EUR,,\n"               # not a number
                + "A-6,Beta GmbH,2026-11-01,2026-12-01,10,EUR,11,\n"              # paid more than total
                + "A-1,Acme [EU],2026-10-01,2026-10-31,1190,EUR,,\n"              # repeated in the file
                + "A-0,Acme [EU],2026-10-01,2026-10-31,5,EUR,,\n")                # in the database already
    code, out, err = cli(capsys, database, "import", "invoices", str(src))
    assert code == 0
    assert "imported 2 invoices, skipped 2 duplicates, rejected 4, from 8 rows of" in out
    assert "line 4: rejected, no account named 'Nobody Ltd'" in out
    assert "line 5: rejected, the due date is before the issue date" in out
    assert "line 6: rejected, total: 'ten' is not a number" in out
    assert "line 7: rejected, paid: must be between 0 and the total" in out
    assert "line 8: skipped, invoice A-1 exists already" in out
    assert "line 9: skipped, invoice A-0 exists already" in out
    assert "ignored columns: Memo" in err
    one = Invoice.get(Invoice.number == "A-1")
    assert (one.account_id, one.total, one.status, one.owner_id, one.source) == (acme.id, Decimal("1190.00"), "open",
                                                                                 rep.id, "import")
    assert billing.status_of(one) == "overdue"
    two = Invoice.get(Invoice.number == "A-2")
    assert (two.total, two.paid, two.status, two.currency) == (Decimal("500.01"), Decimal("500.01"), "paid", "EUR")
    assert billing.unpaid_balance(acme.id) == {"EUR": Decimal("1195.00")}
    assert AuditEvent.select().where(AuditEvent.table == "invoice").count() == 2
    rejects = list(csv.reader((tmp_path / "invoices.rejects.csv").open(encoding="utf-8", newline="")))
    assert [row[0] for row in rejects[1:]] == ["A-3", "A-4", "A-5", "A-6"]


def test_an_invoice_file_without_a_due_date_column_is_refused(capsys, database, rep: User, tmp_path: Path) -> None:
    src = write(tmp_path / "invoices.csv", "Number,Customer,Total\nA-1,Acme,10\n")
    code, _, err = cli(capsys, database, "import", "invoices", str(src))
    assert code == 1 and "an invoice file needs number, account, total and due date columns" in err
