"""The second yardstick for first paint: the bare app plus what crm's stack
loads before it can show one row (Peewee, Pendulum, the SQLite file), painting
one of the rep's activity subjects read from the database. The gap between
this app and the bare one is the stack's; the gap between crm and this app is
crm's own (its modules, styles, widgets and queries).

Usage: python stack_app.py DATABASE LOGIN
"""

import sys

from textual.app import App, ComposeResult
from textual.widgets import Label

READY = "stack app ready"

SQL = ('SELECT a.subject FROM activity a JOIN "user" u ON u.id = a.owner_id '
       "WHERE u.login = ? AND a.status = 'open' ORDER BY a.planned_date LIMIT 1")


class StackApp(App[None]):
    def __init__(self, database: str, login: str) -> None:
        super().__init__()
        import peewee  # here, not at the top: the benchmark runner imports READY from this module
        import pendulum

        self.database = peewee.SqliteDatabase(f"file:{database}?mode=ro", uri=True)
        self.login = login
        self.now = pendulum.now("UTC")

    def compose(self) -> ComposeResult:
        row = self.database.execute_sql(SQL, (self.login,)).fetchone()
        yield Label(f"{READY} {self.now:%H:%M} {row[0] if row else 'no activity'}")


if __name__ == "__main__":
    for driver in ("psycopg", "psycopg2", "psycopg2cffi"):  # as crm does on SQLite
        sys.modules.setdefault(driver, None)  # type: ignore[arg-type]
    StackApp(sys.argv[1], sys.argv[2]).run()
