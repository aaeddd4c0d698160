"""Settings: sensible defaults, overridden by TOML files, then by CRM_* variables.

Files are read in order, later ones winning key by key: the system-wide
`/etc/crm_tui/config.toml` (the shared server's), the user's own
`config.toml` in their config dir, and `CRM_CONFIG` if set. A bad value is
reported as `file: key: problem`, never as a traceback.
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
from dataclasses import MISSING, FrozenInstanceError, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

import platformdirs

APP_NAME = "crm_tui"
SYSTEM_CONFIG = Path("/etc/crm_tui/config.toml")


class Settings:
    """Built from fields, frozen, with equality, hash and repr by field values,
    as `@dataclass(frozen=True)` would make them.

    The settings classes below are dataclasses that take all their methods
    from here instead of having them generated: @dataclass compiles each
    method from source, per class, and for these 17 classes that was ~70M
    instructions of every start, before the first paint (a generated
    `__init__` alone ~20M). A field is set once, by `__init__`, and never again."""

    __slots__ = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Positional or keyword values for the fields, defaults for the rest."""
        cls = type(self)
        declared = fields(self)  # type: ignore[arg-type]
        if len(args) > len(declared):
            raise TypeError(f"{cls.__name__}() takes {len(declared)} positional arguments but {len(args)} were given")
        for spec, value in zip(declared, args):
            if spec.name in kwargs:
                raise TypeError(f"{cls.__name__}() got multiple values for argument {spec.name!r}")
            kwargs[spec.name] = value
        for spec in declared:
            if spec.name in kwargs:
                value = kwargs.pop(spec.name)
            elif spec.default is not MISSING:
                value = spec.default
            elif spec.default_factory is not MISSING:
                value = spec.default_factory()
            else:
                raise TypeError(f"{cls.__name__}() missing required argument: {spec.name!r}")
            object.__setattr__(self, spec.name, value)
        if kwargs:
            raise TypeError(f"{cls.__name__}() got an unexpected keyword argument {next(iter(kwargs))!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.__dict__ or name not in self.__dataclass_fields__:  # type: ignore[attr-defined]
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__dataclass_fields__)  # type: ignore[attr-defined]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in zip(self.__dataclass_fields__, self._values()))
        return f"{type(self).__qualname__}({shown})"


class ConfigError(ValueError):
    """A config file or value that cannot be used; the message names the key."""


@dataclass(init=False, eq=False, repr=False)
class ActivityType(Settings):
    """One standard activity designation that everyone uses."""

    name: str
    """Key stored on activities, e.g. "call"."""
    label: str = ""
    """Shown to users; defaults to the name capitalised."""
    minutes: int = 30
    """Load estimate for a dated (all-day) activity of this type."""
    outcomes: tuple[str, ...] = ("done",)
    """The only outcomes a completed activity of this type may have."""

    @property
    def title(self) -> str:
        return self.label or self.name.capitalize()


@dataclass(init=False, eq=False, repr=False)
class Question(Settings):
    """A qualification question, asked in list order, answered by one choice."""

    key: str
    text: str
    choices: tuple[str, ...]


CHAIN_MODES = ("suggest", "auto", "none")
"""How a configured next activity is offered: prefilled in the follow-up prompt
(suggest), created without asking (auto), or "no follow-up" preselected (none)."""

CHAIN_FIELDS = ("subject", "record", "type", "outcome", "step")
"""The {names} a next activity's subject template may use."""


@dataclass(init=False, eq=False, repr=False)
class Chain(Settings):
    """The next activity after one of type `after` is done with `outcome`.

    `[[chains]] after = "call", outcome = "left voicemail", working_days = 2`
    makes "call done, left voicemail" prefill "call again in 2 working days".
    """

    after: str
    """The type of the activity being completed, e.g. "call"."""
    outcome: str = ""
    """Its outcome; empty matches every outcome of that type without a rule of its own."""
    type: str = ""
    """The next activity's type; empty: the same type as the one done."""
    subject: str = "Follow up: {subject}"
    """Template: {subject} (the done activity's), {record}, {type}, {outcome}."""
    working_days: int = 1
    """Planned this many working days after today (holidays and weekends skipped)."""
    time: str = ""
    """A local time of day like "10:00"; empty for an all-day activity."""
    mode: str = "suggest"
    """suggest (prefilled prompt), auto (created without asking) or none (no follow-up preselected)."""


