"""Records: validated create and edit, duplicate warnings, stale saves, keyset pages."""

import datetime as dt

import pytest

from crm_tui.config import Config
from crm_tui.domain import changes, records, users
from crm_tui.domain.errors import Conflict, DomainError
from crm_tui.domain.records import Filters, PossibleDuplicate
from crm_tui.models import AuditEvent, Lead, LeadTouch, Opportunity, User

CFG = Config()


def test_create_with_a_bad_email_names_the_field_then_succeeds_when_fixed(rep: User) -> None:
    typed = {"first_name": "Kim", "last_name": "Ng", "company": "Acme", "email": "kim@", "phone": "+49 30 1234567",
             "source": "web", "campaign": "autumn"}
    with pytest.raises(DomainError) as refused:
        records.create(rep, CFG, "lead", typed)
    assert refused.value.field == "email"
    assert Lead.select().count() == 0
    lead = records.create(rep, CFG, "lead", {**typed, "email": "Kim@Acme.test"})
    stored = Lead.get_by_id(lead.id)
    assert (stored.email, stored.owner_id, stored.original_source) == ("kim@acme.test", rep.id, "web")
    touch = LeadTouch.get(LeadTouch.lead == lead.id)
    assert (touch.source, touch.campaign) == ("web", "autumn")


@pytest.mark.parametrize(("kind", "values", "field"), [
    ("lead", {"last_name": " "}, "last_name"),
    ("lead", {"last_name": "Ng", "phone": "call me"}, "phone"),
    ("opportunity", {"name": "Deal", "amount": "12,3x"}, "amount"),
    ("opportunity", {"name": "Deal", "forecast_close": "31.12.2026"}, "forecast_close"),
    ("opportunity", {"name": "Deal", "probability": "120"}, "probability"),
    ("contact", {"last_name": "Ng", "account": "Nobody Inc"}, "account"),
    ("case", {"subject": "Broken", "priority": "asap"}, "priority"),
    ("account", {"name": "Acme", "owner": "999"}, "owner"),
])
def test_each_kind_validates_its_fields(rep: User, kind: str, values: dict, field: str) -> None:
    with pytest.raises(DomainError) as refused:
        records.create(rep, CFG, kind, values)
    assert refused.value.field == field


def test_create_links_an_account_by_name_and_is_undoable(rep: User) -> None:
    acme = records.create(rep, CFG, "account", {"name": "Acme [EU]"})
    deal = records.create(rep, CFG, "opportunity", {"name": "Big deal", "account": "acme [eu]", "amount": "1,234.50",
                                                    "currency": "EUR", "forecast_close": "2026-12-31"})
    stored = Opportunity.get_by_id(deal.id)
    assert (stored.account_id, str(stored.amount), stored.forecast_close) == (acme.id, "1234.50", dt.date(2026, 12, 31))
    changes.undo_last(rep)
    assert Opportunity.get_or_none(Opportunity.id == deal.id) is None


def test_duplicate_warning_names_the_record_and_can_be_overridden(rep: User) -> None:
    acme = records.create(rep, CFG, "account", {"name": "Acme"})
    records.create(rep, CFG, "contact", {"first_name": "Kim", "last_name": "Ng", "account": "Acme",
                                         "email": "kim@acme.test", "phone": "+49 30 1234 5678"})
    with pytest.raises(PossibleDuplicate) as same_email:
        records.create(rep, CFG, "lead", {"first_name": "K.", "last_name": "Ng", "email": "KIM@acme.test"})
    assert "Kim Ng at Acme has the same email" in str(same_email.value)
    with pytest.raises(PossibleDuplicate) as same_phone:
        records.create(rep, CFG, "lead", {"last_name": "Other", "phone": "030 12345678"})
    assert same_phone.value.matches[0].field == "phone"
    with pytest.raises(PossibleDuplicate) as same_name:
        records.create(rep, CFG, "account", {"name": "ACME"})
    assert (same_name.value.matches[0].kind, same_name.value.matches[0].id) == ("account", acme.id)
    assert Lead.select().count() == 0
    records.create(rep, CFG, "lead", {"last_name": "Other", "phone": "030 12345678"}, allow_duplicates=True)
    assert Lead.select().count() == 1


def test_stale_save_is_refused_with_who_and_when(rep: User, manager: User) -> None:
    lead = records.create(rep, CFG, "lead", {"last_name": "Ng", "company": "Acme"})
    loaded = records.get("lead", lead.id).version
    records.update(manager, CFG, "lead", lead.id, {"last_name": "Ng", "company": "Acme GmbH"}, expected_version=loaded)
    with pytest.raises(Conflict) as stale:
        records.update(rep, CFG, "lead", lead.id, {"last_name": "Ng", "company": "Acme AG"}, expected_version=loaded)
    assert stale.value.by == "Max Mayer" and stale.value.at == "2026-11-18 09:00"
    assert Lead.get_by_id(lead.id).company == "Acme GmbH"
    fresh = records.get("lead", lead.id)
    records.update(rep, CFG, "lead", lead.id, {"last_name": "Ng", "company": "Acme AG"}, expected_version=fresh.version)
    assert Lead.get_by_id(lead.id).company == "Acme AG"
    edits = AuditEvent.select().where((AuditEvent.table == "lead") & (AuditEvent.action == "update"))
    assert [e.user_id for e in edits] == [manager.id, rep.id]


