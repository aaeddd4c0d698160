"""Shared builders for the sell/deliver/bill tests: an account with an opportunity."""

from __future__ import annotations

from crm_tui.config import Config
from crm_tui.domain import records
from crm_tui.models import Opportunity, User


def opportunity(owner: User, cfg: Config, name: str = "Acme [EU]") -> Opportunity:
    account = records.create(owner, cfg, "account", {"name": name, "email": "buy@acme.test"})
    records.create(owner, cfg, "contact", {"last_name": "Ng", "first_name": "Kim", "account": name,
                                           "email": "kim@acme.test"})
    return records.create(owner, cfg, "opportunity", {"name": f"{name} rollout", "account": account.name})
