"""Search as you type across records of every kind: names, companies, emails, phones.

The Records screen calls `search()` on each (debounced) keystroke, so it must
answer well under 50 ms at 100,000 records. On SQLite it asks the FTS5 index
that schema.install_search_index keeps in sync by triggers: an unranked
prefix MATCH returning only rowids (which encode kind and id), capped at
`CANDIDATES`, then names for that small hit set, ranked in Python. On
PostgreSQL it asks pg_trgm GIN indexes on the same expressions (substring
match), or lower(column) prefix indexes where pg_trgm is unavailable.

A query that looks like a phone number ("030 1234", "+49 30 12") searches the
digits of phone numbers, so national and international forms find each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

import peewee as pw

from crm_tui import db
from crm_tui.models import RECORD_KINDS, Account, Case, Contact, Lead, Opportunity
from crm_tui.schema import (
    PG_PREFIX_COLUMNS, PG_SEARCH_DIGITS, PG_SEARCH_TEXT, SEARCH_KIND_NO, SEARCH_TABLE, SEARCH_TABLES,
)

MIN_LENGTH = 2
PG_MIN_WORD = 3
"""On PostgreSQL a word is searched from three characters (trigrams)."""
CANDIDATES = 100
"""The most index hits looked at per query (newest first); more means "keep typing"."""

_KIND_OF_NO = {number: kind for kind, number in SEARCH_KIND_NO.items()}
_PHONE_QUERY = re.compile(r"^\+?[0-9 ()./\-]+$")
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    """One record found: enough to show a row and to open it."""

    kind: str
    id: int
    name: str
    company: str
    email: str
    phone: str


def is_phone_query(query: str) -> bool:
    text = query.strip()
    return bool(_PHONE_QUERY.match(text)) and sum(ch.isdigit() for ch in text) >= 3


def query_digits(query: str) -> list[str]:
    """The digit strings a phone query stands for: as typed, and international
    ones ("+49 30 12", "0049 30 12") also in national form after a 1-3 digit code."""
    text = query.strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.startswith("+"):
        intl = digits
    elif digits.startswith("00"):
        intl = digits[2:]
    else:
        return [digits]
    return [intl] + ["0" + intl[n:] for n in (1, 2, 3) if len(intl) > n + 2]


def search(query: str, *, kinds: Iterable[str] | None = None, limit: int = 50) -> list[Hit]:
    """Records matching every word of `query` (by prefix), best first; [] under 2 characters."""
    text = query.strip()
    if len(text) < MIN_LENGTH:
        return []
    wanted = tuple(kinds) if kinds is not None else RECORD_KINDS
    if db.is_sqlite():
        links = _sqlite_candidates(text, wanted)
    else:
        links = _postgresql_candidates(text, wanted)
    hits = details(links)
    if not is_phone_query(text):
        hits = [hit for hit in hits if _has_initials(hit, _WORD.findall(text.lower()))]
    return _rank(text, hits)[:limit]


def _has_initials(hit: Hit, words: list[str]) -> bool:
    """One-letter words ("kim n") are not sent to the index (a one-letter prefix
    matches half of it); they filter the hits instead."""
    initials = [word for word in words if len(word) == 1]
    if not initials:
        return True
    tokens = _WORD.findall(f"{hit.name} {hit.company} {hit.email} {hit.phone}".lower())
    return all(any(token.startswith(initial) for token in tokens) for initial in initials)


def _fts_phrase(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def fts_query(text: str) -> str | None:
    """The FTS5 MATCH expression for what the user typed (None: nothing searchable)."""
    if is_phone_query(text):
        alternatives = " OR ".join(f"{_fts_phrase(d)}*" for d in query_digits(text))
        # Also the number's own groups in order, for a number typed without its code ("555 010").
        groups = " ".join(f"{_fts_phrase(g)}*" for g in re.findall(r"[0-9]+", text))
        return f"(digits : ({alternatives})) OR (phone : ({groups}))"
    words = [word for word in _WORD.findall(text.lower()) if len(word) >= MIN_LENGTH]
    if not words:
        return None
    return "{name company email phone} : (" + " ".join(f"{_fts_phrase(w)}*" for w in words) + ")"


def _sqlite_candidates(text: str, kinds: tuple[str, ...]) -> list[tuple[str, int]]:
    expression = fts_query(text)
    if expression is None:
        return []
    return _fts_rowids(expression, kinds, CANDIDATES)


def _fts_rowids(expression: str, kinds: tuple[str, ...], cap: int) -> list[tuple[str, int]]:
    numbers = sorted(SEARCH_KIND_NO[kind] for kind in kinds)
    kind_filter = ""
    if len(numbers) < len(SEARCH_KIND_NO):
        kind_filter = f" AND rowid % 8 IN ({', '.join(str(n) for n in numbers)})"
    cursor = db.database.obj.execute_sql(
        f"SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH ?{kind_filter} ORDER BY rowid DESC LIMIT ?",
        (expression, cap),
    )
    return [(_KIND_OF_NO[rowid % 8], rowid // 8) for (rowid,) in cursor.fetchall()]


_TRIGRAM: dict[int, bool] = {}


def _has_trigram() -> bool:
    database = db.database.obj
    key = id(database)
    if key not in _TRIGRAM:
        row = database.execute_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").fetchone()
        _TRIGRAM[key] = row is not None
    return _TRIGRAM[key]


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _postgresql_candidates(
    text: str, kinds: tuple[str, ...], phone: bool | None = None
) -> list[tuple[str, int]]:
    """One round trip: a UNION ALL of one unranked, limited query per kind."""
    phone = is_phone_query(text) if phone is None else phone
    trigram = _has_trigram()
    # A trigram index needs three characters; shorter words would scan every table.
    words = [word for word in _WORD.findall(text.lower()) if len(word) >= PG_MIN_WORD]
    if not phone and not words:
        return []
    parts: list[str] = []
    params: list[object] = []
    for kind in kinds:
        if phone:
            if kind not in ("lead", "account", "contact"):
                continue
            patterns = query_digits(text)
            if len(patterns) > 1:  # international: also the number without a 1-3 digit country code
                patterns = [patterns[0]] + [patterns[0][n:] for n in (1, 2, 3) if len(patterns[0]) - n >= 6]
            elif patterns[0].startswith("0") and len(patterns[0]) > 3:
                patterns = [patterns[0][1:]]  # national: the digits after the trunk 0 appear in any form
            where = " OR ".join(f"{PG_SEARCH_DIGITS} LIKE %s" for _ in patterns)
            params += [f"%{_like(p)}%" for p in patterns]
        elif trigram:
            where = " AND ".join(f"{PG_SEARCH_TEXT[kind]} LIKE %s" for _ in words)
            params += [f"%{_like(w)}%" for w in words]
        else:
            clauses = []
            for word in words:
                columns = PG_PREFIX_COLUMNS[kind]
                clauses.append("(" + " OR ".join(f"lower({c}) LIKE %s" for c in columns) + ")")
                params += [f"{_like(word)}%"] * len(columns)
            where = " AND ".join(clauses)
        params.append(CANDIDATES)
        # Unranked, no ORDER BY: the planner then uses the trigram index for rare
        # words and stops a scan early for common ones; ranking is done on the hits.
        parts.append(f"(SELECT {SEARCH_KIND_NO[kind]} AS kind, id FROM \"{SEARCH_TABLES[kind]}\" WHERE {where} LIMIT %s)")
    if not parts:
        return []
    cursor = db.database.obj.execute_sql(" UNION ALL ".join(parts), params)
    return [(_KIND_OF_NO[number], record_id) for number, record_id in cursor.fetchall()]


def details(links: list[tuple[str, int]]) -> list[Hit]:
    """Name, company, email and phone for a small set of (kind, id): one query per kind."""
    by_kind: dict[str, list[int]] = {}
    for kind, record_id in links:
        by_kind.setdefault(kind, []).append(record_id)
    hits: list[Hit] = []
    for kind, ids in by_kind.items():
        for row in _detail_query(kind, ids):
            hits.append(Hit(kind, *row))
    return hits


def _detail_query(kind: str, ids: list[int]) -> list[tuple[int, str, str, str, str]]:
    if kind == "lead":
        query = Lead.select(Lead.id, Lead.first_name, Lead.last_name, Lead.company, Lead.email, Lead.phone)
        return [(i, f"{f} {l}".strip(), c, e, p) for i, f, l, c, e, p in query.where(Lead.id.in_(ids)).tuples()]
    if kind == "account":
        query = Account.select(Account.id, Account.name, Account.email, Account.phone)
        return [(i, n, "", e, p) for i, n, e, p in query.where(Account.id.in_(ids)).tuples()]
    if kind == "contact":
        query = (Contact.select(Contact.id, Contact.first_name, Contact.last_name, Account.name,
                                Contact.email, Contact.phone)
                 .join(Account, pw.JOIN.LEFT_OUTER).where(Contact.id.in_(ids)))
        return [(i, f"{f} {l}".strip(), c or "", e, p) for i, f, l, c, e, p in query.tuples()]
    if kind == "opportunity":
        query = (Opportunity.select(Opportunity.id, Opportunity.name, Account.name)
                 .join(Account, pw.JOIN.LEFT_OUTER).where(Opportunity.id.in_(ids)))
        return [(i, n, c or "", "", "") for i, n, c in query.tuples()]
    query = (Case.select(Case.id, Case.subject, Account.name)
             .join(Account, pw.JOIN.LEFT_OUTER).where(Case.id.in_(ids)))
    return [(i, n, c or "", "", "") for i, n, c in query.tuples()]


def _rank(text: str, hits: list[Hit]) -> list[Hit]:
    """Names that start with what was typed first, then a word of the name, then the rest."""
    lowered = text.lower()

    def score(hit: Hit) -> tuple[int, str, int]:
        name = hit.name.lower()
        if name.startswith(lowered):
            rank = 0
        elif any(word.startswith(lowered) for word in name.split()):
            rank = 1
        elif hit.company.lower().startswith(lowered):
            rank = 2
        else:
            rank = 3
        return (rank, name, -hit.id)

    return sorted(hits, key=score)


# ---- Candidates for duplicate checks (records.duplicates confirms them) ----


def phone_candidates(phone: str, kinds: tuple[str, ...] = ("lead", "account", "contact")) -> list[tuple[str, int]]:
    """Records whose phone may be the same number (any of its forms)."""
    if not is_phone_query(phone):
        return []
    if db.is_sqlite():
        alternatives = " OR ".join(_fts_phrase(d) for d in query_digits(phone) if d)
        return _fts_rowids(f"digits : ({alternatives})", kinds, CANDIDATES)
    return _postgresql_candidates(phone, kinds, phone=True)


def word_candidates(text: str, kinds: tuple[str, ...]) -> list[tuple[str, int]]:
    """Records whose indexed text contains every word of `text` (whole words on SQLite)."""
    words = _WORD.findall(text.lower())
    if not words:
        return []
    if db.is_sqlite():
        expression = "{name company email} : (" + " ".join(_fts_phrase(w) for w in words) + ")"
        return _fts_rowids(expression, kinds, CANDIDATES)
    return _postgresql_candidates(" ".join(words), kinds, phone=False)