@dataclass(init=False, eq=False, repr=False)
class Step(Settings):
    """A methodology step of an opportunity, due within `within_days` of the previous.

    Its activity is offered the way a `Chain` offers a next activity: `delay_days`
    working days after the previous step is done (never after its due day),
    with `subject` and `mode` meaning what they mean on a chain.
    """

    key: str
    name: str
    within_days: int = 5
    activity_type: str = "meeting"
    subject: str = "{step}: {record}"
    """Template for the step's activity: {step} (this step's name), {record}."""
    delay_days: int = 1
    """Working days after the previous step is done to plan it on (capped at its due day)."""
    mode: str = "suggest"
    """suggest, auto or none, as on a chain."""


@dataclass(init=False, eq=False, repr=False)
class Thresholds(Settings):
    """Limits the exception rules and reviews apply."""

    lead_untouched_days: float = 1
    """Rule 1: a new lead must be touched within this many days of entry."""
    lead_undecided_days: float = 14
    """Rule 2: days after entry by which a lead should be qualified or decided."""
    lead_min_phone_notes: int = 5
    """Rule 2: fewer phone notes than this on an undecided lead is an exception."""
    opportunity_steps_days: float = 5
    """Rule 5: methodology steps must be in use this many days after creation."""
    activity_overdue_days: float = 3
    """Rule 7: an activity overdue by more than this many days."""
    case_escalation_answer_hours: float = 4
    """Rule 8: an escalated case must be answered within this many hours."""
    qualified_grace_days: float = 0
    """Rules 3 and 4: time a lead has after qualifying to get its answers and
    its opportunity before it is an exception (0: at once, as the rule says)."""
    no_open_activity_days: float = 0
    """Rule 6: how long an open record may sit with no open activity after its
    creation or its last completed activity (0: at once, as the rule says)."""
    touched_within_days: float = 1
    """Process view: a new lead counts as touched in time within this many days."""
    stale_record_days: int = 14
    """Weekly review: no touch in this many days needs a look."""
    quote_approval_hours: float = 24
    """Rule 9: a quote waiting for a manager's approval longer than this many hours."""
    invoice_overdue_days: float = 7
    """Rule 10: an open invoice overdue by more than this many days."""
    order_late_days: float = 0
    """Rule 11: an order not delivered this many days after its promised day (0: the day after)."""


@dataclass(init=False, eq=False, repr=False)
class Sales(Settings):
    """Quotes, orders and invoices: tax, the discount limit, default terms."""

    currency: str = "EUR"
    """Currency of new products and quotes."""
    tax_rate: decimal.Decimal = decimal.Decimal("19")
    """Tax in percent, added to each quote's subtotal (write it as text or a number: "19", 7.7)."""
    discount_limit: decimal.Decimal = decimal.Decimal("10")
    """A quote with a line discount above this percent needs a manager's approval;
    at or below it, submitting approves the quote at once."""
    quote_valid_days: int = 30
    """A new quote is valid for this many days."""
    delivery_days: int = 14
    """An order is promised for this many days after the quote was accepted."""
    invoice_due_days: int = 30
    """An invoice is due this many days after it is issued."""
    quote_template: str = "Quote"
    """The email template used when a quote is sent (a built-in text if it does not exist)."""


@dataclass(init=False, eq=False, repr=False)
class Smtp(Settings):
    """The outgoing mail server for alerts, quotes and replies."""

    host: str = ""
    port: int = 25
    username: str = ""
    password: str = ""
    starttls: bool = False
    sender: str = "crm@localhost"
    timeout: float = 10.0


