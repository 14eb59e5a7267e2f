"""The narrated tour behind `contractctl demo` and `make demo`.

It runs the real library on a throw-away store and tells, step by step, what it does
and where the results are. It grows with every capability until it walks the whole
lifecycle; each step is a plain function so a failure names the step.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from contractctl import uscc
from contractctl.bootstrap import initialise
from contractctl.config import set_value
from contractctl.demo_files import (
    counterparty_signs,
    historical_folder,
    replace_in_docx,
)
from contractctl.errors import ContractctlError
from contractctl.records import parties
from contractctl.store import DB_NAME, Store, audit


class Narrator(Protocol):
    """Where the demo tells its story (the CLI prints it; tests collect it)."""

    def step(self, title: str) -> None:
        """A new numbered step."""

    def say(self, text: str) -> None:
        """A line of explanation or a result."""


@dataclass
class DemoResult:
    """What the demo leaves behind."""

    home: Path
    steps: int


def run_demo(home: Path | None, actor: str, narrator: Narrator) -> DemoResult:
    """Walk the lifecycle on a throw-away store (a temp folder unless ``home`` is given)."""
    if home is None:
        home = Path(tempfile.mkdtemp(prefix="contractctl-demo-"))
    steps: list[Callable[[Path, str, Narrator], None]] = [
        _create_store,
        _add_counterparties,
        _draft_purchase_contract,
        _approve_by_rules,
        _sign_and_verify,
        _amend_and_diff,
        _check_paper_copy,
        _import_and_search,
        _after_signing,
        _orders_and_payments,
        _audit_trail,
        _management_report,
    ]
    for step in steps:
        step(home, actor, narrator)
    narrator.step("Done")
    narrator.say(f"The demo store stays at {home}; explore it with:")
    narrator.say(f"  contractctl --home {home} list")
    narrator.say(f"  contractctl --home {home} show C-{_demo_year()}-0001")
    narrator.say(f"  contractctl --home {home} route C-{_demo_year()}-0001")
    narrator.say(f"  contractctl --home {home} audit")
    return DemoResult(home=home, steps=len(steps))


def _create_store(home: Path, actor: str, narrator: Narrator) -> None:
    narrator.step("Create a store")
    report = initialise(home, actor)
    narrator.say(f"contractctl init --home {home}")
    narrator.say(
        f"  created {len(report.created)} entries (contracts.db, objects/, rules/, "
        f"templates/, keys/ ...), schema version {report.schema_after}"
    )
    company = {"uscc": "91310115MA1K4A2B3A", "address": "上海市", "legal_rep": "李明"}  # printed
    list(map(set_value, [home] * 3, [f"company.{k}" for k in company], company.values()))


def _add_counterparties(home: Path, actor: str, narrator: Narrator) -> None:
    narrator.step("Record counterparties, with their 统一社会信用代码 checked")
    with Store.open(home) as store:
        with store.transaction(actor) as tx:
            xinghe = parties.add_party(
                tx,
                name="上海星河电子科技有限公司",
                uscc=uscc.complete("91310115MA1K4Q7X2"),
                address="上海市浦东新区张江路 88 号",
                legal_rep="王建国",
                contact="李敏",
                phone="021-5080 1234",
                bank="招商银行上海张江支行",
                account="1219 0876 5432 101",
            )
            harbor = parties.add_party(
                tx,
                name="Harbor Analytics Ltd.",
                contact="Jane Smith",
                email="legal@harbor-analytics.example",
                risk_level="medium",
            )
        narrator.say(f"{xinghe.id} {xinghe.name}  credit code {xinghe.uscc}")
        narrator.say(f"{harbor.id} {harbor.name}  (risk: {harbor.risk_level})")
        typo = (xinghe.uscc or "")[:-1] + ("0" if (xinghe.uscc or "").endswith("1") else "1")
        before = store.counts()
        try:
            with store.transaction(actor) as tx:
                parties.add_party(tx, name="上海星河电子（重复录入）", uscc=typo)
        except ContractctlError as exc:
            narrator.say(f"a mistyped code is refused (exit {exc.exit_code}): {exc.message}")
        unchanged = store.counts() == before
        narrator.say(
            f"the store is {'unchanged' if unchanged else 'CHANGED (a bug)'} after the refusal"
        )


def _draft_purchase_contract(home: Path, actor: str, narrator: Narrator) -> None:
    from contractctl.drafting.draft import DraftRequest, draft
    from contractctl.drafting.versions import latest_approved, load_spec
    from contractctl.money import format_money, to_chinese_upper
    from contractctl.records.contracts import versions

    narrator.step("Draft a purchase contract (采购合同) from the shipped template")
    with Store.open(home) as store:
        spec = load_spec(store, latest_approved(store.conn, "purchase-zh"))
        data = {k: v for k, v in spec.sample.items() if k != "counterparty"}
        data["contract_no"] = "CG-2026-0001"
        narrator.say(
            "contractctl draft purchase-zh --data purchase.toml --party P-0001 "
            "(validated against the template's typed fields, rendered in a sandbox, "
            "converted to PDF by LibreOffice)"
        )
        result = draft(
            store,
            actor,
            DraftRequest(
                template="purchase-zh",
                data=data,
                party="P-0001",
                key="demo-purchase",
                department="procurement",
            ),
        )
        contract = result.contract
        files = versions(store, contract.id)[0]
    amount = contract.amount
    narrator.say(f"{contract.id}  {contract.title}  status {contract.status}")
    if amount is not None:
        narrator.say(f"  amount {format_money(amount)} ({to_chinese_upper(amount)})")
    narrator.say(f"  standard wording: {'yes' if contract.standard else 'no'}")
    narrator.say(f"  PDF:  {files['pdf']}")
    narrator.say(f"  DOCX: {files['docx']}")


DEMO_PEOPLE = """\
# The demo company's approvers (see README: Approval by rules).
[[people]]
id = "zhao.lei"
name = "赵磊"
department = "procurement"
roles = []

