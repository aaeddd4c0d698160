"""The header of an account's detail view: one line across departments.

Open opportunities (sales), orders in delivery (delivery), the unpaid balance
per currency (billing; never summed across currencies) and open cases
(support). Four small indexed counts, cheap enough for every refresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from crm_tui import clock
from crm_tui.domain import billing, money
from crm_tui.models import Case, Invoice, Opportunity, SalesOrder

OPEN_CASES = ("new", "open", "waiting")


@dataclass(frozen=True)
class AccountSummary:
    open_opportunities: int
    orders_in_delivery: int
    unpaid: dict[str, Decimal]
    overdue_invoices: int
    open_cases: int

    @property
    def unpaid_text(self) -> str:
        if not self.unpaid:
            return "nothing unpaid"
        return " + ".join(f"{money.format_amount(amount)} {currency}" for currency, amount in self.unpaid.items())

    @property
    def text(self) -> str:
        overdue = f" ({self.overdue_invoices} overdue)" if self.overdue_invoices else ""
        return (f"{self.open_opportunities} open opportunit{'y' if self.open_opportunities == 1 else 'ies'} · "
                f"{self.orders_in_delivery} order{'' if self.orders_in_delivery == 1 else 's'} in delivery · "
                f"unpaid {self.unpaid_text}{overdue} · "
                f"{self.open_cases} open case{'' if self.open_cases == 1 else 's'}")


def summary(account_id: int) -> AccountSummary:
    """Where the account stands in every department right now."""
    today = clock.utcnow_naive().date()
    return AccountSummary(
        open_opportunities=Opportunity.select().where(
            (Opportunity.account == account_id) & (Opportunity.state == "open")).count(),
        orders_in_delivery=SalesOrder.select().where(
            (SalesOrder.account == account_id) & SalesOrder.status.in_(("ordered", "in delivery"))).count(),
        unpaid=billing.unpaid_balance(account_id),
        overdue_invoices=Invoice.select().where(
            (Invoice.account == account_id) & (Invoice.status == "open") & (Invoice.due_on < today)).count(),
        open_cases=Case.select().where((Case.account == account_id) & Case.status.in_(OPEN_CASES)).count(),
    )
