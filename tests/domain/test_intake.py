"""Lead capture in the domain: checking fields, the lead, answers, touches,
assignment rules, the first call and the reply owed."""

from __future__ import annotations

import datetime as dt

import pytest

from crm_tui.config import AssignRule, Config, Intake
from crm_tui.config import Roles as RolesConfig
from crm_tui.domain import intake, roles, users
from crm_tui.domain.errors import DomainError
from crm_tui.models import (
    Activity, AuditEvent, IntakeEvent, IntakeReply, Lead, LeadTouch, QualificationAnswer, User,
)

WED = dt.date(2026, 11, 18)


def cfg(**intake_settings: object) -> Config:
    return Config(intake=Intake(**intake_settings))  # type: ignore[arg-type]


def capture(config: Config, **fields: str) -> intake.Received:
    return intake.receive(config, intake.clean(config, fields))


def written() -> tuple[int, int, int, int]:
    return (Lead.select().count(), LeadTouch.select().count(), Activity.select().count(),
            AuditEvent.select().count())


# ---- checking fields -------------------------------------------------------


def test_clean_maps_fields_to_lead_touch_and_answers() -> None:
    config = cfg(field_map={"fname": "first_name", "q_budget": "budget"})
    sub = intake.clean(config, {
        "fname": "Jo", "last_name": "Smith", "email": " Jo@Example.COM ", "company": "Acme [EU]",
        "q_budget": "10K-50K", "need": "pressing", "utm_source": "google", "utm_medium": "cpc",
        "utm_campaign": "spring", "utm_term": "crm", "page": "https://example.test/pricing", "form": "demo",
    })
    assert sub.email == "jo@example.com"
    assert sub.lead == {"first_name": "Jo", "last_name": "Smith", "company": "Acme [EU]"}
    assert sub.answers == {"budget": "10k-50k", "need": "pressing"}, "choices match without regard to case"
    assert (sub.source, sub.medium, sub.campaign, sub.term, sub.form) == ("google", "cpc", "spring", "crm", "demo")


def test_clean_splits_a_full_name_and_defaults_the_source() -> None:
    sub = intake.clean(Config(), {"name": "Mary Ann Lee", "email": "m@example.test"})
    assert sub.lead == {"first_name": "Mary Ann", "last_name": "Lee"}
    assert sub.source == "web"
    only_email = intake.clean(Config(), {"email": "solo@example.test"})
    assert only_email.lead == {"last_name": "solo"}


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"email": "a@example.test", "shoe_size": "44"}, "shoe_size", "unknown field"),
    ({"email": "not-an-email"}, "email", "is not an email address"),
    ({"name": "No Email"}, "email", "email is required"),
    ({"email": "a@example.test", "budget": "a million"}, "budget", "budget must be one of"),
    ({"email": "a@example.test", "page": "javascript:alert(1)"}, "page", "http(s) address"),
    ({"email": "a@example.test", "company": "x" * 201}, "company", "longer than 200"),
    ({"email": "a@example.test", "phone": "call me"}, "phone", "not a phone number"),
    ({"email": "a@example.test", "first_name": ["Jo"]}, "first_name", "must be text"),
    ({"email": "a@example.test", "campaign": "a\nb"}, "campaign", "one line"),
])
def test_clean_refuses_bad_fields_naming_them(fields: dict, field: str, words: str) -> None:
    with pytest.raises(DomainError, match=words.replace("(", r"\(").replace(")", r"\)")) as caught:
        intake.clean(Config(), fields)
    assert caught.value.field == field


# ---- receiving -------------------------------------------------------------


def test_a_capture_makes_a_new_lead_with_answers_touch_and_first_call(rep: User) -> None:
    got = capture(cfg(), name="Jo Smith", email="jo@example.test", company="Acme", budget="under 10k",
                  utm_source="google", utm_campaign="spring", referrer="https://search.test/?q=crm",
                  page="https://example.test/pricing", form="demo", product="billing", message="Call me\nafter 3")
    lead = Lead.get_by_id(got.lead_id)
    assert got.created and (lead.first_name, lead.last_name, lead.company) == ("Jo", "Smith", "Acme")
    assert (lead.status, lead.owner_id, lead.source, lead.original_source) == ("new", rep.id, "google", "google")
    assert lead.last_touch_at is None, "a web form is not someone working the lead"
    assert {a.question: a.answer for a in QualificationAnswer.select()} == {"budget": "under 10k"}
    touch = LeadTouch.get_by_id(got.touch_id)
    assert (touch.source, touch.campaign, touch.referrer, touch.page) == (
        "google", "spring", "https://search.test/?q=crm", "https://example.test/pricing")
    event = IntakeEvent.get()
    assert (event.form, event.new_lead, event.assigned_by, event.assigned_to_id) == ("demo", True, "round robin", rep.id)
    call = Activity.get_by_id(got.first_call_id)
    assert (call.type, call.owner_id, call.record_kind, call.record_id) == ("call", rep.id, "lead", lead.id)
    assert (call.planned_date, call.deadline, call.priority, call.status) == (WED, WED, 1, "open")
    assert call.subject == "First call: Jo Smith (demo)"
    assert "Product: billing" in call.notes and "Call me\nafter 3" in call.notes
    assert Lead.get_by_id(lead.id).next_activity_on == WED
    assert got.reply_template == "", "no reply configured, none owed"


