"""Opening a DOCX that someone else wrote without letting it exhaust memory or CPU.

A template is a file we did not make. A zip bomb expands a few kilobytes into gigabytes;
XML with DOCTYPE or ENTITY declarations expands into billions of characters or reads
local files; thousands of template tags make analysis slow, and tags left open make
docxtpl's ``patch_xml`` (regexes that search on from every opener) take quadratic time.
This module refuses all of these before anything is expanded, parsed for real or patched,
each with a one-line reason in :class:`~contractctl.errors.InvalidInput`.

The template linter opens templates through :func:`open_docx` and :func:`xml_parts` and
reports a refusal as its ``not-a-docx`` problem; the renderer calls :func:`check_docx`
before docxtpl touches a template, so one that never went through the linter cannot hang
or exhaust the renderer either.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contractctl.errors import InvalidInput

#: Limits on what is expanded from the zip before anything is parsed.
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
#: Members smaller than this cannot hurt whatever their ratio (a tiny part of zeros).
RATIO_FLOOR_BYTES = 64 * 1024
MAX_MEMBERS = 10_000
#: Contract templates hold a few hundred tags; analysing each costs about half a ms.
MAX_TAGS = 3_000
#: More tags than this left open in one part and docxtpl's patching takes quadratic time.
MAX_UNCLOSED_TAGS = 20

#: Where a template tag starts: ``{{``, ``{%`` or ``{#``.
TAG_OPENING = re.compile(r"\{[{%#]")
_CLOSERS = {"{": "}}", "%": "%}", "#": "#}"}
_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.I)
_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


@dataclass(frozen=True)
class XmlPart:
    """One part of a template that docxtpl patches and renders on its own."""

    label: str  # "" for the body, else "the footer word/footer1.xml", "the footnotes"
    root: Any  # the part's lxml element
    xml: str  # the text docxtpl's patch_xml is given
    unclosed: int  # tags opened in ``xml`` that never close


def check_docx(path: Path) -> None:
    """Raise InvalidInput unless docxtpl can open and patch ``path`` in bounded time and memory.

    Makes every check of :func:`open_docx` and :func:`xml_parts`, and also refuses a part
    with more than MAX_UNCLOSED_TAGS tags that never close: the linter reports those as a
    syntax problem and reads on, but docxtpl's patching would stall on them.
    """
    for part in xml_parts(open_docx(path)):
        if part.unclosed > MAX_UNCLOSED_TAGS:
            raise InvalidInput(
                f"{part.label or 'the document body'} opens {part.unclosed:,} tags that never "
                f"close (at most {MAX_UNCLOSED_TAGS}); refused, as docxtpl's patching would "
                "take quadratic time"
            )


def open_docx(path: Path) -> Any:
    """The python-docx Document, after the zip and its XML passed the safety checks.

    Raises InvalidInput when the file is unreadable, not a Word document, a zip bomb,
    declares a DOCTYPE or ENTITY in any part, or holds XML that does not parse.
    """
    data = _read(path)
    _checked_members(data)
    from docx import Document

    try:
        return Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds for a package it cannot read
        raise InvalidInput(f"python-docx cannot open it: {exc}") from exc


def safe_members(path: Path) -> dict[str, bytes]:
    """Every member of the DOCX at ``path``, after the checks of :func:`open_docx`."""
    return _checked_members(_read(path))


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_UNCOMPRESSED_BYTES:
            raise InvalidInput(
                f"the file is {size / 2**20:.0f} MB; templates are at most "
                f"{MAX_UNCOMPRESSED_BYTES // 2**20} MB"
            )
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read the file: {exc.strerror or exc}") from exc


def _checked_members(data: bytes) -> dict[str, bytes]:
    members = _safe_members(data)
    if "word/document.xml" not in members:
        raise InvalidInput("not a Word document: the zip has no word/document.xml")
    for name, blob in members.items():
        _check_xml(name, blob)
    return members


def xml_parts(document: Any) -> Iterator[XmlPart]:
    """The body, headers, footers and footnotes of ``document``, as docxtpl patches them.

    Counts the tags part by part and raises InvalidInput as soon as the parts read so far
    hold more than MAX_TAGS, before the next part is read.
    """
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.opc.oxml import parse_xml
    from lxml import etree  # type: ignore[import-untyped]

    tags = 0

    def counted(label: str, root: Any, xml: str) -> XmlPart:
        nonlocal tags
        ends = [end for _, end in scan_tags(xml)]
        unclosed = ends.count(-1)
        tags += len(ends) - unclosed
        if tags > MAX_TAGS:
            raise InvalidInput(f"the template holds more than {MAX_TAGS:,} tags; refused")
        return XmlPart(label, root, xml, unclosed)

    body = document.element.body
    yield counted("", body, etree.tostring(body, encoding="unicode"))
    for kind, reltype in (
        ("header", RELATIONSHIP_TYPE.HEADER),
        ("footer", RELATIONSHIP_TYPE.FOOTER),
    ):
        for rel in document.part.rels.values():
            if rel.reltype == reltype and not rel.is_external and rel.target_part.blob:
                root = parse_xml(rel.target_part.blob)
                label = f"the {kind} {str(rel.target_part.partname).lstrip('/')}"
                yield counted(label, root, etree.tostring(root, encoding="unicode"))
    for package_part in document.part.package.parts:
        if package_part.content_type == _FOOTNOTES:
            blob = package_part.blob
            try:
                root = parse_xml(blob)
            except Exception as exc:  # lxml's parse errors
                raise InvalidInput(f"the footnotes are not well-formed XML: {exc}") from exc
            yield counted("the footnotes", root, blob.decode("utf-8", "replace"))


def scan_tags(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each tag in order; ``end`` is -1 for a tag that never closes.

    Linear in ``len(text)``: once a closer is missing, every later opener of that kind
    is unclosed without searching again (a regex would search from each opener).
    """
    position, missing = 0, set()
    while (found := TAG_OPENING.search(text, position)) is not None:
        begin, kind = found.start(), text[found.start() + 1]
        close = -1 if kind in missing else text.find(_CLOSERS[kind], begin + 2)
        if close < 0:
            missing.add(kind)
            yield begin, -1
            position = begin + 2
            continue
        yield begin, close + 2
        position = close + 2


