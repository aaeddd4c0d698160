"""Choose and open the database: SQLite (embedded default) or PostgreSQL.

`database` is the Peewee proxy every model is bound to; `open_database`
initialises it from a path or URL. Write transactions go through `atomic()`,
which begins IMMEDIATE on SQLite (so a writer waits for the lock up front
instead of failing mid-transaction) and retries with jitter when the file
stays locked past the busy timeout. SQLite writers of all our processes
first queue on an flock of `<db>-writer` (see `_SqliteDatabase`), so many
writers are served in turn instead of by luck. Never wait for another
thread's write while inside a transaction: it queues behind yours.
"""

from __future__ import annotations

import datetime
import fcntl
import functools
import os
import random
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar
from urllib.parse import unquote, urlparse

import peewee

database = peewee.DatabaseProxy()

BUSY_TIMEOUT_MS = 5000
LOCK_RETRIES = 6
# SQLite's page cache per connection, in KiB (negative: a size, not a page count).
# The default 2 MiB is smaller than what one run of the exception rules revisits
# on a large database (the lead and activity indexes several rules probe): 16 MiB
# reads 40 % fewer pages in a single run (42,000 -> 25,000 on the benchmark data).
# Pages are taken only as they are read, so a small database costs nothing more.
CACHE_KIB = 16384

T = TypeVar("T")


class DatabaseError(RuntimeError):
    """A database that cannot be opened or used; the message is for the user."""


class ReadOnlyError(DatabaseError):
    """A write was attempted on a read-only connection."""


@dataclass(frozen=True)
class Target:
    """Where the database is: a SQLite file or a PostgreSQL URL."""

    kind: str  # "sqlite" or "postgresql"
    location: str  # a file path, ":memory:", or the URL

    @property
    def label(self) -> str:
        if self.kind == "sqlite":
            return self.location
        parsed = urlparse(self.location)
        host = parsed.hostname or "localhost"
        return f"postgresql://{host}{':' + str(parsed.port) if parsed.port else ''}{parsed.path}"


def parse_target(value: str) -> Target:
    """A plain path, `sqlite:///path`, or `postgresql://...`."""
    value = value.strip()
    if not value:
        raise DatabaseError("no database given")
    if value.startswith(("postgresql://", "postgres://")):
        return Target("postgresql", value)
    if value.startswith("sqlite:"):
        # SQLAlchemy's convention: sqlite:///relative.db, sqlite:////absolute.db
        path = value[len("sqlite:"):]
        if path.startswith("//"):
            path = path[2:]
            if path.startswith("/"):
                path = path[1:]
        path = unquote(path)
        if not path:
            raise DatabaseError(f"no file in database URL {value!r}")
        return Target("sqlite", path)
    if "://" in value:
        raise DatabaseError(f"unsupported database URL {value!r}: use a path, sqlite:///path or postgresql://")
    return Target("sqlite", value)


def open_database(target: Target | str, *, readonly: bool = False, create: bool = True) -> peewee.Database:
    """Open and connect, so that a bad path or server is reported now, in one line."""
    if isinstance(target, str):
        target = parse_target(target)
    if target.kind == "sqlite":
        db = _open_sqlite(target.location, readonly=readonly, create=create)
    else:
        db = _open_postgresql(target.location, readonly=readonly)
    database.initialize(db)
    return db


class _SqliteDatabase(peewee.SqliteDatabase):
    """SQLite whose writers queue in the kernel instead of polling.

    SQLite's busy handler sleeps and retries, backing off to 100 ms naps,
    so with many writers a process that has waited a while polls rarely and
    newcomers overtake it (p99 of seconds with 50 writers on 2 cores). An
    exclusive flock() on `<db>-writer` taken before BEGIN IMMEDIATE makes
    writers wait in line, woken the moment the previous one commits; SQLite's
    own lock and busy timeout stay as the safety net (flock is advisory and
    only our processes take it). The lock file is released on commit and
    rollback, and by the kernel if the process dies.
    """

    crm_lock_path: str | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._writer = threading.local()  # connections are per thread; so is the held lock

    def begin(self, lock_type: str | None = None) -> None:
        lock_type = lock_type or self._lock_type
        if lock_type == "IMMEDIATE" and self.crm_lock_path:
            self._take_writer_lock()
        try:
            super().begin(lock_type)
        except BaseException:
            self._release_writer_lock()
            raise

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._release_writer_lock()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release_writer_lock()

    def _close(self, conn: Any) -> None:
        try:
            super()._close(conn)
        finally:
            self._release_writer_lock()  # never leave others queued behind a closed connection

    def _take_writer_lock(self) -> None:
        try:
            fd = os.open(self.crm_lock_path, os.O_RDONLY | os.O_CREAT, 0o660)  # flock needs no write access
        except OSError:
            return  # no lock file (read-only directory): SQLite's busy handler still serialises
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:
            os.close(fd)
            return
        self._writer.fd = fd

    def _release_writer_lock(self) -> None:
        fd = getattr(self._writer, "fd", None)
        self._writer.fd = None
        if fd is not None:
            os.close(fd)  # closing the descriptor drops the flock


