"""The record picker's search: prefix matching across kinds, re-ranked."""

from crm_tui.domain import lookup
from crm_tui.models import Account, Case, Contact, Lead, Opportunity, User


def test_finds_records_of_every_kind_by_word_prefix(rep: User) -> None:
    acme = Account.create(name="Acme Corp")
    Account.create(name="Big Acme Holdings")
    Lead.create(first_name="Kim", last_name="Ng", company="Acme")
    Contact.create(first_name="Ada", last_name="Acmeson", account=acme)
    Opportunity.create(name="Acme renewal 2027", account=acme)
    Case.create(subject="Acme printer jam")
    Account.create(name="Globex")
    hits = lookup.search("acm")
    assert {hit.kind for hit in hits} == {"account", "lead", "contact", "opportunity", "case"}
    assert "Globex" not in [hit.name for hit in hits]
    assert hits[0].name.lower().startswith("acme")
    assert lookup.search("ACME CO")[0].label == "Acme Corp · Account"


def test_every_typed_word_must_match(rep: User) -> None:
    Lead.create(first_name="Kim", last_name="Ng", company="Acme")
    Lead.create(first_name="Kim", last_name="Lo", company="Globex")
    assert [hit.name for hit in lookup.search("kim acme")] == ["Kim Ng (Acme)"]
    assert [hit.name for hit in lookup.search("ng kim")] == ["Kim Ng (Acme)"]


def test_short_or_odd_input_finds_nothing_and_never_fails(rep: User) -> None:
    Account.create(name="100% Cotton_Co")
    assert lookup.search("a") == []
    assert lookup.search("%%") == []
    assert [hit.name for hit in lookup.search("100% cot")] == ["100% Cotton_Co"]


def test_at_most_twenty(rep: User) -> None:
    for n in range(30):
        Account.create(name=f"Acme {n:02d}")
    assert len(lookup.search("acme")) == lookup.LIMIT
