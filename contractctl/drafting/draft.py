"""Drafting: from a template and data to a stored contract (DOCX, PDF, text) in draft.

A draft comes out right the first time or not at all. Every field is validated before
anything is rendered, and every problem is reported at once. Rendering is sandboxed
(contractctl.drafting.render). The contract, its files, any new counterparty and the audit
event land in one transaction. An idempotency key makes a repeated draft return the
contract it already made.

One document is converted with a one-shot LibreOffice. A batch of rows is drafted by
:mod:`contractctl.drafting.batch` from the same parts (``resolve_template``,
``prepare``, ``render_docx``, ``record``), as a stream.
"""

from __future__ import annotations

import copy
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from contractctl import limits
from contractctl.documents import clauses, extract
from contractctl.drafting.batch_csv import place_value as place_value  # re-exported
from contractctl.drafting.batch_csv import rows_from_csv as rows_from_csv  # re-exported
from contractctl.drafting.draft_checks import Ask as Ask
from contractctl.drafting.draft_checks import (
    ask_until_valid,
    check_same_data,
    data_fingerprint,
    require_company,
)
from contractctl.drafting.draft_checks import jsonable as jsonable  # re-exported
from contractctl.drafting.fields import FieldProblem, validate_values
from contractctl.drafting.render import Renderer, to_context
from contractctl.drafting.specs import TemplateSpec
from contractctl.drafting.versions import (
    TemplateVersion,
    docx_path,
    load_spec,
    resolve,
)
from contractctl.errors import (
    ContractctlError,
    InvalidInput,
    NotAllowed,
    ValidationFailed,
)
from contractctl.money import Money
from contractctl.records.contracts import (
    Contract,
    NewContract,
    NewVersion,
    create_contract,
    get_contract,
)
from contractctl.records.parties import PARTY_ATTRIBUTES, add_party, get_party
from contractctl.store import Store, Tx


@dataclass
class DraftRequest:
    """What the user asked for: template, data, overrides, counterparty, key."""

    template: str
    data: dict[str, Any] = field(default_factory=dict)
    sets: dict[str, str] = field(default_factory=dict)
    party: str | None = None
    key: str | None = None
    pdf: bool = True
    title: str | None = None
    department: str = ""


@dataclass
class Prepared:
    """A validated request, ready to render."""

    request: DraftRequest
    version: TemplateVersion
    spec: TemplateSpec
    values: dict[str, Any]


@dataclass
class DraftResult:
    """The contract a draft made (or had made before, with the same key)."""

    contract: Contract
    created: bool
    deviations: list[int] = field(default_factory=list)
    row: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The `draft --json` shape: ``{"id", "version"}`` plus what happened."""
        data = {
            "id": self.contract.id,
            "version": self.contract.version,
            "created": self.created,
            "standard": self.contract.standard,
        }
        if self.row is not None:
            data["row"] = self.row
        return data


# --- input ------------------------------------------------------------------------


def load_data_file(path: Path) -> dict[str, Any]:
    """Field values from a TOML or JSON file; errors name file and line."""
    from contractctl import tomlfile

    if not path.is_file():
        raise InvalidInput(f"{path}: no such data file")
    if path.suffix.lower() == ".json":
        try:
            data = limits.json_loads(path.read_text(encoding="utf-8"), path.name)
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{path.name}: not UTF-8 text") from exc
        if not isinstance(data, dict):
            raise InvalidInput(f"{path.name}: expected a JSON object of field values")
        return data
    return dict(tomlfile.load(path, display=path.name).data)


def parse_sets(pairs: list[str]) -> dict[str, str]:
    """``--set key=value`` pairs."""
    sets: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"--set {pair!r}: use key=value")
        sets[key.strip()] = value
    return sets


def party_resolver(store: Store) -> Callable[[Any], dict[str, Any]]:
    """A party field's value: an existing party by id, credit code or name; or new details."""

    def resolve_party(value: Any) -> dict[str, Any]:
        if isinstance(value, str):
            try:
                party = get_party(store.conn, value)
            except ContractctlError as exc:
                raise FieldProblem(exc.message) from exc
            return {"id": party.id, **{k: getattr(party, k) or "" for k in _ATTRS}}
        if isinstance(value, Mapping):
            details = {k: str(value.get(k, "") or "").strip() for k in _ATTRS}
            unknown = set(value) - set(_ATTRS) - {"id"}
            if unknown:
                raise FieldProblem(f"unknown party attributes: {', '.join(sorted(unknown))}")
            if not details["name"]:
                raise FieldProblem("a party needs a name")
            for ref in (details["uscc"], details["name"]):
                if ref:
                    try:
                        party = get_party(store.conn, ref)
                    except ContractctlError:
                        continue
                    return {"id": party.id, **{k: getattr(party, k) or "" for k in _ATTRS}}
            if details["uscc"]:
                from contractctl import uscc

                try:
                    details["uscc"] = uscc.validate(details["uscc"])
                except ContractctlError as exc:
                    raise FieldProblem(exc.message) from exc
            return {"id": None, **details}
        raise FieldProblem("a party id (P-0001), credit code or name")

    return resolve_party


