"""Find a record to link an activity to, as the user types.

Small on purpose: the record picker of the new-activity dialog needs the 20
best names for a few typed letters, not full-text search (the Records screen
has its own). Per kind, the first typed word is matched as a prefix of a name
column or of a word inside it (`LIKE 'ac%' OR LIKE '% ac%'`), capped per
kind; the few hits are then re-ranked in Python, where every typed word must
start some word of the name (so "kim acme" finds "Kim Ng (Acme)").
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from crm_tui.domain import records
from crm_tui.domain.errors import DomainError
from crm_tui.models import Account, Case, Contact, Lead, Opportunity

LIMIT = 20
_PER_KIND = 50

_COLUMNS = {
    "lead": (Lead, (Lead.first_name, Lead.last_name, Lead.company)),
    "contact": (Contact, (Contact.first_name, Contact.last_name)),
    "account": (Account, (Account.name,)),
    "opportunity": (Opportunity, (Opportunity.name,)),
    "case": (Case, (Case.subject,)),
}


@dataclass(frozen=True, slots=True)
class Hit:
    """A record the picker offers."""

    kind: str
    record_id: int
    name: str

    @property
    def label(self) -> str:
        """'Acme Corp · Account'."""
        return f"{self.name} · {records.KIND_LABELS[self.kind]}"


def _words(text: str) -> list[str]:
    return [word for word in "".join(ch if ch.isalnum() else " " for ch in text.lower()).split() if word]


def _score(query: str, words: list[str], name: str) -> float | None:
    """Higher is better; None when some typed word starts no word of the name."""
    name_words = _words(name)
    if not all(any(nw.startswith(w) for nw in name_words) for w in words):
        return None
    score = SequenceMatcher(None, query, name.lower()).ratio()
    if name.lower().startswith(query):
        score += 2
    elif name_words and name_words[0].startswith(words[0]):
        score += 1
    return score


def search(text: str, *, kinds: tuple[str, ...] = tuple(_COLUMNS), limit: int = LIMIT) -> list[Hit]:
    """The best records whose names match what was typed (2+ characters)."""
    query = " ".join(text.lower().split())
    words = _words(query)
    if len(query) < 2 or not words:
        return []
    # The longest word is the most selective; words hold only letters and
    # digits, so they need no escaping inside a LIKE pattern.
    first = max(words, key=len)
    start = f"{first}%"
    inner = f"% {first}%"
    found: list[tuple[float, Hit]] = []
    for kind in kinds:
        model, columns = _COLUMNS[kind]
        condition = None
        for column in columns:
            # ILIKE: LIKE on SQLite (case-insensitive), ILIKE on PostgreSQL.
            part = column.ilike(start) | column.ilike(inner)
            condition = part if condition is None else condition | part
        rows = model.select(model.id, *columns).where(condition).limit(_PER_KIND).tuples()
        for record_id, *parts in rows:
            if kind == "lead":
                person = f"{parts[0]} {parts[1]}".strip()
                name = f"{person} ({parts[2]})" if parts[2] else person
            else:
                name = " ".join(part for part in parts if part).strip()
            score = _score(query, words, name)
            if score is not None:
                found.append((score, Hit(kind, record_id, name)))
    found.sort(key=lambda pair: (-pair[0], pair[1].name.lower(), pair[1].kind, pair[1].record_id))
    return [hit for _, hit in found[:limit]]


def hit_for(kind: str, record_id: int) -> Hit:
    """The picker entry of a known record (to preselect it)."""
    record = records.get(kind, record_id)
    return Hit(kind, record_id, records.display_name(record))


def resolve(text: str) -> Hit:
    """One record named on a command line: `lead:12`, or a name that matches one record best.

    A name with several equally good matches is refused with the candidates,
    so a script never links an activity to the wrong Kim.
    """
    raw = text.strip()
    kind, _, number = raw.partition(":")
    if number.strip().isdigit() and kind.strip().lower() in _COLUMNS:
        return hit_for(kind.strip().lower(), int(number))
    hits = search(raw, limit=5)
    if not hits:
        raise DomainError(f"no record matches {raw!r}; name one like lead:12", "record")
    exact = [hit for hit in hits if hit.name.lower() == raw.lower()]
    if len(exact) == 1:
        return exact[0]
    if len(hits) == 1:
        return hits[0]
    named = ", ".join(f"{hit.kind}:{hit.record_id} {hit.name}" for hit in hits)
    raise DomainError(f"{raw!r} matches several records ({named}); name one like lead:12", "record")
