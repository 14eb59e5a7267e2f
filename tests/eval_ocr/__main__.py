"""`make eval-ocr`: ``ocr-check`` on print-and-scan simulations of real contracts.

For each sampled corpus document (tests.eval_ocr.cases), at 300 and 200 dpi: the clean
copy and each tampered copy is scanned by simulation (contractctl.ocr.simulate_scan:
rotation 0.5-1.5 degrees either way, noise 3-6 grey levels, blur, JPEG 60, scale
0.98-1.02, and one real-world defect per run in turn: a fold line, a seal stamped over
text, a cropped margin) and checked against the clean approved PDF.

- clean: a false alarm is a ``mismatch`` verdict;
- a tamper is *caught* on ``mismatch`` and *named* when a critical or major difference
  names it: both the old and the new value (amounts, dates, parties, as critical), the
  deleted or inserted sentence, the misplaced pages.

Default: a fixed sample of ``EVAL_OCR_DOCS`` documents (6: the English NDA and 5
Chinese model contracts spread over the corpus), ``EVAL_ALL=1`` every document;
``EVAL_OCR_DPIS`` (default 300,200); ``EVAL_OCR_KINDS`` limits the tamper kinds;
``EVAL_OCR_ONLY`` (comma-separated parts of file names) runs those documents alone,
each with the defect it has in the whole run.
Prints the table for the README and writes every report to build/eval-ocr-cache/.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.eval.corpus import paths
from tests.eval_ocr import documents as D
from tests.eval_ocr.cases import KINDS, Case, build

LANG = "chi_sim+eng"
DEFECTS = ("fold", "stamp", "crop")


def run_check(case: Case, scan: Path, dpi: int, work: Path) -> dict[str, Any]:
    """The check's report on ``scan`` against the case's approved PDF."""
    from contractctl.ocr import check

    if hasattr(check, "check_files"):
        result: dict[str, Any] = check.check_files(
            case.approved_pdf, scan, lang=LANG, dpi=dpi, workers=2, cache=D.CACHE / "readings"
        )
        return result
    from contractctl.ocr.pipeline import ocr_scan  # the check as it was (baseline)

    approved = check.pdf_layout_pages(case.approved_pdf)
    text = ocr_scan(
        scan,
        lang=check.first_reading_language(LANG, approved),
        dpi=dpi,
        workers=2,
        keep_images=work / "pages",
    )
    out = check.compare_scan(approved, text, lang=LANG, dpi=dpi, workers=2, workdir=work)
    severe = [c for c in out["changes"] if c["severity"] in ("critical", "major")]
    out["verdict"] = "mismatch" if severe else "match"
    return out


def scan_of(case: Case, dpi: int, run: int) -> Path:
    """The simulated scan of the case at ``dpi`` (cached)."""
    from contractctl.ocr.simulate import simulate_scan

    rng = random.Random(f"{case.document}|{case.kind}|{dpi}")
    params = {
        "dpi": dpi,
        "rotation": rng.choice((-1, 1)) * rng.uniform(0.5, 1.5),
        "noise": rng.uniform(3, 6),
        "blur": 0.6 if dpi >= 300 else 0.4,
        "jpeg_quality": 60,
        "scale": rng.uniform(0.98, 1.02),
        "seed": rng.randrange(1 << 30),
        "defect": DEFECTS[run % len(DEFECTS)],
        "page_order": case.page_order,
    }
    # a PDF other than the kind's own (a clause inserted at a later try) is its own scan
    other = () if case.scan_pdf.stem in (case.kind, "approved") else (case.scan_pdf.name,)
    out = case.scan_pdf.parent / f"scan-{case.kind}-{dpi}-{D.digest(params, *other)}.pdf"
    if not out.exists():
        simulate_scan(case.scan_pdf, out, **params)  # type: ignore[arg-type]
    return out


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def judge(case: Case, report: dict[str, Any]) -> dict[str, bool]:
    """caught / named / critical for a tamper (named: both values, or the sentence)."""
    severe = [c for c in report["changes"] if c["severity"] in ("critical", "major")]
    caught = report["verdict"] == "mismatch"
    named = critical = False
    for change in severe:
        blob = " ".join(_strings(change))  # not json.dumps: its \n and \t are no spaces
        squashed = re.sub(r"\s+", "", blob)
        if case.kind == "pages_swapped":
            hit = change.get("kind") == "misplaced_page"
        elif case.kind in ("amount", "date"):
            old, new = _digits(case.old), _digits(case.new)
            hit = old in _digits(blob) and new in _digits(blob) and "->" in _arrow(change)
            hit = hit or _values_named(change, case)
        elif case.kind == "party":
            hit = _values_named(change, case)
        elif case.kind == "sentence_deleted":
            hit = re.sub(r"\s+", "", case.old)[:12] in squashed
        else:
            hit = re.sub(r"\s+", "", case.new)[:12] in squashed
        if hit:
            named = True
            critical = critical or change["severity"] == "critical"
    return {"caught": caught, "named": named, "critical": critical}


def _strings(value: Any) -> list[str]:
    """Every string in a change, nested values included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _strings(v)]
    if isinstance(value, list):
        return [t for v in value for t in _strings(v)]
    return [] if value is None else [str(value)]