# The same text the sqlite3 module's default adapters write (isoformat(" ") is
# str() for datetimes, isoformat() for dates), through a C function instead of
# a Python one per value: a bulk load writes millions of them.
sqlite3.register_adapter(datetime.datetime, datetime.datetime.__str__)
sqlite3.register_adapter(datetime.date, datetime.date.__str__)
# None and bool are not among the types sqlite3 binds without asking: for
# each one it looks up a registered adapter and then `__adapt__` and
# `__conform__` on the value (~0.5 us). An adapter of C functions that give
# the same NULL and 0/1 finds the answer at the first step: a bulk load binds
# a few million of them (`dict.get` of an empty dict returns None for any key).
sqlite3.register_adapter(type(None), {}.get)
sqlite3.register_adapter(bool, int)


def _open_sqlite(path: str, *, readonly: bool, create: bool) -> peewee.SqliteDatabase:
    memory = path == ":memory:"
    if not memory:
        file = Path(path).expanduser()
        if readonly or not create:
            if not file.exists():
                raise DatabaseError(f"database {file} does not exist")
        else:
            parent = file.parent
            try:
                parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseError(f"cannot create directory {parent}: {exc.strerror}") from None
            if not os.access(parent, os.W_OK | os.X_OK):
                raise DatabaseError(f"cannot write to {parent}: permission denied")
            if file.exists() and not os.access(file, os.R_OK | os.W_OK):
                raise DatabaseError(f"cannot open {file} for writing: permission denied")
            _create_shared(file)
        if file.exists() and file.is_dir():
            raise DatabaseError(f"{file} is a directory, not a database")
        path = str(file)
    pragmas: dict[str, Any] = {"busy_timeout": BUSY_TIMEOUT_MS, "foreign_keys": 1, "cache_size": -CACHE_KIB}
    if readonly:
        uri = f"file:{Path(path).absolute()}?mode=ro"
        db = peewee.SqliteDatabase(uri, uri=True, pragmas=pragmas, timeout=BUSY_TIMEOUT_MS / 1000)
    else:
        pragmas.update({"journal_mode": "wal", "synchronous": "normal"} if not memory else {})
        db = _SqliteDatabase(
            path, pragmas=pragmas, timeout=BUSY_TIMEOUT_MS / 1000, lock_type="IMMEDIATE"
        )
        if not memory:
            db.crm_lock_path = f"{path}-writer"
    db.crm_readonly = readonly  # type: ignore[attr-defined]
    db.crm_target = Target("sqlite", path)  # type: ignore[attr-defined]
    try:
        db.connect(reuse_if_open=True)
        db.execute_sql("SELECT count(*) FROM sqlite_master").fetchone()
    except peewee.DatabaseError as exc:
        db.close()
        raise DatabaseError(_sqlite_message(path, exc)) from None
    return db


