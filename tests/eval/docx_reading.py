"""How much of each real Word file contractctl reads: `python -m tests.eval.docx_reading`.

For every DOCX of ``../shared/corpus/zh-model-contracts/`` the characters (whitespace
aside) that :func:`contractctl.documents.docx_reader.read_docx` reads are compared with
LibreOffice's own text export of the same file (``soffice --convert-to txt:Text``), as
the closest thing to what Word shows: the share of LibreOffice's characters that the
reader also reads (a multiset intersection, so order and layout do not count). Prints
each file below 99%, the per-file minimum and how many files reach 99%; `make eval`
runs it, the README quotes it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

from contractctl.documents.docx_reader import read_docx

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "zh-model-contracts"
TARGET = 0.99


def libreoffice_texts(paths: list[Path], folder: Path) -> dict[Path, str]:
    """LibreOffice's text export of each file (one soffice call for all of them)."""
    from contractctl import tools
    from contractctl.drafting.convert import kill_stragglers, seed_profile

    profile = folder / "profile"
    seed_profile(profile)
    soffice = tools.find("soffice")
    argv = [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--convert-to",
        "txt:Text (encoded):UTF8",
        "--outdir",
        str(folder),
        *map(str, paths),
    ]
    try:
        tools.run(argv, timeout=60 + 10 * len(paths))
    finally:
        kill_stragglers(profile)
    texts = {}
    for path in paths:
        out = folder / f"{path.stem}.txt"
        texts[path] = out.read_text(encoding="utf-8-sig") if out.exists() else ""
    return texts


def coverage(read: str, reference: str) -> float:
    """The share of ``reference``'s non-space characters that ``read`` holds too."""
    wanted = Counter("".join(reference.split()))
    total = sum(wanted.values())
    if not total:
        return 1.0
    got = Counter("".join(read.split()))
    return sum((wanted & got).values()) / total


def measure(paths: list[Path]) -> dict[Path, float]:
    """Coverage of each file against LibreOffice's text export."""
    with tempfile.TemporaryDirectory(prefix="contractctl-eval-docx-") as tmp:
        references = libreoffice_texts(paths, Path(tmp))
    return {path: coverage(read_docx(path), references[path]) for path in paths}


def main(argv: list[str]) -> int:
    """Measure the corpus (or its first N files) and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m tests.eval.docx_reading")
    parser.add_argument("--subset", type=int, default=None, help="files to use")
    args = parser.parse_args(argv)
    paths = sorted(CORPUS.glob("*.docx"))[: args.subset]
    if not paths:
        sys.stderr.write(f"no DOCX files in {CORPUS}\n")
        return 1
    scores = measure(paths)
    for path, score in sorted(scores.items(), key=lambda item: item[1]):
        if score < TARGET:
            print(f"{score:7.2%}  {path.name}")
    reached = sum(score >= TARGET for score in scores.values())
    print(
        f"DOCX reading: {len(scores)} files, minimum {min(scores.values()):.2%}, "
        f"{reached} of {len(scores)} at >= {TARGET:.0%} of LibreOffice's characters"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
