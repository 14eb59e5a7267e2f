"""The second readings of ``ocr-check`` themselves: scan lines read again with Tesseract.

A line that does not fit the approved clause is read again cell by cell: each cell of
it (contractctl.ocr.cells) cut out of the corrected page, a little wider at its ends,
and read as one text line (``--psm 7``) with the script's own model (``languages``:
``chi_sim`` alone for Chinese, ``eng`` alone for English and for figures), one
Tesseract per language, ``workers`` at a time (``read_cells``). A table clause is read
once more as one region per page, as sparse text (``--psm 11``, ``read_tables``).

Kept apart from the judging (contractctl.ocr.second_reading) because this is where the
pipeline's crops are cut and Tesseract runs: the judging only weighs the texts these
readings return.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from contractctl.ocr.settle import LOW_CONFIDENCE

if TYPE_CHECKING:
    from contractctl.compare import ClauseChange
    from contractctl.ocr.cells import Line
    from contractctl.ocr.model import PageText
    from contractctl.ocr.tesseract import Reading

__all__ = [
    "CJK",
    "CJK_MODELS",
    "LINE_END_WIDEN",
    "REREAD_PSM",
    "languages",
    "read_cells",
    "read_tables",
]

#: Tesseract models of CJK scripts (read alone on CJK lines in a second reading).
CJK_MODELS = frozenset({"chi_sim", "chi_tra", "jpn", "kor", "chi_sim_vert", "chi_tra_vert"})
#: Second readings read each line cut out as one text line (Tesseract's ``--psm``).
REREAD_PSM = 7
#: Second readings cut a line this many line heights wider at its two ends.
LINE_END_WIDEN = 0.8
#: A CJK character.
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORDS = re.compile(r"[A-Za-z]{2,}")


def languages(
    change: ClauseChange, line: Line, cjk_lang: str | None, latin_lang: str | None
) -> list[str]:
    """The models to read a line with: the CJK model alone where the approved
    clause is Chinese (or the line shows CJK, or reads badly: the English model's
    garbage for Chinese), the Latin one where the clause is English, the line has
    English words read well, or figures."""
    old = change.old or ""
    cjk = len(CJK.findall(old))
    latin = len(_LATIN_WORDS.findall(old))
    wanted: list[str] = []
    if (
        cjk_lang
        and cjk
        and (cjk >= 2 * latin or CJK.search(line.text) or line.conf < LOW_CONFIDENCE)
    ):
        wanted.append(cjk_lang)
    if latin_lang and (
        (
            latin >= 2
            and (
                2 * latin > cjk
                or (len(_LATIN_WORDS.findall(line.text)) >= 2 and line.conf >= LOW_CONFIDENCE)
            )
        )
        # figures: the CJK model read "13%" as "1396" where the English one did not
        or (bool(wanted) and re.search(r"\d", line.text) is not None)
    ):
        wanted.append(latin_lang)
    return wanted or [cjk_lang or latin_lang or "eng"]


def read_cells(
    jobs: dict[str, dict[tuple[int, int], Line]],
    scale: float,
    *,
    dpi: int,
    workers: int | None,
    folder: Path,
) -> list[tuple[tuple[int, int, int], str, Reading]]:
    """Read the cells of the lines of ``jobs`` (language -> lines) at ``scale``: one
    Tesseract per language for all its cells, ``workers`` at a time. Each reading as
    ((page, line, cell), setting, reading), language by language."""
    from contractctl.ocr.pipeline import available_cpus, cut_regions
    from contractctl.ocr.tesseract import read_images

    union: dict[tuple[int, int, int], tuple[PageText, tuple[int, int, int, int]]] = {}
    for lines in jobs.values():
        for line in lines.values():
            edges = [0, *(c.box[0] for c in line.cells[1:])]
            ends = [c.box[0] + c.box[2] for c in line.cells[:-1]]
            for c, cell in enumerate(line.cells):
                left, top, width, height = cell.box
                # a character the first reading lost at either end of a cell (so
                # outside its words' boxes) is cut out with it: at the line's ends,
                # and between cells up to half the gap (the English model's reading
                # of "上海我们科技有限公司" ended a character short, where a wide gap
                # before the next cell began)
                wide = round(LINE_END_WIDEN * height)
                before = wide if c == 0 else max(0, min(wide, (left - ends[c - 1]) // 2))
                after = (
                    wide
                    if c + 1 == len(line.cells)
                    else max(0, min(wide, (edges[c + 1] - left - width) // 2))
                )
                box = (max(0, left - before), top, width + before + after, height)
                union[(*line.key, c)] = (line.page, box)
    keys = list(union)
    folder = folder / f"x{scale:g}"
    [crops] = cut_regions([union[k] for k in keys], folder, scales=(scale,))
    crop_of = dict(zip(keys, crops, strict=True))

    def run(lang: str) -> tuple[str, list[tuple[int, int, int]], list[Reading]]:
        wanted = [(*line.key, c) for line in jobs[lang].values() for c in range(len(line.cells))]
        base = folder / f"read-{lang.replace('+', '-')}"
        readings = read_images(
            [crop_of[k] for k in wanted],
            base,
            lang=lang,
            psm=REREAD_PSM,
            dpi=round(dpi * scale),
        )
        return lang, wanted, readings

    found: list[tuple[tuple[int, int, int], str, Reading]] = []
    count = max(1, min(workers or available_cpus(), len(jobs)))
    with ThreadPoolExecutor(max_workers=count, thread_name_prefix="reread") as pool:
        for lang, wanted, readings in pool.map(run, list(jobs)):
            for key, reading in zip(wanted, readings, strict=True):
                found.append((key, f"{lang} x{scale:g}", reading))
    return found


def read_tables(
    located: Sequence[Sequence[Line]], langs: Sequence[str], *, dpi: int, folder: Path
) -> list[str | None]:
    """Each change's lines (``located``, with page images) read again as one region per
    page, as sparse text (``--psm 11``: every run of text on its own, wherever it
    stands) with the change's model in ``langs``, which reads the cells of a table whose
    rows wrap, where one column of lines mixes them up."""
    from contractctl.ocr.pipeline import cut_regions
    from contractctl.ocr.tesseract import read_images

    regions: list[tuple[PageText, tuple[int, int, int, int]]] = []
    owner: list[int] = []
    for n, change_lines in enumerate(located):
        by_page: dict[int, list[Line]] = {}
        for line in change_lines:
            by_page.setdefault(line.page.number, []).append(line)
        for lines in by_page.values():
            boxes = [cell.box for line in lines for cell in line.cells]
            left = min(b[0] for b in boxes)
            top = min(b[1] for b in boxes)
            right = max(b[0] + b[2] for b in boxes)
            bottom = max(b[1] + b[3] for b in boxes)
            regions.append((lines[0].page, (left, top, right - left, bottom - top)))
            owner.append(n)
    out: list[str | None] = [None] * len(located)
    if not regions:
        return out
    folder = folder / "tables"
    [crops] = cut_regions(regions, folder, scales=(1.0,), margin=4)
    texts: dict[int, list[str]] = {}
    for lang in dict.fromkeys(langs):
        wanted = [k for k, n in enumerate(owner) if langs[n] == lang]
        readings = read_images(
            [crops[k] for k in wanted], folder / "sparse", lang=lang, psm=11, dpi=dpi
        )
        for k, reading in zip(wanted, readings, strict=True):
            texts.setdefault(owner[k], []).append(reading.text)
    for n, parts in texts.items():
        out[n] = "\n".join(parts)
    return out
