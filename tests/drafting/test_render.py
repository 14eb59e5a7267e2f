"""Rendering is strict, escaped, sandboxed and bounded: a template is someone else's code."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from contractctl.drafting.render import (
    Renderer,
    RenderError,
    RenderLimit,
    cn_upper_filter,
    date_cn_filter,
    date_en_filter,
    money_filter,
    to_context,
)
from contractctl.money import Money


def _template(tmp_path: Path, *paragraphs: str) -> Path:
    from docx import Document

    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    path = tmp_path / "t.docx"
    document.save(str(path))
    return path


def _render(tmp_path: Path, body: str, **values: object) -> str:
    from docx import Document

    out = tmp_path / "out.docx"
    Renderer(_template(tmp_path, body)).render(to_context(values, {"name": "我们"}), out)
    return "\n".join(p.text for p in Document(str(out)).paragraphs)


def test_values_with_xml_characters_cannot_corrupt_the_docx(tmp_path: Path) -> None:
    text = _render(tmp_path, "乙方：{{ name }}", name='A&B <Holdings> "Ltd" </w:t>')
    assert text == '乙方：A&B <Holdings> "Ltd" </w:t>'


def test_a_missing_value_is_an_error_never_a_blank(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match=r"undefined|nope"):
        _render(tmp_path, "金额：{{ nope }}")


def test_an_empty_optional_value_printed_unguarded_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="empty"):
        _render(tmp_path, "定金：{{ deposit }}", deposit=None)
    assert _render(tmp_path, "{% if deposit %}定金{% else %}无定金{% endif %}", deposit=None) == (
        "无定金"
    )


@pytest.mark.parametrize(
    "attack",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ name.__class__ }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ lipsum.__globals__ }}",
        "{{ self.__init__.__globals__ }}",
        "{{ name.format_map.__self__ }}",
    ],
)
def test_templates_cannot_reach_python_internals(tmp_path: Path, attack: str) -> None:
    with pytest.raises(RenderError):
        _render(tmp_path, attack, name="x")


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("{% for i in range(100000) %}x{% endfor %}", "range"),
        (
            "{% for i in range(5000) %}{% for j in range(5000) %}xxxx{% endfor %}{% endfor %}",
            "more than",
        ),
        ("{{ 'x' * 100000000 }}", "too long"),
        ("{{ 9 ** 99999999 }}", "exponent"),
    ],
    ids=["huge-range", "nested-loops", "string-multiplication", "huge-power"],
)
def test_a_template_cannot_exhaust_memory_or_cpu(tmp_path: Path, body: str, says: str) -> None:
    with pytest.raises(RenderLimit, match=says):
        _render(tmp_path, body)


@pytest.mark.parametrize("body", ["{{ 1 / 0 }}", "{{ 'a' + 1 }}", "{{ 2.0 ** 5000.0 }}"])
def test_a_template_error_on_the_values_is_bad_input_not_a_crash(tmp_path: Path, body: str) -> None:
    with pytest.raises(RenderError):
        _render(tmp_path, body)


def test_filters_write_money_and_dates_as_contracts_do() -> None:
    amount = Money(12_345_650, "CNY")
    assert money_filter(amount) == "¥123,456.50"
    assert money_filter(Money(123_456, "USD")) == "USD 1,234.56"
    assert cn_upper_filter(amount) == "人民币壹拾贰万叁仟肆佰伍拾陆元伍角整"
    assert date_cn_filter(date(2026, 11, 22)) == "2026年11月22日"
    assert date_en_filter(date(2026, 11, 2)) == "November 2, 2026"
    with pytest.raises(RenderError, match="money needs a Money"):
        money_filter("12")


def test_rows_and_parties_are_attribute_records(tmp_path: Path) -> None:
    text = _render(
        tmp_path,
        "{% for item in items %}{{ item.items }}={{ item.values }};{% endfor %}{{ company.name }}",
        items=[{"items": "a", "values": "1"}, {"items": "b", "values": "2"}],
    )
    assert text == "a=1;b=2;我们"


def test_a_corrupt_template_file_is_invalid_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(RenderError, match="not a readable DOCX"):
        Renderer(bad).render({}, tmp_path / "out.docx")
