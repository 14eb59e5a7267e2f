"""The contract filters that `list`, `export` and `search` share: one definition of each
option, and one place that turns them into a core ListFilter."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from contractctl.money import Money
    from contractctl.records.contracts import ListFilter
    from contractctl.store import Store

Status = Annotated[
    list[str] | None, typer.Option("--status", help="Only this status (repeatable).")
]
Type = Annotated[
    list[str] | None, typer.Option("--type", help="Only this contract type (repeatable).")
]
Party = Annotated[str | None, typer.Option("--party", help="Counterparty id, credit code or name.")]
SignedFrom = Annotated[str | None, typer.Option(help="Signed on or after (YYYY-MM-DD).")]
SignedTo = Annotated[str | None, typer.Option(help="Signed on or before.")]
ExpiresFrom = Annotated[str | None, typer.Option(help="Ends on or after.")]
ExpiresTo = Annotated[str | None, typer.Option(help="Ends on or before.")]
ExpiresWithin = Annotated[
    str | None, typer.Option(help="Ends between today and this far ahead (30d, 3m).")
]
ExpiresBefore = Annotated[str | None, typer.Option(help="Ends before this date (YYYY-MM-DD).")]
MinAmount = Annotated[
    str | None, typer.Option(help="At least this amount (¥100,000 or 'USD 5000').")
]
MaxAmount = Annotated[str | None, typer.Option(help="At most this amount.")]
Source = Annotated[str | None, typer.Option(help="draft or import.")]
NeedsReview = Annotated[
    bool, typer.Option("--needs-review", help="Only contracts flagged for review.")
]
Overdue = Annotated[
    bool,
    typer.Option(
        "--overdue",
        help="Only contracts with an obligation or an order delivery past its due date.",
    ),
]
Sort = Annotated[
    str, typer.Option(help="created, title, amount, status, type, start, end, signed, party.")
]
Desc = Annotated[bool, typer.Option("--desc", help="Sort descending.")]
Limit = Annotated[int | None, typer.Option(help="At most this many.")]


def build_filter(
    store: Store,
    *,
    status: list[str] | None = None,
    type_: list[str] | None = None,
    party: str | None = None,
    signed_from: str | None = None,
    signed_to: str | None = None,
    expires_from: str | None = None,
    expires_to: str | None = None,
    expires_within: str | None = None,
    expires_before: str | None = None,
    min_amount: str | None = None,
    max_amount: str | None = None,
    source: str | None = None,
    needs_review: bool = False,
    overdue: bool = False,
    sort: str = "created",
    desc: bool = False,
    limit: int | None = None,
) -> ListFilter:
    """The options as the core's ListFilter; amounts in the store's default currency."""
    from contractctl.dates import parse_date, parse_duration_days
    from contractctl.records.contracts import ListFilter

    currency = store.settings.store.default_currency
    if expires_within:
        days = parse_duration_days(expires_within, what="--expires-within")
        expires_from = expires_from or date.today().isoformat()
        expires_to = expires_to or (date.today() + timedelta(days=days)).isoformat()
    if expires_before:
        day = parse_date(expires_before, what="--expires-before")
        expires_to = (day - timedelta(days=1)).isoformat()
    return ListFilter(
        statuses=status or [],
        types=type_ or [],
        party=party,
        signed_from=signed_from,
        signed_to=signed_to,
        expires_from=expires_from,
        expires_to=expires_to,
        min_amount=_money("--min-amount", min_amount, currency),
        max_amount=_money("--max-amount", max_amount, currency),
        source=source,
        needs_review=needs_review,
        overdue=overdue,
        sort=sort,
        descending=desc,
        limit=limit,
    )


def _money(option: str, value: str | None, currency: str) -> Money | None:
    """An amount option parsed; a bad one is refused naming the option."""
    from contractctl.errors import InvalidInput
    from contractctl.money import parse_money

    if not value:
        return None
    try:
        return parse_money(value, currency)
    except InvalidInput as exc:
        raise InvalidInput(f"{option}: {exc.message}", hint=exc.hint) from None
