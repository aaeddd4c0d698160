"""`crm templates` and `crm knowledge`: manage what reps compose from and look up."""

from pathlib import Path

import pytest

from crm_tui.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_templates_add_show_and_refuse_unknown_fields(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "crm.db")
    body = tmp_path / "body.txt"
    body.write_text("Hi {contact.first_name},\nthanks.\n")
    code, out, _ = run(capsys, "templates", "add", "Thanks", "--subject", "Hi {contact.first_name}",
                       "--body-file", str(body), "--db", db, "--user", "ann")
    assert code == 0 and "added template 'Thanks'" in out
    code, out, err = run(capsys, "templates", "list", "--db", db, "--user", "ann")
    assert out.strip() == "Thanks\tHi {contact.first_name}" and "{account.name}" in err
    body.write_text("Dear {contact.salary}")
    code, _, err = run(capsys, "templates", "set", "Thanks", "--body-file", str(body), "--db", db, "--user", "ann")
    assert code == 1 and err.strip() == "crm: unknown merge field {contact.salary}; use {{ and }} for literal braces"
    code, out, _ = run(capsys, "templates", "show", "Thanks", "--db", db, "--user", "ann")
    assert out == "Subject: Hi {contact.first_name}\n\nHi {contact.first_name},\nthanks.\n"


def test_knowledge_add_search_show(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "crm.db")
    text = tmp_path / "refunds.txt"
    text.write_text("Refunds above 500 EUR need a manager.")
    code, out, _ = run(capsys, "knowledge", "add", "Refunds", "--body-file", str(text), "--tags", "Policy, refunds",
                       "--db", db, "--user", "ann")
    assert code == 0 and out.startswith("added article 1")
    code, out, _ = run(capsys, "knowledge", "search", "manager", "--db", db, "--user", "ann")
    assert out == "1\tRefunds\tpolicy,refunds\n"
    code, out, _ = run(capsys, "knowledge", "set", "1", "--title", "Refund policy", "--db", db, "--user", "ann")
    assert out.strip() == "updated article 1 to version 2"
    code, _, err = run(capsys, "knowledge", "show", "9", "--db", db, "--user", "ann")
    assert code == 1 and err.strip() == "crm: article 9 does not exist"
