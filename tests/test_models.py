"""The model layer on every backend: stamps, constraints, indexes, versions."""

import datetime as dt
from decimal import Decimal

import peewee
import pytest

from crm_tui import clock, db
from crm_tui.models import Account, Activity, Case, Contact, Lead, Opportunity, User


def test_rows_get_created_and_updated_stamps(rep: User) -> None:
    lead = Lead.create(last_name="Ng", company="Acme", owner=rep)
    assert lead.created_at == dt.datetime(2026, 11, 18, 9, 0)
    clock.freeze("2026-11-18T10:00:00Z")
    lead.status = "working"
    lead.save()
    assert Lead.get_by_id(lead.id).updated_at == dt.datetime(2026, 11, 18, 10, 0)


def test_contact_may_stand_alone_or_belong_to_an_account(rep: User) -> None:
    account = Account.create(name="Acme [EU]", owner=rep)
    Contact.create(last_name="Alone", owner=rep)
    Contact.create(last_name="Inside", account=account, owner=rep)
    assert [c.last_name for c in account.contacts] == ["Inside"]


def test_money_is_decimal(rep: User) -> None:
    opp = Opportunity.create(name="Big deal", owner=rep, amount=Decimal("1234.565"), currency="EUR")
    assert Opportunity.get_by_id(opp.id).amount == Decimal("1234.57")


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (Lead, {"last_name": "X", "status": "lost-in-space"}),
        (User, {"login": "z", "display_name": "Z", "role": "overlord"}),
        (Case, {"subject": "S", "priority": "whenever"}),
        (Opportunity, {"name": "O", "probability": 140}),
    ],
)
def test_check_constraints_refuse_bad_values(rep: User, model: type, fields: dict) -> None:
    with pytest.raises(peewee.IntegrityError):
        with db.database.atomic():
            model.create(**fields)


def test_activity_is_dated_or_timed_never_half(rep: User) -> None:
    base = dict(type="call", subject="Call", owner=rep, record_kind="lead", record_id=1,
                planned_date=dt.date(2026, 11, 19))
    Activity.create(**base)
    Activity.create(**base, start_at=dt.datetime(2026, 11, 19, 9), duration_min=30)
    with pytest.raises(peewee.IntegrityError):
        with db.database.atomic():
            Activity.create(**base, start_at=dt.datetime(2026, 11, 19, 9))
    with pytest.raises(peewee.IntegrityError):
        with db.database.atomic():
            Activity.create(**{**base, "record_kind": "planet"})


def test_login_is_unique(rep: User) -> None:
    with pytest.raises(peewee.IntegrityError):
        with db.database.atomic():
            User.create(login="ann", display_name="Another Ann")


def test_hot_queries_have_indexes(database: str) -> None:
    indexes = {tuple(index.columns) for index in db.database.obj.get_indexes("activity")}
    assert ("owner_id", "status", "planned_date") in indexes
    # A wider (covering) index with the same leading columns serves the same queries.
    assert any(cols[:3] == ("record_kind", "record_id", "status") for cols in indexes)
    lead_indexes = {tuple(index.columns) for index in db.database.obj.get_indexes("lead")}
    assert any(cols[:2] == ("status", "created_at") for cols in lead_indexes)
