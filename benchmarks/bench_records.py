"""Records at scale: search per keystroke, keyset page fetches, and opening a
record with a long timeline, on 100,000 records (SQLite by default).

    python benchmarks/bench_records.py [--db PATH|URL] [--records 100000] [--timeline 3000] [--ui]

Builds a fresh database (rows fed to cursor.executemany in one transaction,
the SQLite search index built in one pass after the load), then prints a
table of medians and maxima. Targets: search < 50 ms per keystroke, a page
fetch < 5 ms, a record with thousands of timeline entries opening < 100 ms.
`--ui` also drives the real app headless (Records screen and detail view),
next to a bare Header/Footer screen push measured in the same run as the floor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crm_tui import clock, db, schema  # noqa: E402
from crm_tui.domain import history, records, search  # noqa: E402
from crm_tui.domain.records import Filters  # noqa: E402

FIRST = ["Kim", "Ada", "Lou", "Max", "Eva", "Jon", "Mia", "Ben", "Zoe", "Tom", "Ina", "Ole", "Pia", "Raj", "Sam"]
LAST = ["Ng", "Lovelace", "Reed", "Mayer", "Schmidt", "Nguyen", "Garcia", "Okafor", "Tanaka", "Novak", "Rossi",
        "Kowalski", "Jensen", "Silva", "Khan", "Meyer", "Fischer", "Weber", "Wagner", "Becker"]
WORDS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Tyrell", "Cyberdyne",
         "Soylent", "Wonka", "Gringotts", "Oscorp", "Aperture", "Monarch", "Nakatomi", "Pied", "Piper", "Dunder"]
SUFFIX = ["GmbH", "AG", "Ltd", "Inc", "SA", "BV", "Oy", "KG"]


def timed(fn: Callable[[], Any], repeat: int = 1) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def insert(table: str, columns: list[str], rows: list[tuple]) -> None:
    param = db.database.obj.param
    quoted = ", ".join('"' + column + '"' for column in columns)
    sql = f'INSERT INTO "{table}" ({quoted}) VALUES ({", ".join([param] * len(columns))})'
    cursor = db.database.obj.cursor()
    cursor.executemany(sql, rows)


def build(n: int, timeline_size: int, rnd: random.Random) -> dict[str, Any]:
    database = db.database.obj
    schema.drop_search_index(database)
    now = dt.datetime(2026, 11, 18, 9)
    users = [(f"user{i}", f"User {i}", "rep", "Europe/Berlin", "420,420,420,420,420,0,0", True, "", "", 1, now, now)
             for i in range(20)]
    counts = {"lead": n * 40 // 100, "account": n * 20 // 100, "contact": n * 25 // 100,
              "opportunity": n * 10 // 100, "case": n * 5 // 100}

    def company() -> str:
        return f"{rnd.choice(WORDS)} {rnd.choice(WORDS)} {rnd.choice(SUFFIX)}"

    def phone() -> str:
        return rnd.choice(["+49 30 ", "030 ", "+1 555 ", "+44 20 "]) + f"{rnd.randrange(10**7):07d}"

    def stamp(i: int) -> dt.datetime:
        return now - dt.timedelta(minutes=i * 3)

    def touched() -> dt.datetime | None:
        return now - dt.timedelta(hours=rnd.randrange(2000)) if rnd.random() < 0.7 else None

    with database.atomic():
        insert("user", ["login", "display_name", "role", "time_zone", "capacity", "active", "email", "phone", "version",
                        "created_at", "updated_at"], users)
        owner = lambda: rnd.randrange(1, 21)  # noqa: E731
        insert("account", ["name", "industry", "website", "email", "phone", "city", "country", "owner_id",
                           "last_touch_at", "version", "created_at", "updated_at"],
               [(company(), "", "", f"info{i}@example{i % 997}.test", phone(), "Berlin", "DE", owner(), touched(), 1,
                 stamp(i), stamp(i)) for i in range(counts["account"])])
        insert("contact", ["first_name", "last_name", "account_id", "title", "email", "phone", "owner_id",
                           "last_touch_at", "version", "created_at", "updated_at"],
               [(rnd.choice(FIRST), rnd.choice(LAST), rnd.randrange(1, counts["account"] + 1), "",
                 f"c{i}@example{i % 997}.test", phone(), owner(), touched(), 1, stamp(i), stamp(i))
                for i in range(counts["contact"])])
        insert("lead", ["first_name", "last_name", "company", "title", "email", "phone", "status", "source",
                        "original_source", "owner_id", "last_touch_at", "version", "created_at", "updated_at"],
               [(rnd.choice(FIRST), rnd.choice(LAST), company(), "", f"p{i}@lead{i % 991}.test", phone(),
                 rnd.choice(["new", "working", "qualified"]), "web", "web", owner(), touched(), 1, stamp(i), stamp(i))
                for i in range(counts["lead"])])
        insert("opportunity", ["name", "account_id", "step", "currency", "probability", "state", "close_reason",
                               "owner_id", "last_touch_at", "version", "created_at", "updated_at"],
               [(f"{rnd.choice(WORDS)} deal {i}", rnd.randrange(1, counts["account"] + 1),
                 rnd.choice(["discovery", "demo", "proposal"]), "EUR", 10, "open", "", owner(), touched(), 1,
                 stamp(i), stamp(i)) for i in range(counts["opportunity"])])
        insert("support_case", ["subject", "account_id", "description", "priority", "status", "escalation_reason",
                                "owner_id", "last_touch_at", "version", "created_at", "updated_at"],
               [(f"{rnd.choice(['Printer', 'Login', 'Invoice', 'Export'])} problem {i}",
                 rnd.randrange(1, counts["account"] + 1), "", "normal", "open", "", owner(), touched(), 1,
                 stamp(i), stamp(i)) for i in range(counts["case"])])
        # One account with a long history: its contacts' activities, notes and edits.
        busy = 1
        children = [cid for (cid,) in database.execute_sql(
            "SELECT id FROM contact WHERE account_id = 1").fetchall()] or [1]
        third = timeline_size // 3
        insert("activity", ["type", "subject", "owner_id", "record_kind", "record_id", "planned_date", "priority",
                            "fixed", "status", "outcome", "notes", "completed_at", "cancel_reason", "followup",
                            "version", "created_at", "updated_at"],
               [("call", f"Call {i}", 1, "contact", rnd.choice(children), (now - dt.timedelta(days=i // 5)).date(),
                 2, False, "done", "connected", "", now - dt.timedelta(hours=i), "", "none", 1, now, now)
                for i in range(third)])
        insert("note", ["record_kind", "record_id", "kind", "body", "author_id", "created_at", "updated_at"],
               [("account", busy, "general", f"Note {i} " + "words " * 20, 1, now - dt.timedelta(hours=i, minutes=7),
                 now) for i in range(third)])
        insert("audit_event", ["at", "user_id", "change", "table", "row_id", "action", "changes", "undone"],
               [(now - dt.timedelta(hours=i, minutes=13), 2, f"c{i}", "account", busy, "update",
                 '{"city": ["Berlin", "Hamburg"]}', False) for i in range(timeline_size - 2 * third)])
    with database.atomic():
        schema.install_search_index(database)
    database.execute_sql("ANALYZE")  # fresh statistics, as autovacuum / a nightly ANALYZE would leave them
    return counts


def type_word(word: str, repeat: int = 3) -> list[float]:
    """ms of search.search for each prefix of `word` from two characters: typing it."""
    per_key: list[float] = []
    for end in range(2, len(word) + 1):
        per_key += timed(lambda: search.search(word[:end]), repeat=repeat)
    return per_key


def open_record(kind: str, record_id: int) -> None:
    """What opening a record's detail view reads: the record, its related
    records and the first timeline page (101 rows: 100 shown, one to know there is more)."""
    records.get(kind, record_id)
    history.related(kind, record_id)
    history.timeline(kind, record_id, limit=101)


async def ui_timings() -> list[tuple[str, list[float]]]:
    """The app on this database: Records with every lead, window shifts, search, detail."""
    from textual.screen import Screen
    from textual.widgets import Footer, Header, Static

    from crm_tui.domain import users
    from crm_tui.ui.app import make_app
    from crm_tui.ui.widgets.windowed_table import WindowedTable

    class Bare(Screen):
        def compose(self):  # type: ignore[no-untyped-def]
            yield Header()
            yield Static("floor")
            yield Footer()

    out: list[tuple[str, list[float]]] = []
    app = make_app(users.get_user("user1"), start_mode="records")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        start = time.perf_counter()
        screen.action_toggle_mine()  # every owner's leads
        await pilot.pause()
        out.append(("ui: show all leads, first window (incl. a frame)", [(time.perf_counter() - start) * 1000]))
        table = screen.query_one("#records-table", WindowedTable)
        shifts = []
        for _ in range(10):
            table.move_cursor(row=table.row_count - 1)
            begin = time.perf_counter()
            table._shift_window()
            shifts.append((time.perf_counter() - begin) * 1000)
        out.append(("ui: window shift (fetch 100, redraw 300 rows)", shifts))
        screen.action_search()
        await pilot.pause()
        box = screen.query_one("#records-search")
        keys = []
        for query in ("ki", "kim", "kim ", "kim n", "kim ng", "ac", "acm", "acme"):
            box.value = query
            begin = time.perf_counter()
            screen._run_search()
            keys.append((time.perf_counter() - begin) * 1000)
        out.append(("ui: search + fill the table, per keystroke", keys))
        screen.action_clear_search()
        await pilot.pause()
        floor, detail = [], []
        for _ in range(5):
            begin = time.perf_counter()
            app.push_screen(Bare())
            await pilot.pause()
            floor.append((time.perf_counter() - begin) * 1000)
            app.pop_screen()
            await pilot.pause()
            begin = time.perf_counter()
            app.open_record("account", 1)
            await pilot.pause()
            detail.append((time.perf_counter() - begin) * 1000)
            app.pop_screen()
            await pilot.pause()
        out.append(("ui: floor, push a bare Header/Footer screen", floor))
        out.append(("ui: open the busy account's detail view", detail))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a SQLite path or postgresql:// URL (default: a temp file)")
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--timeline", type=int, default=3000, help="entries on the busy account's timeline")
    parser.add_argument("--ui", action="store_true", help="also time the Records screen and detail view headless")
    args = parser.parse_args()
    clock.freeze("2026-11-18T09:00:00+00:00")
    target = args.db or os.path.join(tempfile.mkdtemp(), "bench_records.db")
    db.open_database(target)
    if not db.is_sqlite():
        db.database.obj.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    schema.ensure_schema()
    rnd = random.Random(7)
    start = time.perf_counter()
    counts = build(args.records, args.timeline, rnd)
    build_s = time.perf_counter() - start
    results: list[tuple[str, list[float]]] = []

    for word in ("acme gmbh", "kim ng", "p4242@lead", "+49 30 12", "0301234", "printer prob"):
        results.append((f"search per keystroke {word!r}", type_word(word)))

    for sort in ("name", "-created", "last_touch", "-last_touch"):
        first = records.page("lead", Filters(), sort, None, 100)
        results.append((f"page lead {sort}: first 100", timed(lambda: records.page("lead", Filters(), sort, None, 100), 20)))
        results.append((f"page lead {sort}: next 100", timed(
            lambda: records.page("lead", Filters(), sort, first.keys[-1], 100), 20)))
        results.append((f"page lead {sort}: last 100 (end)", timed(
            lambda: records.page("lead", Filters(), sort, None, 100, backward=True), 20)))
    results.append(("page lead mine, status=new", timed(
        lambda: records.page("lead", Filters(owner_id=3, status="new"), "name", None, 100), 20)))
    results.append(("count leads (all)", timed(lambda: records.count("lead"), 10)))
    results.append(("count leads (mine)", timed(lambda: records.count("lead", Filters(owner_id=3)), 10)))

    results.append((f"open account with {args.timeline:,} timeline entries",
                    timed(lambda: open_record("account", 1), 10)))
    results.append(("timeline next page (offset 100)", timed(lambda: history.timeline("account", 1, limit=101, offset=100), 10)))

    if args.ui:
        import asyncio

        results += asyncio.run(ui_timings())

    backend = "SQLite" if db.is_sqlite() else "PostgreSQL"
    print(f"\nRecords benchmark · {backend} · {sum(counts.values()):,} records "
          f"({', '.join(f'{k} {v:,}' for k, v in counts.items())}) · built in {build_s:.1f} s\n")
    print(f"{'what':<52} {'median ms':>10} {'max ms':>9}")
    print("-" * 73)
    for name, values in results:
        print(f"{name:<52} {statistics.median(values):>10.2f} {max(values):>9.2f}")
    db.close()
    return 0


# --- Registered with the runner (benchmarks/run.py) on its shared database.

from benchmarks.framework import Env, Result, benchmark, median_time  # noqa: E402


def _typed_words() -> list[str]:
    """What a user would type on this database: a lead's name, a company, an email, a phone."""
    from crm_tui.models import Account, Lead

    lead = Lead.select().order_by(Lead.id).offset(Lead.select().count() // 2).first()
    account = Account.select().order_by(Account.id).first()
    words = [f"{lead.first_name} {lead.last_name}".lower(), account.name.lower()[:14]]
    words += [value for value in (lead.email[:10], lead.phone[:9]) if value]
    return [word for word in words if len(word) >= 2]


@benchmark
def search_per_keystroke(env: Env) -> Result:
    """Search as you type over every record (FTS), per keystroke: target < 50 ms (median; max in the note)."""
    with env.opened():
        words = _typed_words()
        type_word(words[0], 1)  # warm the page cache
        per_key = [ms for word in words for ms in type_word(word, env.size.repeats)]
    return Result(statistics.median(per_key), "ms", target=50.0, floor=f"max {max(per_key):.1f} ms",
                  note=f"{len(per_key)} keystrokes typing {', '.join(repr(w) for w in words)}")


@benchmark
def records_page_fetch(env: Env) -> Result:
    """A 100-row keyset page of all leads by name, and the next one: target < 5 ms."""
    with env.opened():
        first = records.page("lead", Filters(), "name", None, 100)
        seconds = median_time(lambda: records.page("lead", Filters(), "name", first.keys[-1], 100),
                              env.size.repeats * 4)
        count = median_time(lambda: records.count("lead"), env.size.repeats)
        cpu = []
        for _ in range(env.size.repeats * 4):
            used = time.process_time()
            records.page("lead", Filters(), "name", first.keys[-1], 100)
            cpu.append((time.process_time() - used) * 1000)
    return Result(seconds * 1000, "ms", target=5.0, floor=f"count(all leads) {count * 1000:.1f} ms",
                  note=f"CPU {statistics.median(cpu):.1f} ms")


@benchmark
def open_long_timeline(env: Env) -> Result:
    """Open the record with the longest timeline (record, related, first page): target < 100 ms."""
    with env.opened():
        kind, record_id, entries = db.database.obj.execute_sql(
            "SELECT record_kind, record_id, COUNT(*) FROM activity GROUP BY record_kind, record_id "
            "ORDER BY COUNT(*) DESC LIMIT 1").fetchone()
        seconds = median_time(lambda: open_record(kind, record_id), env.size.repeats * 2)
    return Result(seconds * 1000, "ms", target=100.0,
                  note=f"{kind} {record_id} with {entries:,} activities on its timeline (plus notes and edits)")


if __name__ == "__main__":
    raise SystemExit(main())
