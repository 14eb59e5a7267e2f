"""The views that combine stages: what `show ID` tells about a contract.

A contract's record (contractctl.records) knows nothing of the stages that decorate it;
its approval route, risk flags, signatures, acceptances and OCR checks come from the
stage packages that own them, and are put together here, above all of them, so that
imports keep pointing one way (cli -> views -> stages -> store and kernel).
"""

from __future__ import annotations

from typing import Any

from contractctl.approval.decide import flags_view, route_view
from contractctl.importer.review import extracted_view
from contractctl.obligations.attachments import attachments_view
from contractctl.obligations.ledger import list_obligations
from contractctl.obligations.payments import payments_view
from contractctl.obligations.progress import execution
from contractctl.ocr.check import checks_view
from contractctl.orders.orders import list_orders
from contractctl.records.contracts import get_contract, versions
from contractctl.signing.views import acceptances_view, signatures_view
from contractctl.store import Store, audit


def contract_detail(store: Store, contract_id: str) -> dict[str, Any]:
    """Everything known about a contract: the `show ID --json` shape.

    Every section is present (an empty list when there is nothing), so scripts can rely
    on them. Click-through acceptances are kept
    apart from digital signatures and never shown as one. ``extracted`` lists what an
    import read, with confidence, source and the reason a reviewer should look.
    ``execution`` is the contract's progress after signing (delivered, paid, next
    obligation); ``orders``, ``payments`` and ``attachments`` what was recorded.
    """
    contract = get_contract(store.conn, contract_id)
    detail = contract.to_dict()
    detail["fields"] = contract.fields
    detail["versions"] = versions(store, contract.id)
    detail["route"] = route_view(store, contract.id)
    detail["signatures"] = signatures_view(store, contract.id)
    detail["acceptances"] = acceptances_view(store, contract.id)
    detail["execution"] = execution(store.conn, contract)
    detail["obligations"] = list_obligations(store.conn, contract.id)
    detail["orders"] = list_orders(store.conn, contract.id)
    detail["payments"] = payments_view(store.conn, contract.id)
    detail["attachments"] = attachments_view(store, contract.id)
    detail["risk_flags"] = flags_view(store, contract.id)
    detail["ocr_checks"] = checks_view(store, contract.id)
    detail["extracted"] = extracted_view(store.conn, contract.id)
    detail["events"] = [e.to_dict() for e in audit.events(store.conn, contract.id)]
    return detail
