"""Tesseract: which language packs are installed, OCR of one page image, and OSD.

Tesseract runs through contractctl.tools.run, the one seam for external programs, not
through pytesseract. pytesseract hands its child the process-wide ``os.environ`` (so
``OMP_THREAD_LIMIT=1`` would have to be set for the whole calling process, threads and
all), kills only the direct child on a timeout and raises errors of its own. tools.run
gives each call its own environment, a timeout that ends the process group, stderr in
the error message, a check that the output file was written, and the ToolMissing that
names the Debian package. The command is the one pytesseract's ``image_to_data``
builds, asked for two outputs of the same recognition at once:

    tesseract PAGE OUT -l chi_sim+eng [--dpi N] [--psm 4] -c preserve_interword_spaces=1 txt tsv

``OUT.txt`` is the text as Tesseract lays it out (with ``preserve_interword_spaces``:
no spurious spaces between Chinese characters); ``OUT.tsv`` has each word with its box
and confidence, in the same order, so each word is located in the text.

``OMP_THREAD_LIMIT=1`` is set on every call: Tesseract's OpenMP threads made a page
1.7x slower on a 2-core machine (PERFORMANCE-NOTES.md), even for a single page, and
parallelism comes from one Tesseract per core instead.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from contractctl import tools
from contractctl.errors import InvalidInput, ToolFailed, ToolMissing
from contractctl.ocr.model import Word
from contractctl.ocr.slots import tesseract_slot

#: Tesseract models for Chinese, Japanese and Korean (the rest are Latin-script models).
CJK_MODELS = frozenset({"chi_sim", "chi_tra", "jpn", "kor", "chi_sim_vert", "chi_tra_vert"})

log = logging.getLogger(__name__)

#: Seconds one page may take (a dense chi_sim+eng page takes ~10 s on one core).
PAGE_TIMEOUT = 600.0
#: Seconds orientation detection may take.
OSD_TIMEOUT = 60.0
#: The environment of every Tesseract call.
TESSERACT_ENV = {"OMP_THREAD_LIMIT": "1"}

_MAX_SKIPPED = 8
_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(/[A-Za-z0-9_]+)?$")
_langs_cache: dict[tuple[str, str], frozenset[str]] = {}
_langs_lock = threading.Lock()


def language_package(code: str) -> str:
    """The Debian package with Tesseract's ``code`` language pack.

    chi_sim -> tesseract-ocr-chi-sim, chi_tra -> tesseract-ocr-chi-tra,
    eng -> tesseract-ocr-eng; script/Latin -> tesseract-ocr-script-latn is the one
    family named differently.
    """
    if code.startswith("script/"):
        return "tesseract-ocr-script-" + code.split("/", 1)[1].lower()[:4]
    return "tesseract-ocr-" + code.lower().replace("_", "-")


def installed_languages() -> frozenset[str]:
    """The language packs ``tesseract --list-langs`` reports, cached per process (and
    per tesseract binary and TESSDATA_PREFIX). ToolMissing when tesseract is absent."""
    binary = tools.find("tesseract")
    key = (binary, os.environ.get("TESSDATA_PREFIX", ""))
    with _langs_lock:
        cached = _langs_cache.get(key)
    if cached is not None:
        return cached
    result = tools.run([binary, "--list-langs"], timeout=30, env=TESSERACT_ENV)
    lines = (result.stdout + "\n" + result.stderr).splitlines()
    langs = frozenset(
        line.strip()
        for line in lines
        if line.strip() and not line.startswith("List of") and " " not in line.strip()
    )
    with _langs_lock:
        _langs_cache[key] = langs
    return langs


#: Language names people write for the ones contracts here are in, as Tesseract spells
#: them (``--lang en`` is how the interface language is given: easy to carry over).
_ALIASES = {
    "en": "eng", "english": "eng", "zh": "chi_sim", "cn": "chi_sim", "zh_cn": "chi_sim",
    "zh_hans": "chi_sim", "chinese": "chi_sim", "zh_tw": "chi_tra", "zh_hant": "chi_tra",
}  # fmt: skip


def check_languages(lang: str) -> list[str]:
    """The language codes of ``lang`` ("chi_sim+eng" -> ["chi_sim", "eng"]), each checked
    to be installed.

    InvalidInput (exit 2) for a malformed value, including the Debian-style spelling
    ("chi-sim": Tesseract spells it chi_sim); ToolMissing (exit 4) when tesseract is not
    installed (hint: tesseract-ocr) or a language pack is missing (hint: its package,
    e.g. tesseract-ocr-chi-sim).
    """
    codes = [part.strip() for part in lang.split("+")]
    if not lang.strip() or any(not code for code in codes):
        raise InvalidInput(
            f"--lang {lang!r}: expected Tesseract language codes joined by '+', e.g. chi_sim+eng"
        )
    for code in codes:
        alias = _ALIASES.get(code.lower().replace("-", "_"))
        if alias is not None:
            fixed = "+".join(alias if other == code else other for other in codes)
            raise InvalidInput(
                f"--lang {lang!r}: Tesseract spells the language {alias}, not {code}",
                hint=f"use --lang {fixed}",
            )
        if len(code) == 2:  # ISO 639-1: Tesseract has no two-letter code
            raise InvalidInput(
                f"--lang {lang!r}: Tesseract names languages by three-letter codes "
                f"(eng, chi_sim, fra, ...), not {code}"
            )
        if "-" in code:
            spelled = code.replace("-", "_")
            raise InvalidInput(
                f"--lang {lang!r}: Tesseract spells the language {spelled}, not {code}",
                hint=f"use --lang {lang.replace(code, spelled)}",
            )
        if not _CODE.match(code):
            raise InvalidInput(f"--lang {lang!r}: {code!r} is not a Tesseract language code")
    installed = installed_languages()
    missing = [code for code in codes if code not in installed]
    if missing:
        packages = " ".join(language_package(code) for code in missing)
        names = ", ".join(missing)
        what = f"pack {names} is" if len(missing) == 1 else f"packs {names} are"
        have = ", ".join(sorted(installed - {"osd"})) or "none"
        raise ToolMissing(
            f"the Tesseract language {what} not installed (installed: {have})",
            hint=f"install it with: sudo apt-get install {packages}",
        )
    return list(dict.fromkeys(codes))


@dataclass(frozen=True)
class Reading:
    """What Tesseract read on one image: its text and the words located in it."""

    text: str
    words: tuple[Word, ...]
    lang: str = ""  # the Tesseract languages it was read with

    @property
    def mean_conf(self) -> float:
        """Mean word confidence (0.0 without words)."""
        return sum(w.conf for w in self.words) / len(self.words) if self.words else 0.0


def read_page(
    image: Path,
    out_base: Path,
    *,
    lang: str,
    dpi: int | None = None,
    timeout: float = PAGE_TIMEOUT,
    psm: int | None = None,
) -> Reading:
    """OCR one page image: Tesseract's text and its words with boxes and confidences.

    ``out_base`` is where Tesseract writes ``.txt`` and ``.tsv`` (both removed after).
    ``dpi`` tells Tesseract the resolution when the file does not; ``psm`` is its page
    segmentation mode (None: Tesseract's default, 3). ToolFailed when Tesseract fails,
    times out or writes nothing.
    """
    return _recognise(image, out_base, lang=lang, dpi=dpi, timeout=timeout, psm=psm)


def _recognise(
    source: Path,
    out_base: Path,
    *,
    lang: str,
    dpi: int | None,
    timeout: float,
    psm: int | None,
) -> Reading:
    """Tesseract on an image: its Reading."""
    argv: list[str | os.PathLike[str]] = ["tesseract", source, out_base, "-l", lang]
    if dpi:
        argv += ["--dpi", str(int(dpi))]
    if psm is not None:
        argv += ["--psm", str(int(psm))]
    argv += ["-c", "preserve_interword_spaces=1", "txt", "tsv"]
    tsv_path = out_base.with_name(out_base.name + ".tsv")  # Tesseract appends, never replaces
    txt_path = out_base.with_name(out_base.name + ".txt")
    try:
        with tesseract_slot():
            tools.run(argv, timeout=timeout, env=TESSERACT_ENV, expect_file=tsv_path)
        tsv = tsv_path.read_text(encoding="utf-8", errors="replace")
        raw = txt_path.read_text(encoding="utf-8", errors="replace") if txt_path.exists() else ""
    finally:
        tsv_path.unlink(missing_ok=True)
        txt_path.unlink(missing_ok=True)
    text = clean_text(raw)
    return Reading(text, tuple(locate(parse_tsv(tsv), text)), lang)


def clean_text(raw: str) -> str:
    """Tesseract's text output without the page separator, trailing spaces or the
    blank lines at either end."""
    lines = [line.rstrip() for line in raw.replace("\f", "").splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)


def parse_tsv(tsv: str) -> list[Word]:
    """The words (level 5 rows with text) of Tesseract's TSV output, in its order."""
    return [word for _, word in _tsv_rows(tsv)]


def _tsv_rows(tsv: str) -> list[tuple[int, Word]]:
    """The words of Tesseract's TSV output, each with its 1-based page number."""
    words: list[tuple[int, Word]] = []
    for row in tsv.splitlines()[1:]:
        fields = row.split("\t", 11)
        if len(fields) < 12 or fields[0] != "5":
            continue
        text = fields[11].strip()
        if not text:
            continue
        try:
            conf = float(fields[10])
            block, par, line = int(fields[2]), int(fields[3]), int(fields[4])
            left, top, width, height = (int(v) for v in fields[6:10])
        except ValueError:
            continue
        if conf < 0:
            continue
        page = int(fields[1]) if fields[1].isdigit() else 1
        words.append((page, Word(text, conf, (left, top, width, height), (block, par, line))))
    return words


def locate(words: list[Word], text: str) -> list[Word]:
    """Each word with its ``start``/``end`` in ``text``.

    Both outputs come from the same reading in the same order, so each word is the next
    match after the previous one, past whitespace only. A word not found there (which
    should not happen) gets an empty span at the current position rather than a match
    far ahead that would misplace every word after it.
    """
    from dataclasses import replace

    placed = []
    position = 0
    for word in words:
        index = text.find(word.text, position)
        if index < 0 or len(text[position:index].strip()) > _MAX_SKIPPED:
            placed.append(replace(word, start=position, end=position))
            continue
        placed.append(replace(word, start=index, end=index + len(word.text)))
        position = index + len(word.text)
    return placed


@dataclass(frozen=True)
class Orientation:
    """Tesseract OSD's answer: the clockwise turn that makes the page upright."""

    rotate: int
    confidence: float


def detect_orientation(image: Path, *, dpi: int | None = None) -> Orientation | None:
    """Tesseract's orientation detection (``--psm 0``) on a page image; None when it
    cannot tell (too few characters) or the osd pack is missing."""
    argv: list[str | os.PathLike[str]] = ["tesseract", image, "stdout", "--psm", "0"]
    if dpi:
        argv += ["--dpi", str(int(dpi))]
    try:
        with tesseract_slot():
            result = tools.run(argv, timeout=OSD_TIMEOUT, env=TESSERACT_ENV, check=False)
    except ToolFailed as exc:
        log.warning("orientation detection failed: %s", exc.message)
        return None
    rotate = re.search(r"Rotate:\s*(\d+)", result.stdout)
    conf = re.search(r"Orientation confidence:\s*([\d.]+)", result.stdout)
    if rotate is None or conf is None:
        log.info("orientation detection gave no answer: %s", result.stderr.strip()[-200:])
        return None
    return Orientation(int(rotate.group(1)) % 360, float(conf.group(1)))


def tesseract_version() -> str:
    """``tesseract --version``'s first line (for reports)."""
    result = tools.run(["tesseract", "--version"], timeout=30, env=TESSERACT_ENV)
    first = (result.stdout or result.stderr).strip().splitlines()
    return first[0] if first else "tesseract"
