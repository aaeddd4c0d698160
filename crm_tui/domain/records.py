"""Records of every kind: look-ups by kind and id, and their display names.

A record is a lead, account, contact, opportunity or case; activities and
notes point at one by (kind, id).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from crm_tui.domain.errors import DomainError, NotFound
from crm_tui.models import RECORD_KINDS, RECORD_MODELS, Account, Case, Contact, Lead, Opportunity, Record

KIND_LABELS = {
    "lead": "Lead", "account": "Account", "contact": "Contact", "opportunity": "Opportunity", "case": "Case",
}


def model_for(kind: str) -> type[Record]:
    try:
        return RECORD_MODELS[kind]
    except KeyError:
        raise DomainError(f"unknown record kind {kind!r}; use one of {', '.join(RECORD_KINDS)}") from None


def get(kind: str, record_id: int) -> Record:
    model = model_for(kind)
    record = model.get_or_none(model.id == record_id)
    if record is None:
        raise NotFound(f"{KIND_LABELS[kind].lower()} {record_id} does not exist")
    return record


def display_name(record: Record) -> str:
    """How a record is named in lists: a person's name with company, or its title."""
    if isinstance(record, Lead):
        name = f"{record.first_name} {record.last_name}".strip()
        return f"{name} ({record.company})" if record.company else name
    if isinstance(record, Contact):
        return f"{record.first_name} {record.last_name}".strip()
    if isinstance(record, (Account, Opportunity)):
        return record.name
    if isinstance(record, Case):
        return record.subject
    return str(record.id)


_NAME_COLUMNS = {
    "lead": (Lead.first_name, Lead.last_name, Lead.company),
    "account": (Account.name,),
    "contact": (Contact.first_name, Contact.last_name),
    "opportunity": (Opportunity.name,),
    "case": (Case.subject,),
}


def names(links: Iterable[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """Display names for many (kind, id) links: one query per kind, no instances."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for kind, record_id in links:
        wanted[kind].add(record_id)
    result: dict[tuple[str, int], str] = {}
    for kind, ids in wanted.items():
        model = model_for(kind)
        columns = _NAME_COLUMNS[kind]
        for row in model.select(model.id, *columns).where(model.id.in_(list(ids))).tuples():
            record_id, *parts = row
            if kind == "lead":
                person = f"{parts[0]} {parts[1]}".strip()
                text = f"{person} ({parts[2]})" if parts[2] else person
            else:
                text = " ".join(part for part in parts if part).strip()
            result[(kind, record_id)] = text
    return result