_ATTRS = PARTY_ATTRIBUTES


def resolve_template(store: Store, name: str) -> tuple[TemplateVersion, TemplateSpec]:
    """The approved template version a draft uses, its field schema, and the check that
    your company's details it prints are filled in (a batch does this once, not per row)."""
    version = resolve(store.conn, name)
    if version.status != "approved":
        raise NotAllowed(
            f"{version.ref} is pending approval; drafts use approved versions only",
            hint=f"legal approves it with: contractctl template approve {version.ref}",
        )
    spec = load_spec(store, version)
    require_company(template_text_of(store, version), store.settings.company.as_dict(), version.ref)
    return version, spec


def prepare(
    store: Store,
    request: DraftRequest,
    *,
    ask: Ask | None = None,
    template: tuple[TemplateVersion, TemplateSpec] | None = None,
    resolver: Callable[[Any], dict[str, Any]] | None = None,
) -> Prepared:
    """Resolve the template and validate every value; ValidationFailed lists all problems.
    ``template`` (from :func:`resolve_template`) and ``resolver`` (from
    :func:`party_resolver`) are given by a batch, which resolves them once."""
    version, spec = template or resolve_template(store, request.template)
    data: dict[str, Any] = copy.deepcopy(request.data)
    for key, value in request.sets.items():
        place_value(data, key, value)
    if request.party:
        data["counterparty"] = request.party
    resolver = resolver or party_resolver(store)
    values, problems = validate_values(spec, data, resolve_party=resolver)
    if problems and ask is not None:
        missing = [p for p in problems if p.value is None and p.expected.startswith("required")]
        for problem in missing:
            spec_field = spec.field(problem.field)
            if spec_field is not None and spec_field.type != "table":
                data[spec_field.name] = ask_until_valid(ask, spec_field, resolver)
        if missing:
            values, problems = validate_values(spec, data, resolve_party=resolver)
    if problems:
        raise ValidationFailed(
            f"{len(problems)} problem{'s' if len(problems) > 1 else ''} in the data for "
            f"{version.ref}; nothing was drafted",
            list(problems),
            hint=f"see the fields with: contractctl template fields {spec.name}",
        )
    return Prepared(request, version, spec, values)


# --- output -----------------------------------------------------------------------


def _title(prepared: Prepared) -> str:
    if prepared.request.title:
        return prepared.request.title.strip()
    party = prepared.values.get("counterparty") or {}
    name = party.get("name") if isinstance(party, dict) else None
    if not name:
        return prepared.spec.title
    if prepared.spec.language == "zh":
        return f"{prepared.spec.title}（{name}）"
    return f"{prepared.spec.title} — {name}"


class _TemplateText:
    """The template's own text, extracted once per template version (for deviations)."""

    def __init__(self) -> None:
        self._cache: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, store: Store, version: TemplateVersion) -> str:
        with self._lock:
            if version.docx_sha not in self._cache:
                self._cache[version.docx_sha] = extract.docx_text(docx_path(store, version))
            return self._cache[version.docx_sha]


_template_text = _TemplateText()


def template_text_of(store: Store, version: TemplateVersion) -> str:
    """The text of a template version's DOCX, tags included (cached per version)."""
    return _template_text.get(store, version)


