#!/usr/bin/env python3
"""Build the shipped contract templates (templates/<name>.docx) from their text sources.

Usage::

    python scripts/build_templates.py              # rebuild every template
    python scripts/build_templates.py nda-zh       # rebuild some
    python scripts/build_templates.py --check      # exit 1 if a DOCX is stale (CI)

Each template is two hand-written files, ``templates/src/<name>.txt`` (the wording, in
the markup below) and ``templates/<name>.toml`` (the field schema, see
templates/README.md), and one generated file, ``templates/<name>.docx``, which is what
contractctl renders with docxtpl. The build is deterministic: the same sources give the
same bytes (fixed zip timestamps and order, stored entries, fixed core-properties dates),
so a rebuild shows no change in git. It needs only the standard library and jinja2.

Source markup
=============

One line is one paragraph. Blank lines are ignored, so paragraphs can be spaced out
for reading. The first character(s) of a line say what it is::

    # text                      comment, dropped ("#" then a space, or "#" alone)
    = 采购合同                   the title (once, first)
    > 合同编号：{{ contract_no }} an information line under the title (number, place, date)
    @party 甲方（买方） = company  a party block: role label, then the party variable
                                 (``company`` or a field of type party); the name,
                                 USCC, address, legal representative, contact, phone,
                                 e-mail, bank and account lines are generated
    ## 第一条 标的物              a clause heading; the number is literal text and must
                                 run 第一条, 第二条 ... (zh) or 1., 2. ... (en) without gaps
    - (a) text                  an indented list paragraph
    {%p if deposit_required %}  a paragraph-level Jinja tag, alone in its own paragraph
                                 ({%p if/elif/else/endif/for/endfor ... %})
    @table items 6c 22l 20l 8c 10r 16r 18r
    | 序号 | 品名 | ... |         line-item table: the widths (percent of the text width,
    | {{ loop.index }} | ... |   summing to 100) and alignment (l/c/r) of each column;
    | 合计 | {{ amount|money }} | row 1 is the header (repeated on each page), row 2 the
    @end                         data row, wrapped in {%tr for item in items %} ...
                                 {%tr endfor %}; further rows are footer rows, whose
                                 first cell spans the columns the row is short of
    @signature 甲方 = company | 乙方 = counterparty
                                 the signature block: one column per side, with room for
                                 a company seal, kept together on the last page
    any other text              a body paragraph (justified; zh: 2-character indent)

Inside a paragraph ``**bold**`` marks bold text. Everything else is literal, including
``{{ ... }}`` placeholders and inline ``{% ... %}`` tags; each tag is written into a
single Word run, which is what docxtpl needs. Headings may not sit inside a ``{%p if``
or ``{%p for`` block: a condition goes inside a clause, so numbering never breaks.

The build checks, per template: the title matches the schema, headings are numbered
1..N, every placeholder is a declared field (or ``company``), every required field is
used, only the filters ``money``, ``cn_upper``, ``date_cn`` and ``date_en`` appear,
``item.<column>`` and ``<party>.<attribute>`` names exist, and ``standard_clauses``
lies within 1..N.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import tomllib
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import jinja2
from jinja2 import meta, nodes

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
SOURCES = TEMPLATES / "src"

#: Fixed timestamps, so that a rebuild gives the same bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
CORE_DATE = "2026-01-01T00:00:00Z"

#: Fonts. Latin text uses a metric-compatible (Times New Roman) serif that ships with
#: LibreOffice distributions; Chinese text uses Noto CJK (Debian fonts-noto-cjk).
LATIN_SERIF = "Liberation Serif"
CJK_SERIF = "Noto Serif CJK SC"
CJK_SANS = "Noto Sans CJK SC"

#: A4 portrait with 2.54 cm top/bottom and 2.8 cm side margins, in twips.
PAGE_W, PAGE_H = 11906, 16838
MARGIN_TB, MARGIN_LR = 1440, 1588
TEXT_W = PAGE_W - 2 * MARGIN_LR

FILTERS = frozenset({"money", "cn_upper", "date_cn", "date_en"})
PARTY_ATTRS = frozenset(
    {"name", "uscc", "address", "legal_rep", "contact", "phone", "email", "bank", "account"}
)
LOOP_VAR = "item"

CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


class BuildError(Exception):
    """A template source or schema is wrong; the message names file and line."""


# --------------------------------------------------------------------------- language


@dataclass(frozen=True)
class Lang:
    """Typography and generated wording for one contract language."""

    code: str
    size: int  # body text size, half-points
    line: int  # exact line height of body text, twips
    first_line: int  # first-line indent of body paragraphs, twips
    after: int  # space after a body paragraph, twips
    title_size: int  # half-points
    title_spacing: int  # extra character spacing of the title, twips
    party_tab: int  # tab stop (and hanging indent) of party-block values, twips
    sep: str  # separator between two label/value pairs on one party line
    colon: str
    party_rows: tuple[tuple[tuple[str, str], ...], ...]
    footer_no: str
    page_words: tuple[str, str, str]  # text before PAGE, between PAGE and NUMPAGES, after


ZH = Lang(
    code="zh",
    size=24,
    line=440,
    first_line=480,
    after=0,
    title_size=44,
    title_spacing=80,
    party_tab=2280,
    sep="\u3000\u3000",
    colon="：",
    party_rows=(
        (("统一社会信用代码", "uscc"),),
        (("住所", "address"),),
        (("法定代表人", "legal_rep"),),
        (("联系人", "contact"), ("联系电话", "phone")),
        (("电子邮箱", "email"),),
        (("开户银行", "bank"),),
        (("银行账号", "account"),),
    ),
    footer_no="合同编号：",
    page_words=("第 ", " 页 共 ", " 页"),
)

EN = Lang(
    code="en",
    size=22,
    line=320,
    first_line=0,
    after=120,
    title_size=32,
    title_spacing=20,
    party_tab=2835,
    sep="    ",
    colon=":",
    party_rows=(
        (("Registration No. (USCC)", "uscc"),),
        (("Address", "address"),),
        (("Legal Representative", "legal_rep"),),
        (("Contact Person", "contact"), ("Tel", "phone")),
        (("Email", "email"),),
        (("Bank", "bank"),),
        (("Account No.", "account"),),
    ),
    footer_no="Agreement No.: ",
    page_words=("Page ", " of ", ""),
)

LANGS = {"zh": ZH, "en": EN}


# --------------------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Para:
    """A paragraph of text: kind is title, info, heading, body, item or tag."""

    kind: str
    text: str
    line: int


@dataclass(frozen=True)
class Party:
    """A party block: role label ("甲方（买方）") and the party variable."""

    label: str
    var: str
    line: int


@dataclass(frozen=True)
class Column:
    """One column of the line-item table: width in twips and alignment."""

    width: int
    align: str


@dataclass
class Table:
    """The line-item table bound to a table field (``var``)."""

    var: str
    columns: list[Column]
    line: int
    rows: list[list[str]] = field(default_factory=list)


@dataclass(frozen=True)
class Signature:
    """The signature block: (label, variable) per side, left to right."""

    sides: tuple[tuple[str, str], ...]
    line: int


Block = Para | Party | Table | Signature

ALIGN = {"l": "left", "c": "center", "r": "right"}
TAG_LINE = re.compile(r"^\{%p\s.*%\}$")
COLUMN_SPEC = re.compile(r"^(\d+)([lcr])$")
ASSIGN = re.compile(r"^(.+?)\s*=\s*([A-Za-z_]\w*)$")


def parse(source: str, where: str) -> list[Block]:
    """Turn template source text into blocks, checking the markup as it goes."""
    blocks: list[Block] = []
    table: Table | None = None
    for number, raw in enumerate(source.splitlines(), start=1):
        line = raw.strip()
        at = f"{where}:{number}"
        if table is not None:
            if line == "@end":
                _finish_table(table, at)
                blocks.append(table)
                table = None
            elif line.startswith("|") and line.endswith("|") and len(line) > 1:
                table.rows.append(split_row(line))
            elif line and not _is_comment(line):
                raise BuildError(f"{at}: expected a table row '| ... |' or '@end'")
            continue
        if not line or _is_comment(line):
            continue
        if line.startswith("## "):
            blocks.append(Para("heading", line[3:].strip(), number))
        elif line.startswith("= "):
            blocks.append(Para("title", line[2:].strip(), number))
        elif line.startswith("> "):
            blocks.append(Para("info", line[2:].strip(), number))
        elif line.startswith("- "):
            blocks.append(Para("item", line[2:].strip(), number))
        elif line.startswith("{%p"):
            if not TAG_LINE.match(line):
                raise BuildError(f"{at}: a {{%p ... %}} tag must be alone on its line")
            blocks.append(Para("tag", line, number))
        elif line.startswith("@party "):
            match = ASSIGN.match(line[len("@party ") :].strip())
            if match is None:
                raise BuildError(f"{at}: expected '@party LABEL = variable'")
            blocks.append(Party(match.group(1), match.group(2), number))
        elif line.startswith("@table "):
            table = _start_table(line, number, at)
        elif line.startswith("@signature "):
            sides: list[tuple[str, str]] = []
            for part in line[len("@signature ") :].split("|"):
                match = ASSIGN.match(part.strip())
                if match is None:
                    raise BuildError(f"{at}: expected '@signature LABEL = var | LABEL = var'")
                sides.append((match.group(1), match.group(2)))
            if len(sides) != 2:
                raise BuildError(f"{at}: the signature block has exactly two sides")
            blocks.append(Signature(tuple(sides), number))
        elif line.startswith("@"):
            raise BuildError(f"{at}: unknown directive {line.split()[0]}")
        else:
            blocks.append(Para("body", line, number))
    if table is not None:
        raise BuildError(f"{where}: @table at line {table.line} has no @end")
    return blocks


def split_row(line: str) -> list[str]:
    """Cells of a '| a | b |' row; a '|' inside {{ }} or {% %} is a Jinja filter."""
    cells: list[str] = []
    current = ""
    for piece in re.split(r"(\{\{.*?\}\}|\{%.*?%\})", line.strip()[1:-1]):
        if piece.startswith(("{{", "{%")):
            current += piece
            continue
        first, *rest = piece.split("|")
        current += first
        for chunk in rest:
            cells.append(current)
            current = chunk
    cells.append(current)
    return [c.strip() for c in cells]


def _is_comment(line: str) -> bool:
    """A comment line is '#' alone or '#' followed by a space (not '##')."""
    return line == "#" or line.startswith("# ")


def _start_table(line: str, number: int, at: str) -> Table:
    """Parse '@table VAR 10l 20c ...' into an empty Table."""
    words = line.split()
    if len(words) < 3:
        raise BuildError(f"{at}: expected '@table VAR WIDTH+ALIGN ...'")
    specs = [COLUMN_SPEC.match(word) for word in words[2:]]
    if any(spec is None for spec in specs):
        raise BuildError(f"{at}: a column is written as percent + l|c|r, e.g. 20l")
    percents = [int(spec.group(1)) for spec in specs if spec]
    if sum(percents) != 100:
        raise BuildError(f"{at}: column widths add up to {sum(percents)}, not 100")
    columns = [
        Column(TEXT_W * int(spec.group(1)) // 100, ALIGN[spec.group(2)]) for spec in specs if spec
    ]
    columns[-1] = Column(TEXT_W - sum(c.width for c in columns[:-1]), columns[-1].align)
    return Table(words[1], columns, number)


def _finish_table(table: Table, at: str) -> None:
    """Check the shape of a finished table: header, data row, footer rows."""
    count = len(table.columns)
    if len(table.rows) < 2:
        raise BuildError(f"{at}: a table needs a header row and a data row")
    for index, row in enumerate(table.rows[:2]):
        if len(row) != count:
            raise BuildError(f"{at}: table row {index + 1} has {len(row)} cells, not {count}")
    for row in table.rows[2:]:
        if not 1 <= len(row) <= count:
            raise BuildError(f"{at}: a footer row has {len(row)} cells (1..{count})")


# --------------------------------------------------------------------------- xml


def _text(text: str) -> str:
    """Run content for text that may contain tabs: w:t and w:tab elements."""
    pieces = []
    for index, chunk in enumerate(text.split("\t")):
        if index:
            pieces.append("<w:tab/>")
        if chunk:
            pieces.append(f'<w:t xml:space="preserve">{escape(chunk)}</w:t>')
    return "".join(pieces)


def run(text: str, *, bold: bool = False, sans: bool = False, size: int | None = None) -> str:
    """One w:r with explicit fonts; all of ``text`` stays in this single run."""
    east = CJK_SANS if sans else CJK_SERIF
    props = (
        f'<w:rFonts w:ascii="{LATIN_SERIF}" w:hAnsi="{LATIN_SERIF}" '
        f'w:eastAsia="{east}" w:cs="{LATIN_SERIF}"/>'
    )
    if bold:
        props += "<w:b/><w:bCs/>"
    if size is not None:
        props += f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
    return f"<w:r><w:rPr>{props}</w:rPr>{_text(text)}</w:r>"


TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")


def inline(text: str, where: str, *, bold: bool = False, sans: bool = False) -> str:
    """Runs for a line of text with **bold** spans; a Jinja tag never crosses runs."""
    parts = text.split("**")
    if len(parts) % 2 == 0:
        raise BuildError(f"{where}: unbalanced ** in {text!r}")
    out = []
    for index, part in enumerate(parts):
        if not part:
            continue
        rest = TAG.sub("", part)
        if "{{" in rest or "}}" in rest or "{%" in rest or "%}" in rest:
            raise BuildError(f"{where}: a Jinja tag is split or unclosed in {text!r}")
        out.append(run(part, bold=bold or index % 2 == 1, sans=sans))
    return "".join(out)


def paragraph(content: str, style: str, props: str = "") -> str:
    """A w:p with a paragraph style and optional extra paragraph properties."""
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{props}</w:pPr>{content}</w:p>'


def spacer(height: int) -> str:
    """An empty paragraph of an exact height (room for a seal or a signature)."""
    props = f'<w:spacing w:before="0" w:after="0" w:line="{height}" w:lineRule="exact"/>'
    return paragraph("", "Signature", props)


def cell(width: int, content: str, span: int = 1, valign: str = "center") -> str:
    """A table cell of a given width (twips) holding ready-made paragraphs."""
    grid = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{grid}'
        f'<w:vAlign w:val="{valign}"/></w:tcPr>{content}</w:tc>'
    )


def _table_props(borders: bool) -> str:
    """w:tblPr of a fixed-layout full-width table, with or without grid lines."""
    kind = "single" if borders else "nil"
    sides = "".join(
        f'<w:{side} w:val="{kind}" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    return (
        f'<w:tblPr><w:tblW w:w="{TEXT_W}" w:type="dxa"/><w:jc w:val="center"/>'
        f'<w:tblBorders>{sides}</w:tblBorders><w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="85" w:type="dxa"/><w:right w:w="85" w:type="dxa"/>'
        "</w:tblCellMar></w:tblPr>"
    )


def _tag_row(tag: str, count: int, widths: list[int]) -> str:
    """A row holding only a {%tr ... %} tag (docxtpl replaces the whole row)."""
    first = cell(sum(widths), paragraph(run(tag), "TableText"), span=count)
    return f"<w:tr>{first}</w:tr>"


def render_table(table: Table, where: str) -> str:
    """XML of the line-item table with its {%tr for %} loop around the data row."""
    widths = [c.width for c in table.columns]
    count = len(widths)
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    rows = []
    header = table.rows[0]
    cells = "".join(
        cell(w, paragraph(inline(text, where, bold=True, sans=True), "TableHeader"))
        for w, text in zip(widths, header, strict=True)
    )
    rows.append(f"<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>{cells}</w:tr>")
    rows.append(_tag_row(f"{{%tr for {LOOP_VAR} in {table.var} %}}", count, widths))
    cells = "".join(
        cell(c.width, paragraph(inline(text, where), "TableText", f'<w:jc w:val="{c.align}"/>'))
        for c, text in zip(table.columns, table.rows[1], strict=True)
    )
    rows.append(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{cells}</w:tr>")
    rows.append(_tag_row("{%tr endfor %}", count, widths))
    for row in table.rows[2:]:
        span = count - len(row) + 1
        first = cell(
            sum(widths[:span]),
            paragraph(inline(row[0], where, bold=True), "TableText", '<w:jc w:val="center"/>'),
            span=span,
        )
        rest = "".join(
            cell(c.width, paragraph(inline(text, where), "TableText", f'<w:jc w:val="{c.align}"/>'))
            for c, text in zip(table.columns[span:], row[1:], strict=True)
        )
        rows.append(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{first}{rest}</w:tr>")
    return f"<w:tbl>{_table_props(True)}<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"


def render_party(party: Party, lang: Lang) -> str:
    """The party block: role and name, then one line per registration detail."""
    tab = f'<w:tabs><w:tab w:val="left" w:pos="{lang.party_tab}"/></w:tabs>'
    indent = f'<w:ind w:left="{lang.party_tab}" w:hanging="{lang.party_tab}"/>'
    head = run(f"{party.label}{lang.colon}\t", bold=True) + run(f"{{{{ {party.var}.name }}}}")
    out = [paragraph(head, "PartyLine", tab + indent)]
    for index, row in enumerate(lang.party_rows):
        runs = []
        for position, (label, attr) in enumerate(row):
            lead = lang.sep if position else ""
            gap = "\t" if position == 0 else " " if lang.code == "en" else ""
            runs.append(run(f"{lead}{label}{lang.colon}{gap}"))
            runs.append(run(f"{{{{ {party.var}.{attr} }}}}"))
        last = index == len(lang.party_rows) - 1
        after = '<w:spacing w:after="160"/>' if last else ""
        out.append(paragraph("".join(runs), "PartyLine", tab + after + indent))
    return "".join(out)


def _signature_side(label: str, var: str, lang: Lang, width: int) -> tuple[str, str]:
    """One side of the signature block: (party name paragraphs, signing paragraphs)."""
    keep = "<w:keepNext/><w:keepLines/>"
    line_tab = (
        f'<w:tabs><w:tab w:val="right" w:leader="underscore" w:pos="{width - 400}"/></w:tabs>'
    )
    if lang.code == "zh":
        head = paragraph(
            run(f"{label}（盖章）：", bold=True) + run(f"{{{{ {var}.name }}}}"), "Signature", keep
        )
        body = [
            spacer(1800),
            paragraph(run("法定代表人或授权代表（签字）："), "Signature", keep),
            spacer(900),
            paragraph(
                run("日期：\u3000\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日"),
                "Signature",
                keep,
            ),
        ]
    else:
        head = paragraph(
            run(f"For and on behalf of {label}", bold=True), "Signature", keep
        ) + paragraph(run(f"{{{{ {var}.name }}}}"), "Signature", keep)
        body = [
            spacer(1500),
            paragraph(run("Signature:\t"), "Signature", keep + line_tab),
            paragraph(run("Name:\t"), "Signature", keep + line_tab),
            paragraph(run("Title:\t"), "Signature", keep + line_tab),
            paragraph(run("Date:\t"), "Signature", keep + line_tab),
            paragraph(run("(Company seal / chop)", size=18), "Signature", keep),
        ]
    return head, "".join(body)


def render_signature(sign: Signature, lang: Lang) -> str:
    """The borderless two-column signature table, kept together on one page.

    Row 1 holds the party names, row 2 the room for the seal and the signing lines, so
    both sides stay level however long the names are. Rows do not split, and every
    paragraph keeps with the next, so the block does not break across pages.
    """
    half = TEXT_W // 2
    widths = [half, TEXT_W - half]
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    sides = [
        _signature_side(label, var, lang, width)
        for (label, var), width in zip(sign.sides, widths, strict=True)
    ]
    rows = "".join(
        "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
        + "".join(cell(w, side[part], valign="top") for w, side in zip(widths, sides, strict=True))
        + "</w:tr>"
        for part in (0, 1)
    )
    return f"<w:tbl>{_table_props(False)}<w:tblGrid>{grid}</w:tblGrid>{rows}</w:tbl>"


def render_body(blocks: list[Block], lang: Lang, where: str) -> str:
    """The w:body content: every block in order, then the section properties."""
    out = []
    for index, block in enumerate(blocks):
        at = f"{where}:{block.line}"
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        keep = "<w:keepNext/>" if isinstance(following, Signature) else ""
        if isinstance(block, Party):
            out.append(render_party(block, lang))
        elif isinstance(block, Table):
            out.append(render_table(block, at))
        elif isinstance(block, Signature):
            out.append(render_signature(block, lang))
        elif block.kind == "tag":
            out.append(paragraph(run(block.text), "BodyText"))
        elif block.kind == "title":
            out.append(paragraph(inline(block.text, at, bold=True, sans=True), "ContractTitle"))
        elif block.kind == "heading":
            out.append(paragraph(inline(block.text, at, bold=True, sans=True), "ClauseHeading"))
        elif block.kind == "info":
            out.append(paragraph(inline(block.text, at), "InfoLine"))
        elif block.kind == "item":
            out.append(paragraph(inline(block.text, at), "ListItem", keep))
        else:
            out.append(paragraph(inline(block.text, at), "BodyText", keep))
    # Word wants a paragraph after a closing table; keep it 1 pt high so that it can
    # never push a blank page after a signature block that fills the last page.
    tail = '<w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
    out.append(paragraph(run("", size=2), "Signature", tail))
    sect = (
        '<w:sectPr><w:footerReference w:type="default" r:id="rId3"/>'
        f'<w:pgSz w:w="{PAGE_W}" w:h="{PAGE_H}"/>'
        f'<w:pgMar w:top="{MARGIN_TB}" w:right="{MARGIN_LR}" w:bottom="{MARGIN_TB}" '
        f'w:left="{MARGIN_LR}" w:header="851" w:footer="851" w:gutter="0"/>'
        '<w:cols w:space="425"/></w:sectPr>'
    )
    return "".join(out) + sect


# --------------------------------------------------------------------------- parts


def styles_xml(lang: Lang) -> str:
    """word/styles.xml: document defaults and the handful of paragraph styles used."""
    size = lang.size
    fonts = (
        f'<w:rFonts w:ascii="{LATIN_SERIF}" w:hAnsi="{LATIN_SERIF}" '
        f'w:eastAsia="{CJK_SERIF}" w:cs="{LATIN_SERIF}"/>'
    )
    sans = (
        f'<w:rFonts w:ascii="{LATIN_SERIF}" w:hAnsi="{LATIN_SERIF}" '
        f'w:eastAsia="{CJK_SANS}" w:cs="{LATIN_SERIF}"/>'
    )
    exact = f'w:line="{lang.line}" w:lineRule="exact"'
    small = size - 3 if lang.code == "zh" else size - 2
    first = (
        f'<w:ind w:firstLineChars="200" w:firstLine="{lang.first_line}"/>'
        if lang.first_line
        else ""
    )

    def style(style_id: str, name: str, ppr: str, rpr: str = "", extra: str = "") -> str:
        return (
            f'<w:style w:type="paragraph" w:customStyle="1" w:styleId="{style_id}">'
            f'<w:name w:val="{name}"/><w:basedOn w:val="Normal"/><w:qFormat/>{extra}'
            f"<w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"
        )

    body = [
        f'<w:docDefaults><w:rPrDefault><w:rPr>{fonts}<w:kern w:val="2"/>'
        f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
        '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
        '<w:pPrDefault><w:pPr><w:widowControl/><w:spacing w:after="0" w:line="240" '
        'w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>',
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>'
        f'<w:qFormat/><w:pPr><w:spacing w:after="0" {exact}/><w:jc w:val="both"/></w:pPr>'
        f"<w:rPr>{fonts}</w:rPr></w:style>",
        '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
        '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/>'
        "</w:style>",
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal">'
        '<w:name w:val="Normal Table"/>'
        '<w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar>'
        '<w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>'
        "</w:tblCellMar></w:tblPr></w:style>",
        style(
            "ContractTitle",
            "Contract Title",
            '<w:keepNext/><w:spacing w:before="120" w:after="360" w:line="240" '
            'w:lineRule="auto"/><w:jc w:val="center"/><w:outlineLvl w:val="0"/>',
            f'{sans}<w:b/><w:bCs/><w:spacing w:val="{lang.title_spacing}"/>'
            f'<w:sz w:val="{lang.title_size}"/><w:szCs w:val="{lang.title_size}"/>',
        ),
        style(
            "InfoLine",
            "Info Line",
            f'<w:spacing w:after="0" {exact}/><w:ind w:left="{TEXT_W // 2}"/><w:jc w:val="left"/>',
            fonts,
        ),
        style(
            "PartyLine",
            "Party Line",
            f'<w:spacing w:after="0" {exact}/><w:jc w:val="left"/>',
            fonts,
        ),
        style(
            "ClauseHeading",
            "Clause Heading",
            f'<w:keepNext/><w:keepLines/><w:spacing w:before="160" w:after="40" {exact}/>'
            '<w:jc w:val="left"/><w:outlineLvl w:val="1"/>',
            f"{sans}<w:b/><w:bCs/>",
        ),
        style(
            "BodyText",
            "Contract Body",
            f'<w:spacing w:after="{lang.after}" {exact}/>{first}<w:jc w:val="both"/>',
            fonts,
        ),
        style(
            "ListItem",
            "Contract List Item",
            f'<w:spacing w:after="{lang.after}" {exact}/><w:ind w:left="720" w:hanging="360"/>'
            '<w:jc w:val="both"/>',
            fonts,
        ),
        style(
            "TableText",
            "Table Text",
            '<w:spacing w:before="20" w:after="20" w:line="260" w:lineRule="atLeast"/>'
            '<w:jc w:val="center"/>',
            f'{fonts}<w:sz w:val="{small}"/><w:szCs w:val="{small}"/>',
        ),
        style(
            "TableHeader",
            "Table Header",
            '<w:keepNext/><w:spacing w:before="20" w:after="20" w:line="260" '
            'w:lineRule="atLeast"/><w:jc w:val="center"/>',
            f'{sans}<w:b/><w:bCs/><w:sz w:val="{small}"/><w:szCs w:val="{small}"/>',
        ),
        style(
            "Signature",
            "Signature Block",
            f'<w:keepNext/><w:keepLines/><w:spacing w:after="0" {exact}/><w:jc w:val="left"/>',
            fonts,
        ),
        style(
            "ContractFooter",
            "Contract Footer",
            f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_W}"/></w:tabs>'
            '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="left"/>',
            f'{fonts}<w:sz w:val="18"/><w:szCs w:val="18"/>',
        ),
    ]
    return f"{XML_HEAD}<w:styles {NS}>{''.join(body)}</w:styles>"


def document_xml(body: str) -> str:
    """word/document.xml around the rendered body."""
    return f"{XML_HEAD}<w:document {NS}><w:body>{body}</w:body></w:document>"


def _field(instruction: str) -> str:
    """A complex field (PAGE, NUMPAGES) with a cached value of 1."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        '<w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def footer_xml(lang: Lang) -> str:
    """word/footer1.xml: contract number on the left, "page X of Y" on the right."""
    before, between, after = lang.page_words
    content = (
        run(f"{lang.footer_no}{{{{ contract_no }}}}\t")
        + run(before)
        + _field("PAGE")
        + run(between)
        + _field("NUMPAGES")
        + (run(after) if after else "")
    )
    return f"{XML_HEAD}<w:ftr {NS}>{paragraph(content, 'ContractFooter')}</w:ftr>"


