"""The import dialog: same import and report as the CLI, from the command palette."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Select

from crm_tui.models import Contact, Lead, User
from crm_tui.ui.app import make_app
from crm_tui.ui.dialogs.import_file import ImportFileDialog


async def _run_import(app, pilot, path: Path, kind: str = "leads") -> str:  # type: ignore[no-untyped-def]
    app.action_import_file()
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, ImportFileDialog)
    dialog.query_one("#import-kind", Select).value = kind
    dialog.query_one("#import-path", Input).value = str(path)
    await pilot.click("#import-run")
    await app.workers.wait_for_complete()
    await pilot.pause()
    return str(dialog.query_one("#import-report").render())


async def test_import_leads_from_the_dialog(rep: User, tmp_path: Path) -> None:
    src = tmp_path / "leads.csv"
    src.write_text("First Name,Last Name,Company,Email\nAnn,Smith,Acme,ann@acme.test\nBob,Jones,Beta,bob@\n",
                   encoding="utf-8")
    app = make_app(rep)
    async with app.run_test(size=(100, 34)) as pilot:
        report = await _run_import(app, pilot, src)
        assert "imported 1 lead, skipped 0 duplicates, rejected 1" in report
        assert "line 3: rejected, 'bob@' is not an email address" in report
        assert "leads.rejects.csv" in report
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ImportFileDialog)
    assert [lead.email for lead in Lead.select()] == ["ann@acme.test"]
    assert (tmp_path / "leads.rejects.csv").exists()


async def test_a_file_that_cannot_be_read_is_reported(rep: User, tmp_path: Path) -> None:
    app = make_app(rep)
    async with app.run_test(size=(80, 24)) as pilot:
        report = await _run_import(app, pilot, tmp_path / "missing.vcf", kind="vcf")
        assert "Nothing imported" in report and "no such file" in report
    assert Contact.select().count() == 0


async def test_the_palette_offers_the_import(rep: User) -> None:
    app = make_app(rep)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Import a file" in titles


async def test_meetings_from_a_calendar_linked_to_a_record(rep: User, tmp_path: Path) -> None:
    from crm_tui.models import Activity

    lead = Lead.create(last_name="Target", owner=rep)
    src = tmp_path / "m.ics"
    src.write_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Demo [EU]\r\n"
                    b"DTSTART:20261124T090000Z\r\nDURATION:PT1H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    app = make_app(rep)
    async with app.run_test(size=(100, 34)) as pilot:
        app.action_import_file()
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#import-kind", Select).value = "ics"
        await pilot.pause()
        assert dialog.query_one("#import-record").display
        dialog.query_one("#import-path", Input).value = str(src)
        dialog.query_one("#import-record", Input).value = f"lead:{lead.id}"
        await pilot.click("#import-run")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "imported 1 activity" in str(dialog.query_one("#import-report").render())
    meeting = Activity.get()
    assert (meeting.subject, meeting.record_id, meeting.duration_min) == ("Demo [EU]", lead.id, 60)
