"""`template from-docx`: a Word contract with blanks becomes a pending template.

Legal teams have model contracts (合同示范文本) full of blanks to fill in by hand. This
turns one into a template in a step: every blank gets a docxtpl tag
(:mod:`~contractctl.drafting.blanks`), every tag a field in a schema skeleton with a
guessed name, type, label and sample value (:mod:`~contractctl.drafting.skeleton`), and
the pair is linted and registered exactly as `template add` registers a template
(:func:`~contractctl.drafting.versions.add_template`): pending until legal approves it.
The DOCX and TOML are also written out, for legal to review and to edit before they
approve, or to add again as the next version.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from contractctl.documents.docx_safety import safe_members
from contractctl.drafting.blanks import fill_part, has_template_text
from contractctl.drafting.normalise import normalise_docx
from contractctl.drafting.skeleton import Skeleton, schema_toml
from contractctl.drafting.versions import TemplateVersion, add_template
from contractctl.drafting.versions import _insert as insert_version
from contractctl.errors import InvalidInput, NotFound
from contractctl.store import Tx

_PARTS = ("word/document.xml",)
_PART_PREFIXES = ("word/header", "word/footer")
_TEMPLATE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_TYPES = (
    ("租赁", "lease"), ("保密", "nda"), ("服务", "service"), ("委托", "service"),
    ("咨询", "service"), ("中介", "service"), ("采购", "purchase"), ("销售", "sales"),
)  # fmt: skip


@dataclass(frozen=True)
class FromDocx:
    """What `template from-docx` made: the files written and the fields found."""

    docx: Path
    schema: Path
    skeleton: Skeleton
    title: str
    name: str


def template_name(source: Path) -> str:
    """A template name for a file: its GF number (``gf-2015-0120``) or a stable hash."""
    stem = unicodedata.normalize("NFKC", source.stem)
    number = re.search(r"GF\s*[-—–－]+\s*(\d{4})\s*[-—–－]+\s*(\d{3,4})", stem, re.I)
    if number:
        return f"gf-{number.group(1)}-{number.group(2)}"
    ascii_words = "-".join(re.findall(r"[a-z0-9]+", stem.lower()))[:40]
    digest = hashlib.sha1(source.stem.encode("utf-8")).hexdigest()[:8]
    return f"{ascii_words}-{digest}" if ascii_words else f"contract-{digest}"


def make_template(source: Path, out_dir: Path, *, name: str | None, version: int) -> FromDocx:
    """Write ``NAME.docx`` (blanks replaced by tags) and ``NAME.toml`` (the skeleton).

    InvalidInput when the file is no readable DOCX, has no blank, or already holds text
    that the template language would read as a tag.
    """
    from lxml import etree  # type: ignore[import-untyped]

    if not source.is_file():
        raise NotFound(f"{source}: no such file")
    name = name or template_name(source)
    if not _TEMPLATE_NAME.match(name):
        raise InvalidInput(f"{name!r}: a template name is lower-case letters, digits and '-'")
    members = safe_members(source)  # zip bombs and entity declarations refused here
    if "word/document.xml" not in members:
        raise InvalidInput(f"{source.name}: not a Word document (no word/document.xml)")
    skeleton = Skeleton()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    changed: dict[str, bytes] = {}
    title = ""
    for part in sorted(members, key=lambda n: (n != "word/document.xml", n)):
        if part not in _PARTS and not (part.startswith(_PART_PREFIXES) and part.endswith(".xml")):
            continue
        root = etree.fromstring(members[part], parser)
        if has_template_text(root):
            raise InvalidInput(
                f"{source.name}: its text already holds '{{{{', '{{%' or '{{#', which a "
                "template would run as a tag; remove them in Word first"
            )
        if part == "word/document.xml":
            title = _title(root)
        if fill_part(root, skeleton.name_blank):
            changed[part] = etree.tostring(
                root, xml_declaration=True, encoding="UTF-8", standalone=True
            )
    if not skeleton.fields:
        raise InvalidInput(
            f"{source.name}: no blanks found (underscores, underlined spaces, empty "
            "brackets, 年 月 日, □是 □否, empty cells beside a label)"
        )
    title = title or source.stem
    out_dir.mkdir(parents=True, exist_ok=True)
    docx = out_dir / f"{name}.docx"
    schema = out_dir / f"{name}.toml"
    _write_docx(source, docx, {**members, **changed})
    ctype = next((t for word, t in _TYPES if word in title), "other")
    language = "zh" if re.search(r"[\u4e00-\u9fff]", title) else "en"
    description = (
        f"Made by template from-docx from {source.name}: {len(skeleton.fields)} blanks; "
        "field names, types, labels and samples are guesses for legal to review."
    )
    schema.write_text(
        schema_toml(
            skeleton,
            name=name,
            version=version,
            ctype=ctype,
            language=language,
            title=title,
            description=description,
        ),
        encoding="utf-8",
    )
    return FromDocx(docx, schema, skeleton, title, name)


@dataclass(frozen=True)
class Added:
    """A template made from a DOCX and stored pending, with the lint's warnings."""

    made: FromDocx
    version: TemplateVersion
    warnings: tuple[str, ...]


def add_from_docx(tx: Tx, source: Path, out_dir: Path, *, name: str | None = None) -> Added:
    """Make the template and its skeleton in ``out_dir`` and add them as a pending version.

    The version is the next one of that name. Linting and storing are
    :func:`~contractctl.drafting.versions.add_template`'s: any lint error adds nothing
    (ValidationFailed, exit 2). One difference: the linter's warnings (a clause number
    skipped or repeated, ``clause-sequence``) describe the model contract's own numbering,
    which from-docx must not rewrite; they do not refuse the template here but come back
    as ``warnings`` for legal to read before approving.
    """
    from contractctl.drafting.lint import lint_template
    from contractctl.drafting.schema import load_schema

    name = name or template_name(source)
    latest = tx.conn.execute("SELECT max(version) FROM templates WHERE name = ?", (name,))
    version = (latest.fetchone()[0] or 0) + 1
    made = make_template(source, out_dir, name=name, version=version)
    problems = lint_template(made.docx, load_schema(made.schema))
    warnings = tuple(str(p) for p in problems if p.severity == "warning")
    if not problems or len(warnings) < len(problems):
        return Added(made, add_template(tx, made.docx, made.schema), ())
    with tempfile.TemporaryDirectory(prefix="contractctl-template-") as tmp:
        clean = Path(tmp) / made.docx.name  # stored normalised, as add_template stores
        normalise_docx(made.docx, clean)
        stored = insert_version(
            tx, load_schema(made.schema), clean, made.schema,
            status="pending", source="added", approver=None,
        )  # fmt: skip
    return Added(made, stored, warnings)


def _title(root: object) -> str:
    """The first short line of the body with Chinese or Latin letters: the contract's title."""
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for para in root.iter(w + "p"):  # type: ignore[attr-defined]
        text = "".join(t.text or "" for t in para.iter(w + "t"))
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
        text = text.strip("《》")
        if 2 <= len(text) <= 40 and re.search(r"合同|协议|契约|[A-Za-z]{3}", text):
            return text
    return ""


def _write_docx(source: Path, dst: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(source) as archive:
        infos = archive.infolist()
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in infos:
            if info.filename in members:
                archive.writestr(info, members[info.filename], zipfile.ZIP_DEFLATED)
