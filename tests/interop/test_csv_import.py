"""`crm import leads|contacts|accounts|activities`: mapping, validation, duplicates, rejects."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from crm_tui.domain import importing
from crm_tui.models import Account, Activity, AuditEvent, Contact, Lead, User

from .helpers import cli, write

HEADER = "First Name,Last Name,Company,E-mail Address,Business Phone,Lead Source,Fax\n"


def test_common_headers_and_summary(capsys, database, rep: User, tmp_path: Path) -> None:
    src = write(tmp_path / "leads.csv", HEADER
                + "Ann,Smith,Acme,Ann@Acme.test,+49 30 1234567,web,1\n"
                + 'Bob,"Jones\nJunior",Beta,bob@,,fair,2\n'
                + "Cy,Dup,Acme,ann@acme.test,,web,3\n"
                + "Dee,Dial,Gamma,,030-1234567,web,4\n")
    code, out, err = cli(capsys, database, "import", "leads", str(src))
    assert code == 0
    assert "imported 1 lead, skipped 2 duplicates, rejected 1" in out
    assert "line 5: skipped, duplicate e-mail ann@acme.test" in out
    assert "line 6: skipped, duplicate phone 030-1234567" in out
    assert "line 3: rejected, 'bob@' is not an email address" in out  # the quoted newline is counted
    assert "ignored columns: Fax" in err
    lead = Lead.get()
    assert (lead.first_name, lead.company, lead.email, lead.source, lead.owner_id) == ("Ann", "Acme", "ann@acme.test", "web", rep.id)
    assert AuditEvent.select().where(AuditEvent.table == "lead", AuditEvent.action == "create").count() == 1


def test_rejects_file_can_be_fixed_and_imported_again(capsys, database, rep, tmp_path: Path) -> None:
    src = write(tmp_path / "leads.csv", HEADER + "Ann,Smith,Acme,ann@@acme,,web,\nBo,Bell,Beta,bo@beta.test,,web,\n")
    cli(capsys, database, "import", "leads", str(src))
    rejects = tmp_path / "leads.rejects.csv"
    rows = list(csv.reader(rejects.open(encoding="utf-8", newline="")))
    assert rows[0][-1] == "reason" and rows[0][:-1] == HEADER.strip().split(",")
    assert rows[1][:4] == ["Ann", "Smith", "Acme", "ann@@acme"] and "line 2" in rows[1][-1]
    fixed = rejects.read_text(encoding="utf-8").replace("ann@@acme,", "ann@acme.test,")
    rejects.write_text(fixed, encoding="utf-8")
    code, out, err = cli(capsys, database, "import", "leads", str(rejects))
    assert code == 0 and "imported 1 lead" in out and "reason" in err
    assert Lead.select().count() == 2


def test_missing_required_columns_write_nothing(capsys, database, rep, tmp_path: Path) -> None:
    src = write(tmp_path / "a.csv", "Website,City\nacme.test,Berlin\n")
    code, _, err = cli(capsys, database, "import", "accounts", str(src))
    assert code == 1 and "needs a name column" in err and "Website, City" in err
    assert Account.select().count() == 0


def test_map_reads_other_columns(capsys, database, rep, tmp_path: Path) -> None:
    src = write(tmp_path / "a.csv", "Firma;Ort;Land\nAcme GmbH;Berlin;DE\nacme  gmbh;Köln;DE\n")
    code, out, _ = cli(capsys, database, "import", "accounts", str(src), "--map", "Firma=name",
                       "--map", "Ort=city", "--map", "Land=")
    assert code == 0 and "imported 1 account, skipped 1 duplicate" in out
    assert (Account.get().name, Account.get().city, Account.get().country) == ("Acme GmbH", "Berlin", "")


def test_bad_dates_extra_values_and_huge_field(capsys, database, rep, tmp_path: Path) -> None:
    lead = importing.Importer("lead", actor=rep, config=__import__("crm_tui.config").config.Config())
    lead.run([importing.ImportRow(1, {"last_name": "Lee", "email": "lee@x.test"})])
    huge = "x" * 300_000
    src = write(tmp_path / "acts.csv",
                "Type,Subject,Due Date,Email\n"
                "call,Intro,2026-11-20,lee@x.test\n"
                "call,Bad day,20/11/2026,lee@x.test\n"
                "call,Extra,2026-11-21,lee@x.test,surprise\n"
                f"call,{huge},2026-11-22,lee@x.test\n"
                "call,Nobody,2026-11-23,nobody@x.test\n"
                "fax,Odd,2026-11-23,lee@x.test\n")
    code, out, _ = cli(capsys, database, "import", "activities", str(src))
    assert code == 0 and "imported 1 activity" in out
    assert "line 3: rejected, '20/11/2026' is not a date like 2026-12-31" in out
    assert "line 4: rejected, 5 values but the header has 4 columns" in out
    assert "line 5: rejected, subject is longer than 200 characters" in out
    assert "line 6: rejected, no contact or lead with e-mail nobody@x.test" in out
    assert "line 7: rejected, type must be one of" in out
    activity = Activity.get()
    assert (activity.subject, activity.record_kind, str(activity.planned_date)) == ("Intro", "lead", "2026-11-20")
    assert str(Lead.get().next_activity_on) == "2026-11-20"


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n\r\n"])
def test_empty_file_exits_1(capsys, database, rep, tmp_path: Path, content: bytes) -> None:
    src = tmp_path / "e.csv"
    src.write_bytes(content)
    code, _, err = cli(capsys, database, "import", "leads", str(src))
    assert code == 1 and "is empty" in err


def test_missing_file_exits_1(capsys, database, rep, tmp_path: Path) -> None:
    code, _, err = cli(capsys, database, "import", "leads", str(tmp_path / "nope.csv"))
    assert code == 1 and "no such file" in err


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_bom_encodings(capsys, database, rep, tmp_path: Path, encoding: str) -> None:
    src = write(tmp_path / "c.csv", "Last Name\tFirst Name\tCompany\nMüller\tJürgen\tÖl AG\n", encoding)
    code, out, err = cli(capsys, database, "import", "contacts", str(src))
    assert code == 0 and "imported 1 contact (and 1 new account)" in out and "warning" not in err
    contact = Contact.get()
    assert (contact.last_name, contact.first_name, contact.account.name) == ("Müller", "Jürgen", "Öl AG")


def test_windows_1252_is_read_with_a_warning(capsys, database, rep, tmp_path: Path) -> None:
    src = write(tmp_path / "c.csv", "Last Name;First Name\nMüller;Zoë\n", "cp1252")
    code, out, err = cli(capsys, database, "import", "contacts", str(src))
    assert code == 0 and "is not UTF-8" in err and "Windows-1252" in err
    assert Contact.get().last_name == "Müller"


def test_dry_run_writes_nothing(capsys, database, rep, tmp_path: Path) -> None:
    src = write(tmp_path / "c.csv", "Last Name,Email,Account Name\nLee,lee@x.test,Acme\nKim,bad,Acme\n")
    before = AuditEvent.select().count()
    code, out, _ = cli(capsys, database, "import", "contacts", str(src), "--dry-run")
    assert code == 0 and "would import 1 contact (and 1 new account)" in out and "dry run" in out
    assert Contact.select().count() == 0 and Account.select().count() == 0
    assert AuditEvent.select().count() == before and not (tmp_path / "c.rejects.csv").exists()


def test_a_failing_batch_is_all_or_nothing(database, rep, cfg, monkeypatch) -> None:
    rows = [importing.ImportRow(n, {"last_name": f"L{n}", "email": f"l{n}@x.test"}) for n in range(2, 9)]
    importer = importing.Importer("lead", actor=rep, config=cfg, batch_size=3)
    real_insert = importing.bulk.insert_rows
    calls = {"n": 0}

    def flaky(model, batch, **kwargs):  # type: ignore[no-untyped-def]
        if model is Lead:
            calls["n"] += 1
            if calls["n"] == 2:
                real_insert(model, batch[:1], **kwargs)  # half written, then the batch fails
                raise importing.DomainError("disk full")
        return real_insert(model, batch, **kwargs)

    monkeypatch.setattr(importing.bulk, "insert_rows", flaky)
    with pytest.raises(importing.DomainError, match="lines 5-7 could not be written.*3 rows before them were"):
        importer.run(rows)
    assert sorted(lead.last_name for lead in Lead.select()) == ["L2", "L3", "L4"]


def test_owner_option(capsys, database, rep, manager, tmp_path: Path) -> None:
    src = write(tmp_path / "a.csv", "Account Name\nAcme\n")
    code, _, _ = cli(capsys, database, "import", "accounts", str(src), "--owner", "max")
    assert code == 0 and Account.get().owner_id == manager.id


def test_undo_takes_a_whole_import_back(capsys, database, rep, tmp_path: Path) -> None:
    from crm_tui.domain import changes

    src = write(tmp_path / "c.csv", "Name,Email,Company\nJo Lee,jo@x.test,Acme\nAl Ray,al@x.test,Beta\n")
    code, out, _ = cli(capsys, database, "import", "contacts", str(src))
    assert code == 0 and "imported 2 contacts (and 2 new accounts)" in out
    assert Contact.get(Contact.email == "jo@x.test").first_name == "Jo"
    restored = changes.undo_last(rep)
    assert len(restored) == 4 and Contact.select().count() == 0 and Account.select().count() == 0


def test_an_address_on_a_bare_host_is_left_out_not_the_row(capsys, database, rep, tmp_path: Path) -> None:
    src = write(tmp_path / "c.csv", "Last Name,Email\nLee,lee@localhost\nKim,kim@\n")
    code, out, _ = cli(capsys, database, "import", "contacts", str(src))
    assert code == 0 and "imported 1 contact, skipped 0 duplicates, rejected 1" in out
    assert "line 2: imported, but e-mail 'lee@localhost' has no domain to mail to; left out" in out
    assert "line 3: rejected, 'kim@' is not an email address" in out
    assert Contact.get().email == ""


def test_map_to_an_unknown_field_is_refused(capsys, database, rep, tmp_path: Path) -> None:
    src = write(tmp_path / "a.csv", "Firma\nAcme\n")
    code, _, err = cli(capsys, database, "import", "accounts", str(src), "--map", "Firma=company_name")
    assert code == 1 and "--map Firma=company_name: account fields are" in err
    code, _, err = cli(capsys, database, "import", "accounts", str(src), "--map", "Nope=name")
    assert code == 1 and "the file has no column 'Nope'" in err
    assert Account.select().count() == 0


def test_utf16_without_bom_is_refused_clearly(capsys, database, rep, tmp_path: Path) -> None:
    src = tmp_path / "u.csv"
    src.write_bytes("Account Name\nAcme\n".encode("utf-16-le"))
    code, _, err = cli(capsys, database, "import", "accounts", str(src))
    assert code == 1 and "UTF-16 without a byte-order mark" in err


def test_progress_bar_only_on_a_terminal() -> None:
    import io

    from crm_tui.interop import csv_io

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert csv_io.progress_printer(io.StringIO()) is None
    stream = Tty()
    show = csv_io.progress_printer(stream)
    assert show is not None
    for read in range(1, 3001):
        show(read, 4000)
    assert "\rimporting [" in stream.getvalue() and "75%  3000 rows" in stream.getvalue()



def test_a_large_batch_is_searchable_and_later_leads_are_too(capsys, database, rep, cfg, tmp_path: Path) -> None:
    """A batch of 100+ leads is indexed for search in one pass after its insert
    (on SQLite the per-row trigger is set aside for the batch, then comes back)."""
    from crm_tui.domain import records, search

    body = "".join(f"Kim{i},Quasimodo{i},Zephyr{i} Ltd,kim{i}@zephyr.test,,web,\n" for i in range(150))
    code, out, _ = cli(capsys, database, "import", "leads", str(write(tmp_path / "many.csv", HEADER + body)))
    assert code == 0 and "imported 150 leads" in out
    for number in (0, 75, 149):  # first, middle, last of the batch
        found = [hit.id for hit in search.search(f"quasimodo{number}")]
        assert found == [Lead.get(Lead.last_name == f"Quasimodo{number}").id]
    later = records.create(rep, cfg, "lead", {"last_name": "Afterwards", "company": "Trigger Check"})
    assert [hit.id for hit in search.search("afterwards")] == [later.id]
