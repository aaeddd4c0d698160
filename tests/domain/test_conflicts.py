"""Two reps editing the same record from two processes: the second save is
refused with who changed it and when, and nothing is overwritten."""

from __future__ import annotations

import pytest

from crm_tui import db
from crm_tui.domain import changes
from crm_tui.domain.errors import Conflict
from crm_tui.models import Account, AuditEvent, User
from tests import other_process


@db.atomic
def save_account(user: User, account: Account, version: int, **fields: object) -> Account:
    with changes.action(user):
        return changes.update(account, expected_version=version, **fields)


@db.atomic
def new_account(user: User, name: str) -> Account:
    with changes.action(user):
        return changes.create(Account, name=name, owner=user)


def test_second_save_from_another_process_is_refused_with_who_and_when(
    database: str, rep: User, manager: User
) -> None:
    account = new_account(rep, "Acme")
    form_version = account.version  # Ann opens the edit form

    # Meanwhile Max, in his own crm process, saves the same account.
    other_process.run(database, f"""
        account = models.Account.get_by_id({account.id})
        max_ = users.get_user("max")
        with db.database.atomic():
            with changes.action(max_):
                changes.update(account, name="Acme Corporation", city="Berlin")
    """, now="2026-11-18T09:30:00+00:00")

    with pytest.raises(Conflict) as refused:
        save_account(rep, account, form_version, name="ACME Ltd", phone="+49 30 1234")
    assert refused.value.by == "Max Mayer"
    assert refused.value.at == "2026-11-18 09:30"
    assert "Max Mayer changed this account at 2026-11-18 09:30 UTC" in str(refused.value)
    assert "your input is kept" in str(refused.value)

    stored = Account.get_by_id(account.id)
    assert (stored.name, stored.city, stored.phone, stored.version) == ("Acme Corporation", "Berlin", "", 2)
    assert AuditEvent.select().where(AuditEvent.table == "account").count() == 2  # create + Max's update

    # Reload and reapply: the save that names the current version goes through.
    fresh = Account.get_by_id(account.id)
    saved = save_account(rep, fresh, fresh.version, name="ACME Ltd", phone="+49 30 1234")
    assert (saved.name, saved.city, saved.phone, saved.version) == ("ACME Ltd", "Berlin", "+49 30 1234", 3)


def test_save_of_a_record_deleted_by_another_process_says_so(database: str, rep: User, manager: User) -> None:
    account = new_account(rep, "Gone Ltd")
    other_process.run(database, f"""
        with db.database.atomic():
            with changes.action(users.get_user("max")):
                changes.delete(models.Account.get_by_id({account.id}))
    """)
    with pytest.raises(Conflict, match="was deleted by someone else"):
        save_account(rep, account, account.version, name="Still here?")
    assert Account.select().count() == 0


def test_audit_rows_say_who_when_and_old_to_new(database: str, rep: User) -> None:
    account = new_account(rep, "Acme")
    save_account(rep, account, account.version, name="Acme AG", city="Köln")
    event = AuditEvent.select().where(AuditEvent.action == "update").get()
    assert event.user_id == rep.id
    assert str(event.at) == "2026-11-18 09:00:00"
    assert (event.table, event.row_id) == ("account", account.id)
    import json

    assert json.loads(event.changes) == {"name": ["Acme", "Acme AG"], "city": ["", "Köln"]}
