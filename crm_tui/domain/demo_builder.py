"""How the demo data is made: `Builder` writes one data set through a
`bulk.BulkWriter`, record kind by record kind, each record with its chain of
activities and notes, keeping the derived stamps as it goes. `demo.build` is
the entry point; this module is its engine, kept apart so each stays readable.

The hot loop (`Builder._chain`, a million times at full size) uses
`random.random()` with flat lookup tables instead of `choice`, stdlib zoneinfo
instead of Pendulum, and writes dates and times as the text SQLite stores
(`str()`, what the driver's adapter would write, made once per value, and for
activities once per working day and quarter hour: `Owner.quarters`). Rows are
plain tuples appended to the writer's buffers, holding the writer's `null`,
`yes` and `no` (what its driver binds cheapest) and leaving out what is
the same in every row (`NEW`: see `bulk.BulkWriter`); names, company names
and subjects come from small tables made once. Changing the order of the random
draws changes the data: bump `demo.GENERATOR_VERSION` when it does.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
import zoneinfo
from dataclasses import dataclass, field

from crm_tui import clock
from crm_tui.config import Config
from crm_tui.domain import bulk
from crm_tui.domain import demo_words as W
from crm_tui.models import (
    CASE_STATUSES, LEAD_STATUSES, RECORD_MODELS, Account, Activity, Case, Contact, EmailTemplate, Lead,
    IntakeEvent, LeadTouch, Note, Opportunity, QualificationAnswer, RecordSnooze, Recurrence, SavedView,
    StepCompletion, User,
)

def _expand_early(weights: dict[str, int]) -> tuple[str, ...]:
    """`_expand` for the module-level tables below (defined before it is)."""
    return tuple(name for name, weight in weights.items() for _ in range(weight))


DEMO_LOGIN = "alex"
"""The rep `crm --demo` signs in as (Europe/Berlin)."""

HISTORY_WORKING_DAYS = 15  # three weeks back, where open records' done work lies
AHEAD_WORKING_DAYS = 15  # three weeks ahead, where their next step lies
OVERLOAD_FACTOR = 1.3

LEAD_WEIGHTS = (("new", 14), ("working", 30), ("qualified", 14), ("unqualified", 17), ("converted", 25))
CASE_WEIGHTS = (("new", 15), ("open", 30), ("waiting", 15), ("resolved", 20), ("closed", 20))


@dataclass(frozen=True)
class Shape:
    """How records spread over statuses, ages and states of their next step.

    Modes are (overdue share, stalled share); the rest of the open records
    have their next activity today or ahead (see `Builder._chain`).
    """

    lead_weights: tuple[tuple[str, int], ...]
    lead_ages: dict[str, tuple[float, float]]
    """Days before now a lead of each status was created (uniform in the range)."""
    new_lead_worked: float
    """Share of new leads that already have an activity."""
    lead_modes: dict[str, tuple[float, float]]
    account_mode: tuple[float, float]
    contact_mode: tuple[float, float]
    opportunity_open: float
    """Share of opportunities still open (of those young enough to be)."""
    opportunity_open_days: float
    """An opportunity created longer ago than this is closed."""
    opportunity_mode: tuple[float, float]
    all_converted_have_opportunity: bool
    case_weights: tuple[tuple[str, int], ...]
    active_case_sla_ages: tuple[float, float] | None
    """Active cases' age in multiples of their SLA (None: 0.3 to 14 days)."""
    case_mode: tuple[float, float]


DEMO_SHAPE = Shape(
    lead_weights=LEAD_WEIGHTS,
    lead_ages={"new": (0, 4), "working": (2, 30), "qualified": (5, 40), "unqualified": (5, 60),
               "converted": (10, 90)},
    new_lead_worked=0.6,
    lead_modes={"working": (0.15, 0.15), "qualified": (0.15, 0.4)},
    account_mode=(0.1, 0.35),
    contact_mode=(0.08, 0.4),
    opportunity_open=0.6,
    opportunity_open_days=10_000,
    opportunity_mode=(0.12, 0.13),
    all_converted_have_opportunity=False,
    case_weights=CASE_WEIGHTS,
    active_case_sla_ages=None,
    case_mode=(0.15, 0.15),
)
"""A small demo: every status and every exception well represented, so each
screen has something to show on `crm --demo` (a few hundred leads)."""

TEAM_SHAPE = Shape(
    lead_weights=(("new", 1), ("working", 6), ("qualified", 1), ("unqualified", 46), ("converted", 46)),
    lead_ages={"new": (0, 4), "working": (2, 20), "qualified": (3, 20), "unqualified": (10, 730),
               "converted": (10, 730)},
    new_lead_worked=0.85,
    lead_modes={"working": (0.05, 0.05), "qualified": (0.05, 0.1)},
    account_mode=(0.02, 0.45),
    contact_mode=(0.02, 0.5),
    opportunity_open=0.3,
    opportunity_open_days=90,
    opportunity_mode=(0.05, 0.05),
    all_converted_have_opportunity=True,
    case_weights=(("new", 2), ("open", 5), ("waiting", 3), ("resolved", 45), ("closed", 45)),
    active_case_sla_ages=(0.0, 2.0),
    case_mode=(0.05, 0.05),
)
"""A working team at scale (thousands of records per rep): two years of leads,
most of them decided; half the accounts and contacts with a next step; a few
hundred open opportunities per rep; a few per cent of the work slipping. The
demo rep's overdue and today rows come to about a thousand (PERF.md's Today
shape: ~1.2k), and the exception rules find a few per cent of the records,
not most of them."""

