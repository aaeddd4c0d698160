"""The import dialog: the same imports as `crm import`, from inside the app.

Opened from the command palette ("Import a file"). It runs the import in a
thread worker (a 100k-row file takes seconds), shows a progress bar, then
the same report the CLI prints: imported, skipped, rejected with line and
reason, and where the rejects file went. Dismisses with the Outcome, or
None when closed before importing.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, Select, Static

from crm_tui import db
from crm_tui.config import Config
from crm_tui.domain import importing
from crm_tui.domain.errors import DomainError
from crm_tui.interop import imports
from crm_tui.interop.textfile import FileProblem
from crm_tui.models import User

PROGRESS_EVERY = 1000


class ImportFileDialog(ModalScreen[imports.Outcome | None]):
    BINDINGS = [
        Binding("escape", "close", "Close", id="import.close", tooltip="Close the import dialog"),
    ]

    def __init__(self, user: User, config: Config) -> None:
        super().__init__()
        self.user = user
        self.config = config
        self.outcome: imports.Outcome | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="import-dialog"):
            yield Label("Import a file", id="import-title")
            yield Select([(label, kind) for kind, label in imports.LABELS.items()], value="leads",
                         allow_blank=False, id="import-kind")
            yield Input(placeholder="path of the file, e.g. ~/leads.csv", id="import-path")
            yield Input(placeholder="link meetings to a record, e.g. contact:12 (else matched by e-mail)",
                        id="import-record")
            yield Checkbox("Dry run: check and report, write nothing", id="import-dry-run")
            with VerticalScroll(id="import-report-box"):
                yield Static("", id="import-report", markup=False)
            with Horizontal(id="import-buttons"):
                yield ProgressBar(id="import-progress", show_eta=False)
                yield Button("Import", id="import-run", variant="primary")
                yield Button("Close", id="import-close")

    def on_mount(self) -> None:
        self.query_one("#import-record").display = False
        self.query_one("#import-progress").display = False
        self.query_one("#import-path", Input).focus()

    @on(Select.Changed, "#import-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        self.query_one("#import-record").display = event.value == "ics"

    @on(Input.Submitted, "#import-path")
    @on(Input.Submitted, "#import-record")
    @on(Button.Pressed, "#import-run")
    def _start(self) -> None:
        text = self.query_one("#import-path", Input).value.strip()
        if not text:
            self._show(Text("Give the path of the file to import.", style="bold"))
            return
        what = str(self.query_one("#import-kind", Select).value)
        record = self.query_one("#import-record", Input).value.strip() if what == "ics" else ""
        dry_run = self.query_one("#import-dry-run", Checkbox).value
        self.query_one("#import-run", Button).disabled = True
        bar = self.query_one("#import-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self._show(Text(f"Importing {text} ..."))
        self._import(what, Path(text).expanduser(), dry_run, record)

    @work(thread=True, exclusive=True, exit_on_error=False, group="import")
    def _import(self, what: str, path: Path, dry_run: bool, record_text: str) -> None:
        def progress(read: int, total: int) -> None:
            if read % PROGRESS_EVERY == 0:
                self.app.call_from_thread(self._progress, read, total)

        try:
            with db.connection():
                record = importing.parse_record_ref(record_text) if record_text else None
                outcome = imports.run(what, path, actor=self.user, config=self.config, dry_run=dry_run,
                                      record=record, progress=progress)
        except (FileProblem, DomainError, db.DatabaseError) as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._finished, outcome)

    def _progress(self, read: int, total: int) -> None:
        self.query_one("#import-progress", ProgressBar).update(total=total, progress=read)

    def _failed(self, message: str) -> None:
        self.query_one("#import-progress").display = False
        self.query_one("#import-run", Button).disabled = False
        self._show(Text(f"Nothing imported: {message}", style="bold"))

    def _finished(self, outcome: imports.Outcome) -> None:
        self.outcome = outcome
        bar = self.query_one("#import-progress", ProgressBar)
        bar.update(total=1, progress=1)
        self.query_one("#import-run", Button).disabled = False
        text = Text(outcome.headline + "\n", style="bold")
        for line in outcome.details:
            text.append(line + "\n")
        for warning in outcome.warnings:
            text.append(f"warning: {warning}\n", style="italic")
        self._show(text)
        changed = getattr(self.app, "changed", None)
        if callable(changed):
            changed()

    def _show(self, text: Text) -> None:
        self.query_one("#import-report", Static).update(text)

    @on(Button.Pressed, "#import-close")
    def action_close(self) -> None:
        self.dismiss(self.outcome)