[[people]]
id = "qian.feng"
name = "钱峰"
department = "procurement"
roles = []

[[people]]
id = "wang.fang"
name = "王芳"
department = "legal"
roles = ["legal"]

[[people]]
id = "sun.li"
name = "孙丽"
department = "finance"
roles = ["finance"]

[[people]]
id = "li.ming"
name = "李明"
department = "management"
roles = ["ceo"]

[departments]
procurement = { head = "zhao.lei" }
default = { head = "zhao.lei" }

[[delegations]]
from = "zhao.lei"
to = "qian.feng"
start = 2020-01-01
end = 2099-12-31
reason = "the demo's department head is always travelling"
"""


def _approve_by_rules(home: Path, actor: str, narrator: Narrator) -> None:
    from contractctl.approval.decide import decide, facts_for, load_policy, risk_flags_for, submit
    from contractctl.approval.route_explain import explain
    from contractctl.records.contracts import get_contract

    narrator.step("Route it for approval by the rules in rules/approval.toml")
    (home / "people.toml").write_text(DEMO_PEOPLE, encoding="utf-8")
    narrator.say(
        "people.toml: 赵磊 heads procurement (钱峰 decides while he travels), "
        "王芳 legal, 孙丽 finance, 李明 CEO"
    )
    with Store.open(home) as store:
        contract = get_contract(store.conn, "C-" + _demo_year() + "-0001")
        policy = load_policy(home)
        facts = facts_for(store, contract, risk_flags_for(store, contract, policy))
        narrator.say(f"contractctl rules explain {contract.id}")
        for item in explain(policy.rules, facts):
            if item.applied:
                why = "; ".join(c.describe() for c, _, _ in item.checks) or "every contract"
                narrator.say(f"  applies: {item.route.id} ({why})")
        with store.transaction(actor) as tx:
            view = submit(tx, contract.id)
        narrator.say(
            f"contractctl submit {contract.id}: " + " -> ".join(s["name"] for s in view["stages"])
        )
        for person, note in (("qian.feng", "as delegate of 赵磊"), ("wang.fang", "legal")):
            with store.transaction(person) as tx:
                view = decide(tx, contract.id, "approve", f"demo approval ({note})")
            narrator.say(f"contractctl approve {contract.id} --as {person}  ({note})")
        status = get_contract(store.conn, contract.id).status
    narrator.say(f"{contract.id} is now {status}")


DEMO_PASSPHRASE = "demo-only-passphrase"


def _sign_and_verify(home: Path, actor: str, narrator: Narrator) -> None:
    from contractctl.signing.keys import init_test_identities, trust_anchors
    from contractctl.signing.seal import SealRequest
    from contractctl.signing.sign import sign
    from contractctl.signing.sign_import import import_signature
    from contractctl.signing.verify import verify_contract, verify_pdf

    narrator.step("Sign for both parties (PAdES): we sign here, the counterparty in its own tool")
    contract_id = "C-" + _demo_year() + "-0001"
    with Store.open(home) as store:
        company = store.settings.company.name
        init_test_identities(store, actor, org=company, person=None, passphrase=DEMO_PASSPHRASE)
        narrator.say(
            f"contractctl keys init --org {company}  (TEST identities from a local "
            "test CA; real use: keys import, passphrase from CONTRACTCTL_KEY_PASSPHRASE)"
        )
        first = sign(
            store,
            actor,
            contract_id,
            key="org",
            passphrase=DEMO_PASSPHRASE,
            party="company",
            seal=SealRequest(mode="auto"),
        )
        narrator.say(
            f"contractctl sign {contract_id} --key org --seal auto  -> {first.status} "
            "(certifying signature, red round seal over 甲方（盖章）)"
        )
    back, their_ca = counterparty_signs(home, first.pdf_path.read_bytes(), DEMO_PASSPHRASE)
    with Store.open(home) as store:
        trust = [*trust_anchors(home), their_ca]
        second = import_signature(store, actor, contract_id, back, trust=trust)
        narrator.say(
            f"the counterparty signs the PDF in its own tool and sends it back; "
            f"contractctl sign-import {contract_id} {back.name} --trust their-ca.pem  "
            f"-> {second.status}"
        )
        report = verify_contract(store, contract_id, trust=trust)
        for item in report.to_dict()["signatures"]:
            narrator.say(
                f"  {item['signer']}: intact {_yes(item['intact'])}, trusted "
                f"{_yes(item['trusted'])}, changes after it: {item['modifications']}"
            )
        narrator.say(f"contractctl verify {contract_id} --trust their-ca.pem: {report.verdict}")
        signed_pdf = second.pdf_path.read_bytes()
    # One byte inside the first page-content stream, which every signature covers.
    tampered = bytearray(signed_pdf)
    index = signed_pdf.find(b"stream") + 50
    tampered[index] = (tampered[index] + 1) % 256
    verdict = verify_pdf(bytes(tampered), trust=trust).verdict
    narrator.say(f"a copy with one byte changed: verify says {verdict} (exit 1)")


def _amend_and_diff(home: Path, actor: str, narrator: Narrator) -> None:
    from contractctl.approval.decide import decide, route_view, submit
    from contractctl.compare import compare, render_html
    from contractctl.drafting.amend import AmendRequest, amend, version_text
    from contractctl.records.contracts import get_contract
    from contractctl.signing.keys import trust_anchors
    from contractctl.signing.sign import sign
    from contractctl.signing.sign_import import import_signature

    narrator.step("Amend the signed contract (+20%), route it again, sign it, and redline it")
    contract_id = "C-" + _demo_year() + "-0001"
    with Store.open(home) as store:
        result = amend(
            store,
            actor,
            contract_id,
            AmendRequest(reason="设备单价上调", sets={"items[1].unit_price": "10721.22"}),
        )
        narrator.say(
            f"contractctl amend {contract_id} --set items[1].unit_price=10721.22 "
            f"-m 设备单价上调  -> v{result.version}, a draft (v{result.parent} stays in force)"
        )
        for change in result.semantic:
            narrator.say(
                f"  {change.get('label') or change['what']}: "
                f"{change['old'] or '(none)'} → {change['new'] or '(none)'}"
            )
        with store.transaction(actor) as tx:
            view = submit(tx, contract_id)
        narrator.say(
            f"contractctl submit {contract_id}: routes {', '.join(view['route_ids'])}: "
            + " -> ".join(s["name"] for s in view["stages"])
        )
        while get_contract(store.conn, contract_id).status == "in_review":
            stage = next(
                s for s in route_view(store, contract_id)["stages"] if s["state"] == "pending"
            )
            person = next(a["person"] for a in stage["approvers"] if a["state"] == "pending")
            person = "qian.feng" if person == "zhao.lei" else person
            with store.transaction(person) as tx:
                decide(tx, contract_id, "approve", "demo approval of the amendment")
            narrator.say(f"contractctl approve {contract_id} --as {person}  ({stage['name']})")
        ours = sign(
            store, actor, contract_id, key="org", passphrase=DEMO_PASSPHRASE, party="company"
        )
        back, their_ca = counterparty_signs(home, ours.pdf_path.read_bytes(), DEMO_PASSPHRASE)
        trust = [*trust_anchors(home), their_ca]
        done = import_signature(store, actor, contract_id, back, trust=trust)
        narrator.say(
            f"signed by both parties again (theirs: sign-import) -> {done.status}; "
            f"v{result.version} is in force"
        )
        comparison = compare(
            version_text(store, contract_id, result.parent),
            version_text(store, contract_id, result.version),
        )
        title = get_contract(store.conn, contract_id).title
    data = comparison.to_dict()
    narrator.say(f"contractctl diff {contract_id}  ({len(data['changes'])} clauses changed)")
    for change in data["changes"][:6]:
        narrator.say(f"  {change['clause']} {change.get('title') or ''}: {change['kind']}")
    page = home / f"redline-{contract_id}-v{result.parent}-v{result.version}.html"
    page.write_text(
        render_html(
            comparison,
            old_label=f"{contract_id} v{result.parent}",
            new_label=f"{contract_id} v{result.version}",
            title=title,
        ),
        encoding="utf-8",
    )
    narrator.say(f"contractctl diff {contract_id} --format html -o {page.name}: {page}")


def _check_paper_copy(home: Path, actor: str, narrator: Narrator) -> None:
    from contractctl.drafting.convert import convert_one
    from contractctl.ocr import simulate_scan
    from contractctl.ocr.check import check_scan

    narrator.step("Check the paper copy that came back: OCR against the approved text")
    contract_id = "C-" + _demo_year() + "-0001"
    paper = home / "paper"
    paper.mkdir(exist_ok=True)
    with Store.open(home) as store:
        row = store.conn.execute(
            "SELECT v.docx_sha, v.pdf_sha FROM versions v JOIN contracts c ON c.id = v.contract_id "
            "AND v.n = c.current_version WHERE c.id = ?",
            (contract_id,),
        ).fetchone()
        signed_pdf = store.objects.path(row["pdf_sha"])
        scan = simulate_scan(
            signed_pdf,
            paper / "returned-scan.pdf",
            dpi=300,
            rotation=0.7,
            noise=3.0,
            jpeg_quality=60,
            seed=11,
        )
        narrator.say(
            f"printed {contract_id} (signed PDF) and scanned it back: {scan.name} "
            "(300 dpi, tilted 0.7°, noise, JPEG; no text layer)"
        )
        check = check_scan(store, actor, scan, contract_id)
        narrator.say(
            f"contractctl ocr-check {scan.name} --against {contract_id}: {check.verdict} "
            f"({check.pages} pages, exit {1 if check.verdict == 'mismatch' else 0})"
        )
        _say_severe(narrator, check.changes)
        # Someone "fixes" the total on the paper: one digit, before it is stamped.
        docx = paper / "tampered.docx"
        docx.write_bytes(store.objects.path(row["docx_sha"]).read_bytes())
        replace_in_docx(docx, "248,546.40", "248,546.70")
        tampered_pdf = paper / "tampered.pdf"
        convert_one(docx, tampered_pdf)
        tampered = simulate_scan(
            tampered_pdf,
            paper / "tampered-scan.pdf",
            dpi=300,
            rotation=-0.6,
            noise=3.0,
            jpeg_quality=60,
            seed=12,
        )
        second = check_scan(store, actor, tampered, contract_id)
    narrator.say(
        f"contractctl ocr-check {tampered.name} --against {contract_id}: {second.verdict} "
        f"(exit {1 if second.verdict == 'mismatch' else 0})"
    )
    _say_severe(narrator, second.changes)


def _yes(value: object) -> str:
    """yes or no, never a Python value, for the narration."""
    return "yes" if value else "no"


def _say_severe(narrator: Narrator, changes: list[dict[str, Any]]) -> None:
    """The critical and major differences of an OCR check, one line each."""
    for change in changes:
        if change["severity"] in ("critical", "major"):
            values = "; ".join(
                f"{s.get('label') or s['what']} {s['old'] or '(none)'} → {s['new'] or '(none)'}"
                for s in change.get("semantic") or []
            )
            narrator.say(
                f"  [{change['severity']}] page {change['page']} {change.get('clause') or ''}: "
                f"{values or change.get('message') or change['kind']}"
            )


def _import_and_search(home: Path, actor: str, narrator: Narrator) -> None:
    from contractctl.importer import ImportOptions, import_paths
    from contractctl.search import search

    narrator.step("Import a folder of old contracts (PDF, DOCX, a scan), then search them")
    with Store.open(home) as store:
        folder = historical_folder(home, store)
        narrator.say(
            f"{folder}: 销售合同 (text PDF), Mutual NDA (text PDF), lease-zh.docx, "
            "租赁合同扫描件 (a scanned page, no text layer)"
        )
        report = import_paths(store, actor, [folder], ImportOptions())
        narrator.say(f"contractctl import {folder.name}")
        for outcome in report.outcomes:
            review = f" (review: {', '.join(outcome.needs_review)})" if outcome.needs_review else ""
            narrator.say(
                f"  {Path(outcome.file).name}: {outcome.state} {outcome.contract_id or ''}{review}"
            )
        again = import_paths(store, actor, [folder], ImportOptions())
        narrator.say(
            f"contractctl import {folder.name}  (again): {again.count('duplicate')} "
            "duplicates, nothing imported twice"
        )
        for query in ("违约", "房屋 租金", "confidential information", '"Receiving Party"'):
            results = search(store.conn, query, limit=3)
            narrator.say(f"contractctl search '{query}': {len(results.hits)} hit(s)")
            for hit in results.hits:
                narrator.say(f"  {hit.contract.id} {hit.contract.title}: {hit.snippet.marked()}")


def _after_signing(home: Path, actor: str, narrator: Narrator) -> None:
    from contractctl.demo_after import obligations_from_milestones

    obligations_from_milestones(home, actor, narrator, _demo_year())


def _orders_and_payments(home: Path, actor: str, narrator: Narrator) -> None:
    from contractctl.demo_after import orders_deliveries_payments

    orders_deliveries_payments(home, actor, narrator, DEMO_PASSPHRASE)


def _demo_year() -> str:
    from datetime import date

    return str(date.today().year)


def _audit_trail(home: Path, actor: str, narrator: Narrator) -> None:
    narrator.step("Every change is in a hash-chained audit log")
    with Store.open(home) as store:
        events = audit.events(store.conn)
        target = next(e.seq for e in events if e.action == "party.add")
        for event in events:
            narrator.say(
                f"  #{event.seq:<3} {event.action:<18} {event.subject or '':<16} {event.hash[:12]}"
            )
        report = audit.verify(store.conn)
        narrator.say(f"contractctl audit verify: {report.checked} events, chain intact")
    scratch = Path(tempfile.mkdtemp(prefix="contractctl-tamper-"))
    try:
        shutil.copy(home / DB_NAME, scratch / DB_NAME)
        conn = sqlite3.connect(scratch / DB_NAME)
        conn.execute("DROP TRIGGER events_no_update")
        conn.execute("UPDATE events SET actor = 'mallory' WHERE seq = ?", (target,))
        conn.commit()
        tampered = audit.verify(conn)
        conn.close()
        narrator.say(
            f"on a copy where someone edited event {target} by hand: {tampered.reason} "
            "(audit verify exits 1)"
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _management_report(home: Path, actor: str, narrator: Narrator) -> None:
    from contractctl.reports.aggregate import ReportRequest, build_report
    from contractctl.reports.html import render_html
    from contractctl.reports.numbers import amount_text
    from contractctl.reports.tabular import series_label

    narrator.step("Report for management: value per currency, purchases apart from sales")
    with Store.open(home) as store:
        report = build_report(store.conn, ReportRequest(view="type", lang="zh"))
        narrator.say("contractctl report --by type  (contracts that bind the parties)")
        for row in report.rows:
            sums = "; ".join(
                f"{series_label('zh', t.direction, t.currency)} {amount_text(t.money, 'zh')}"
                for t in row.totals
            )
            narrator.say(f"  {row.label}: {row.count} 份  {sums}")
        target = home / "report.html"
        target.write_text(render_html(report), encoding="utf-8")
        narrator.say(f"contractctl report --by type -o {target}  (one file, chart inline)")
