"""A hostile DOCX is refused before anything expands, parses or patches it.

Templates come from outside. Each test builds a file the way an attacker (or a broken
tool) would leave it and checks the three doors it could come in by: ``check_docx``
itself, the linter (which reports the refusal as its ``not-a-docx`` problem, with the
same one-line reason) and the renderer (a RenderError, even for a template that was
never linted).
"""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import pytest

from contractctl.documents import docx_safety
from contractctl.documents.docx_safety import MAX_UNCLOSED_TAGS, check_docx
from contractctl.drafting.lint import LintProblem, lint_template
from contractctl.drafting.render import Renderer, RenderError
from contractctl.drafting.schema import load_schema
from contractctl.errors import InvalidInput
from tests.conftest import REPO
from tests.conftest import rewrite_docx as rewrite

SHIPPED = sorted((REPO / "templates").glob("*.docx"))


def make_docx(path: Path, *paragraphs: str, header: str | None = None) -> Path:
    """A small DOCX as python-docx (and so, nearly, Word) writes it."""
    from docx import Document

    document = Document()
    for text in paragraphs or ("第一条 合同标的",):
        document.add_paragraph(text)
    if header is not None:
        document.sections[0].header.paragraphs[0].text = header
    document.save(str(path))
    return path


def assert_refused(path: Path, *said: str) -> str:
    """All three doors refuse ``path`` with one one-line reason that says each of ``said``."""
    with pytest.raises(InvalidInput) as refused:
        check_docx(path)
    reason = refused.value.message
    assert "\n" not in reason
    for text in said:
        assert text in reason
    spec = load_schema(REPO / "templates" / "purchase-zh.toml")
    assert lint_template(path, spec) == [LintProblem("not-a-docx", reason, "")]
    with pytest.raises(RenderError) as failed:
        Renderer(path).render({}, path.with_name("out.docx"))
    assert failed.value.message == f"{path.name} is not a readable DOCX: {reason}"
    return reason


# ------------------------------------------------------------------- what is accepted


@pytest.mark.parametrize("template", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_template_passes(template: Path) -> None:
    check_docx(template)


def test_a_few_tags_left_open_pass_so_that_the_author_hears_what_is_wrong(
    tmp_path: Path,
) -> None:
    path = make_docx(tmp_path / "t.docx", "恶意：" + "{{x" * MAX_UNCLOSED_TAGS)
    check_docx(path)
    problems = lint_template(path, load_schema(REPO / "templates" / "purchase-zh.toml"))
    assert "not-a-docx" not in {p.code for p in problems}


# -------------------------------------------------------------------- not a DOCX at all


def test_a_pdf_renamed_to_docx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "contract.docx"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n")
    assert_refused(path, "zip")


def test_a_zip_without_a_word_document_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "contract.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a contract")
    assert_refused(path, "word/document.xml")


def test_a_document_with_broken_xml_is_refused(tmp_path: Path) -> None:
    path = rewrite(
        make_docx(tmp_path / "t.docx"), "word/document.xml", lambda xml: xml[: len(xml) // 2]
    )
    assert_refused(path, "word/document.xml", "not well-formed")


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    assert_refused(tmp_path / "nowhere.docx", "cannot read the file")


# ----------------------------------------------------------------------------- zip bombs


def test_a_zip_bomb_is_refused_before_it_is_expanded(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "t.docx")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/image1.png", bytes(20 * 2**20))  # 20 MB of zeros
    spec = load_schema(REPO / "templates" / "purchase-zh.toml")
    started = time.perf_counter()
    with pytest.raises(InvalidInput):
        check_docx(path)
    assert lint_template(path, spec)[0].code == "not-a-docx"
    assert time.perf_counter() - started < 1
    assert_refused(path, "zip bomb", "word/media/image1.png")


def test_a_zip_that_would_expand_beyond_the_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(docx_safety, "MAX_UNCOMPRESSED_BYTES", 2 * 2**20)
    path = make_docx(tmp_path / "t.docx")
    # random a/b text: one bit per byte, so it compresses about 7×, far from a bomb's 200×
    noise = os.urandom(3 * 2**20).translate(bytes(b"ab"[i % 2] for i in range(256)))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/noise.bin", noise)
    assert_refused(path, "would expand to", "zip bomb")


# ------------------------------------------------------------------- XML entity expansion


def test_an_xml_entity_bomb_is_refused(tmp_path: Path) -> None:
    lol = b'<!DOCTYPE w:document [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    path = rewrite(
        make_docx(tmp_path / "t.docx"),
        "word/document.xml",
        lambda xml: xml.replace(b"?>", b"?>" + lol, 1),
    )
    assert_refused(path, "DOCTYPE")


def test_an_entity_declared_in_another_part_is_refused_too(tmp_path: Path) -> None:
    path = rewrite(
        make_docx(tmp_path / "t.docx"),
        "word/styles.xml",
        lambda xml: xml.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'),
    )
    assert_refused(path, "word/styles.xml", "DOCTYPE")


# ---------------------------------------------------------------------------------- tags


def test_a_template_with_absurdly_many_tags_is_refused(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "t.docx", "{{ note }}" * 5_000)
    assert_refused(path, "more than 3,000 tags")


def test_thousands_of_tags_left_open_never_reach_docxtpl(tmp_path: Path) -> None:
    # numbered, so that the part does not compress like a zip bomb and is refused as one
    path = make_docx(tmp_path / "t.docx", "恶意：" + "".join(f"{{{{x{i}" for i in range(5_000)))
    started = time.perf_counter()
    with pytest.raises(RenderError, match="the document body opens 5,000 tags that never close"):
        Renderer(path).render({}, tmp_path / "out.docx")
    assert time.perf_counter() - started < 3


def test_tags_left_open_in_a_header_are_refused_naming_the_header(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "t.docx", header="{%" * (MAX_UNCLOSED_TAGS + 1))
    with pytest.raises(InvalidInput, match=r"^the header word/header\d*\.xml opens 21 tags"):
        check_docx(path)


# ------------------------------------------------------------------------- the renderer


def test_the_renderer_checks_its_template_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[Path] = []
    check = docx_safety.check_docx

    def counted(path: Path) -> None:
        checked.append(path)
        check(path)

    monkeypatch.setattr(docx_safety, "check_docx", counted)
    template = make_docx(tmp_path / "t.docx", "乙方：{{ name }}")
    renderer = Renderer(template)
    renderer.render({"name": "甲"}, tmp_path / "a.docx")
    renderer.render({"name": "乙"}, tmp_path / "b.docx")
    assert checked == [template]
