"""Snooze keys on every record's detail view: `z` parks the record with a
reason until a day, `Z` ends the snooze; a "Snoozed" panel says until when
and why. Registered through record_detail's extension API (imported by
ui/app.py)."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text

from crm_tui.domain import records, snooze
from crm_tui.models import RECORD_KINDS
from crm_tui.ui.dialogs.snooze import SnoozeDialog
from crm_tui.ui.screens.record_detail import DetailAction, DetailSection, RecordDetailScreen, register_action, register_section


def _kind_of(record: object) -> str:
    return next(kind for kind in RECORD_KINDS if isinstance(record, records.model_for(kind)))


def _open_snooze(screen: RecordDetailScreen) -> None:
    def finished(result: bool | None) -> None:
        if result:
            screen.notify("Snoozed: its exceptions leave your list until then")
            screen.changed()

    screen.app.push_screen(SnoozeDialog(screen.kind, screen.record_id, records.display_name(screen.record)),
                           finished)


def _unsnooze(screen: RecordDetailScreen) -> None:
    if screen.attempt(snooze.unsnooze, screen.session.user, screen.kind, screen.record_id) is not None:
        screen.notify("Snooze ended")
        screen.changed()


def _render(screen: RecordDetailScreen) -> RenderableType:
    item = snooze.get(screen.kind, screen.record_id)
    if item is None:
        return Text("not snoozed · z to park it with a reason", style="dim")
    text = Text(f"until {item.until:%a %d %b %Y}: ", style="bold")
    text.append(item.reason)
    text.append(f"\nby {item.by} · Z ends it", style="dim")
    return text


register_action(RECORD_KINDS, DetailAction(
    key="z", id="record.snooze", description="Snooze",
    tooltip="Park this record until a day, with a reason (managers see it parked)",
    run=_open_snooze,
))
register_action(RECORD_KINDS, DetailAction(
    key="Z", id="record.unsnooze", description="Unsnooze", tooltip="End this record's snooze now",
    run=_unsnooze, available=lambda record: snooze.get(_kind_of(record), record.id) is not None,
))
register_section(RECORD_KINDS, DetailSection(id="snooze", title="Snoozed", render=_render))
