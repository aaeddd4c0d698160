"""Rendering a record's one-screen context (domain.context) as one Rich block.

Used by queue mode on Today; a plain function, not a widget, so any Static
can show it. User data goes in `Text`, never markup.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from crm_tui.domain.context import RecordContext


def render_context(found: RecordContext) -> RenderableType:
    """Fields beside open activities, then the recent timeline and what is still to ask."""
    title = Text(found.label, style="bold")
    if found.snoozed:
        title.append(f"   snoozed {found.snoozed}", style="italic yellow")
    fields = Table.grid(padding=(0, 2))
    fields.add_column(style="dim", no_wrap=True)
    fields.add_column()
    for label, value in found.fields:
        fields.add_row(Text(label), Text(value))
    parts: list[RenderableType] = [title, Text(""), fields]
    parts.append(Text("\nOpen activities", style="bold"))
    if found.open_activities:
        for activity in found.open_activities:
            line = Text(f"  {activity.day:%a %d %b}" + (f" {activity.time}" if activity.time else "") + "  ")
            line.append(f"{activity.type}: {activity.subject}")
            line.append(f"  {activity.owner}", style="dim")
            parts.append(line)
    else:
        parts.append(Text("  none", style="dim"))
    parts.append(Text("\nRecent", style="bold"))
    if found.recent:
        for entry in found.recent:
            line = Text(f"  {entry.at}  ", style="dim")
            line.append(entry.title)
            if entry.detail:
                line.append(f" · {entry.detail}", style="dim")
            parts.append(line)
    else:
        parts.append(Text("  nothing yet", style="dim"))
    if found.missing_answers:
        parts.append(Text("\nStill to ask", style="bold"))
        parts.append(Text("  " + ", ".join(found.missing_answers)))
    return Group(*parts)
