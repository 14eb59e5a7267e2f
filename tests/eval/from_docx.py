"""`template from-docx` on the real corpus: `python -m tests.eval.from_docx [--subset N]`.

For every model contract in ``../shared/corpus/zh-model-contracts/`` (Word files written by
others): from-docx (blanks to tags, a schema skeleton, linted and added as a pending
template, exactly as the command does), legal approves it, and a draft with the
skeleton's own sample values is made to PDF; the draft checks the PDF's text holds every
value the template printed, and this evaluation checks again that every field's sample
is on the page as printed. A file counts as working when all of that holds; the rest are
listed with their reason (a refusal with a reason is an acceptable outcome, a crash is not).
`make eval` runs it; the figure it prints is the one in the README.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from tests.eval.docx_reading import CORPUS

TARGET = 0.95
PEOPLE = '[[people]]\nid = "eval"\nname = "Eval"\nroles = ["legal"]\n'


@dataclass(frozen=True)
class Outcome:
    """One file: worked, refused with a reason, failed, or crashed."""

    path: Path
    status: str  # ok, refused, failed, crashed
    fields: int
    reason: str
    seconds: float


def printed_forms(skeleton: object) -> list[str]:
    """How each field's sample value prints in the draft (what the PDF must show)."""
    from datetime import date

    from contractctl.drafting.render import date_cn_filter
    from contractctl.money import format_money, parse_money, to_chinese_upper

    forms = []
    for spec in skeleton.fields:  # type: ignore[attr-defined]
        sample = spec.sample
        if spec.type == "money":
            money = parse_money(str(sample), "CNY")
            forms.append(to_chinese_upper(money) if "cn_upper" in spec.tag else format_money(money))
        elif spec.type == "date" and isinstance(sample, date):
            forms.append(date_cn_filter(sample))
        elif spec.type == "boolean":
            yes, no = ("有", "无") if "■有" in spec.tag else ("是", "否")
            forms.append(f"■{yes} □{no}" if sample else f"□{yes} ■{no}")
        else:
            forms.append(str(sample))
    return forms


def evaluate_one(path: Path, *, pdf: bool = True) -> Outcome:
    """from-docx, approve, draft with the samples, check the PDF; never raises."""
    from contractctl.bootstrap import initialise
    from contractctl.documents.extract import pdf_text
    from contractctl.drafting.draft import DraftRequest, draft
    from contractctl.drafting.from_docx import add_from_docx
    from contractctl.drafting.pdf_check import missing_values
    from contractctl.drafting.versions import approve_template, load_spec
    from contractctl.errors import ContractctlError
    from contractctl.records.contracts import versions
    from contractctl.store import Store

    start = time.perf_counter()
    fields = 0
    stage = "from-docx"
    try:
        with tempfile.TemporaryDirectory(prefix="eval-from-docx-") as tmp:
            home = Path(tmp) / "store"
            initialise(home, "eval")
            (home / "people.toml").write_text(PEOPLE, encoding="utf-8")
            with Store.open(home) as store:
                with store.transaction("eval") as tx:
                    added = add_from_docx(tx, path, Path(tmp) / "out")
                made, version = added.made, added.version
                fields = len(made.skeleton.fields)
                stage = "approve"
                with store.transaction("eval") as tx:
                    approve_template(tx, home, version.ref)
                stage = "draft"
                spec = load_spec(store, version)
                result = draft(
                    store, "eval", DraftRequest(template=made.name, data=spec.sample, pdf=pdf)
                )
                if pdf:
                    stage = "check"
                    stored = versions(store, result.contract.id)[0]["pdf"]
                    missing = missing_values(printed_forms(made.skeleton), pdf_text(Path(stored)))
                    if missing:
                        return Outcome(
                            path, "failed", fields,
                            f"check: the PDF lacks {len(missing)} values ({missing[:3]})",
                            time.perf_counter() - start,
                        )  # fmt: skip
        warned = f"{len(added.warnings)} lint warnings" if added.warnings else ""
        return Outcome(path, "ok", fields, warned, time.perf_counter() - start)
    except ContractctlError as exc:
        status = "refused" if stage == "from-docx" else "failed"
        details = "; ".join(str(d) for d in (getattr(exc, "problems", None) or [])[:3])
        reason = f"{stage}: {exc.message}" + (f" [{details}]" if details else "")
        return Outcome(path, status, fields, reason[:400], time.perf_counter() - start)
    except Exception as exc:  # a crash: reported, never hidden
        last = traceback.format_exception(exc)[-2].strip().replace("\n", " ")
        reason = f"{stage}: {type(exc).__name__}: {exc} ({last})"
        return Outcome(path, "crashed", fields, reason[:400], time.perf_counter() - start)


def _worker(path: Path) -> Outcome:
    return evaluate_one(path)


def main(argv: list[str]) -> int:
    """Evaluate the corpus (or its first N files) and print the figure and the reasons."""
    parser = argparse.ArgumentParser(prog="python -m tests.eval.from_docx")
    parser.add_argument("--subset", type=int, default=None, help="files to use")
    parser.add_argument("--jobs", type=int, default=2, help="files at a time")
    args = parser.parse_args(argv)
    paths = sorted(CORPUS.glob("*.docx"))[: args.subset]
    if not paths:
        sys.stderr.write(f"no DOCX files in {CORPUS}\n")
        return 1
    start = time.perf_counter()
    outcomes = []
    context = multiprocessing.get_context("spawn")
    with context.Pool(max(1, args.jobs), maxtasksperchild=8) as pool:
        for outcome in pool.imap_unordered(_worker, paths):
            outcomes.append(outcome)
            print(
                f"{outcome.status:8} {outcome.seconds:5.1f} s {outcome.fields:4} fields  "
                f"{outcome.path.name}",
                file=sys.stderr,
                flush=True,
            )
    worked = [o for o in outcomes if o.status == "ok"]
    for outcome in sorted(outcomes, key=lambda o: (o.status, o.path.name)):
        if outcome.status != "ok":
            print(f"{outcome.status}: {outcome.path.name}: {outcome.reason}")
    warned = sum(bool(o.reason) for o in worked)
    fields = sum(o.fields for o in worked)
    share = len(worked) / len(outcomes)
    crashed = sum(o.status == "crashed" for o in outcomes)
    print(
        f"template from-docx: {len(worked)} of {len(outcomes)} files ({share:.1%}) give a "
        f"template that lints clean and drafts to a PDF showing every sample value "
        f"({fields} fields; {len(worked) - warned} with no lint problem at all, {warned} with "
        "clause-numbering warnings only); "
        f"{len(outcomes) - len(worked) - crashed} refused or failed with "
        f"a reason, {crashed} crashed; {time.perf_counter() - start:.0f} s"
    )
    return 0 if share >= TARGET and not crashed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
