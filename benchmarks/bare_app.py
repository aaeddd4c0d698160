"""The yardstick for first paint and memory: a bare Textual app that paints
one static label. Launched in the same terminal, the same way, as crm."""

from textual.app import App, ComposeResult
from textual.widgets import Label

READY = "bare textual app ready"


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Label(READY)


if __name__ == "__main__":
    BareApp().run()
