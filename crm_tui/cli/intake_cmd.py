"""`crm intake [FILE]`, `crm intake serve`, `crm intake retry`, `crm intake counts`.

`crm intake` reads one lead capture as a JSON object from a file or standard
input (for a site's form handler or a mail filter to pipe into), stores it,
and then sends the automatic replies owed, this one and any that failed
before. Exit 0 once the lead is stored, even when a reply could not be sent
yet (a mail filter must not deliver the capture again); exit 1 when the
capture was refused, with the field at fault, and nothing was written.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from crm_tui.cli import CommandError, Context, UsageError
from crm_tui.cli.output import add_format_flags, emit

MIN_TOKEN_LENGTH = 16


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "intake", parents=[common], help="capture a lead from a web form (JSON), or serve the form endpoint",
        description="Read one lead capture as a JSON object from FILE (default: standard input), "
                    "or run an ACTION: serve, retry, counts.",
    )
    parser.add_argument("file", nargs="?", default="-", metavar="FILE|ACTION",
                        help="a JSON file, - for standard input (default), or serve / retry / counts")
    parser.add_argument("--listen", metavar="HOST:PORT", default="127.0.0.1:8740",
                        help="serve: where to listen (default 127.0.0.1:8740; keep it on loopback)")
    parser.add_argument("--days", type=int, default=30, help="counts: the period, in days (default 30)")
    add_format_flags(parser, quiet=False)
    parser.set_defaults(func=_run)


def _run(ctx: Context) -> int:
    action = ctx.args.file
    if action == "serve":
        return _serve(ctx)
    ctx.open()
    if action == "retry":
        return _retry(ctx)
    if action == "counts":
        return _counts(ctx)
    return _capture(ctx, action)


def _read(source: str) -> bytes:
    if source == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {source}: {exc.strerror}") from None


def _capture(ctx: Context, source: str) -> int:
    from crm_tui.domain.errors import DomainError
    from crm_tui.interop import intake as intake_io

    try:
        data = intake_io.decode(_read(source), intake_io.JSON)
        received = intake_io.capture(ctx.config, data)
    except intake_io.PayloadError as exc:
        raise CommandError(f"{source}: {exc}; nothing was stored") from None
    except DomainError as exc:
        where = f" ({exc.field})" if exc.field else ""
        raise CommandError(f"{source}: {exc}{where}; nothing was stored") from None
    what = "new lead" if received.created else "touch added to lead"
    line = f"{what} {received.lead_id}"
    line += f", assigned to {received.assignee} ({received.assigned_by})" if received.assignee else ", unassigned"
    if received.first_call_id:
        line += f", first call #{received.first_call_id}"
    if received.reply_template:
        line += f", reply {received.reply_template!r} queued"
    print(line)
    if received.assignee is None:
        print("crm: nobody could be assigned (no active rep and no rule matched); "
              "the lead is in the shared pool", file=sys.stderr)
    _send(ctx, strict=False)
    return 0


def _send(ctx: Context, *, strict: bool) -> int:
    from crm_tui.domain import runlock
    from crm_tui.interop import intake as intake_io

    try:
        report = intake_io.send_replies(ctx.config)
    except runlock.RunBusy as exc:
        if strict:
            raise CommandError(str(exc)) from None
        return 0  # the run holding the lock sends them
    for lead_id, to in report.sent:
        print(f"reply sent to {to} (lead {lead_id})")
    for lead_id, why in report.failed:
        print(f"crm: reply to lead {lead_id} not sent: {why}; it will be retried", file=sys.stderr)
    hours = ctx.config.intake.reply_within_hours
    for lead_id in report.given_up:
        print(f"crm: reply to lead {lead_id} given up: not sent within {hours:g} hours of the capture",
              file=sys.stderr)
    if strict and not report.sent and not report.failed and not report.given_up:
        print("no replies owed")
    return 1 if report.failed else 0


def _retry(ctx: Context) -> int:
    return _send(ctx, strict=True)


def _counts(ctx: Context) -> int:
    import datetime as dt

    from crm_tui import clock
    from crm_tui.domain import intake

    if ctx.args.days <= 0:
        raise UsageError("--days must be 1 or more")
    since = clock.utcnow_naive() - dt.timedelta(days=ctx.args.days)
    rows = [
        {"source": row.source, "campaign": row.campaign, "received": row.received, "new_leads": row.new_leads,
         "converted": row.converted}
        for row in intake.counts(since)
    ]
    emit(rows, ["source", "campaign", "received", "new_leads", "converted"], ctx.args.format,
         empty=f"no captures in the last {ctx.args.days} days")
    return 0


def token(ctx: Context) -> str:
    """The shared secret: CRM_INTAKE_TOKEN, else the file `[intake] token_file` names."""
    value = os.environ.get("CRM_INTAKE_TOKEN", "")
    path = ctx.config.intake.token_file
    if not value and path:
        try:
            value = Path(path).expanduser().read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise CommandError(f"cannot read the intake token file {path}: {exc.strerror}") from None
    if len(value) < MIN_TOKEN_LENGTH:
        raise CommandError(
            f"set a token of at least {MIN_TOKEN_LENGTH} characters in CRM_INTAKE_TOKEN or "
            "[intake] token_file (e.g. from: python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    return value


def parse_listen(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"--listen: expected HOST:PORT like 127.0.0.1:8740, got {text!r}")
    return host, int(port)


def _serve(ctx: Context) -> int:
    from crm_tui.interop import intake_http

    host, port = parse_listen(ctx.args.listen)
    secret = token(ctx)
    ctx.open()
    try:
        server = intake_http.make_server(ctx.config, host, port, secret)
    except OSError as exc:
        raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(f"crm intake: listening on http://{ctx.args.listen}{ctx.config.intake.path}", file=sys.stderr, flush=True)
    try:
        intake_http.serve(server)
    except KeyboardInterrupt:
        print("crm intake: stopped", file=sys.stderr)
    return 0
