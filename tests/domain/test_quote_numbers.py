"""Quote numbers under concurrent creation: several OS processes, no duplicate, no gap,
even when some transactions that drew a number roll back."""

from __future__ import annotations

from crm_tui import db
from crm_tui.config import Config
from crm_tui.domain import numbering, sales
from crm_tui.models import Quote, User
from tests import other_process
from tests.domain.sales_fixtures import opportunity

CREATOR = """
from crm_tui.config import Config
from crm_tui.domain import sales
user = users.get_user("ann")

@db.atomic
def doomed():
    sales.create_quote(user, Config(), {opp})
    raise RuntimeError("rolled back after drawing a number")

for i in range({count}):
    sales.create_quote(user, Config(), {opp})
    if i % 3 == 0:
        try:
            doomed()
        except RuntimeError:
            pass
print("done", flush=True)
"""


def test_many_processes_get_gapless_unique_numbers(database: str, rep: User, cfg: Config) -> None:
    opp = opportunity(rep, cfg)
    db.close()
    workers = [other_process.start(database, CREATOR.format(opp=opp.id, count=12)) for _ in range(4)]
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        assert out.strip() == "done"
    db.database.obj.connect(reuse_if_open=True)
    numbers = sorted(number for (number,) in Quote.select(Quote.number).tuples())
    assert numbers == list(range(1, 49))
    assert numbering.peek("quote") == 48
    assert sales.create_quote(rep, cfg, opp.id).number == 49
