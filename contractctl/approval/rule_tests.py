"""`contractctl rules test`: table-driven cases for the approval rules, like `opa test`.

Cases live beside the rules (rules/tests/*.toml): a contract's facts in, the expected
route ids and stages out. The report names every failing case with what differed and
lists the routes no case exercises, because an untested route is a route nobody knows
still works.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from contractctl import tomlfile
from contractctl.approval.route_table import Facts, RuleSet, stage_labels
from contractctl.errors import InvalidInput
from contractctl.money import parse_money

CASE_KEYS = ("name", "contract", "expect")
CONTRACT_KEYS = (
    "type",
    "amount",
    "standard",
    "counterparty_risk",
    "department",
    "amendment",
    "amount_change_pct",
    "term_extended",
    "risk_flags",
    "risk_severity",
    "template",
)
EXPECT_KEYS = ("routes", "stages")


@dataclass(frozen=True)
class CaseResult:
    """One case: where it is, and what was expected and found."""

    name: str
    where: str
    ok: bool
    expected_routes: list[str]
    actual_routes: list[str]
    expected_stages: list[str] | None
    actual_stages: list[str]

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "name": self.name,
            "where": self.where,
            "ok": self.ok,
            "expected": {"routes": self.expected_routes, "stages": self.expected_stages},
            "actual": {"routes": self.actual_routes, "stages": self.actual_stages},
        }


@dataclass
class TestReport:
    """All cases, and the routes none of them reached."""

    results: list[CaseResult] = field(default_factory=list)
    uncovered: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[CaseResult]:
        """The failing cases."""
        return [r for r in self.results if not r.ok]

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of `rules test --json`."""
        return {
            "passed": len(self.results) - len(self.failed),
            "failed": len(self.failed),
            "cases": [r.to_dict() for r in self.results],
            "uncovered_routes": self.uncovered,
        }


def facts_from(doc: tomlfile.TomlDoc, raw: Any, currency: str, where: str) -> Facts:
    """A case's contract table as routing facts."""
    if not isinstance(raw, dict):
        raise doc.error(f"{where} -> contract: a table of facts", "contract")
    tomlfile.reject_unknown(doc, raw, CONTRACT_KEYS, where, "contract")
    try:
        amount = parse_money(str(raw["amount"]), currency) if "amount" in raw else None
        pct = Decimal(str(raw["amount_change_pct"])) if "amount_change_pct" in raw else None
    except (InvalidInput, InvalidOperation) as exc:
        raise doc.error(f"{where} -> contract: {exc}", "contract") from exc
    if "type" not in raw:
        raise doc.error(f"{where} -> contract -> type: required", "contract")
    return Facts(
        type=str(raw["type"]),
        amount=amount,
        standard=raw.get("standard"),
        counterparty_risk=str(raw.get("counterparty_risk", "low")),
        department=str(raw.get("department", "")),
        amendment=bool(raw.get("amendment", False)),
        risk_flags=tuple(raw.get("risk_flags", [])),
        risk_severity=raw.get("risk_severity"),
        template=raw.get("template"),
        amount_change_pct=pct,
        term_extended=bool(raw.get("term_extended", False)),
    )


def run_rule_tests(rules: RuleSet, folder: Path) -> TestReport:
    """Run every case in ``folder``/*.toml against ``rules``."""
    report = TestReport()
    reached: set[str] = set()
    files = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    if not files:
        raise InvalidInput(f"no rule test cases in {folder}", hint="add rules/tests/*.toml")
    for path in files:
        doc = tomlfile.load(path, display=f"rules/tests/{path.name}")
        tomlfile.reject_unknown(doc, doc.data, ("case",))
        for index, case in enumerate(doc.data.get("case", []), start=1):
            if not isinstance(case, dict):
                raise doc.error("case: each [[case]] is a table", "case")
            name = str(case.get("name") or f"case {index}")
            tomlfile.reject_unknown(doc, case, CASE_KEYS, name)
            line = doc.line_of(case["name"]) if "name" in case else None
            where = f"{doc.display}:{line}" if line else doc.display
            facts = facts_from(doc, case.get("contract"), rules.default_currency, name)
            expect = case.get("expect", {})
            if not isinstance(expect, dict):
                raise doc.error(f"{name} -> expect: a table", "expect")
            tomlfile.reject_unknown(doc, expect, EXPECT_KEYS, name, "expect")
            decision = rules.decide(facts)
            reached.update(decision.route_ids)
            expected_routes = [str(r) for r in expect.get("routes", [])]
            raw_stages = expect.get("stages")
            expected_stages = None if raw_stages is None else [str(s) for s in raw_stages]
            actual_stages = stage_labels(decision.stages)
            ok = list(decision.route_ids) == expected_routes and (
                expected_stages is None or expected_stages == actual_stages
            )
            report.results.append(
                CaseResult(
                    name,
                    where,
                    ok,
                    expected_routes,
                    list(decision.route_ids),
                    expected_stages,
                    actual_stages,
                )
            )
    report.uncovered = [r.id for r in rules.routes if r.id not in reached]
    return report
