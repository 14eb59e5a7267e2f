"""The evaluation's contracts: corpus documents filled in, tampered, rendered to PDF.

A Chinese model contract's blanks are underlined runs of spaces or tabs; each is filled
with an ordinary value chosen by the words around it (a party after 甲方：, a year before
年, an amount before 元 ...), every amount, date and party different, so that a tamper
can change exactly one. The English NDA (Markdown) is written to a DOCX with its cover
page filled. A tampered copy is the same document filled the same way with one change
made in the DOCX, as a forger would, then rendered by LibreOffice like the clean one.

Only a window of ``PAGES`` pages is checked: the consecutive pages holding the most
filled values (a model contract opens with cover and instruction pages without any).
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.eval.corpus import CORPUS

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / "build" / "eval-ocr-cache"
PAGES = 2
#: Bump to rebuild cached PDFs after changing how documents are filled or tampered.
RECIPE = 3

PARTIES = ["华东示例贸易有限公司", "北方样例科技有限公司", "南山测试实业有限公司"]
PARTY_LABEL = re.compile(r"(甲方|乙方|丙方|[\u4e00-\u9fff]{1,3}人)(（[^）]{1,8}）)?[：:]\s*$")
INSERTED_ZH = "乙方另须向甲方支付违约保证金人民币伍万元整，于本合同签订之日起三日内付清。"
INSERTED_EN = "The Receiving Party shall also pay a penalty of USD 50,000 for each breach."


@dataclass
class Blank:
    """One filled blank: its kind (party, amount, year, month, day, text...) and value."""

    kind: str
    value: str


@dataclass
class Filled:
    """A document filled in: its blanks in order, and the edit a tamper makes."""

    name: str
    language: str
    blanks: list[Blank] = field(default_factory=list)


def _value(kind: str, counters: dict[str, int]) -> str:
    n = counters.get(kind, 0)
    counters[kind] = n + 1
    if kind == "party":
        return PARTIES[n % len(PARTIES)]
    if kind == "amount":
        return f"{32 + 7 * n},{400 + 35 * (n % 9):03d}.00"
    if kind == "year":
        return "2025"
    if kind == "month":
        return str(3 + n % 9)
    if kind == "day":
        return str(5 + (3 * n) % 22)
    if kind == "number":
        return str(15 + 5 * (n % 6))
    if kind == "phone":
        return f"021-6234{5678 + n}"
    if kind == "id":
        return f"91310000MA1FL{2345 + n}X"
    if kind == "address":
        return f"上海市浦东新区示例路{88 + n}号"
    return "按双方约定执行"


def _kind(before: str, after: str) -> str:
    after = after.lstrip()
    if PARTY_LABEL.search(before):
        return "party"
    if after.startswith("年"):
        return "year"
    if after.startswith("月"):
        return "month"
    if after.startswith("日") and re.search(r"月\s*$", before):
        return "day"
    if after.startswith(("元", "万元")):
        return "amount"
    if after.startswith(("日", "天", "个月", "%", "％", "份", "次", "名", "年")):
        return "number"
    if re.search(r"(电话|传真)[：:]\s*$", before):
        return "phone"
    if re.search(r"(证件号码|信用代码|身份证号)[：:]?\s*$", before):
        return "id"
    if re.search(r"(地址|住所地|住所)[：:]\s*$", before):
        return "address"
    return "text"


def fill_docx(src: Path, dst: Path, override: dict[int, str] | None = None) -> Filled:
    """Fill ``src``'s blanks (underlined whitespace runs) into ``dst``; ``override``
    gives some blanks (by index) another value. Returns the blanks as filled."""
    import docx

    document = docx.Document(str(src))
    filled = Filled(src.stem, "zh")
    counters: dict[str, int] = {}
    for paragraph in _paragraphs(document):
        runs = paragraph.runs
        for k, run in enumerate(runs):
            if not run.underline or run.text.strip() or not run.text:
                continue
            before = "".join(r.text for r in runs[:k])[-12:]
            after = "".join(r.text for r in runs[k + 1 :])[:6]
            if after.strip() == "" and before.strip() == "":
                continue
            kind = _kind(before, after)
            if kind == "text" and len(run.text) < 4:
                continue
            value = _value(kind, counters)
            index = len(filled.blanks)
            filled.blanks.append(Blank(kind, value))
            if override and index in override:
                value = override[index]
            run.text = f" {value} "
    document.save(str(dst))
    return filled


def _paragraphs(document: Any) -> list[Any]:
    """Every paragraph, in body order, table cells included."""
    out = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                out.extend(cell.paragraphs)
    return out


def english_docx(dst: Path, values: dict[str, str]) -> None:
    """The Common Paper Mutual NDA (cover page filled with ``values``, then the standard
    terms) as a plain DOCX: headings bold, list items and paragraphs as paragraphs."""
    import docx

    folder = CORPUS / "en-commonpaper"
    cover = (folder / "Mutual-NDA-coverpage.md").read_text(encoding="utf-8")
    terms = (folder / "Mutual-NDA.md").read_text(encoding="utf-8")
    cover = cover.replace("[Today’s date]", values["date"])
    cover = cover.replace("[Fill in state]", "Delaware")
    cover = re.sub(r"\[Fill in city[^\]]*\]", "courts located in New Castle, DE", cover)
    document = docx.Document()
    table_rows: list[list[str]] = []
    for raw in (cover + "\n" + terms).splitlines():
        line = re.sub(r"<[^>]+>", "", raw)
        line = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line).replace("**", "").strip()
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not all(set(c) <= set(":- ") for c in cells):
                table_rows.append(cells)
            continue
        if table_rows:
            _table(document, table_rows, values)
            table_rows = []
        if not line:
            continue
        line = re.sub(r"^- \[([ x])\]\s*", lambda m: "☒ " if m.group(1) == "x" else "☐ ", line)
        line = line.replace("[", "").replace("]", "")
        heading = line.startswith("#")
        paragraph = document.add_paragraph()
        run = paragraph.add_run(line.lstrip("#").strip())
        run.bold = heading
    if table_rows:
        _table(document, table_rows, values)
    document.save(str(dst))


def _table(document: Any, rows: list[list[str]], values: dict[str, str]) -> None:
    fills = {
        "Print Name": ("Jane Smith", "Wei Zhang"),
        "Title": ("CEO", "General Counsel"),
        "Company": (values["party1"], values["party2"]),
        "Date": (values["date"], values["date"]),
    }
    width = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        label = row[0]
        cells = row + [""] * (width - len(row))
        if label in fills:
            cells[1:3] = fills[label]
        for c, text in enumerate(cells):
            table.cell(r, c).text = text


def delete_last_sentence(document: Any, contains: Callable[[str], bool]) -> str | None:
    """Delete the last sentence of the first paragraph (of 2+ sentences) that
    ``contains`` accepts; the sentence deleted, or None."""
    for paragraph in _paragraphs(document):
        text = paragraph.text
        ends = [m.end() for m in re.finditer(r"[。；]|\.\s", text)]
        ends = [e for e in ends if e < len(text.rstrip()) - 1]
        if not ends or len(text) < 40 or not contains(text):
            continue
        cut = ends[-1]
        sentence = text[cut:].strip()
        if len(sentence) < 12 or "_" in sentence:
            continue
        position = 0
        for run in paragraph.runs:
            start, position = position, position + len(run.text)
            if position <= cut:
                continue
            run.text = run.text[: max(0, cut - start)]
        return sentence
    return None


def insert_clause(
    document: Any, contains: Callable[[str], bool], clause: str, skip: int = 0
) -> bool:
    """Insert a paragraph reading ``clause`` after the first long paragraph that
    ``contains`` accepts (its formatting copied), passing over ``skip`` of them (a
    model contract repeats its boilerplate: the first such paragraph may lie before
    the pages checked)."""
    for paragraph in document.paragraphs:
        if len(paragraph.text) < 30 or not contains(paragraph.text) or not paragraph.runs:
            continue
        if skip > 0:
            skip -= 1
            continue
        new = copy.deepcopy(paragraph._p)
        paragraph._p.addnext(new)
        from docx.text.paragraph import Paragraph

        inserted = Paragraph(new, paragraph._parent)
        for k, run in enumerate(inserted.runs):
            run.text = clause if k == 0 else ""
        return True
    return False


def digest(*parts: object) -> str:
    """A short cache key."""
    text = "|".join(str(p) for p in (RECIPE, *parts))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