def _safe_members(data: bytes) -> dict[str, bytes]:
    """Every member of the zip, refusing zip bombs before anything is expanded."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise InvalidInput(f"not a DOCX file (not a readable zip archive: {exc})") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise InvalidInput(f"the zip holds {len(infos):,} members; refused as a zip bomb")
        total = sum(info.file_size for info in infos)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise InvalidInput(
                f"the zip would expand to {total / 2**20:.0f} MB (at most "
                f"{MAX_UNCOMPRESSED_BYTES // 2**20} MB); refused as a zip bomb"
            )
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > RATIO_FLOOR_BYTES and ratio > MAX_COMPRESSION_RATIO:
                raise InvalidInput(
                    f"{info.filename} expands {ratio:.0f}× (at most {MAX_COMPRESSION_RATIO}×); "
                    "refused as a zip bomb"
                )
        members: dict[str, bytes] = {}
        for info in infos:
            try:
                with archive.open(info) as handle:
                    blob = handle.read(info.file_size + 1)
            except (
                zipfile.BadZipFile,
                RuntimeError,
                NotImplementedError,
                zlib.error,
                EOFError,
                OSError,
            ) as exc:
                raise InvalidInput(f"cannot read {info.filename} from the zip: {exc}") from exc
            if len(blob) > info.file_size:
                raise InvalidInput(f"{info.filename} is larger than the zip says; refused")
            members[info.filename] = blob
    return members


def _check_xml(name: str, blob: bytes) -> None:
    """Refuse DOCTYPE/ENTITY declarations and XML that does not parse.

    The parser is hardened too (no entities resolved, no DTD or network access, no huge
    trees) in case a declaration slips past the byte search in an unusual encoding.
    """
    text_like = name.endswith((".xml", ".rels")) or blob.lstrip()[:1] == b"<"
    utf16 = blob[:2] in (b"\xff\xfe", b"\xfe\xff") or b"<\x00" in blob[:4] or b"\x00<" in blob[:4]
    if not (text_like or utf16):
        return
    sample = blob.decode("utf-16", "ignore").encode() if utf16 else blob
    if _DTD.search(sample) or _DTD.search(blob):
        raise InvalidInput(f"{name} declares a DOCTYPE or ENTITY; refused (XML entity expansion)")
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(blob, parser)
    except etree.XMLSyntaxError as exc:
        if name.endswith((".xml", ".rels")):
            raise InvalidInput(f"{name} is not well-formed XML: {exc}") from exc
        return
    if root is not None and root.getroottree().docinfo.doctype:
        raise InvalidInput(f"{name} declares a DOCTYPE; refused (XML entity expansion)")
