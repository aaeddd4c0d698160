"""Presence in the app: "open by Max since HH:MM" on the detail view and the
Records row; this app's own heartbeat row comes and goes with the detail view."""

from __future__ import annotations

from textual.widgets import DataTable

from crm_tui.config import Config
from crm_tui.domain import presence
from crm_tui.models import Lead, Presence, User
from crm_tui.ui.app import make_app

CFG = Config(refresh_seconds=0.2, presence_seconds=5)  # beats in these tests come from the screens and the test


async def settle(app, pilot) -> None:  # noqa: ANN001
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_detail_view_shows_who_else_has_it_open(rep: User, manager: User) -> None:
    lead = Lead.create(first_name="Kim", last_name="Ng", owner=rep)
    presence.beat("max-app", manager, "lead", lead.id)
    since = Presence.get().opened_at
    app = make_app(rep, CFG)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.open_record("lead", lead.id)
        await settle(app, pilot)
        line = app.screen.query_one("#detail-presence")
        expected = presence.describe([presence.Viewer("max", "Max Mayer", since, "lead", lead.id)], "Europe/Berlin")
        assert expected.startswith("open by Max Mayer since ")
        assert str(line.render()) == expected and line.has_class("-shown")
        mine = Presence.get(Presence.user == rep.id)
        assert (mine.record_kind, mine.record_id, mine.session) == ("lead", lead.id, app.presence.session)

        presence.leave("max-app")  # Max closes it: the mark goes on the next beat
        app.presence.beat()
        await settle(app, pilot)
        assert not line.has_class("-shown")

        await pilot.press("escape")  # back to Today: this app's own mark goes too
        await settle(app, pilot)
        assert Presence.select().where(Presence.user == rep.id).count() == 0


async def test_records_row_shows_open_by(rep: User, manager: User) -> None:
    lead = Lead.create(first_name="Kim", last_name="Ng", owner=rep)
    Lead.create(first_name="Bo", last_name="Li", owner=rep)
    app = make_app(rep, CFG, start_mode="records")
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#records-table", DataTable)
        assert all(str(table.get_row_at(i)[-1]) == "" for i in range(table.row_count))
        presence.beat("max-app", manager, "lead", lead.id)
        app.presence.beat()
        await settle(app, pilot)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        kim = next(row for row in rows if "Kim" in " ".join(row))
        bo = next(row for row in rows if "Bo" in " ".join(row))
        assert kim[-1].startswith("open by Max Mayer since ") and bo[-1] == ""
