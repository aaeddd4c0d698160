"""The base of the dialogs that send one email (compose an email, send a quote).

Talking to the SMTP server can take seconds, so it runs off the UI thread
while the dialog shows "sending through …" (class `-sending`); what the
dialog records (an email logged, a quote marked sent) happens on the UI
thread only after the server accepted the message. A failed send is shown
in the dialog, which stays open with everything typed, and changes nothing.
"""

from __future__ import annotations

from typing import Callable, TypeVar

from textual import work

from crm_tui.interop import mail
from crm_tui.ui.dialogs.modal import CrmDialog

R = TypeVar("R")


class MailDialog(CrmDialog[R]):
    NOT_SENT = "not sent, nothing changed"
    """What the error line says before the server's reason when a send fails."""

    sending = False

    def send(self, to: str, subject: str, body: str, then: Callable[[], None]) -> None:
        """Send in the background; call `then` on the UI thread once the server took it."""
        if self.sending:
            return
        self.sending = True
        self.set_class(True, "-sending")
        self.show_error(f"sending through {self.config.smtp.host or '(no server)'}…")
        self._send(to, subject, body, then)

    @work(thread=True, exclusive=True, exit_on_error=False, group="mail")
    def _send(self, to: str, subject: str, body: str, then: Callable[[], None]) -> None:
        try:
            mail.send_message(self.config.smtp, to, subject, body, sender=mail.sender_for(self.user, self.config))
        except mail.MailError as exc:
            self.app.call_from_thread(self._sent, None, str(exc))
            return
        self.app.call_from_thread(self._sent, then, "")

    def _sent(self, then: Callable[[], None] | None, error: str) -> None:
        self.sending = False
        self.set_class(False, "-sending")
        if then is None:
            self.show_error(f"{self.NOT_SENT}: {error}")
        else:
            then()