@dataclass(init=False, eq=False, repr=False)
class Permissions(Settings):
    """Who may change which records (enforced in crm_tui.domain.permissions).

    Reps change the records and activities they own; managers change their
    team's; admins change everything and manage users. Everyone may read.
    """

    teams: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Team name -> member logins, e.g. {east = ["max", "ann"]}. A manager edits
    the records of everyone who shares a team with them; with no teams at all,
    everyone is one team."""
    reps_edit_team: bool = False
    """Also let reps change the records owned by their team mates."""


@dataclass(init=False, eq=False, repr=False)
class Sla(Settings):
    """Hours a new case may wait for its answer, by priority (wall-clock hours).

    A case's `sla_due` is its creation time plus these hours; changing the
    priority later recomputes it from the creation time.
    """

    urgent: float = 4
    """An urgent case must be answered within this many hours."""
    high: float = 8
    """A high-priority case must be answered within this many hours."""
    normal: float = 24
    """A normal case must be answered within this many hours."""
    low: float = 72
    """A low-priority case must be answered within this many hours."""

    def hours(self, priority: str) -> float:
        """The answer time for a priority (urgent, high, normal, low)."""
        if priority not in ("urgent", "high", "normal", "low"):
            raise KeyError(priority)
        return float(getattr(self, priority))


@dataclass(init=False, eq=False, repr=False)
class Alerts(Settings):
    """Who `crm alerts send` mails a digest of new exceptions to."""

    notify_managers: bool = True
    """Mail every active manager and admin (with an email) all new exceptions."""
    notify_owners: bool = False
    """Also mail each record owner the new exceptions on their own records."""
    subject_prefix: str = "[crm]"
    """Put in front of every digest's subject, so mail filters can sort them."""


INTAKE_FIELDS: tuple[str, ...] = (
    "first_name", "last_name", "name", "company", "title", "email", "phone",
    "source", "campaign", "medium", "referrer", "page", "form",
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
    "country", "region", "product", "message",
)
"""The fields a lead capture may carry, besides the qualification question keys."""

ASSIGN_BY = ("territory", "product")


@dataclass(init=False, eq=False, repr=False)
class AssignRule(Settings):
    """Give a captured lead to one person when its territory or product interest matches."""

    by: str
    """"territory" (matches the form's country or region) or "product" (its product interest)."""
    values: tuple[str, ...]
    """Values that match, compared without regard to case, e.g. ["DE", "AT", "CH"]."""
    assign: str
    """The login that gets the lead; skipped when that user is not active."""


@dataclass(init=False, eq=False, repr=False)
class Intake(Settings):
    """Lead capture: `crm intake` and its HTTP listener `crm intake serve`."""

    path: str = "/intake"
    """The only URL path the listener answers; everything else is 404."""
    token_file: str = ""
    """File holding the shared secret the listener requires (e.g. a systemd
    credential); the variable CRM_INTAKE_TOKEN takes precedence."""
    max_body_bytes: int = 16384
    """Larger request bodies are refused (413) unread."""
    rate_per_minute: int = 20
    """Requests one client may make per minute before getting 429."""
    max_concurrent: int = 8
    """Requests handled at once; more get 503 at once instead of piling up threads."""
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    """Peers whose X-Forwarded-For names the real client (for the rate limit)."""
    role: str = "sales rep"
    """The job role (one of `[roles] names`) whose active holders take round-robin
    leads, e.g. a dedicated "intake" role; with nobody holding it, the active reps."""
    rules: tuple[AssignRule, ...] = ()
    """Assignment rules, first match wins; no match means round robin."""
    field_map: dict[str, str] = field(default_factory=dict)
    """The site's field name -> ours, e.g. {fname = "first_name", q_budget = "budget"}."""
    default_source: str = "web"
    """The touch's source when the form sends neither source nor utm_source."""
    first_call_type: str = "call"
    """The activity type of the first call planned for the assignee."""
    first_call_hours: float = 4
    """The first call is due on the assignee's working day this many hours from arrival."""
    reply_forms: dict[str, str] = field(default_factory=dict)
    """Form name -> email template name for the automatic reply."""
    reply_campaigns: dict[str, str] = field(default_factory=dict)
    """Campaign -> email template name, when the form has no reply of its own."""
    reply_default: str = ""
    """Template for every other capture; empty: no reply."""
    reply_from: str = ""
    """From address of replies (default: [smtp] sender); Reply-To is the assignee."""
    retry_minutes: float = 10
    """How often `crm intake serve` retries replies that could not be sent."""
    reply_within_hours: float = 48
    """A reply still unsent this long after its capture is given up: an
    "automatic" answer days late (after the rep called) confuses more than it helps."""


