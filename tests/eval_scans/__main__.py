"""`make eval-scans`: the import's OCR against Tesseract run by hand, page by page.

Two sets, each page read both ways and scored against its known text (difflib ratio
of the NFKC text without whitespace, order-sensitive: interleaved columns score low):

1. the shapes of ``tests.scan_samples`` (1-bit, two-colour, one line, two columns,
   side by side Chinese/English, upside down, plain pages);
2. clean 300 dpi print-and-scan simulations of real contracts written by others
   (the English Common Paper NDA and ``EVAL_SCANS_DOCS`` Chinese model contracts of
   the corpus, the scans ``make eval-ocr`` makes: tilt, noise, blur, JPEG 60), scored
   against the approved PDF's text layer.

"By hand" is ``tesseract PAGE - -l LANG`` with the page's true language and
Tesseract's defaults. "Import" is contractctl.ocr as ``import`` calls it: language
chosen per column (``--lang auto``), columns kept apart. The CPU columns are the
Tesseract processes' user+system time, and the old default (``chi_sim+eng`` on every
page) beside the new one on the real pages. Exit 1 when any page reads worse than by
hand by more than half a point.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from tests.ocr_samples import similarity
from tests.scan_samples import Sample, make_samples, raw_reading

T = TypeVar("T")
TOLERANCE = 0.005


def _cpu(run: Callable[[], T]) -> tuple[T, float]:
    """``run()`` and the CPU seconds its child processes (Tesseract) used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    value = run()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return value, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _ours(path: Path, lang: str, columns: bool) -> tuple[str, str]:
    from contractctl.ocr import ocr_pages

    [page] = ocr_pages([path], lang=lang, workers=1, seals=False, columns=columns)
    return page.text, page.lang


def shapes(folder: Path) -> list[dict[str, object]]:
    rows = []
    for sample in make_samples(folder / "shapes"):
        raw, raw_cpu = _cpu(lambda s=sample: raw_reading(s))  # type: ignore[misc]
        (text, used), cpu = _cpu(lambda s=sample: _ours(s.path, "auto", True))  # type: ignore[misc]
        rows.append(
            {
                "page": sample.name,
                "lang": sample.lang,
                "hand": similarity(raw, sample.truth),
                "ours": similarity(text, sample.truth),
                "chosen": used,
                "hand_cpu": raw_cpu,
                "cpu": cpu,
            }
        )
    return rows


def real_pages(folder: Path, count: int) -> list[dict[str, object]]:
    from contractctl.ocr.pages import rasterise
    from tests.eval.corpus import paths
    from tests.eval_ocr.__main__ import scan_of
    from tests.eval_ocr.cases import build

    chosen = paths(count)
    chosen = chosen[:1] + chosen[2:]  # the NDA once (its cover page is the other file)
    rows = []
    for run, (language, path) in enumerate(chosen):
        try:
            clean = next(c for c in build(language, path) if c.kind == "clean")
        except Exception as exc:  # a document LibreOffice cannot render is not a result
            print(f"skip {path.name}: {exc}", file=sys.stderr)
            continue
        scan = scan_of(clean, 300, run)
        truths = _texts(clean.approved_pdf)
        images = rasterise(scan, folder, 300, 1, len(truths), total=len(truths))
        hand_lang = "eng" if language == "en" else "chi_sim+eng"
        for number, (image, truth) in enumerate(zip(images, truths, strict=True), start=1):
            sample = Sample(f"{clean.document[:18]} p{number}", image, truth, hand_lang)
            raw, raw_cpu = _cpu(lambda s=sample: raw_reading(s))  # type: ignore[misc]
            (old, _), old_cpu = _cpu(lambda p=image: _ours(p, "chi_sim+eng", False))  # type: ignore[misc]
            (text, used), cpu = _cpu(lambda p=image: _ours(p, "auto", True))  # type: ignore[misc]
            rows.append(
                {
                    "page": sample.name,
                    "lang": hand_lang,
                    "hand": similarity(raw, truth),
                    "old": similarity(old, truth),
                    "ours": similarity(text, truth),
                    "chosen": used,
                    "hand_cpu": raw_cpu,
                    "old_cpu": old_cpu,
                    "cpu": cpu,
                }
            )
            print(f"  {rows[-1]['page']}: {rows[-1]['ours']:.3f}", file=sys.stderr, flush=True)
    return rows


def _texts(pdf: Path) -> list[str]:
    done = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    pages = done.stdout.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def table(rows: list[dict[str, object]], *, old: bool) -> str:
    head = "| page | lang | by hand | import | chosen | CPU by hand | CPU import |"
    rule = "|---|---|---:|---:|---|---:|---:|"
    if old:
        head = head.replace("| CPU import |", "| CPU old default | CPU import |")
        head = head.replace("| import |", "| old default | import |", 1)
        rule = "|---|---|---:|---:|---:|---|---:|---:|---:|"
    lines = [head, rule]
    for r in rows:
        cells = [str(r["page"]), str(r["lang"]), f"{r['hand']:.3f}"]
        if old:
            cells.append(f"{r['old']:.3f}")
        cells += [f"{r['ours']:.3f}", str(r["chosen"]), f"{r['hand_cpu']:.1f} s"]
        if old:
            cells.append(f"{r['old_cpu']:.1f} s")
        cells.append(f"{r['cpu']:.1f} s")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    count = int(os.environ.get("EVAL_SCANS_DOCS", "3"))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="eval-scans-") as tmp:
        folder = Path(tmp)
        synthetic = shapes(folder)
        real = real_pages(folder, count)
    print("Shapes (tests/scan_samples.py):\n")
    print(table(synthetic, old=False))
    print("\nClean 300 dpi scans of contracts written by others:\n")
    print(table(real, old=True))
    worse = [r["page"] for r in synthetic + real if float(r["ours"]) < float(r["hand"]) - TOLERANCE]  # type: ignore[arg-type]
    for label, rows in (("shapes", synthetic), ("real pages", real)):
        if rows:
            mean = sum(float(r["ours"]) for r in rows) / len(rows)  # type: ignore[arg-type]
            hand = sum(float(r["hand"]) for r in rows) / len(rows)  # type: ignore[arg-type]
            print(f"\n{label}: {len(rows)} pages, mean accuracy {mean:.3f} (by hand {hand:.3f})")
    if real:
        old_cpu = sum(float(r["old_cpu"]) for r in real)  # type: ignore[arg-type]
        new_cpu = sum(float(r["cpu"]) for r in real)  # type: ignore[arg-type]
        print(f"CPU on real pages: import {new_cpu:.0f} s, old default {old_cpu:.0f} s")
    print(f"pages worse than by hand: {len(worse)} {worse}")
    print(f"{time.perf_counter() - started:.0f} s, load {os.getloadavg()[0]:.1f}")
    return 1 if worse else 0


if __name__ == "__main__":
    raise SystemExit(main())
