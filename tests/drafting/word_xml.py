"""Paragraph XML the way Word leaves it, for template fixtures made in the tests.

Word does not keep ``{{ contract_no }}`` in one run: its spell checker wraps unknown
words in ``w:proofErr`` marks, every editing session stamps its runs with a different
``w:rsidR``, a bookmark or a page-break render mark lands in the middle, and half a word
gets ``w:lang``/``w:noProof``. These helpers build such runs so that tests can put them
into a DOCX made with python-docx, in place of a plain run.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import rewrite_docx

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def run(text: str, props: str = "", rsid: str = "00A1B2C3") -> str:
    """One ``w:r`` with its revision id and optional run properties."""
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return (
        f'<w:r w:rsidR="{rsid}" w:rsidRPr="{rsid}">{rpr}'
        f'<w:t xml:space="preserve">{text}</w:t></w:r>'
    )


def proof_err_split(before: str, word: str, after: str) -> str:
    """``before`` + spell-check-marked ``word`` + ``after``, each in its own run."""
    return (
        run(before, rsid="00112233")
        + '<w:proofErr w:type="spellStart"/>'
        + run(word, rsid="00445566")
        + '<w:proofErr w:type="spellEnd"/>'
        + run(after, rsid="00778899")
    )


def bookmark_split(before: str, after: str, name: str = "amount_mark") -> str:
    """Two runs with a bookmark, an empty run and a render mark between them."""
    return (
        run(before, rsid="00ABCDEF")
        + f'<w:bookmarkStart w:id="7" w:name="{name}"/>'
        + '<w:r w:rsidR="00FEDCBA"><w:lastRenderedPageBreak/></w:r>'
        + '<w:bookmarkEnd w:id="7"/>'
        + '<w:r w:rsidR="00FEDCBA"><w:rPr><w:lang w:val="en-US"/></w:rPr></w:r>'
        + run(after, '<w:noProof/><w:lang w:val="zh-CN"/>', rsid="00ABCDEE")
    )


def replace_run(path: Path, text: str, xml: str, member: str = "word/document.xml") -> Path:
    """Put ``xml`` (runs) in place of python-docx's one run holding ``text``."""
    plain = f"<w:r><w:t>{text}</w:t></w:r>"

    def edit(data: bytes) -> bytes:
        source = data.decode("utf-8")
        assert plain in source, plain
        return source.replace(plain, xml, 1).encode("utf-8")

    return rewrite_docx(path, member, edit)