@dataclass(init=False, eq=False, repr=False)
class ProcessStep(Settings):
    """One step of the business process and the job role responsible for it."""

    key: str
    """Short name, e.g. "sell"."""
    name: str
    """What the step is, as `crm process` prints it."""
    role: str
    """The job role (one of `[roles] names`) that does this step."""


@dataclass(init=False, eq=False, repr=False)
class Roles(Settings):
    """Job roles: what people do, as opposed to `User.role` (what they may change).

    Each user holds one or more (`crm users roles LOGIN --grant ROLE`). Case
    assignment suggests people by role, escalation goes to the role's manager
    role, and `crm process` prints the steps against the roles and their people.
    """

    names: tuple[str, ...] = (
        "sales rep", "sales manager", "support agent", "support lead", "delivery", "billing", "admin",
    )
    """The job roles a user may hold."""
    managers: dict[str, str] = field(default_factory=lambda: {
        "sales rep": "sales manager", "support agent": "support lead", "delivery": "admin",
        "billing": "admin", "sales manager": "admin", "support lead": "admin",
    })
    """Role -> the role that manages it (escalations go there), e.g. {"sales rep" = "sales manager"}."""
    process: tuple[ProcessStep, ...] = (
        ProcessStep("sell", "Qualify, quote and close", "sales rep"),
        ProcessStep("approve", "Approve quotes and discounts", "sales manager"),
        ProcessStep("deliver", "Deliver orders", "delivery"),
        ProcessStep("bill", "Invoice and collect payments", "billing"),
        ProcessStep("support", "Answer cases", "support agent"),
        ProcessStep("escalate", "Take escalated cases", "support lead"),
    )
    """The business process: ordered steps, each done by one job role."""

    def manager_of(self, role: str) -> str | None:
        """The role that manages `role`, or None."""
        manager = self.managers.get(role)
        return manager if manager in self.names else None

    def step_role(self, key: str) -> str:
        """The role responsible for process step `key` (KeyError if none)."""
        for step in self.process:
            if step.key == key:
                return step.role
        raise KeyError(key)


@dataclass(init=False, eq=False, repr=False)
class Review(Settings):
    """The weekly review: when it is due (crm_tui.domain.review)."""

    weekday: int = 4
    """The weekday the review is due, Monday is 0 (default Friday). From that day
    on, Today shows a reminder until a review is completed."""


@dataclass(init=False, eq=False, repr=False)
class Insights(Settings):
    """"What wins": how closed deals are turned into honest rates (crm_tui.domain.insights)."""

    min_sample: int = 10
    """A bucket with fewer deals (or leads) than this is marked "not enough data"."""
    confidence: float = 0.95
    """Confidence level of the Wilson interval shown with every rate."""
    early_days: int = 7
    """"Early" activity: done within this many days of the opportunity's creation."""