def _leads(rep: User, other: User) -> None:
    names = ["Ng", "Alpha", "Beta", "Ng", "Zed", "Mu", "Beta"]
    for i, last in enumerate(names):
        Lead.create(first_name=f"P{i}", last_name=last, owner=rep if i % 2 == 0 else other,
                    status="new" if i < 4 else "working",
                    last_touch_at=dt.datetime(2026, 11, 1 + i) if i % 3 else None)


def _walk(kind: str, filters: Filters, sort: str, size: int) -> list[int]:
    ids: list[int] = []
    key = None
    while True:
        chunk = records.page(kind, filters, sort, key, size)
        ids += [row[0] for row in chunk.rows]
        if not chunk.more:
            return ids
        key = chunk.keys[-1]


@pytest.mark.parametrize("sort", ["name", "-name", "created", "-created", "last_touch", "-last_touch", "next_activity"])
def test_keyset_pages_walk_every_row_once_in_order(rep: User, manager: User, sort: str) -> None:
    _leads(rep, manager)
    whole = records.page("lead", Filters(), sort, None, 100).rows
    assert len(whole) == 7
    assert _walk("lead", Filters(), sort, 2) == [row[0] for row in whole]
    backward: list[int] = []
    key = None
    while True:
        chunk = records.page("lead", Filters(), sort, key, 3, backward=True)
        backward = [row[0] for row in chunk.rows] + backward
        if not chunk.more:
            break
        key = chunk.keys[0]
    assert backward == [row[0] for row in whole]


def test_sort_orders_and_filters(rep: User, manager: User) -> None:
    _leads(rep, manager)
    by_name = records.page("lead", Filters(), "name", None, 100).rows
    assert [row[1] for row in by_name][:3] == ["P1 Alpha", "P2 Beta", "P6 Beta"]
    touched = records.page("lead", Filters(), "-last_touch", None, 100).rows
    assert [row[0] for row in touched][:2] == [6, 5]  # newest touch first, never-touched last
    assert touched[-1][7] is None
    mine = records.page("lead", Filters(owner_id=rep.id, status="new"), "name", None, 100).rows
    assert sorted(row[0] for row in mine) == [1, 3]
    assert records.count("lead", Filters(owner_id=rep.id)) == 4
    assert records.columns("lead")[:2] == ["Name", "Company"]
    with pytest.raises(DomainError):
        records.page("account", Filters(status="new"))


def test_opportunity_filters_by_step_and_state(rep: User) -> None:
    Opportunity.create(name="A", step="demo", owner=rep)
    Opportunity.create(name="B", step="discovery", owner=rep)
    Opportunity.create(name="C", step="demo", state="won", owner=rep)
    rows = records.page("opportunity", Filters(step="demo", status="open")).rows
    assert [row[1] for row in rows] == ["A"]
    assert records.statuses("opportunity") == ("open", "won", "lost")


def test_form_values_round_trip(rep: User) -> None:
    records.create(rep, CFG, "account", {"name": "Acme"})
    contact = records.create(rep, CFG, "contact", {"first_name": "Kim", "last_name": "Ng", "account": "Acme"})
    values = records.form_values("contact", records.get("contact", contact.id), CFG)
    assert values["account"] == "Acme" and values["owner"] == str(rep.id)
    other = users.add_user("bob", "Bob")
    values["owner"] = str(other.id)
    records.update(rep, CFG, "contact", contact.id, values, expected_version=1)
    assert records.get("contact", contact.id).owner_id == other.id
    assert ("Bob", other.id) in records.owners()


def test_name_parts_in_a_query_give_the_names_records_names_gives(rep: User) -> None:
    """Exception rule 7 reads the names with its rows (record_names.name_parts/text):
    the same text as records.names for every kind, and "" for a record that is gone."""
    from crm_tui.domain import record_names
    from crm_tui.models import Account, Activity, Case, Contact

    made = [("lead", Lead.create(first_name="Ana", last_name="Ng", company="Acme [EU]", owner=rep)),
            ("lead", Lead.create(first_name="", last_name="Bo", owner=rep)),
            ("contact", Contact.create(first_name="", last_name="Cy", owner=rep)),
            ("account", Account.create(name=" Delta ", owner=rep)),
            ("opportunity", Opportunity.create(name="Deal", owner=rep)),
            ("case", Case.create(subject="Broken", owner=rep))]
    links = [(kind, record.id) for kind, record in made] + [("lead", 999_999)]
    day = dt.date(2026, 11, 18)
    for kind, record_id in links:
        Activity.create(type="call", subject="s", owner=rep, record_kind=kind, record_id=record_id, planned_date=day)
    rows = (Activity.select(Activity.record_kind, Activity.record_id,
                            *record_names.name_parts(Activity.record_kind, Activity.record_id))
            .order_by(Activity.id).tuples())
    found = {(kind, record_id): record_names.text(kind, *parts) for kind, record_id, *parts in rows}
    expected = records.names(links)
    assert found == {link: expected.get(link, "") for link in links}
    assert found[links[0]] == "Ana Ng (Acme [EU])" and found[("lead", 999_999)] == ""