def settings_xml() -> str:
    """word/settings.xml: CJK punctuation compression, Word 2013+ compatibility."""
    return (
        f"{XML_HEAD}<w:settings {NS}>"
        '<w:zoom w:percent="100"/><w:defaultTabStop w:val="420"/>'
        '<w:characterSpacingControl w:val="compressPunctuation"/>'
        '<w:compat><w:compatSetting w:name="compatibilityMode" '
        'w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>'
        '<w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/>'
        "</w:settings>"
    )


def font_table_xml() -> str:
    """word/fontTable.xml: the three fonts, with the usual Windows fallbacks named."""
    fonts = [
        (LATIN_SERIF, "Times New Roman", "00", "roman"),
        (CJK_SERIF, "宋体", "86", "roman"),
        (CJK_SANS, "黑体", "86", "swiss"),
    ]
    body = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="{charset}"/>'
        f'<w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>'
        for name, alt, charset, family in fonts
    )
    return f"{XML_HEAD}<w:fonts {NS}>{body}</w:fonts>"


def core_xml(title: str, name: str, version: int) -> str:
    """docProps/core.xml with fixed dates, so rebuilds are byte-identical."""
    return (
        f"{XML_HEAD}<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:subject>{escape(name)}</dc:subject>"
        "<dc:creator>contractctl</dc:creator><cp:lastModifiedBy>contractctl</cp:lastModifiedBy>"
        f"<cp:keywords>contractctl template {escape(name)} v{version}</cp:keywords>"
        f"<cp:revision>{version}</cp:revision>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{CORE_DATE}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{CORE_DATE}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def app_xml() -> str:
    """docProps/app.xml naming the generator."""
    return (
        f"{XML_HEAD}<Properties "
        'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>contractctl build_templates.py</Application></Properties>"
    )


CONTENT_TYPES = (
    f"{XML_HEAD}"
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/styles.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
    '<Override PartName="/word/settings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>'
    '<Override PartName="/word/footer1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>'
    '<Override PartName="/word/fontTable.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    "</Types>"
)

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = (
    f"{XML_HEAD}"
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
    'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{REL}/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)
DOCUMENT_RELS = (
    f"{XML_HEAD}"
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/styles" Target="styles.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/settings" Target="settings.xml"/>'
    f'<Relationship Id="rId3" Type="{REL}/footer" Target="footer1.xml"/>'
    f'<Relationship Id="rId4" Type="{REL}/fontTable" Target="fontTable.xml"/>'
    "</Relationships>"
)


def package(parts: Iterable[tuple[str, str]]) -> bytes:
    """A zip with fixed timestamps, order and attributes; entries are stored.

    Stored (not deflated) entries keep the bytes independent of the zlib build, so a
    rebuild on another machine is identical too; git compresses the blob anyway.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in parts:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


# --------------------------------------------------------------------------- checks


def _jinja_source(blocks: list[Block], lang: Lang, footer: str) -> str:
    """All Jinja of a template as one source, in document order, docxtpl-style."""
    pieces: list[str] = []
    for block in blocks:
        if isinstance(block, Para):
            pieces.append(block.text)
        elif isinstance(block, Party):
            pieces.append(f"{{{{ {block.var}.name }}}}")
            pieces.extend(
                f"{{{{ {block.var}.{attr} }}}}" for row in lang.party_rows for _label, attr in row
            )
        elif isinstance(block, Table):
            pieces.extend(block.rows[0])
            pieces.append(f"{{% for {LOOP_VAR} in {block.var} %}}")
            pieces.extend(block.rows[1])
            pieces.append("{% endfor %}")
            for row in block.rows[2:]:
                pieces.extend(row)
        else:
            pieces.extend(f"{{{{ {var}.name }}}}" for _label, var in block.sides)
    pieces.append(footer)
    text = "\n".join(pieces)
    return re.sub(r"\{%(p|tr)\s", "{% ", text)


def _walk(node: nodes.Node) -> Iterator[nodes.Node]:
    """Every node of a Jinja AST, depth first."""
    yield node
    for child in node.iter_child_nodes():
        yield from _walk(child)


def _field_map(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Declared fields by name."""
    return {f["name"]: f for f in schema.get("fields", [])}


def _numbers(headings: list[str], lang: Lang, where: str) -> list[int]:
    """The literal clause numbers of the headings, checked to run 1..N."""
    found = []
    for heading in headings:
        if lang.code == "zh":
            match = re.match(r"^第([一二三四五六七八九十百]+)条[\s\u3000]+\S", heading)
            number = cn_number(match.group(1)) if match else None
        else:
            match = re.match(r"^(\d+)\.\s+\S", heading)
            number = int(match.group(1)) if match else None
        if number is None:
            raise BuildError(f"{where}: heading {heading!r} does not start with a clause number")
        found.append(number)
    if found != list(range(1, len(found) + 1)):
        raise BuildError(f"{where}: clause numbers run {found}, not 1..{len(found)}")
    return found


def cn_number(text: str) -> int:
    """Value of a Chinese numeral up to 九十九 (一, 十, 十二, 二十, 二十一)."""
    if "十" not in text:
        return CN_DIGITS[text]
    tens, _, units = text.partition("十")
    return CN_DIGITS.get(tens, 1) * 10 + (CN_DIGITS[units] if units else 0)


def check(blocks: list[Block], schema: dict[str, Any], lang: Lang, where: str) -> int:
    """Check a parsed template against its schema; returns the number of clauses."""
    info = schema.get("template", {})
    titles = [b.text for b in blocks if isinstance(b, Para) and b.kind == "title"]
    if not blocks or titles != [blocks[0].text if isinstance(blocks[0], Para) else ""]:
        raise BuildError(f"{where}: the title '= ...' must come first, exactly once")
    if re.sub(r"\s", "", titles[0]).casefold() != re.sub(r"\s", "", info["title"]).casefold():
        raise BuildError(f"{where}: title {titles[0]!r} differs from schema {info['title']!r}")
    if not isinstance(blocks[-1], Signature):
        raise BuildError(f"{where}: the template must end with its @signature block")

    depth = 0
    headings = []
    for block in blocks:
        if isinstance(block, Para) and block.kind == "tag":
            word = block.text[3:].split()[0]
            depth += {"if": 1, "for": 1, "endif": -1, "endfor": -1}.get(word, 0)
        elif isinstance(block, Para) and block.kind == "heading":
            if depth:
                raise BuildError(f"{where}:{block.line}: a clause heading inside {{%p if/for}}")
            headings.append(block.text)
    count = len(_numbers(headings, lang, where))

    fields = _field_map(schema)
    env = jinja2.Environment()
    env.filters.update(dict.fromkeys(FILTERS, str))
    try:
        ast = env.parse(_jinja_source(blocks, lang, "{{ contract_no }}"))
    except jinja2.TemplateSyntaxError as exc:
        raise BuildError(f"{where}: Jinja syntax: {exc}") from exc
    for node in _walk(ast):
        if isinstance(node, nodes.Filter) and node.name not in FILTERS:
            raise BuildError(f"{where}: unknown filter {node.name!r}")
    used = meta.find_undeclared_variables(ast)
    unknown = used - set(fields) - {"company"}
    if unknown:
        raise BuildError(f"{where}: placeholders not declared in the schema: {sorted(unknown)}")
    unused = {name for name, f in fields.items() if f.get("required")} - used
    if unused:
        raise BuildError(f"{where}: required fields never used in the template: {sorted(unused)}")
    parties = {name for name, f in fields.items() if f["type"] == "party"} | {"company"}
    for node in _walk(ast):
        if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name):
            owner, attr = node.node.name, node.attr
            if owner in parties and attr not in PARTY_ATTRS:
                raise BuildError(f"{where}: {owner}.{attr} is not a party attribute")
            if owner == LOOP_VAR:
                tables = [b for b in blocks if isinstance(b, Table)]
                columns = {c["name"] for t in tables for c in fields[t.var].get("columns", [])}
                if attr not in columns:
                    raise BuildError(f"{where}: {LOOP_VAR}.{attr} is not a declared column")
    for block in blocks:
        if isinstance(block, Table) and fields.get(block.var, {}).get("type") != "table":
            raise BuildError(f"{where}: @table {block.var} is not a field of type table")
        if isinstance(block, Party | Signature):
            names = [block.var] if isinstance(block, Party) else [v for _l, v in block.sides]
            if not set(names) <= parties:
                raise BuildError(f"{where}:{block.line}: {names} are not party variables")
    signature = blocks[-1]
    if info.get("signatories") != [var for _label, var in signature.sides]:
        raise BuildError(f"{where}: signatories in the schema differ from the @signature order")
    standard = info.get("standard_clauses", [])
    if not all(1 <= n <= count for n in standard):
        raise BuildError(f"{where}: standard_clauses {standard} outside 1..{count}")
    return count


# --------------------------------------------------------------------------- build


@dataclass(frozen=True)
class Built:
    """A built template: its DOCX bytes and number of clauses."""

    name: str
    docx: bytes
    clauses: int


def build(name: str) -> Built:
    """Build one template from templates/src/<name>.txt and templates/<name>.toml."""
    source_path = SOURCES / f"{name}.txt"
    schema_path = TEMPLATES / f"{name}.toml"
    where = str(source_path.relative_to(ROOT))
    if not source_path.is_file():
        raise BuildError(f"{where}: no such template source")
    try:
        schema = tomllib.loads(schema_path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise BuildError(f"{schema_path.relative_to(ROOT)}: {exc}") from exc
    info = schema.get("template", {})
    if info.get("name") != name:
        raise BuildError(f"{schema_path.name}: [template] name is not {name!r}")
    lang = LANGS.get(info.get("language", ""))
    if lang is None:
        raise BuildError(f"{schema_path.name}: [template] language must be zh or en")
    blocks = parse(source_path.read_text(encoding="utf-8"), where)
    clauses = check(blocks, schema, lang, where)
    parts = [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", PACKAGE_RELS),
        ("word/document.xml", document_xml(render_body(blocks, lang, where))),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS),
        ("word/styles.xml", styles_xml(lang)),
        ("word/settings.xml", settings_xml()),
        ("word/footer1.xml", footer_xml(lang)),
        ("word/fontTable.xml", font_table_xml()),
        ("docProps/core.xml", core_xml(info["title"], name, int(info.get("version", 1)))),
        ("docProps/app.xml", app_xml()),
    ]
    return Built(name, package(parts), clauses)


def main(argv: list[str] | None = None) -> int:
    """Build the named templates (default: all); with --check only compare."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("names", nargs="*", help="template names (default: every source)")
    parser.add_argument("--check", action="store_true", help="fail if a DOCX is out of date")
    args = parser.parse_args(argv)
    names = args.names or sorted(path.stem for path in SOURCES.glob("*.txt"))
    stale = []
    for name in names:
        try:
            built = build(name)
        except BuildError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        target = TEMPLATES / f"{name}.docx"
        current = target.read_bytes() if target.exists() else None
        if args.check:
            if current != built.docx:
                stale.append(name)
            continue
        if current != built.docx:
            target.write_bytes(built.docx)
        print(f"{name}: {built.clauses} clauses -> {target.relative_to(ROOT)}")
    if stale:
        print(f"out of date: {', '.join(stale)} (run scripts/build_templates.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