def render_docx(
    store: Store, prepared: Prepared, out: Path, renderer: Renderer | None = None
) -> list[str]:
    """Render the prepared draft's DOCX to ``out``; the values it printed, as printed."""
    renderer = renderer or Renderer(docx_path(store, prepared.version))
    context = to_context(prepared.values, store.settings.company.as_dict())
    return renderer.render(context, out)


def record(tx: Tx, prepared: Prepared, docx: Path, pdf: Path | None) -> DraftResult:
    """Store the files and the contract (and a new counterparty) in ``tx``."""
    request, spec, values = prepared.request, prepared.spec, prepared.values
    draft_text = extract.docx_text(docx)
    deviations = clauses.deviations(
        _template_text.get(tx.store, prepared.version), draft_text, spec.standard_clauses
    )
    party = values.get("counterparty")
    party_id = None
    if isinstance(party, dict):
        party_id = party.get("id") or _existing_party_id(tx, party)
        if party_id is None:
            details = {k: party[k] for k in _ATTRS if k != "name" and party.get(k)}
            party_id = add_party(tx, name=party["name"], **details).id
        party["id"] = party_id
    docx_sha = tx.put_file(docx)
    pdf_sha = tx.put_file(pdf) if pdf else None
    text_sha = tx.put_bytes(draft_text.encode("utf-8"))
    stored = jsonable(values)
    if isinstance(stored.get("counterparty"), dict):
        stored["counterparty"] = {"id": party_id, "name": stored["counterparty"]["name"]}
    amount = values.get("amount") if isinstance(values.get("amount"), Money) else None
    contract = create_contract(
        tx,
        NewContract(
            title=_title(prepared),
            type=spec.type,
            counterparty_id=party_id,
            amount=amount,
            start_date=_date_value(values, "start_date"),
            end_date=_date_value(values, "end_date"),
            department=request.department,
            template=spec.name,
            template_version=spec.version,
            external_key=request.key,
            standard=not deviations,
            fields=stored,
        ),
        NewVersion(
            kind="original", docx_sha=docx_sha, pdf_sha=pdf_sha, text_sha=text_sha, fields=stored
        ),
    )
    tx.audit(
        "contract.draft",
        contract.id,
        {
            "template": prepared.version.ref,
            "key": request.key,
            "standard": not deviations,
            "deviations": deviations,
            "pdf": pdf_sha is not None,
            "data_sha": data_fingerprint(values),
        },
    )
    return DraftResult(contract, True, deviations)


def _existing_party_id(tx: Tx, party: Mapping[str, Any]) -> str | None:
    """A new counterparty may have been created by an earlier row of the same batch:
    look again, inside this transaction, by credit code and then by name."""
    for ref in (party.get("uscc"), party.get("name")):
        if ref:
            try:
                return get_party(tx.conn, str(ref)).id
            except ContractctlError:
                continue
    return None


def _date_value(values: Mapping[str, Any], name: str) -> date | None:
    value = values.get(name)
    return value if isinstance(value, date) else None


def existing_for_key(store: Store, key: str | None) -> Contract | None:
    """The contract an idempotency key already made, if any."""
    if not key:
        return None
    row = store.conn.execute("SELECT id FROM contracts WHERE external_key = ?", (key,)).fetchone()
    return get_contract(store.conn, row["id"]) if row else None


def draft(
    store: Store, actor: str, request: DraftRequest, *, ask: Ask | None = None
) -> DraftResult:
    """Draft one contract: validate, render, convert to PDF, store. Idempotent by key.

    The PDF must show every value the template printed (CheckFailed, nothing stored).
    """
    existing = existing_for_key(store, request.key)
    prepared = prepare(store, request, ask=ask if existing is None else None)
    if existing is not None:
        check_same_data(store, existing, prepared.request.key, prepared.values)
        return DraftResult(existing, False)
    with tempfile.TemporaryDirectory(prefix="contractctl-draft-") as tmp:
        docx = Path(tmp) / f"{prepared.spec.name}.docx"
        printed = render_docx(store, prepared, docx)
        pdf = None
        if request.pdf:
            from contractctl.drafting.convert import convert_one
            from contractctl.drafting.pdf_check import check_pdf

            pdf = Path(tmp) / f"{prepared.spec.name}.pdf"
            convert_one(docx, pdf)
            check_pdf(pdf, printed)
        with store.transaction(actor) as tx:
            return record(tx, prepared, docx, pdf)