@dataclass(init=False, eq=False, repr=False)
class Config(Settings):
    """Everything the CRM reads from config files and the environment."""

    database: str = ""
    """A SQLite path or URL; empty means crm.db in the user data dir."""
    default_time_zone: str = "UTC"
    """Time zone given to new users unless set."""
    capacity_minutes: tuple[int, ...] = (420, 420, 420, 420, 420, 0, 0)
    """Default daily capacity per weekday, Monday first, for new users."""
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    """Weekdays that count as working days, Monday is 0."""
    holidays: tuple[dt.date, ...] = ()
    """Dates nobody works; nothing is planned onto them."""
    activity_types: tuple[ActivityType, ...] = (
        ActivityType("call", "Call", 15, ("connected", "left voicemail", "no answer", "wrong number")),
        ActivityType("meeting", "Meeting", 60, ("meeting held", "no show", "rescheduled by customer")),
        ActivityType("email", "Email", 10, ("sent", "replied")),
        ActivityType("task", "Task", 30, ("done",)),
        ActivityType("demo", "Demo", 60, ("demo held", "no show")),
    )
    """The standard list; activities may only use these types and outcomes."""
    qualification: tuple[Question, ...] = (
        Question("budget", "Budget", ("none", "under 10k", "10k-50k", "over 50k")),
        Question("authority", "Authority", ("user", "influencer", "decision maker")),
        Question("need", "Need", ("none", "nice to have", "pressing", "critical")),
        Question("timeline", "Decision timeline", ("30 days", "90 days", "6 months", "12 months")),
    )
    """Qualification questions in the order a rep asks them."""
    methodology: tuple[Step, ...] = (
        Step("discovery", "Discovery call", 2, "call"),
        Step("demo", "Demo", 7, "demo"),
        Step("proposal", "Proposal", 5, "email"),
        Step("negotiation", "Negotiation", 10, "meeting"),
        Step("closing", "Closing", 10, "call"),
    )
    """The sales methodology: ordered steps, each with its time frame."""
    chains: tuple[Chain, ...] = ()
    """Next activities by type and outcome (see Chain); with none, completing
    suggests the same type, "Follow up: <subject>", the next working day."""
    thresholds: Thresholds = field(default_factory=Thresholds)
    smtp: Smtp = field(default_factory=Smtp)
    permissions: Permissions = field(default_factory=Permissions)
    sla: Sla = field(default_factory=Sla)
    """Case answer times per priority: `[sla] urgent = 4`, `high = 8`, ..."""
    alerts: Alerts = field(default_factory=Alerts)
    sales: Sales = field(default_factory=Sales)
    """Quotes, orders and invoices: `[sales] tax_rate = "19"`, `discount_limit = "10"`, ..."""
    roles: Roles = field(default_factory=Roles)
    """Job roles, who manages whom, and the process steps: `[roles] names = [...]`."""
    intake: Intake = field(default_factory=Intake)
    """Lead capture: `[intake]`, `[[intake.rules]]`, see README."""
    review: Review = field(default_factory=Review)
    """`[review] weekday = 4`: when the weekly review is due."""
    insights: Insights = field(default_factory=Insights)
    """`[insights] min_sample = 10`, `confidence = 0.95`, `early_days = 7`."""
    refresh_seconds: float = 1.0
    """How often the app polls for other users' changes."""
    keymap: dict[str, str] = field(default_factory=dict)
    """Binding id -> keys, e.g. {"complete" = "x"}, passed to App.set_keymap."""
    presence_seconds: float = 5.0
    """How often an open record's detail view tells others "open by you" (a
    heartbeat); a mark expires after three missed beats."""
    hooks_dir: str = ""
    """Directory of hook executables (`on-create`, `on-complete`, `on-exception`);
    empty: no hooks. Each gets its event as JSON on standard input."""
    hook_timeout: float = 10.0
    """Seconds a hook may run before it is killed (and the kill logged)."""
    hooks_log: str = ""
    """File where hook failures are logged; empty: hooks.log in the user log dir."""

    def activity_type(self, name: str) -> ActivityType:
        for kind in self.activity_types:
            if kind.name == name:
                return kind
        raise KeyError(name)

    @property
    def activity_type_names(self) -> tuple[str, ...]:
        return tuple(kind.name for kind in self.activity_types)

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() in self.working_days and day not in self.holidays

    def chain_for(self, activity_type: str, outcome: str) -> Chain | None:
        """The chain for this type and outcome: an exact outcome first, then the type's catch-all."""
        fallback = None
        for chain in self.chains:
            if chain.after != activity_type:
                continue
            if chain.outcome == outcome:
                return chain
            if not chain.outcome and fallback is None:
                fallback = chain
        return fallback


