"""`crm intake serve`: the lead capture endpoint, one POST path and nothing else.

Why the standard library's `http.server.ThreadingHTTPServer`: the endpoint
takes one small POST from the site's web server (nginx) on loopback; it
needs no routing, templates, TLS or HTTP/2 (the web server in front does
those), and it is the one HTTP stack that ships with Python, is maintained
with it and adds no dependency to a CRM installed on a shared server. The
handler below is deliberately tight around it:

- only `[intake] path` exists: other paths 404, other methods on it 405;
- a per-client rate limit (429 with Retry-After) before anything else, then a
  bearer token compared with `hmac.compare_digest` (401);
- a body limit checked on Content-Length before reading (413; chunked
  bodies are refused with 411), a socket timeout against slow senders, and
  a cap on requests handled at once (503);
- JSON or form-encoded only (415), every field checked before anything is
  written (400 unreadable, 422 a bad or unknown field), answers as JSON.

The reply mailer runs in a thread of its own: after each capture, and every
`retry_minutes` for replies that failed, through the same locked sender as
`crm intake retry`.
"""

from __future__ import annotations

import hmac
import json
import socket
import sys
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from crm_tui import db
from crm_tui.config import Config
from crm_tui.domain import runlock
from crm_tui.domain.errors import DomainError
from crm_tui.interop import intake as intake_io

MAX_TRACKED_CLIENTS = 10000


class RateLimiter:
    """At most `per_minute` requests per client in any 60 seconds (a sliding window)."""

    def __init__(self, per_minute: int, window: float = 60.0) -> None:
        self.per_minute = per_minute
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str, now: float | None = None) -> float | None:
        """None if the request may go on, else the seconds until it may."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._hits) > MAX_TRACKED_CLIENTS:
                self._forget(now)
            hits = self._hits.setdefault(client, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return max(1.0, hits[0] + self.window - now)
            hits.append(now)
            return None

    def _forget(self, now: float) -> None:
        for client in [c for c, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]:
            del self._hits[client]


class IntakeServer(ThreadingHTTPServer):
    """The listener and what its handlers share: settings, token, limits, the mailer's wake-up."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], config: Config, token: str, *, quiet: bool = False) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.config = config
        self.token = token.encode("utf-8")
        self.limiter = RateLimiter(config.intake.rate_per_minute)
        self.slots = threading.BoundedSemaphore(config.intake.max_concurrent)
        self.wake = threading.Event()
        self.quiet = quiet
        super().__init__(address, IntakeHandler)


