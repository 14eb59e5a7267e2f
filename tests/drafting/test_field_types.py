"""The linter knows each field's type: no Python can reach a contract through a placeholder.

``{{ name.title }}`` prints ``<built-in method title of str object at 0x7f...>`` and
``{% for c in name %}{{ c }}, {% endfor %}`` prints ``b, r, e, a, d,``: both are refused
at ``template add`` with the field, its type and the paragraph. What prints text is fine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.drafting.test_lint import CLEAN, lint, only, write_docx

REFUSED = {
    "text-method-uncalled": ("备注：{{ note.title }}", "note is a text field", "use note|title"),
    "text-internal": ("{{ contract_no.real }}", "contract_no is a text field", "itself"),
    "loop-over-text": (
        "{% for c in note %}{{ c }}, {% endfor %}",
        "note is a text field",
        "characters",
    ),
    "money-attribute": ("{{ amount.minor }}", "amount is a money field", "Python"),
    "join-on-text": ("{{ note|join(', ') }}", "note is a text field", "|join"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_attributes_loops_and_list_filters_on_a_one_value_field_are_refused(
    tmp_path: Path, case: str
) -> None:
    body, field, says = REFUSED[case]
    [problem] = only(lint(write_docx(tmp_path / "t.docx", [*CLEAN, body])), "field-type")
    assert field in problem.message and says in problem.message
    assert problem.context.startswith(body[:8])


@pytest.mark.parametrize(
    "body",
    [
        "{{ note.upper() }}",
        "{{ note|title }}",
        "{{ amount.currency }}",
        "{% for item in items %}{{ item.name }}{% endfor %}",
        "{% set note = items %}{% for x in note %}{{ x.name }}{% endfor %}",
    ],
)
def test_what_prints_text_is_fine(tmp_path: Path, body: str) -> None:
    assert lint(write_docx(tmp_path / "t.docx", [*CLEAN, body])) == []


def test_count_is_answered_with_length(tmp_path: Path) -> None:
    [problem] = only(
        lint(write_docx(tmp_path / "t.docx", [*CLEAN, "{{ items|count }}"])), "unknown-filter"
    )
    assert "did you mean length?" in problem.message


def test_upper_case_field_names_are_accepted_and_jinja_words_refused(tmp_path: Path) -> None:
    from contractctl.drafting.schema import load_schema
    from contractctl.errors import InvalidInput

    base = (Path(__file__).resolve().parents[2] / "templates" / "nda-zh.toml").read_text(
        encoding="utf-8"
    )
    schema = tmp_path / "s.toml"
    schema.write_text(base + '\n[[fields]]\nname = "Chinese"\ntype = "text"\n', encoding="utf-8")
    assert load_schema(schema).field("Chinese") is not None
    schema.write_text(base + '\n[[fields]]\nname = "None"\ntype = "text"\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match="word of the template language"):
        load_schema(schema)