def validate(config: Config) -> Config:
    """Checks across fields that a type alone cannot express."""
    names = config.activity_type_names
    if not names:
        raise ConfigError("activity_types: at least one activity type is needed")
    if len(set(names)) != len(names):
        raise ConfigError("activity_types: each name may appear only once")
    if len(config.capacity_minutes) != 7 or any(m < 0 for m in config.capacity_minutes):
        raise ConfigError("capacity_minutes: expected 7 non-negative numbers, Monday first")
    if not config.working_days or any(d not in range(7) for d in config.working_days):
        raise ConfigError("working_days: expected weekdays 0 (Monday) to 6 (Sunday)")
    for i, kind in enumerate(config.activity_types):
        if not kind.outcomes:
            raise ConfigError(f"activity_types[{i}].outcomes: at least one outcome is needed")
    for i, question in enumerate(config.qualification):
        if not question.choices:
            raise ConfigError(f"qualification[{i}].choices: at least one choice is needed")
    keys = [question.key for question in config.qualification]
    if len(set(keys)) != len(keys):
        raise ConfigError("qualification: each question key may appear only once")
    steps = [step.key for step in config.methodology]
    if len(set(steps)) != len(steps):
        raise ConfigError("methodology: each step key may appear only once")
    for i, step in enumerate(config.methodology):
        if step.within_days < 0:
            raise ConfigError(f"methodology[{i}].within_days: must be 0 or more")
    for i, step in enumerate(config.methodology):
        _check_next(f"methodology[{i}]", step.mode, step.subject, step.delay_days, "delay_days", ("step", "record"))
    seen: set[tuple[str, str]] = set()
    for i, chain in enumerate(config.chains):
        key = f"chains[{i}]"
        if chain.after not in names:
            raise ConfigError(f"{key}.after: {chain.after!r} is not an activity type ({', '.join(names)})")
        outcomes = config.activity_type(chain.after).outcomes
        if chain.outcome and chain.outcome not in outcomes:
            raise ConfigError(f"{key}.outcome: {chain.outcome!r} is not an outcome of {chain.after} "
                              f"({', '.join(outcomes)})")
        if chain.type and chain.type not in names:
            raise ConfigError(f"{key}.type: {chain.type!r} is not an activity type ({', '.join(names)})")
        if (chain.after, chain.outcome) in seen:
            raise ConfigError(f"{key}: a second chain for {chain.after} / {chain.outcome or 'any outcome'}")
        seen.add((chain.after, chain.outcome))
        _check_next(key, chain.mode, chain.subject, chain.working_days, "working_days",
                    ("subject", "record", "type", "outcome"))
        if chain.time:
            parts = chain.time.split(":")
            if len(parts) != 2 or not all(p.isdigit() for p in parts) or int(parts[0]) > 23 or int(parts[1]) > 59:
                raise ConfigError(f"{key}.time: expected a time like 10:00, got {chain.time!r}")
    for name in ("urgent", "high", "normal", "low"):
        if config.sla.hours(name) <= 0:
            raise ConfigError(f"sla.{name}: must be more than 0 hours")
    _validate_roles(config.roles)
    sales = config.sales
    if len(sales.currency) != 3 or not sales.currency.isalpha() or not sales.currency.isupper():
        raise ConfigError("sales.currency: expected a three-letter code like EUR")
    if not decimal.Decimal(0) <= sales.tax_rate <= decimal.Decimal(100):
        raise ConfigError("sales.tax_rate: expected a percentage from 0 to 100")
    if not decimal.Decimal(0) <= sales.discount_limit <= decimal.Decimal(100):
        raise ConfigError("sales.discount_limit: expected a percentage from 0 to 100")
    for name in ("quote_valid_days", "delivery_days", "invoice_due_days"):
        if getattr(sales, name) < 0:
            raise ConfigError(f"sales.{name}: must be 0 or more")
    if config.review.weekday not in range(7):
        raise ConfigError("review.weekday: expected a weekday from 0 (Monday) to 6 (Sunday)")
    if config.insights.min_sample < 1:
        raise ConfigError("insights.min_sample: must be 1 or more")
    if not 0.5 <= config.insights.confidence < 1:
        raise ConfigError("insights.confidence: expected a level like 0.95 (from 0.5, below 1)")
    if config.insights.early_days < 1:
        raise ConfigError("insights.early_days: must be 1 or more")
    if config.thresholds.stale_record_days < 1:
        raise ConfigError("thresholds.stale_record_days: must be 1 or more")
    if config.refresh_seconds <= 0:
        raise ConfigError("refresh_seconds: must be more than 0")
    if config.presence_seconds <= 0:
        raise ConfigError("presence_seconds: must be more than 0")
    if config.hook_timeout <= 0:
        raise ConfigError("hook_timeout: must be more than 0")
    _validate_intake(config)
    return config