def test_a_repeat_visitor_is_a_second_touch_not_a_second_lead(rep: User) -> None:
    config = cfg(reply_default="Welcome")
    first = capture(config, email="jo@example.test", last_name="Smith", source="google", budget="under 10k")
    second = capture(config, email="JO@example.test", first_name="Joanna", last_name="Other", phone="+49 30 1234567",
                     source="seminar", campaign="autumn", budget="over 50k")
    assert (first.created, second.created) == (True, False)
    assert second.lead_id == first.lead_id and Lead.select().count() == 1
    lead = Lead.get_by_id(first.lead_id)
    assert (lead.first_name, lead.last_name, lead.phone) == ("Joanna", "Smith", "+49 30 1234567"), \
        "blanks are filled, what the lead had is kept"
    assert [t.source for t in LeadTouch.select().order_by(LeadTouch.id)] == ["google", "seminar"]
    assert (lead.original_source, lead.source) == ("google", "seminar")
    assert QualificationAnswer.get().answer == "under 10k", "an answer already given is not overwritten"
    assert second.first_call_id is None, "the first call is still open: no second one"
    assert Activity.select().count() == 1
    assert (first.reply_template, second.reply_template) == ("Welcome", ""), "the same reply never twice"
    assert IntakeReply.select().count() == 1
    assert [e.new_lead for e in IntakeEvent.select().order_by(IntakeEvent.id)] == [True, False]
    assert second.assigned_by == "owner" and second.assignee == "ann"


def test_a_refused_capture_writes_nothing(rep: User) -> None:
    before = written()
    with pytest.raises(DomainError):
        capture(cfg(), email="jo@example.test", budget="priceless")
    assert written() == before


# ---- assignment ------------------------------------------------------------


@pytest.fixture
def team(database: str) -> dict[str, User]:
    return {
        "ann": users.add_user("ann", "Ann Lee", role="rep", time_zone="Europe/Berlin", email="ann@example.test"),
        "bob": users.add_user("bob", "Bob Roe", role="rep", time_zone="America/New_York"),
        "max": users.add_user("max", "Max Mayer", role="manager"),
        "old": users.add_user("old", "Old Rep", role="rep"),
    }


def test_round_robin_takes_turns_over_active_reps(team: dict[str, User]) -> None:
    users.set_user("old", active=False)
    owners = [capture(cfg(), email=f"p{i}@example.test").assignee for i in range(5)]
    assert owners == ["ann", "bob", "ann", "bob", "ann"], "inactive users and managers take no turns"


def test_round_robin_goes_to_holders_of_the_intake_job_role(team: dict[str, User]) -> None:
    config = Config(roles=RolesConfig(names=("sales rep", "intake")), intake=Intake(role="intake"))
    roles.grant(None, team["max"], "intake", config=config)
    roles.grant(None, team["bob"], "intake", config=config)
    roles.grant(None, team["ann"], "sales rep", config=config)
    owners = [capture(config, email=f"p{i}@example.test").assignee for i in range(4)]
    assert owners == ["bob", "max", "bob", "max"], "the role's holders, whatever their permission role"
    users.set_user("bob", active=False)
    assert capture(config, email="p9@example.test").assignee == "max"


def test_territory_and_product_rules_come_first(team: dict[str, User]) -> None:
    config = cfg(rules=(
        AssignRule("territory", ("DE", "AT", "CH"), "max"),
        AssignRule("product", ("billing",), "bob"),
        AssignRule("product", ("payroll",), "old"),
    ))
    users.set_user("old", active=False)
    assert (capture(config, email="a@example.test", country="de").assignee,
            capture(config, email="b@example.test", region="CH", product="billing").assignee) == ("max", "max")
    by_product = capture(config, email="c@example.test", country="FR", product="Billing")
    assert (by_product.assignee, by_product.assigned_by) == ("bob", "product")
    skipped = capture(config, email="d@example.test", product="payroll")
    assert (skipped.assignee, skipped.assigned_by) == ("ann", "round robin"), "a rule's inactive user is skipped"


def test_nobody_to_assign_leaves_the_lead_in_the_pool(database: str) -> None:
    got = capture(cfg(), email="a@example.test")
    assert (got.assignee, got.assigned_by, got.first_call_id) == (None, "none", None)
    assert Lead.get_by_id(got.lead_id).owner_id is None