TEAM_FROM_LEADS_PER_REP = 1_000
"""From this many leads per rep on, the data takes `TEAM_SHAPE`."""
CASE_PRIORITY_WEIGHTS = (("low", 20), ("normal", 50), ("high", 22), ("urgent", 8))
SLA_HOURS = {"low": 72, "normal": 24, "high": 8, "urgent": 4}
# Activities per record kind, relative; and the types each kind mostly sees.
KIND_WEIGHT = {"lead": 3.0, "account": 1.5, "contact": 1.0, "opportunity": 5.0, "case": 2.0}
KIND_TYPES = {
    "lead": {"call": 9, "email": 5, "task": 3, "meeting": 2, "demo": 1},
    "opportunity": {"call": 5, "meeting": 5, "email": 4, "task": 3, "demo": 3},
    "account": {"call": 6, "meeting": 5, "email": 5, "task": 4},
    "contact": {"call": 8, "email": 7, "meeting": 3, "task": 2},
    "case": {"call": 7, "email": 7, "task": 6},
}
# Original sources of leads that converted, or were unqualified, as weighted tables:
# referrals and partners convert far more often than cold calls and trade shows.
SOURCE_BY_OUTCOME = {
    "converted": _expand_early({"referral": 6, "partner": 4, "inbound call": 3, "webinar": 2, "web form": 2,
                                "trade show": 1, "cold call": 1, "LinkedIn": 1, "newsletter": 1}),
    "unqualified": _expand_early({"cold call": 6, "trade show": 4, "newsletter": 3, "LinkedIn": 3, "web form": 2,
                                  "webinar": 1, "referral": 1, "partner": 1, "inbound call": 1}),
}
TIMED_SHARE = {"meeting": 0.9, "demo": 0.95, "call": 0.35, "task": 0.15, "email": 0.0}
DURATIONS = {"meeting": (30, 60, 60, 90), "demo": (60, 60, 90), "call": (15, 15, 30), "task": (30, 60), "email": (15,)}
SLOTS = tuple(dt.timedelta(minutes=15 * i) for i in range(40))  # 08:00 .. 17:45 local
DURATION_DELTAS = {minutes: dt.timedelta(minutes=minutes) for minutes in range(0, 241, 5)}
SECOND = dt.timedelta(seconds=1)
QUARTERS = 34 + 240 // 15  # the latest start slot plus the longest quarter-hour duration
QUARTER_STEPS = tuple(dt.timedelta(minutes=15 * i) for i in range(QUARTERS))

ACTIVITY_FIELDS = (
    "id", "type", "subject", "owner", "created_by", "record_kind", "record_id", "planned_date",
    "start_at", "duration_min", "priority", "fixed", "status", "outcome", "completed_at",
    "cancel_reason", "deadline", "first_planned_date", "previous", "followup",
    "created_at", "updated_at",
)
ACTIVITY_NULLABLE = ("start_at", "duration_min", "completed_at", "deadline", "previous")
NOTE_FIELDS = ("id", "record_kind", "record_id", "kind", "body", "author", "activity", "created_at", "updated_at")
RECORD_FIELDS = ("id", "owner", "created_at", "updated_at", "last_touch_at", "next_activity_on")
RECORD_NULLABLE = ("last_touch_at", "next_activity_on")
NEW = {"version": 1}
"""Every generated record is at its first version: written into the INSERT, not bound per row."""


def _subject_parts(template: str) -> tuple[str, str, str]:
    """A subject template as (before, field, after) when its one field is {name}
    or {company}, so a subject is two concatenations instead of a format call;
    (template, "", "") for any other shape (formatted as usual)."""
    for field_name in ("name", "company"):
        before, found, after = template.partition("{" + field_name + "}")
        if found and not any(brace in before + after for brace in "{}"):
            return before, field_name, after
    return template, "", ""


def _expand(weights: dict[str, int] | tuple[tuple[str, int], ...]) -> tuple[str, ...]:
    """A weighted choice as a flat table: `table[int(r * len(table))]` is one cheap pick."""
    items = weights.items() if isinstance(weights, dict) else weights
    return tuple(name for name, weight in items for _ in range(weight))


@dataclass
class Owner:
    """A rep's calendar: working days around their local today, and each day's
    08:00 local as naive UTC, so a timed row is one addition."""

    id: int
    login: str
    tz: str
    capacity: tuple[int, ...]
    days: list[dt.date] = field(default_factory=list)
    tidx: int = 0  # index of the first working day on or after today
    today: dt.date = dt.date.min
    day_texts: list[str] = field(default_factory=list)
    _base: dict[int, dt.datetime] = field(default_factory=dict)
    quarter_tables: dict[int, tuple[list[dt.datetime], list[str]]] = field(default_factory=dict)
    _index_of: dict[dt.date, int] = field(default_factory=dict)

    def base(self, index: int) -> dt.datetime:
        value = self._base.get(index)
        if value is None:
            local = dt.datetime.combine(self.days[index], dt.time(8, 0), tzinfo=zoneinfo.ZoneInfo(self.tz))
            value = local.astimezone(dt.timezone.utc).replace(tzinfo=None)
            self._base[index] = value
        return value

    def quarters(self, index: int) -> tuple[list[dt.datetime], list[str]]:
        """A working day's quarter hours from 08:00 local (`QUARTERS` of them,
        as naive UTC) with their texts: the hot loop's times are list lookups,
        each instant added and formatted once per day instead of per row."""
        value = self.quarter_tables.get(index)
        if value is None:
            base = self.base(index)
            instants = [base + step for step in QUARTER_STEPS]
            value = self.quarter_tables[index] = (instants, [str(instant) for instant in instants])
        return value

    def index_of(self, day: dt.date) -> int:
        """The first working day on or after `day` (the last one after the calendar)."""
        index = self._index_of.get(day)
        if index is None:
            index = self._index_of[day] = min(bisect.bisect_left(self.days, day), len(self.days) - 1)
        return index