def _arrow(change: dict[str, Any]) -> str:
    return " ".join(str(s.get("text") or "") for s in change.get("semantic") or []) + " ->"


def _values_named(change: dict[str, Any], case: Case) -> bool:
    """Both values in one semantic change (or approved/scanned text of the change)."""
    for value in change.get("semantic") or []:
        text = re.sub(r"\s+", "", f"{value.get('old')}|{value.get('new')}|{value.get('text')}")
        if re.sub(r"\s+", "", case.old) in text and re.sub(r"\s+", "", case.new) in text:
            return True
        if case.kind in ("amount", "date"):
            d = _digits(text)
            if _digits(case.old) in d and _digits(case.new) in d:
                return True
    approved = re.sub(r"\s+", "", str(change.get("approved") or ""))
    scanned = re.sub(r"\s+", "", str(change.get("scanned") or ""))
    return re.sub(r"\s+", "", case.old) in approved and re.sub(r"\s+", "", case.new) in scanned


def main() -> int:
    count = int(os.environ.get("EVAL_OCR_DOCS", "6"))
    every = os.environ.get("EVAL_ALL") == "1"
    dpis = [int(v) for v in os.environ.get("EVAL_OCR_DPIS", "300,200").split(",")]
    kinds = os.environ.get("EVAL_OCR_KINDS", "clean," + ",".join(KINDS)).split(",")
    chosen = paths(None if every else count - 1)
    if not every:
        chosen = chosen[:1] + chosen[2:] if len(chosen) > 1 else chosen  # the NDA once
    results: list[dict[str, Any]] = []
    started = time.perf_counter()
    pages = 0
    only = [name for name in os.environ.get("EVAL_OCR_ONLY", "").split(",") if name]
    for run, (language, path) in enumerate(chosen):
        if only and not any(name in path.name for name in only):
            continue  # after enumerate: a document keeps its defect when run alone
        try:
            cases = build(language, path)
        except Exception as exc:  # a document LibreOffice cannot render is not a result
            print(f"skip {path.name}: {exc}", file=sys.stderr)
            continue
        for dpi in dpis:
            for case in cases:
                if case.kind not in kinds:
                    continue
                scan = scan_of(case, dpi, run)
                with tempfile.TemporaryDirectory(prefix="eval-ocr-") as tmp:
                    t0 = time.perf_counter()
                    report = run_check(case, scan, dpi, Path(tmp))
                    seconds = time.perf_counter() - t0
                pages += len(case.page_order or [1, 2])
                row = {
                    "document": case.document,
                    "language": case.language,
                    "kind": case.kind,
                    "dpi": dpi,
                    "defect": DEFECTS[run % len(DEFECTS)],
                    "verdict": report["verdict"],
                    "seconds": round(seconds, 1),
                    "old": case.old,
                    "new": case.new,
                    "changes": [
                        c for c in report["changes"] if c["severity"] in ("critical", "major")
                    ],
                }
                if case.kind != "clean":
                    row.update(judge(case, report))
                results.append(row)
                print(_line(row), file=sys.stderr, flush=True)
    out = D.CACHE / f"results-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(table(results, dpis))
    print(
        f"\n{len(chosen)} documents, {pages} scanned pages checked in "
        f"{time.perf_counter() - started:.0f} s; reports: {out}"
    )
    return 0


def _line(row: dict[str, Any]) -> str:
    extra = ""
    if row["kind"] != "clean":
        extra = " ".join(k for k in ("caught", "named", "critical") if row.get(k))
    first = row["changes"][0] if row["changes"] else {}
    what = json.dumps(first, ensure_ascii=False)[:160] if first else ""
    return (
        f"{row['dpi']} {row['document'][:24]:24} {row['kind']:16} {row['defect']:5} "
        f"{row['verdict']:8} {extra:22} {row['seconds']:5.0f}s {what}"
    )


def table(results: list[dict[str, Any]], dpis: list[int]) -> str:
    """Markdown: false alarms on clean scans, then per kind caught / named (critical)."""
    lines = ["| dpi | clean scans called mismatch | " + " | ".join(KINDS) + " |"]
    lines.append("|---" * (2 + len(KINDS)) + "|")
    for dpi in dpis:
        rows = [r for r in results if r["dpi"] == dpi]
        clean = [r for r in rows if r["kind"] == "clean"]
        alarms = sum(1 for r in clean if r["verdict"] != "match")
        cells = [f"{alarms}/{len(clean)}"]
        for kind in KINDS:
            done = [r for r in rows if r["kind"] == kind]
            if not done:
                cells.append("n/a")
                continue
            caught = sum(r["caught"] for r in done)
            named = sum(r["named"] for r in done)
            cell = f"{caught}/{len(done)} caught, {named} named"
            if kind in ("amount", "date", "party"):
                cell += f" ({sum(r['critical'] for r in done)} critical)"
            cells.append(cell)
        lines.append(f"| {dpi} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