def _create_shared(file: Path) -> None:
    """Create a new database file with mode 0666 minus the umask.

    SQLite itself creates files 0644, which a group cannot write whatever the
    umask; with the shared server's umask 007 this gives 0660, and SQLite
    gives the -wal and -shm files the database file's mode.
    """
    try:
        os.close(os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except FileExistsError:
        pass
    except OSError as exc:
        raise DatabaseError(f"cannot create {file}: {exc.strerror}") from None


def _sqlite_message(path: str, exc: Exception) -> str:
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return f"{path} is not a crm database (not a SQLite file, or damaged)"
    if "unable to open" in text:
        return f"cannot open {path}: check the path and its permissions"
    if "locked" in text:
        return f"{path} is locked by another program; try again in a moment"
    return f"cannot open {path}: {text}"


def _open_postgresql(url: str, *, readonly: bool) -> peewee.Database:
    try:
        import psycopg  # noqa: F401  (optional extra: pip install crm-tui[postgresql])
    except ImportError:
        raise DatabaseError(
            "PostgreSQL support is not installed: pip install 'crm-tui[postgresql]'"
        ) from None
    parsed = urlparse(url)
    name = (parsed.path or "/").lstrip("/")
    if not name:
        raise DatabaseError(f"no database name in {Target('postgresql', url).label}")
    params: dict[str, Any] = {"connect_timeout": 5}
    for key, value in (("user", parsed.username), ("password", parsed.password),
                       ("host", parsed.hostname), ("port", parsed.port)):
        if value:
            params[key] = unquote(str(value)) if isinstance(value, str) else value
    if readonly:
        params["options"] = "-c default_transaction_read_only=on"
    db = peewee.PostgresqlDatabase(unquote(name), prefer_psycopg3=True, **params)
    db.crm_readonly = readonly  # type: ignore[attr-defined]
    db.crm_target = Target("postgresql", url)  # type: ignore[attr-defined]
    try:
        db.connect(reuse_if_open=True)
    except peewee.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "connection refused"
        raise DatabaseError(f"cannot reach {Target('postgresql', url).label}: {first}") from None
    return db


def as_datetime(value: object) -> datetime.datetime:
    """A datetime from a driver's raw row or an expression (MAX, COALESCE):
    SQLite gives ISO text where PostgreSQL gives a datetime; a date is its midnight."""
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time())
    return datetime.datetime.fromisoformat(str(value))


def as_date(value: object) -> datetime.date:
    """A date from a driver's raw row or an expression; see `as_datetime`."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def is_sqlite() -> bool:
    return isinstance(database.obj, peewee.SqliteDatabase)


def is_readonly() -> bool:
    return bool(getattr(database.obj, "crm_readonly", False))


def _is_locked(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "database is locked" in text or "database table is locked" in text or "busy" in text


def atomic(fn: Callable[..., T]) -> Callable[..., T]:
    """Run a domain function as one short write transaction.

    Nested calls join the outer transaction. On SQLite a transaction that
    still finds the file locked after the busy timeout is retried a few
    times with jittered backoff, so "database is locked" never reaches a user.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        if is_readonly():
            raise ReadOnlyError("this session is read-only: nothing was changed")
        if database.obj.in_transaction():
            return fn(*args, **kwargs)
        delay = 0.02
        for attempt in range(LOCK_RETRIES + 1):
            _after.pending = []
            try:
                with database.atomic():
                    result = fn(*args, **kwargs)
                _run_after_commit()
                return result
            except (peewee.OperationalError, sqlite3.OperationalError) as exc:
                if not _is_locked(exc) or attempt == LOCK_RETRIES:
                    if _is_locked(exc):
                        raise DatabaseError("the database stayed busy; nothing was changed, try again") from None
                    if "readonly" in str(exc).lower() or "read-only" in str(exc).lower():
                        raise ReadOnlyError("this session is read-only: nothing was changed") from None
                    raise
                time.sleep(delay * (1 + random.random()))
                delay *= 2
            finally:
                _after.pending = None
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper


_after = threading.local()


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the current `atomic()` transaction has committed.

    Dropped when the transaction rolls back (or is retried). Outside an
    `atomic()` transaction it runs at once. For side effects that must see
    committed data and must never undo or slow the write (hooks); a failing
    callback is swallowed, the write stands.
    """
    pending = getattr(_after, "pending", None)
    if pending is None:
        _call_quietly(callback)
    else:
        pending.append(callback)


def _run_after_commit() -> None:
    callbacks, _after.pending = getattr(_after, "pending", None) or [], None
    for callback in callbacks:
        _call_quietly(callback)


def _call_quietly(callback: Callable[[], None]) -> None:
    try:
        callback()
    except Exception:  # noqa: BLE001 - the write has committed; a side effect must not turn it into an error
        import logging

        logging.getLogger("crm_tui").exception("after-commit callback failed")


@contextmanager
def connection() -> Iterator[None]:
    """Make sure this thread has a connection (Textual thread workers get their own)."""
    db = database.obj
    opened = db.is_closed()
    if opened:
        db.connect()
    try:
        yield
    finally:
        if opened and not db.in_transaction():
            db.close()


def recover() -> None:
    """Drop this thread's connection after an error, unless a transaction is open.

    A PostgreSQL server restart or a network blip leaves a dead connection
    that would fail every later query; closed, the next query reconnects.
    """
    obj = database.obj
    if obj is None or obj.is_closed() or obj.in_transaction():
        return
    try:
        obj.close()
    except Exception:  # noqa: BLE001 - the connection is already broken
        obj._state.reset()


def close() -> None:
    if database.obj is not None and not database.obj.is_closed():
        database.obj.close()