class Builder:
    """One build: the random stream, the users' calendars, and the writer."""

    def __init__(self, rng: random.Random, config: Config, reps: int, shape: Shape = DEMO_SHAPE) -> None:
        self.rng = rng
        self.shape = shape
        self.config = config
        self.reps_wanted = reps
        self.now = clock.utcnow_naive()
        self.now_text = str(self.now)
        self.texts: dict[dt.datetime, str] = {}
        self.companies: dict[tuple[int, ...], tuple[str, str, int]] = {}
        self.slugs: dict[str, str] = {}
        self.writer = bulk.BulkWriter()
        self.overloaded: list[dt.date] = []
        self.next_id = {"activity": 1, "note": 1, "touch": 1, "answer": 1, "step": 1, "intake": 1}
        names = config.activity_type_names
        self.type_table = {}
        for kind, weights in KIND_TYPES.items():
            usable = {name: w for name, w in weights.items() if name in names}
            self.type_table[kind] = _expand(usable) if usable else names
        self.type_info = {}
        for kind in config.activity_types:
            timed = TIMED_SHARE.get(kind.name, 0.5 if kind.minutes >= 45 else 0.2)
            durations = DURATIONS.get(kind.name, (max(15, kind.minutes),))
            outcomes = kind.outcomes
            # The first outcomes are the good ones: pick them more often.
            outcome_table = _expand({o: max(1, 6 - 2 * i) for i, o in enumerate(outcomes)})
            subjects = W.ACTIVITY_SUBJECTS.get(kind.name, W.GENERIC_SUBJECTS)
            # Durations in whole quarter hours end on a slot of the day's table (`Owner.quarters`).
            quarters = tuple(d // 15 if d % 15 == 0 and 34 + d // 15 <= QUARTERS else None for d in durations)
            self.type_info[kind.name] = (timed, durations, outcome_table, subjects, kind.minutes, quarters,
                                         tuple(_subject_parts(subject) for subject in subjects))
        self.demo_type = "demo" if "demo" in names else (
            config.methodology[1].activity_type if len(config.methodology) > 1 else names[0])
        if self.demo_type not in names:
            self.demo_type = names[0]
        self.meeting_type = "meeting" if "meeting" in names else names[0]
        # The demo user's open work, tracked to make overload and overdue certain.
        self.demo_load: dict[dt.date, int] = {}
        self.demo_overdue = 0
        self.demo_records: list[tuple[str, int, dt.date | None, dt.datetime]] = []
        self.demo_owner_id = 1

    # ---- the whole build -------------------------------------------------
    def run(self, accounts: int, contacts: int, leads: int, activities: int) -> None:
        w = self.writer
        w.table(User, ("id", "login", "display_name", "email", "phone", "role", "time_zone", "capacity",
                       "active", "created_at", "updated_at", "version"))
        w.table(Account, RECORD_FIELDS + ("name", "industry", "website", "email", "phone", "city", "country"),
                constants=NEW, nullable=RECORD_NULLABLE)
        w.table(Contact, RECORD_FIELDS + ("account", "first_name", "last_name", "title", "email", "phone"),
                constants=NEW, nullable=RECORD_NULLABLE + ("account",))
        w.table(Lead, RECORD_FIELDS + ("first_name", "last_name", "company", "title", "email", "phone",
                                       "status", "source", "original_source", "status_changed_at", "converted_at"),
                constants=NEW, nullable=RECORD_NULLABLE + ("status_changed_at", "converted_at"))
        w.table(LeadTouch, ("id", "lead", "source", "campaign", "medium", "referrer", "page", "touched_at",
                            "created_at", "updated_at"))
        w.table(IntakeEvent, ("id", "lead", "touch", "form", "new_lead", "assigned_to", "assigned_by", "created_at",
                              "updated_at"), constants={"term": "", "content": "", "details": ""})
        w.table(QualificationAnswer, ("id", "lead", "question", "answer", "answered_by", "created_at", "updated_at"))
        w.table(Opportunity, RECORD_FIELDS + ("name", "account", "contact", "lead", "step", "forecast_close",
                                              "amount", "currency", "probability", "state", "close_reason",
                                              "closed_at", "first_step_at"),
                constants=NEW, nullable=RECORD_NULLABLE + ("contact", "lead", "closed_at", "first_step_at"))
        w.table(StepCompletion, ("id", "opportunity", "step", "completed_by", "completed_at", "created_at",
                                 "updated_at"))
        w.table(Case, RECORD_FIELDS + ("account", "contact", "subject", "description", "priority", "status",
                                       "escalated_to", "escalated_at", "escalation_reason", "answered_at",
                                       "sla_due"), constants=NEW, nullable=RECORD_NULLABLE)
        w.table(Activity, ACTIVITY_FIELDS, constants={**NEW, "notes": ""}, nullable=ACTIVITY_NULLABLE)
        w.table(Note, NOTE_FIELDS, nullable=("activity",))
        w.table(EmailTemplate, ("id", "name", "subject", "body", "created_at", "updated_at", "version"))

        self.add_activity = w.rows(Activity).append
        self.add_note = w.rows(Note).append
        self._users()
        # As many deals as accounts: enough closed ones for "what wins" to have samples.
        opportunities = max(len(self.config.methodology) + 2 + 8, accounts) if accounts else 0
        cases = max(len(CASE_STATUSES) + 3, accounts // 4) if accounts else 0
        # Activities are shared out by weight; error diffusion keeps the total exact.
        weight = (KIND_WEIGHT["account"] * accounts + KIND_WEIGHT["contact"] * contacts
                  + KIND_WEIGHT["lead"] * leads + KIND_WEIGHT["opportunity"] * opportunities
                  + KIND_WEIGHT["case"] * cases)
        self.per_weight = activities / weight if weight else 0.0
        self.carry = 0.0
        self._accounts(accounts)
        self._contacts(contacts)
        self._leads(leads)
        self._opportunities(opportunities)
        self._cases(cases)
        self._templates()
        self._demo_user_extras()
        w.flush()
        self._parked_and_views()
        self._demo_series()

    def _quota(self, kind: str) -> int:
        self.carry += KIND_WEIGHT[kind] * self.per_weight * (0.4 + 1.2 * self.rng.random())
        k = int(self.carry)
        self.carry -= k
        return k

    # ---- people ----------------------------------------------------------
    def _users(self) -> None:
        rng = self.rng
        staff = list(W.STAFF[: self.reps_wanted])
        used = {login for login, *_ in W.STAFF} | {W.MANAGER[0], W.ADMIN[0]}
        while len(staff) < self.reps_wanted:
            first = W.FIRST_NAMES[int(rng.random() * len(W.FIRST_NAMES))]
            last = W.LAST_NAMES[int(rng.random() * len(W.LAST_NAMES))]
            login = W.ascii_slug(first)
            number = 2
            while login in used:
                login, number = f"{W.ascii_slug(first)}{number}", number + 1
            used.add(login)
            zone = W.MORE_REP_ZONES[len(staff) % len(W.MORE_REP_ZONES)]
            staff.append((login, f"{first} {last}", "rep", zone, "420,420,420,420,420,0,0"))
        people = staff + [W.MANAGER, W.ADMIN]
        created = self.now - dt.timedelta(days=400)
        self.owners: list[Owner] = []
        for uid, (login, name, role, zone, capacity) in enumerate(people, start=1):
            self.writer.add(User, (uid, login, name, f"{login}@demo-crm.example", f"+49 30 5550{uid:03d}",
                                   role, zone, capacity, True, created, created, 1))
            if role == "rep":
                self.owners.append(self._calendar(uid, login, zone, capacity))
            elif role == "manager":
                self.manager_id = uid
        self.demo_owner = next((o for o in self.owners if o.login == DEMO_LOGIN), self.owners[0])
        self.demo_owner_id = self.demo_owner.id

    def _calendar(self, uid: int, login: str, zone: str, capacity: str) -> Owner:
        owner = Owner(uid, login, zone, tuple(int(p) for p in capacity.split(",")))
        owner.today = clock.today(zone)
        first = owner.today - dt.timedelta(days=200)
        owner.days = [first + dt.timedelta(days=i) for i in range(200 + 60)
                      if self.config.is_working_day(first + dt.timedelta(days=i))]
        if not owner.days:
            owner.days = [first + dt.timedelta(days=i) for i in range(260)]
        owner.tidx = owner.index_of(owner.today)
        owner.day_texts = [day.isoformat() for day in owner.days]
        return owner

    def _owner(self) -> Owner:
        return self.owners[int(self.rng.random() * len(self.owners))]

    def _person(self) -> tuple[str, str]:
        r = self.rng.random
        return W.FIRST_NAMES[int(r() * len(W.FIRST_NAMES))], W.LAST_NAMES[int(r() * len(W.LAST_NAMES))]

    def _company(self) -> tuple[str, str, int]:
        """A company name, its mail domain and its place index."""
        r = self.rng.random
        place = 0 if r() < 0.45 else int(r() * len(W.PLACES))
        head = int(r() * len(W.COMPANY_HEADS))
        tail = int(r() * len(W.COMPANY_TAILS))
        kind_index = int(r() * len(W.COMPANY_KINDS))
        legal = W.PLACES[place][1]
        legal_index = int(r() * len(legal))
        key = (place, head, tail, kind_index, legal_index)
        found = self.companies.get(key)
        if found is None:
            # A few tens of thousands of combinations: each name is made once.
            stem = W.COMPANY_HEADS[head] + W.COMPANY_TAILS[tail]
            kind = W.COMPANY_KINDS[kind_index]
            found = self.companies[key] = (f"{stem} {kind} {legal[legal_index]}",
                                           f"{self.slug(stem)}-{self.slug(kind)}.{W.PLACES[place][2]}", place)
        return found

    def slug(self, text: str) -> str:
        """`ascii_slug`, remembered: names and company stems come from short lists."""
        found = self.slugs.get(text)
        if found is None:
            found = self.slugs[text] = W.ascii_slug(text)
        return found

    def _phone(self, place: int) -> str:
        r = self.rng.random
        prefix = W.PLACES[place][3]
        return f"{prefix} {int(r() * 900) + 100} {int(r() * 9_000_000) + 1_000_000}"

    def _ago(self, min_days: float, max_days: float) -> dt.datetime:
        return self.now - SECOND * int((min_days + (max_days - min_days) * self.rng.random()) * 86400)

    # ---- activity chains -------------------------------------------------
    def _chain(self, owner: Owner, kind: str, rid: int, name: str, company: str, created: dt.datetime,
               created_text: str, mode: str, k: int, end: dt.datetime | None = None,
               early_demo: bool | None = None) -> tuple[dt.datetime | None, str | None, str | None]:
        """Write k activities for a record, each done one followed by the next.

        mode: "open" (the last is open, today or later), "overdue" (the last is
        open and already past), "stalled" (all done, the last without a follow-up)
        or "closed" (all done by `end`). Returns (last touch, its text, next activity day as text).
        early_demo: on opportunities, whether a demo falls within 7 days of creation.
        """
        if k <= 0:
            return None, None, None
        rng = self.rng.random
        days = owner.days
        tidx = owner.tidx
        index_of = owner.index_of
        created_idx = index_of(created.date())
        start = max(created_idx, tidx - HISTORY_WORKING_DAYS) if mode != "closed" else created_idx
        open_idx = -1
        if mode == "open":
            open_idx = tidx + int(AHEAD_WORKING_DAYS * rng() ** 1.3)  # the nearer days busier
            done_hi = tidx - 1
        elif mode == "overdue":
            open_idx = max(start, tidx - 1 - int(8 * rng()))
            if open_idx >= tidx:
                open_idx = tidx - 1
            done_hi = open_idx - 1
        elif mode == "stalled":
            done_hi = tidx - 1
        else:
            done_hi = min(index_of(end.date()) if end else tidx - 1, tidx - 1)
        n_done = k - 1 if open_idx >= 0 else k
        span = done_hi - start + 1
        if span <= 0:
            self.carry += n_done  # no room in the past: hand the quota on
            n_done = 0
            if open_idx < 0:
                return None, None, None
        positions = [start + int(rng() * span) for _ in range(n_done)]
        positions.sort()
        if kind == "opportunity" and early_demo and positions:
            positions[0] = min(created_idx + int(rng() * 5), positions[1] if len(positions) > 1 else done_hi)
            positions[0] = max(positions[0], start)
        if open_idx >= 0:
            positions.append(open_idx)
        type_table = self.type_table[kind]
        types = len(type_table)
        type_info = self.type_info
        activity_rows = self.add_activity
        note_rows = self.add_note
        uid = owner.id
        demo = uid == self.demo_owner_id
        opportunity_demo = kind == "opportunity" and early_demo
        demo_type = self.demo_type
        meeting_type = self.meeting_type
        now = self.now
        now_text = self.now_text
        null, no, yes = self.writer.null, self.writer.no, self.writer.yes
        previous = null
        previous_done: dt.datetime = created
        previous_text = created_text
        last_touch: dt.datetime | None = None
        touch_text: str | None = None
        next_on: dt.date | None = None
        next_text: str | None = None
        count = len(positions)
        ids = self.next_id
        act_id = ids["activity"]
        # Rows carry dates and times as the text SQLite would store (str() is
        # isoformat(" ")): the driver's adapter per value costs more than the insert.
        day_texts = owner.day_texts
        quarters = owner.quarters
        known_quarters = owner.quarter_tables.get
        cached = self.texts.get
        text_of = self._text
        fill = {"name": name, "company": company}
        note_fill = None
        for i, index in enumerate(positions):
            is_open = open_idx >= 0 and i == count - 1
            type_name = type_table[int(rng() * types)]
            if kind == "opportunity":
                if opportunity_demo and i == 0:
                    type_name = demo_type
                elif type_name == demo_type and index < created_idx + 6:
                    type_name = meeting_type
            timed_share, durations, outcomes, _, dated_minutes, durations_in_quarters, subjects = type_info[type_name]
            day_text = day_texts[index]
            instants, texts = known_quarters(index) or quarters(index)
            if rng() < timed_share:
                pick = int(rng() * len(durations))
                duration = durations[pick]
                slot = int(rng() * 34)
                start_text = texts[slot]
                fixed = yes if type_name in ("meeting", "demo") and rng() < 0.6 else no
                steps = durations_in_quarters[pick]
                if steps is None:
                    end_at = instants[slot] + (DURATION_DELTAS.get(duration) or dt.timedelta(minutes=duration))
                    end_text = None
                else:
                    end_at = instants[slot + steps]
                    end_text = texts[slot + steps]
            else:
                duration = null
                start_text = null
                fixed = no
                slot = int(rng() * 38)
                end_at = instants[slot]
                end_text = texts[slot]
            r = rng()
            priority = 1 if r < 0.2 else (3 if r > 0.8 else 2)
            before, field_name, after = subjects[int(rng() * len(subjects))]
            subject = before + fill[field_name] + after if field_name else before.format_map(fill)
            created_text = previous_text if previous_done <= now else now_text
            if is_open:
                day = days[index]
                deadline = str(day + dt.timedelta(days=int(rng() * 6))) if rng() < 0.15 else null
                first_planned = day_texts[index - 1 - int(rng() * 3)] if rng() < 0.12 and index > 3 else day_text
                activity_rows((act_id, type_name, subject, uid, uid, kind, rid, day_text, start_text, duration,
                               priority, fixed, "open", "", null, "", deadline, first_planned, previous, "",
                               created_text, created_text))
                act_id += 1
                next_on = day
                next_text = day_text
                if demo:
                    self.demo_load[day] = self.demo_load.get(day, 0) + (duration or dated_minutes)
                    if index < tidx:
                        self.demo_overdue += 1
                continue
            last = i == count - 1
            if not last and rng() < 0.04:
                activity_rows((act_id, type_name, subject, uid, uid, kind, rid, day_text, start_text, duration,
                               priority, fixed, "cancelled", "", null,
                               W.CANCEL_REASONS[int(rng() * len(W.CANCEL_REASONS))], null, day_text, previous,
                               "", created_text, end_text or cached(end_at) or text_of(end_at)))
            else:
                if end_at <= previous_done:  # two on one day: done after the one it followed
                    end_at = previous_done + SLOTS[1]
                    end_text = None
                outcome = outcomes[int(rng() * len(outcomes))]
                if opportunity_demo and i == 0:
                    outcome = outcomes[0]
                if end_text is None:
                    end_text = cached(end_at) or text_of(end_at)
                activity_rows((act_id, type_name, subject, uid, uid, kind, rid, day_text, start_text, duration,
                               priority, fixed, "done", outcome, end_text, "", null, day_text, previous,
                               "none" if last else "scheduled", created_text, end_text))
                last_touch = end_at
                touch_text = end_text
                previous_done = end_at
                previous_text = end_text
                note_kind = "phone" if outcome == "connected" else "voicemail" if outcome == "left voicemail" \
                    else "email" if type_name == "email" else None
                if note_kind and rng() < 0.4:
                    texts = W.NOTE_TEXTS[note_kind]
                    if note_fill is None:
                        note_fill = {"first": name.split(" ")[0], "company": company}
                    body = texts[int(rng() * len(texts))].format_map(note_fill)
                    note_id = ids["note"]
                    ids["note"] = note_id + 1
                    note_rows((note_id, kind, rid, note_kind, body, uid, act_id, end_text, end_text))
            previous = act_id
            act_id += 1
        ids["activity"] = act_id
        if demo and next_on is not None:
            self.demo_records.append((kind, rid, next_on, created))
        return last_touch, touch_text, next_text

    def _text(self, instant: dt.datetime) -> str:
        text = self.texts[instant] = str(instant)
        return text

    def _general_note(self, owner: Owner, kind: str, rid: int, first: str, company: str,
                      after: dt.datetime) -> tuple[dt.datetime, str]:
        texts = W.NOTE_TEXTS["general"]
        at = after + (self.now - after) * self.rng.random()
        at_text = str(at)
        body = texts[int(self.rng.random() * len(texts))].format(first=first, company=company)
        note_id = self.next_id["note"]
        self.next_id["note"] = note_id + 1
        self.writer.add(Note, (note_id, kind, rid, "general", body, owner.id, self.writer.null, at_text, at_text))
        return at, at_text

    def _open_mode(self, overdue: float, stalled: float) -> str:
        r = self.rng.random()
        return "overdue" if r < overdue else "stalled" if r < overdue + stalled else "open"

    # ---- records ---------------------------------------------------------
    def _accounts(self, count: int) -> None:
        rng = self.rng.random
        null = self.writer.null
        add = self.writer.rows(Account).append
        checkpoint = self.writer.checkpoint
        mode_shares = self.shape.account_mode
        self.account_info: list[tuple[str, str, int, Owner]] = [("", "", 0, self.owners[0])]  # 1-based
        for aid in range(1, count + 1):
            name, domain, place = self._company()
            owner = self._owner()
            country, _, _, _, cities = W.PLACES[place]
            created = self._ago(30, 700)
            created_text = str(created)
            k = self._quota("account")
            touch, touch_text, next_on = self._chain(owner, "account", aid, name, name, created, created_text,
                                                     self._open_mode(*mode_shares), k)
            if rng() < 0.1:
                at, at_text = self._general_note(owner, "account", aid, "the team", name, created)
                if touch is None or at > touch:
                    touch, touch_text = at, at_text
            add((aid, owner.id, created_text, touch_text or created_text, touch_text or null, next_on or null, name,
                 W.INDUSTRIES[int(rng() * len(W.INDUSTRIES))], f"https://www.{domain}", f"info@{domain}",
                 self._phone(place), cities[int(rng() * len(cities))], country))
            self.account_info.append((name, domain, place, owner))
            checkpoint()

    def _contacts(self, count: int) -> None:
        rng = self.rng.random
        slug = self.slug
        null = self.writer.null
        add = self.writer.rows(Contact).append
        checkpoint = self.writer.checkpoint
        mode_shares = self.shape.contact_mode
        accounts = len(self.account_info) - 1
        self.first_contact: dict[int, tuple[int, str]] = {}
        for cid in range(1, count + 1):
            first, last = self._person()
            if accounts and (cid <= accounts or rng() < 0.95):
                aid = cid if cid <= accounts else 1 + int(rng() * accounts)
                company, domain, place, owner = self.account_info[aid]
                email = f"{slug(first)}.{slug(last)}@{domain}"
                self.first_contact.setdefault(aid, (cid, f"{first} {last}"))
            else:
                aid, company, place, owner = null, "", 0, self._owner()
                email = f"{slug(first)}.{slug(last)}{cid}@mail.example"
            created = self._ago(10, 600)
            created_text = str(created)
            name = f"{first} {last}"
            _, touch_text, next_on = self._chain(
                owner, "contact", cid, name, company or name, created, created_text,
                self._open_mode(*mode_shares), self._quota("contact"))
            add((cid, owner.id, created_text, touch_text or created_text, touch_text or null, next_on or null, aid,
                 first, last,
                 W.TITLES[int(rng() * len(W.TITLES))], email, self._phone(place)))
            checkpoint()

    def _leads(self, count: int) -> None:
        rng = self.rng.random
        shape = self.shape
        statuses = _expand(shape.lead_weights)
        questions = self.config.qualification
        asked = len(questions)
        # Per question: its key, its choices, and where the better half of them starts.
        question_info = [(q.key, q.choices, len(q.choices) // 2) for q in questions]
        slug = self.slug
        now = self.now
        writer = self.writer
        add = writer.rows(Lead).append
        add_touch = writer.rows(LeadTouch).append
        add_intake = writer.rows(IntakeEvent).append
        add_answer = writer.rows(QualificationAnswer).append
        checkpoint = writer.checkpoint
        ids = self.next_id
        null, no, yes = writer.null, writer.no, writer.yes
        self.converted: list[tuple[int, dt.datetime, str, str]] = []
        for lid in range(1, count + 1):
            status = LEAD_STATUSES[lid - 1] if lid <= len(LEAD_STATUSES) else statuses[int(rng() * len(statuses))]
            first, last = self._person()
            company, domain, place = self._company()
            owner = self._owner()
            created = self._ago(*shape.lead_ages[status])
            created_text = str(created)
            changed = None if status == "new" else created + (now - created) * (0.3 + 0.6 * rng())
            changed_text = None if changed is None else str(changed)
            # Touches: the first is the original source, the latest the current source.
            n_touches = 1 + (rng() < 0.45) + (rng() < 0.15)
            touched = created
            touched_text = created_text
            source = ""
            original = ""
            for t in range(n_touches):
                # One draw either way; a first touch's table leans by how the lead ended,
                # so "conversion by source" has something true to find (referrals convert).
                table = SOURCE_BY_OUTCOME.get(status, W.LEAD_SOURCES) if t == 0 else W.LEAD_SOURCES
                source = table[int(rng() * len(table))]
                if t == 0:
                    original = source
                else:
                    touched = touched + (now - touched) * rng() * 0.5
                    touched_text = str(touched)
                web = source in ("web form", "webinar", "newsletter", "LinkedIn")
                tid = ids["touch"]
                ids["touch"] = tid + 1
                touch_row = (
                    tid, lid, source,
                    W.CAMPAIGNS[int(rng() * len(W.CAMPAIGNS))] if web else "",
                    W.MEDIUMS[int(rng() * len(W.MEDIUMS))] if web else "",
                    W.REFERRERS[int(rng() * len(W.REFERRERS))] if web else "",
                    W.PAGES[int(rng() * len(W.PAGES))] if web else "",
                    touched_text, touched_text, touched_text)
                add_touch(touch_row)
                if source in W.CAPTURED_SOURCES:
                    # What `crm intake` would have logged: the form from the page it was on.
                    iid = ids["intake"]
                    ids["intake"] = iid + 1
                    form = touch_row[6].rsplit("/", 1)[-1] or "contact"
                    add_intake((iid, lid, tid, form, yes if t == 0 else no, owner.id,
                                "round robin" if t == 0 else "owner", touched_text, touched_text))
            # Qualification answers: complete for qualified leads, partial while working.
            # Both draws happen whatever the status, so the stream of numbers stays the same.
            working = int(rng() * (asked // 2 + 1))
            unqualified = min(asked, 1 + int(rng() * 2))
            answered = asked if status in ("qualified", "converted") else (
                working if status == "working" else unqualified if status == "unqualified" else 0)
            at = changed_text or created_text
            qid = ids["answer"]
            for key, choices, half in question_info[:answered]:
                if status == "unqualified":
                    answer = choices[0]
                elif status == "working":
                    answer = choices[int(rng() * len(choices))]
                else:
                    answer = choices[half + int(rng() * (len(choices) - half))]
                add_answer((qid, lid, key, answer, owner.id, at, at))
                qid += 1
            ids["answer"] = qid
            name = f"{first} {last}"
            if status in ("unqualified", "converted"):
                mode = "closed"
            elif status == "new":
                mode = "open" if rng() < shape.new_lead_worked else "none"
            else:
                mode = self._open_mode(*shape.lead_modes[status])
            k = self._quota("lead")
            if mode == "none":
                self.carry += k
                k = 0
            touch, touch_text, next_on = self._chain(owner, "lead", lid, name, company, created, created_text,
                                                     mode, k, end=changed)
            if changed is not None and (touch is None or changed > touch):
                touch_text = changed_text
            add((lid, owner.id, created_text, changed_text or created_text, touch_text or null, next_on or null,
                 first, last,
                 company, W.TITLES[int(rng() * len(W.TITLES))], f"{slug(first)}.{slug(last)}@{domain}",
                 self._phone(place), status, source, original, changed_text or null,
                 changed_text if status == "converted" else null))
            if status == "converted":
                self.converted.append((lid, changed, name, company))
            checkpoint()

    def _opportunities(self, count: int) -> None:
        rng = self.rng.random
        steps = self.config.methodology
        accounts = len(self.account_info) - 1
        states = [("open", i) for i in range(len(steps))] + [("won", -1), ("lost", -1)]
        converted = list(self.converted)
        win_share = {True: 0.5, False: 0.5}
        step_keys = [step.key for step in steps]
        now = self.now
        ids = self.next_id
        null = self.writer.null
        add = self.writer.rows(Opportunity).append
        add_step = self.writer.rows(StepCompletion).append
        checkpoint = self.writer.checkpoint
        for oid in range(1, count + 1):
            aid = 1 + int(rng() * accounts)
            account_name, _, _, owner = self.account_info[aid]
            contact = self.first_contact.get(aid)
            product = W.PRODUCTS[int(rng() * len(W.PRODUCTS))]
            lead_id = None
            take = (len(converted) / (count - oid + 1)) if self.shape.all_converted_have_opportunity else 0.4
            if converted and rng() < take:
                lead_id, created, _, _ = converted.pop()
            else:
                created = self._ago(3, 120)
            quota = self._quota("opportunity")
            # A deal with no activities at all cannot have had an early demo.
            early_demo = quota > 0 and rng() < 0.45
            if oid <= len(states):
                state, step_index = states[oid - 1]
            else:
                young = (now - created).days <= self.shape.opportunity_open_days
                state = "open" if young and rng() < self.shape.opportunity_open else "closed"
                step_index = int(rng() * len(steps)) if state == "open" else -1
            age_days = (now - created).days
            if state in ("closed", "won", "lost"):
                if state == "closed":
                    # Error diffusion, not a coin: the win rates hold even in a small demo.
                    win_share[early_demo] += 0.7 if early_demo else 0.3
                    state = "won" if win_share[early_demo] >= 1 else "lost"
                    if state == "won":
                        win_share[early_demo] -= 1
                closed_at = created + (now - created) * (0.4 + 0.5 * rng())
                done_steps = len(steps) if state == "won" else int(rng() * len(steps))
                step = steps[-1].key if state == "won" else (steps[min(done_steps, len(steps) - 1)].key if steps else "")
                probability = 100 if state == "won" else 0
                reasons = W.WON_REASONS if state == "won" else W.LOST_REASONS
                reason = reasons[int(rng() * len(reasons))]
                forecast = closed_at.date()
                mode = "closed"
            else:
                closed_at = None
                done_steps = step_index
                step = steps[step_index].key if steps else ""
                probability = min(90, 10 + 20 * step_index)
                reason = ""
                forecast = (now + dt.timedelta(days=int(-20 + 130 * rng()) if rng() < 0.08
                                               else 7 + int(110 * rng()))).date()
                mode = self._open_mode(*self.shape.opportunity_mode)
                if age_days < 1:
                    mode = "open"
            created_text = str(created)
            touch, touch_text, next_on = self._chain(
                owner, "opportunity", oid, contact[1] if contact else account_name, account_name, created,
                created_text, mode, quota, end=closed_at, early_demo=early_demo)
            step_end = closed_at or now
            sid = ids["step"]
            first_step_text = None
            for s in range(done_steps):
                at = created + (step_end - created) * ((s + 1) / (done_steps + 1))
                at_text = str(at)
                add_step((sid, oid, step_keys[s], owner.id, at_text, at_text, at_text))
                first_step_text = first_step_text or at_text
                sid += 1
                if touch is None or at > touch:
                    touch, touch_text = at, at_text
            ids["step"] = sid
            # Whole euros, 1,000 to 250,000 in steps of 500, stored as cents (MoneyField).
            cents = (int(2000 * (125 ** rng())) // 500 * 500 + 500) * 100
            currency = "EUR" if rng() < 0.8 else ("USD" if rng() < 0.6 else "GBP")
            closed_text = None if closed_at is None else str(closed_at)
            add((oid, owner.id, created_text, closed_text or touch_text or created_text, touch_text or null,
                 next_on or null, f"{account_name}: {product}", aid, contact[0] if contact else null, lead_id or null,
                 step, str(forecast), cents, currency, probability, state, reason, closed_text or null,
                 first_step_text or null))
            checkpoint()

    def _cases(self, count: int) -> None:
        rng = self.rng.random
        accounts = len(self.account_info) - 1
        statuses = _expand(self.shape.case_weights)
        sla_ages = self.shape.active_case_sla_ages
        priorities = _expand(CASE_PRIORITY_WEIGHTS)
        forced = list(CASE_STATUSES) + ["escalated-unanswered", "escalated-answered", "past-sla"]
        for cid in range(1, count + 1):
            special = forced[cid - 1] if cid <= len(forced) else ""
            status = special if special in CASE_STATUSES else (
                "open" if special else statuses[int(rng() * len(statuses))])
            priority = "high" if special else priorities[int(rng() * len(priorities))]
            aid = 1 + int(rng() * accounts)
            account_name, _, _, owner = self.account_info[aid]
            contact = self.first_contact.get(aid)
            active = status in ("new", "open", "waiting")
            if active and sla_ages is not None and not special:
                created = self._ago(*(SLA_HOURS[priority] / 24 * age for age in sla_ages))
            else:
                created = self._ago(0.3, 14) if active else self._ago(5, 60)
            if special == "past-sla":
                created = self._ago(2, 4)
            sla_due = created + dt.timedelta(hours=SLA_HOURS[priority])
            answered = None
            if status != "new" and special != "past-sla":
                candidate = created + (sla_due - created) * (0.2 + 0.7 * rng())
                if candidate < self.now and (not active or rng() < 0.85):
                    answered = candidate
            escalated_to = escalated_at = None
            escalation_reason = ""
            if special.startswith("escalated") or (active and rng() < 0.12):
                escalated_to = self.manager_id
                escalated_at = created + (self.now - created) * 0.3
                if special == "escalated-unanswered":
                    escalated_at = self.now - dt.timedelta(hours=6 + int(rng() * 20))
                    created = min(created, escalated_at - dt.timedelta(hours=2))
                    answered = None
                elif special == "escalated-answered":
                    answered = escalated_at + dt.timedelta(hours=1)
                escalation_reason = W.ESCALATION_REASONS[int(rng() * len(W.ESCALATION_REASONS))]
            closed_at = None if active else created + (self.now - created) * (0.5 + 0.4 * rng())
            subject = W.CASE_SUBJECTS[int(rng() * len(W.CASE_SUBJECTS))]
            mode = self._open_mode(*self.shape.case_mode) if active else "closed"
            created_text = str(created)
            _, touch_text, next_on = self._chain(
                owner, "case", cid, contact[1] if contact else account_name, account_name, created, created_text,
                mode, self._quota("case"), end=closed_at)
            self.writer.add(Case, (
                cid, owner.id, created_text, closed_at or touch_text or created_text, touch_text or self.writer.null,
                next_on or self.writer.null, aid,
                contact[0] if contact else None, subject,
                f"{subject}. Reported by {contact[1] if contact else 'the customer'} of {account_name}.",
                priority, status, escalated_to, escalated_at, escalation_reason, answered, sla_due))
            self.writer.checkpoint()

    def _templates(self) -> None:
        created = self.now - dt.timedelta(days=300)
        for tid, (name, subject, body) in enumerate(W.EMAIL_TEMPLATES, start=1):
            self.writer.add(EmailTemplate, (tid, name, subject, body, created, created, 1))

    # ---- snoozed records and saved views (issue 14) ------------------------
    def _parked_and_views(self) -> None:
        """Two parked leads (one of the demo user's, one of a colleague's, so the
        managers' Parked group has rows) and two saved Records views."""
        owner = self.demo_owner
        today = owner.today
        reasons = (("champion on leave until the 3rd of next month", 24), ("budget frozen until Q1 review", 40))
        columns = (Lead.id, Lead.owner)
        mine = Lead.select(*columns).where((Lead.owner == owner.id) & (Lead.status == "working")).order_by(Lead.id)
        theirs = Lead.select(*columns).where((Lead.owner != owner.id) & (Lead.status == "working")).order_by(Lead.id)
        for (reason, days), query in zip(reasons, (mine, theirs)):
            found = query.tuples().first()
            if found is None:
                continue
            lead_id, snoozed_by = found
            until = today + dt.timedelta(days=days)
            RecordSnooze.insert(record_kind="lead", record_id=lead_id, reason=reason, until=until,
                                until_at=clock.to_utc_naive(dt.datetime.combine(until, dt.time()), owner.tz),
                                snoozed_by=snoozed_by, created_at=self.now - dt.timedelta(days=days // 4),
                                updated_at=self.now).execute()
        for name, kind, scope, status, sort in (("Stale working leads", "lead", "mine", "working", "last_touch"),
                                                ("Everyone's open cases", "case", "all", "open", "-created")):
            SavedView.insert(owner=owner.id, name=name, kind=kind, scope=scope, status=status, sort=sort,
                             created_at=self.now, updated_at=self.now).execute()

    # ---- the demo user's day ----------------------------------------------
    def _demo_series(self) -> None:
        """A weekly account check-in for the demo user: the first open account
        activity from today on becomes the first occurrence of a series, so
        completing it on Today plans next week's (`R` on Today edits it)."""
        owner = self.demo_owner
        first = (Activity.select().where((Activity.owner == owner.id) & (Activity.status == "open")
                                         & (Activity.record_kind == "account")
                                         & (Activity.planned_date >= owner.today))
                 .order_by(Activity.planned_date, Activity.id).first())
        if first is None:
            return
        local = ""
        if first.start_at is not None:
            start = first.start_at.replace(tzinfo=dt.timezone.utc).astimezone(zoneinfo.ZoneInfo(owner.tz))
            local = f"{start:%H:%M}"
        series = Recurrence.create(
            owner=owner.id, created_by=owner.id, record_kind="account", record_id=first.record_id,
            type=first.type, subject=first.subject, priority=first.priority, local_time=local,
            duration_min=first.duration_min, rule="schedule", every=1, unit="weeks", anchor=first.planned_date,
            created_at=self.now, updated_at=self.now,
        )
        Activity.update(series=series.id).where(Activity.id == first.id).execute()

    def _demo_user_extras(self) -> None:
        """Make sure the demo user has overdue work and two overloaded coming days.

        Extra open activities go onto the demo user's records that already have
        an open one; the records' next-activity day is corrected to match.
        """
        owner = self.demo_owner
        if not self.demo_records:
            return
        rng = self.rng.random
        tomorrow = owner.index_of(owner.today + dt.timedelta(days=1))
        targets = [tomorrow, min(tomorrow + 2, len(owner.days) - 1)]
        touched: dict[tuple[str, int], dt.date] = {}
        pick = 0

        def add(index: int, type_name: str, duration: int | None, slot: int, fixed: bool) -> None:
            nonlocal pick
            kind, rid, next_on, created = self.demo_records[pick % len(self.demo_records)]
            pick += 1
            day = owner.days[index]
            start_at = owner.base(index) + SLOTS[slot] if duration else None
            subjects = self.type_info[type_name][3]
            act_id = self.next_id["activity"]
            self.next_id["activity"] = act_id + 1
            subject = subjects[int(rng() * len(subjects))].format(name="the buying team", company="the customer")
            self.writer.add(Activity, (
                act_id, type_name, subject, owner.id, owner.id, kind, rid, day, start_at, duration,
                2, fixed, "open", "", None, "", None, day, None, "", created, created))
            key = (kind, rid)
            current = touched.get(key, next_on)
            touched[key] = day if current is None or day < current else current
            self.demo_load[day] = self.demo_load.get(day, 0) + (duration or self.type_info[type_name][4])

        for index in targets:
            day = owner.days[index]
            capacity = owner.capacity[day.weekday()]
            slot = 4
            while self.demo_load.get(day, 0) <= capacity * OVERLOAD_FACTOR:
                add(index, self.meeting_type, 60 + 30 * int(rng() * 2), slot % 34, rng() < 0.5)
                slot += 5
            self.overloaded.append(day)
        for back in (1, 2, 4, 6)[: max(0, 4 - self.demo_overdue)]:
            index = owner.tidx - back
            if index >= 0:
                task = "task" if "task" in self.type_info else self.meeting_type
                add(index, task, None, 0, False)
        self.writer.flush()
        for (kind, rid), day in sorted(touched.items()):
            model = RECORD_MODELS[kind]
            model.update(next_activity_on=day).where(model.id == rid).execute()
