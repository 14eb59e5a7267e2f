"""Who pays under a contract: the direction of its money, from the contract type.

The store has no direction column; it follows from the contract type, as the shipped
templates state our side: ``sales`` (sales-zh: we are the seller) is money we are paid
(``receive``); ``purchase``, ``service`` and ``lease`` (purchase-zh/en: we buy;
service-zh/en: we are the client; lease-zh: we are the tenant) are money we pay
(``pay``); ``nda``, ``other`` and any type not known here carry no direction (``none``).
Totals are kept apart per (direction, currency) and never added across either: a
purchase and a sale with the same counterparty are not "business worth" their sum.
"""

from __future__ import annotations

#: Contract type -> who pays. Anything else is "none".
DIRECTION_BY_TYPE = {"sales": "receive", "purchase": "pay", "service": "pay", "lease": "pay"}
DIRECTIONS = ("pay", "receive", "none")

#: The same rule in SQL, over ``contracts c``.
DIRECTION_SQL = (
    "CASE WHEN c.type = 'sales' THEN 'receive' "
    "WHEN c.type IN ('purchase', 'service', 'lease') THEN 'pay' ELSE 'none' END"
)

#: Statuses in which a contract binds the parties: its value is "contracted".
SIGNED_STATUSES = ("signed", "active", "expired", "terminated", "archived", "completed")


def direction_of(contract_type: str) -> str:
    """``pay``, ``receive`` or ``none`` for a contract type (see the module's rule)."""
    return DIRECTION_BY_TYPE.get(contract_type, "none")