def _validate_roles(roles: Roles) -> None:
    names = roles.names
    if not names:
        raise ConfigError("roles.names: at least one job role is needed")
    if len(set(names)) != len(names) or any(not name.strip() for name in names):
        raise ConfigError("roles.names: each job role must be non-empty and appear only once")
    # The defaults name the default roles: a site that renames its roles but keeps
    # the default managers and process simply has no manager for a missing role.
    default = Roles()
    managers = {} if roles.managers == default.managers else roles.managers
    process = () if roles.process == default.process else roles.process
    for role, manager in managers.items():
        if role not in names:
            raise ConfigError(f"roles.managers.{role}: not one of roles.names")
        if manager not in names:
            raise ConfigError(f"roles.managers.{role}: {manager!r} is not one of roles.names")
        if manager == role:
            raise ConfigError(f"roles.managers.{role}: a role cannot manage itself")
    keys = [step.key for step in roles.process]
    if len(set(keys)) != len(keys):
        raise ConfigError("roles.process: each step key may appear only once")
    for i, step in enumerate(process):
        if step.role not in names:
            raise ConfigError(f"roles.process[{i}].role: {step.role!r} is not one of roles.names")


def _validate_intake(config: Config) -> None:
    intake = config.intake
    if not intake.path.startswith("/") or any(ch in intake.path for ch in "?# "):
        raise ConfigError(f"intake.path: expected a path like /intake, got {intake.path!r}")
    for name in ("max_body_bytes", "rate_per_minute", "max_concurrent"):
        if getattr(intake, name) <= 0:
            raise ConfigError(f"intake.{name}: must be more than 0")
    if intake.first_call_hours < 0 or intake.retry_minutes <= 0 or intake.reply_within_hours <= 0:
        raise ConfigError("intake.first_call_hours must be 0 or more, intake.retry_minutes and "
                          "intake.reply_within_hours more than 0")
    # Like [roles]' own defaults: renamed roles and the default intake role mean
    # nobody holds it, so round robin goes to the active reps.
    if intake.role != Intake.role and intake.role not in config.roles.names:
        raise ConfigError(f"intake.role: {intake.role!r} is not one of roles.names")
    for i, rule in enumerate(intake.rules):
        if rule.by not in ASSIGN_BY:
            raise ConfigError(f"intake.rules[{i}].by: expected one of {', '.join(ASSIGN_BY)}")
        if not rule.values:
            raise ConfigError(f"intake.rules[{i}].values: at least one value is needed")
    known = set(INTAKE_FIELDS) | {question.key for question in config.qualification}
    for theirs, ours in intake.field_map.items():
        if ours not in known:
            raise ConfigError(f"intake.field_map.{theirs}: {ours!r} is not a lead field or question key")
def _check_next(key: str, mode: str, subject: str, days: int, days_name: str, allowed: tuple[str, ...]) -> None:
    if mode not in CHAIN_MODES:
        raise ConfigError(f"{key}.mode: expected one of {', '.join(CHAIN_MODES)}, got {mode!r}")
    if not 0 <= days <= 366:
        raise ConfigError(f"{key}.{days_name}: expected 0 to 366 working days")
    if mode != "none" and not subject.strip():
        raise ConfigError(f"{key}.subject: a subject is needed")
    try:
        subject.format_map({name: "" for name in allowed})
    except (KeyError, ValueError, IndexError) as exc:
        raise ConfigError(f"{key}.subject: use only {{{'}, {'.join(allowed)}}} in {subject!r} ({exc})") from None