def test_a_lead_whose_owner_left_is_assigned_again_on_return(team: dict[str, User]) -> None:
    first = capture(cfg(), email="a@example.test")
    assert first.assignee == "ann"
    users.set_user("ann", active=False)
    again = capture(cfg(), email="a@example.test")
    assert (again.assignee, again.assigned_by) == ("bob", "round robin")
    assert Lead.get_by_id(first.lead_id).owner_id == team["bob"].id


def test_first_call_lands_on_the_assignees_next_working_day(team: dict[str, User]) -> None:
    config = cfg(first_call_hours=4)
    friday_evening = dt.datetime(2026, 11, 20, 20, 0)  # 21:00 in Berlin, +4 h is Saturday
    assert intake.first_call_day(config, team["ann"], friday_evening) == dt.date(2026, 11, 23)
    assert intake.first_call_day(config, team["bob"], friday_evening) == dt.date(2026, 11, 20), \
        "15:00 in New York, +4 h is still Friday"
    holiday = Config(intake=Intake(first_call_hours=0), holidays=(WED,))
    assert intake.first_call_day(holiday, team["ann"], dt.datetime(2026, 11, 18, 9)) == dt.date(2026, 11, 19)


def test_reply_is_chosen_by_form_then_campaign_then_default() -> None:
    config = cfg(reply_forms={"demo": "Demo booked"}, reply_campaigns={"spring": "Spring offer"},
                 reply_default="Thanks")
    assert intake.reply_template(config, "demo", "spring") == "Demo booked"
    assert intake.reply_template(config, "contact", "spring") == "Spring offer"
    assert intake.reply_template(config, "contact", "") == "Thanks"
    assert intake.reply_template(cfg(), "demo", "spring") == ""


# ---- figures ---------------------------------------------------------------


def test_counts_by_source_and_campaign(team: dict[str, User]) -> None:
    capture(cfg(), email="a@example.test", utm_source="google", utm_campaign="spring")
    capture(cfg(), email="b@example.test", utm_source="google", utm_campaign="spring")
    capture(cfg(), email="a@example.test", utm_source="google", utm_campaign="spring")
    capture(cfg(), email="c@example.test", source="seminar")
    Lead.update(status="converted").where(Lead.email == "b@example.test").execute()
    since, until = dt.datetime(2026, 11, 1), dt.datetime(2026, 11, 19)
    rows = [(c.source, c.campaign, c.received, c.new_leads, c.converted) for c in intake.counts(since, until)]
    assert rows == [("google", "spring", 3, 2, 1), ("seminar", "", 1, 1, 0)]
    assert intake.counts(until, until + dt.timedelta(days=1)) == []


def test_process_metrics_carry_the_intake_counts(team: dict[str, User]) -> None:
    from crm_tui.domain import metrics

    capture(cfg(), email="a@example.test", utm_source="google", utm_campaign="spring")
    figures = metrics.process_metrics(Config(), 7, until=dt.datetime(2026, 11, 19))
    assert [(c.source, c.campaign, c.received) for c in figures.intake] == [("google", "spring", 1)]


def test_an_automatic_reply_is_not_a_touch_for_rule_1_or_the_process_view(team: dict[str, User]) -> None:
    from crm_tui import clock
    from crm_tui.domain import exceptions, metrics, templates

    templates.create_template(users.add_user("boss", "Boss", role="admin"), "Welcome", "Hi {lead.first_name}",
                              "Hello {lead.name}, {user.display_name} will call.")
    config = cfg(reply_default="Welcome")
    got = capture(config, first_name="Jo", last_name="Smith", email="jo@example.test")
    reply = IntakeReply.get()
    intake.mark_reply_sent(config, intake.compose_reply(config, reply))
    assert Activity.select().where((Activity.type == "email") & (Activity.status == "done")).count() == 1
    later = clock.utcnow_naive() + dt.timedelta(days=2)
    hits = [(h.rule, h.record_id) for h in exceptions.evaluate(config, at=later, rules=["lead_untouched"])]
    assert hits == [("lead_untouched", got.lead_id)], "nobody called: rule 1 still says so"
    figures = metrics.process_metrics(config, 7, until=later)
    assert (figures.touched.part, figures.touched.whole, figures.responded.part) == (0, 1, 0)


def test_intake_config_is_validated() -> None:
    from crm_tui.config import ConfigError, config_from_dict

    assert config_from_dict({"roles": {"names": ["seller"]}}).intake.role == "sales rep", "the default may go unheld"
    for data, words in (
        ({"intake": {"role": "closer"}}, "intake.role: 'closer' is not one of roles.names"),
        ({"intake": {"rules": [{"by": "mood", "values": ["x"], "assign": "ann"}]}}, r"intake.rules\[0\].by"),
        ({"intake": {"field_map": {"fname": "first"}}}, "intake.field_map.fname"),
        ({"intake": {"path": "intake"}}, "intake.path"),
        ({"intake": {"rate_per_minute": 0}}, "intake.rate_per_minute"),
    ):
        with pytest.raises(ConfigError, match=words):
            config_from_dict(data)
