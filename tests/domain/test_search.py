"""Search as you type: names, companies, emails, phone digits, prefixes, kinds."""

import pytest

from crm_tui.domain import search
from crm_tui.models import Account, Case, Contact, Lead, Opportunity, User


@pytest.fixture
def data(rep: User) -> dict:
    acme = Account.create(name="Acme [EU] GmbH", email="info@acme.test", phone="+49 30 1234 5678", owner=rep)
    kim = Contact.create(first_name="Kim", last_name="Ng", email="kim.ng@acme.test", phone="030 9999 11", account=acme)
    lead = Lead.create(first_name="Jorge", last_name="Mullins", company="Beta AG", email="jm@mullins.test",
                       phone="+1 (555) 010-9999")
    deal = Opportunity.create(name="Acme renewal 2027", account=acme)
    case = Case.create(subject="Printer jams on tray 2", account=acme)
    return {"acme": acme, "kim": kim, "lead": lead, "deal": deal, "case": case}


def found(query: str, **kw) -> set[tuple[str, int]]:
    return {(hit.kind, hit.id) for hit in search.search(query, **kw)}


def test_names_and_companies_by_prefix(data: dict) -> None:
    assert found("acm") >= {("account", data["acme"].id), ("opportunity", data["deal"].id)}
    assert found("kim n") == {("contact", data["kim"].id)}
    assert found("beta") == {("lead", data["lead"].id)}
    assert found("print") == {("case", data["case"].id)}
    assert found("a") == set()  # from two characters
    assert found("zzz") == set()


def test_emails(data: dict) -> None:
    assert found("jm@mull") == {("lead", data["lead"].id)}
    assert ("contact", data["kim"].id) in found("kim.ng@acme")


def test_phone_digits_in_any_form(data: dict) -> None:
    assert found("0301234") == {("account", data["acme"].id)}
    assert found("+49 30 12") == {("account", data["acme"].id)}
    assert found("+49 30 9999") == {("contact", data["kim"].id)}
    assert found("555 010") == {("lead", data["lead"].id)}


def test_kinds_filter_and_hit_details(data: dict) -> None:
    assert found("acme", kinds=["opportunity"]) == {("opportunity", data["deal"].id)}
    hits = search.search("kim")
    assert (hits[0].name, hits[0].company, hits[0].email) == ("Kim Ng", "Acme [EU] GmbH", "kim.ng@acme.test")


def test_index_follows_inserts_updates_and_deletes(data: dict) -> None:
    lead = data["lead"]
    lead.company = "Gamma Ltd"
    lead.save()
    assert found("beta") == set()
    assert found("gamma") == {("lead", lead.id)}
    lead.delete_instance()
    assert found("gamma") == set()
    Lead.create(last_name="Newman", company="Delta")
    assert len(found("delt")) == 1


def test_names_that_start_with_the_query_rank_first(rep: User) -> None:
    Account.create(name="Big Acme")
    first = Account.create(name="Acme")
    assert search.search("acme")[0].id == first.id