def default_database_path() -> Path:
    """crm.db in the user's data directory."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "crm.db"


def user_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def config_paths() -> list[Path]:
    """The files read, lowest precedence first."""
    paths = [SYSTEM_CONFIG, user_config_path()]
    if os.environ.get("CRM_CONFIG"):
        paths.append(Path(os.environ["CRM_CONFIG"]))
    return paths


def load(paths: list[Path] | None = None) -> Config:
    """Read config files (missing ones are skipped) and CRM_* variables."""
    merged: dict[str, Any] = {}
    for path in config_paths() if paths is None else paths:
        if not path.is_file():
            if paths is not None or path == Path(os.environ.get("CRM_CONFIG", "\0")):
                raise ConfigError(f"{path}: config file not found")
            continue
        import tomllib  # only when there is a file to read: most starts have none (~2 ms)

        try:
            with path.open("rb") as handle:
                data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
        try:
            config_from_dict(data)  # validate each file on its own, for the right file name
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from exc
        _deep_merge(merged, data)
    if os.environ.get("CRM_DATABASE"):
        merged["database"] = os.environ["CRM_DATABASE"]
    return config_from_dict(merged)


def config_from_dict(data: dict[str, Any]) -> Config:
    """Build a Config from TOML data, naming the key of any bad value."""
    return validate(_build(Config, data, ""))


def _deep_merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _deep_merge(into[key], value)
        else:
            into[key] = value


def _build(cls: type, data: Any, prefix: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{prefix or 'config'}: expected a table")
    hints = get_type_hints(cls)
    known = {f.name for f in fields(cls)}
    for key in data:
        if key not in known:
            raise ConfigError(f"{prefix}{key}: unknown setting")
    for f in fields(cls):
        if f.name not in data and f.default is MISSING and f.default_factory is MISSING:
            raise ConfigError(f"{prefix}{f.name}: required setting is missing")
    values = {}
    for name in known & set(data):
        values[name] = _convert(hints[name], data[name], f"{prefix}{name}")
    try:
        return cls(**values)
    except TypeError as exc:
        raise ConfigError(f"{prefix.rstrip('.') or 'config'}: {exc}") from exc


def _convert(hint: Any, value: Any, key: str) -> Any:
    origin = get_origin(hint)
    if is_dataclass(hint):
        return _build(hint, value, f"{key}.")
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{key}: expected a list, got {value!r}")
        item_hint = get_args(hint)[0]
        return tuple(_convert(item_hint, item, f"{key}[{i}]") for i, item in enumerate(value))
    if origin is dict:
        value_hint = get_args(hint)[1]
        if value_hint is not str:
            if not isinstance(value, dict):
                raise ConfigError(f"{key}: expected a table")
            return {str(k): _convert(value_hint, v, f"{key}.{k}") for k, v in value.items()}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise ConfigError(f"{key}: expected a table of strings")
        return dict(value)
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{key}: expected true or false, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{key}: expected a whole number, got {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{key}: expected a number, got {value!r}")
        return float(value)
    if hint is decimal.Decimal:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ConfigError(f"{key}: expected a number, got {value!r}")
        try:
            result = decimal.Decimal(str(value).strip())
        except decimal.InvalidOperation:
            raise ConfigError(f"{key}: expected a number, got {value!r}") from None
        if not result.is_finite():
            raise ConfigError(f"{key}: expected a number, got {value!r}")
        return result
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{key}: expected text, got {value!r}")
        return value
    if hint is dt.date:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise ConfigError(f"{key}: expected a date like 2026-12-25, got {value!r}") from None
    raise ConfigError(f"{key}: unsupported setting type")  # pragma: no cover