class IntakeHandler(BaseHTTPRequestHandler):
    server: IntakeServer
    server_version = "crm-intake"
    sys_version = ""
    timeout = 10  # seconds a client may take to send its request

    # ---- answers ------------------------------------------------------------

    def _answer(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.close_connection = True

    def _error(self, status: int, message: str, field: str | None = None,
               headers: dict[str, str] | None = None) -> None:
        payload: dict[str, Any] = {"error": message}
        if field:
            payload["field"] = field
        self._answer(status, payload, headers)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The base class's errors (bad request line, unknown method) as JSON too."""
        try:
            self._error(code, message or self.responses.get(code, ("error",))[0].lower())
        except OSError:
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        if not self.server.quiet:
            sys.stderr.write(f"crm intake: {self._client()} {format % args}\n")

    # ---- methods --------------------------------------------------------------

    def _not_here(self) -> None:
        if self.path.partition("?")[0] == self.server.config.intake.path:
            self._error(405, "only POST is accepted here", headers={"Allow": "POST"})
        else:
            self._error(404, "not found")

    do_GET = do_HEAD = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _not_here

    def do_POST(self) -> None:
        path, _, query = self.path.partition("?")
        if path != self.server.config.intake.path:
            self._error(404, "not found")
            return
        wait = self.server.limiter.allow(self._client())
        if wait is not None:
            self._error(429, "too many requests; slow down", headers={"Retry-After": str(int(wait + 0.999))})
            return
        if not self.server.slots.acquire(blocking=False):
            self._error(503, "busy; try again in a moment", headers={"Retry-After": "5"})
            return
        try:
            self._capture(query)
        finally:
            self.server.slots.release()

    # ---- the capture ----------------------------------------------------------

    def _client(self) -> str:
        peer = self.client_address[0] if self.client_address else "?"
        forwarded = self.headers.get("X-Forwarded-For", "") if getattr(self, "headers", None) else ""
        if forwarded and peer in self.server.config.intake.trusted_proxies:
            return forwarded.split(",")[-1].strip() or peer
        return peer

    def _authorised(self) -> bool:
        scheme, _, given = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(given.strip().encode("utf-8"), self.server.token)

    def _body(self) -> bytes | None:
        """The request body, or None after answering why it cannot be read."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self._error(411, "send a Content-Length; chunked bodies are not accepted")
            return None
        text = self.headers.get("Content-Length")
        if text is None:
            self._error(411, "a Content-Length is required")
            return None
        if not text.strip().isdigit():
            self._error(400, "bad Content-Length")
            return None
        length = int(text)
        limit = self.server.config.intake.max_body_bytes
        if length > limit:
            self._error(413, f"the body is larger than {limit} bytes")
            return None
        try:
            body = self.rfile.read(length)
        except (TimeoutError, socket.timeout):
            self._error(408, "the body did not arrive in time")
            return None
        if len(body) < length:
            self._error(400, "the body is shorter than its Content-Length")
            return None
        return body

    def _capture(self, query: str) -> None:
        if not self._authorised():
            self._error(401, "a valid token is required", headers={"WWW-Authenticate": "Bearer"})
            return
        if query:
            self._error(400, "send the fields in the body, not in the URL")
            return
        body = self._body()
        if body is None:
            return
        try:
            data = intake_io.decode(body, self.headers.get("Content-Type", ""))
        except intake_io.PayloadError as exc:
            self._error(exc.status, str(exc))
            return
        try:
            with db.connection():
                intake_io.capture(self.server.config, data)
        except DomainError as exc:
            self._error(422, str(exc), exc.field)
            return
        except db.DatabaseError as exc:
            db.recover()
            self._error(503, f"not stored, try again: {exc}", headers={"Retry-After": "30"})
            return
        except Exception as exc:  # noqa: BLE001 - a failing request must not take the listener down
            db.recover()
            sys.stderr.write(f"crm intake: not stored: {type(exc).__name__}: {exc}\n")
            self._error(500, "not stored: internal error")
            return
        self.server.wake.set()
        self._answer(202, {"status": "accepted"})


class ReplySender(threading.Thread):
    """Sends the replies owed after each capture, and retries failures every `retry_minutes`."""

    def __init__(self, server: IntakeServer) -> None:
        super().__init__(name="crm-intake-replies", daemon=True)
        self.server = server
        self.stopping = threading.Event()

    def run(self) -> None:
        interval = self.server.config.intake.retry_minutes * 60
        while not self.stopping.is_set():
            try:
                with db.connection():
                    report = intake_io.send_replies(self.server.config)
                for lead_id, why in report.failed:
                    sys.stderr.write(f"crm intake: reply to lead {lead_id} not sent: {why}; will retry\n")
            except runlock.RunBusy:
                pass  # `crm intake retry` is sending right now
            except Exception as exc:  # noqa: BLE001 - keep the listener serving; say why
                db.recover()
                sys.stderr.write(f"crm intake: replies not sent: {type(exc).__name__}: {exc}\n")
            self.server.wake.wait(interval)
            self.server.wake.clear()

    def stop(self) -> None:
        self.stopping.set()
        self.server.wake.set()


def make_server(config: Config, host: str, port: int, token: str, *, quiet: bool = False) -> IntakeServer:
    """Bind the listener (not yet serving)."""
    return IntakeServer((host, port), config, token, quiet=quiet)


def serve(server: IntakeServer) -> None:
    """Serve until interrupted (KeyboardInterrupt, or SIGTERM turned into one), mailing replies alongside."""
    sender = ReplySender(server)
    sender.start()
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        sender.stop()
        server.server_close()
        sender.join(timeout=15)
