"""Risk checks: what a reviewer is told about a contract before approving it.

The stories below are written as contracts are: clause headings like 第四条 知识产权 or
"3. Intellectual Property", amounts as ¥123,456.50（大写：...）. The shipped rules
(rules/risk.toml) must stay silent on a clean draft of every shipped template, and
raise exactly the expected flag when one thing is wrong.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from contractctl.approval.risk import (
    SEVERITIES,
    RiskFlag,
    RiskRules,
    check,
    highest_severity,
    load_risk_rules,
)
from contractctl.config import Company
from contractctl.documents.extract import docx_text
from contractctl.drafting.draft import jsonable
from contractctl.drafting.fields import validate_values
from contractctl.drafting.render import Renderer, to_context
from contractctl.drafting.schema import load_schema
from contractctl.errors import ConfigError, InvalidInput

REPO = Path(__file__).resolve().parents[2]
SHIPPED_RULES = REPO / "rules" / "risk.toml"
TEMPLATES = REPO / "templates"
_CN_NUMBERS = "一二三四五六七八九十"


@pytest.fixture(scope="module")
def rules() -> RiskRules:
    return load_risk_rules(SHIPPED_RULES, display="rules/risk.toml")


# --- contracts written by hand -------------------------------------------------------

ZH_PURCHASE = {
    "合同标的": "乙方向甲方出售工业平板电脑20台，规格型号为IPC-15A。",
    "合同价款": "本合同总价款为¥123,456.50（大写：人民币壹拾贰万叁仟肆佰伍拾陆元伍角整），"
    "为含税价。",
    "付款方式": "甲方在收到乙方开具的合法有效发票之日起30日内支付全部价款。",
    "知识产权": "乙方保证其交付的货物不侵犯任何第三方的专利权、商标权或著作权。",
    "保密": "任何一方对因履行本合同而知悉的对方商业秘密负有保密义务，未经对方书面同意不得披露。",
    "违约责任": "乙方逾期交货的，每逾期一日，应按逾期交付货物价款的千分之一向甲方支付违约金。",
    "不可抗力": "因不可抗力不能履行合同的，根据不可抗力的影响，部分或者全部免除责任。",
    "争议解决": "因本合同引起的争议，双方协商不成的，提交上海仲裁委员会仲裁。",
    "法律适用": "本合同适用中华人民共和国法律。",
    "合同期限": "本合同自双方签字盖章之日起生效，有效期一年。",
}

EN_SERVICE = {
    "Services": "Party B shall provide the IT support services described in Schedule 1.",
    "Fees": "The total Fees are USD 48,000.00, payable quarterly in arrears.",
    "Payment": "Party A shall pay each correct invoice within thirty (30) days after receipt.",
    "Intellectual Property": "All deliverables created for Party A belong to Party A on creation.",
    "Confidentiality": "Each Party shall keep confidential all information received from the "
    "other Party and use it only to perform this Agreement.",
    "Limitation of Liability": "Each Party's total liability under this Agreement shall not "
    "exceed the Fees paid in the twelve (12) months before the claim.",
    "Force Majeure": "Neither Party is liable for delay caused by events beyond its control.",
    "Governing Law": "This Agreement is governed by the laws of the People's Republic of China.",
    "Dispute Resolution": "Any dispute shall be submitted to the Shanghai International "
    "Arbitration Center for arbitration.",
    "Term": "This Agreement runs for one (1) year from the date of signing.",
}


@dataclass(frozen=True)
class Draft:
    """A hand-written contract: its text, and where each clause ended up."""

    text: str
    titles: tuple[str, ...]

    def clause(self, title: str) -> int:
        return self.titles.index(title) + 1


def zh(changes: dict[str, str | None] | None = None) -> Draft:
    """The Chinese purchase contract with clauses replaced, added, or removed (None)."""
    clauses = {**ZH_PURCHASE, **(changes or {})}
    titles = tuple(t for t, body in clauses.items() if body is not None)
    lines = [
        "采购合同",
        "甲方（买方）：上海我们科技有限公司",
        "乙方（卖方）：苏州恒泰智能装备有限公司",
    ]
    for number, title in enumerate(titles, 1):
        tens, ones = divmod(number, 10)
        numeral = ("" if tens < 2 else _CN_NUMBERS[tens - 1]) + ("十" if tens else "")
        numeral += _CN_NUMBERS[ones - 1] if ones else ""
        lines += [f"第{numeral}条 {title}", str(clauses[title])]
    lines.append("（以下无正文）")
    return Draft("\n".join(lines), titles)


def en(changes: dict[str, str | None] | None = None) -> Draft:
    """The English services agreement with clauses replaced, added, or removed (None)."""
    clauses = {**EN_SERVICE, **(changes or {})}
    titles = tuple(t for t, body in clauses.items() if body is not None)
    lines = ["SERVICES AGREEMENT", "Party A: Shanghai Women Technology Co., Ltd."]
    for number, title in enumerate(titles, 1):
        lines += [f"{number}. {title}", f"{number}.1 {clauses[title]}"]
    return Draft("\n".join(lines), titles)


@dataclass(frozen=True)
class Case:
    story: str
    contract_type: str
    draft: Draft
    expected: list[tuple[str, str | None]]  # (code, clause title or None)
    fields: dict[str, Any] = field(default_factory=dict)


CNY_123456_50 = {"minor": 12345650, "currency": "CNY"}

CASES = [
    Case("a clean Chinese purchase contract raises nothing", "purchase", zh(), []),
    Case("a clean English services agreement raises nothing", "service", en(), []),
    # required clauses
    Case(
        "a purchase contract without its IP clause",
        "purchase",
        zh({"知识产权": None}),
        [("missing_clause:ip", None)],
    ),
    Case(
        "an English agreement without its IP clause",
        "service",
        en({"Intellectual Property": None}),
        [("missing_clause:ip", None)],
    ),
    Case(
        "confidentiality mentioned in passing is not a confidentiality clause",
        "purchase",
        zh(
            {
                "保密": None,
                "违约责任": "乙方违反保密义务或逾期交货的，应按合同总价款的百分之十支付违约金。",
            }
        ),
        [("missing_clause:confidentiality", None)],
    ),
    Case(
        "an NDA needs no IP clause, but still its confidentiality clause",
        "nda",
        zh({"知识产权": None, "保密": None}),
        [("missing_clause:confidentiality", None)],
    ),
    Case(
        "a contract missing three clauses gets three flags",
        "sales",
        zh({"争议解决": None, "法律适用": None, "不可抗力": None}),
        [
            ("missing_clause:dispute_resolution", None),
            ("missing_clause:governing_law", None),
            ("missing_clause:force_majeure", None),
        ],
    ),
    Case(
        "PDF text with spaces between characters still has its headings",
        "purchase",
        Draft(zh().text.replace("知识产权", "知 识 产 权").replace("保密", "保　密"), ()),
        [],
    ),
    Case(
        "an imported contract without numbered headings is searched whole",
        "purchase",
        Draft(
            "采购合同\n双方约定：乙方就货物的知识产权负责，对商业秘密负有保密义务，违约责任按"
            "法律规定承担；不可抗力免责；争议解决方式为向甲方所在地法院起诉；适用中国法律。",
            (),
        ),
        [],
    ),
    Case(
        "an imported contract numbered 一、二、三、 with titles before a colon",
        "purchase",
        Draft(
            "采购合同\n一、知识产权：乙方保证货物不侵犯第三方权利。\n二、保密：双方对合同内容保密。\n"
            "三、违约责任：违约方赔偿守约方全部损失。\n四、不可抗力：受影响方部分或全部免责。\n"
            "五、争议解决：向甲方所在地人民法院起诉。\n六、法律适用：适用中华人民共和国法律。",
            (),
        ),
        [],
    ),
    Case(
        "an imported English contract with ARTICLE headings in capitals",
        "purchase",
        Draft(
            "PURCHASE AGREEMENT\nARTICLE 1 INTELLECTUAL PROPERTY\nSeller warrants non-infringement."
            "\nARTICLE 2 CONFIDENTIALITY\nEach party keeps the terms confidential.\n"
            "ARTICLE 3 LIABILITY\nEach party is liable for its breach.\nARTICLE 4 FORCE MAJEURE"
            "\nNeither party is liable for events beyond its control.\nARTICLE 5 DISPUTES\n"
            "Disputes go to SHIAC arbitration.\nARTICLE 6 GOVERNING LAW\nPRC law applies.",
            (),
        ),
        [],
    ),
    # forbidden and flagged phrases
    Case(
        "the seller's liability turned into 承担无限连带责任",
        "purchase",
        zh({"违约责任": "乙方违反本合同约定的，应对甲方的全部损失承担无限连带责任。"}),
        [("forbidden:unlimited_liability", "违约责任")],
    ),
    Case(
        "unlimited liability in English",
        "service",
        en({"Limitation of Liability": "Party A's liability under this Agreement is unlimited."}),
        [("forbidden:unlimited_liability", "Limitation of Liability")],
    ),
    Case(
        "自动续约 without a notice period",
        "purchase",
        zh({"合同期限": "本合同有效期一年，期满后自动续约一年，续约次数不限。"}),
        [("forbidden:auto_renewal_without_notice", "合同期限")],
    ),
    Case(
        "自动续约 with 提前30日书面通知 is acceptable",
        "purchase",
        zh(
            {
                "合同期限": "本合同有效期一年。任何一方可提前30日书面通知对方不再续约，"
                "否则本合同期满后自动续约一年。"
            }
        ),
        [],
    ),
    Case(
        "an English agreement that renews automatically with no way out",
        "service",
        en({"Term": "This Agreement renews automatically for successive one-year periods."}),
        [("forbidden:auto_renewal_without_notice", "Term")],
    ),
    Case(
        "automatic renewal with thirty days' written notice to opt out",
        "service",
        en(
            {
                "Term": "This Agreement renews automatically for successive one-year periods "
                "unless either Party gives at least thirty (30) days' written notice of "
                "non-renewal."
            }
        ),
        [],
    ),
    Case(
        "最终解释权 reserved to the seller",
        "sales",
        zh({"合同期限": "本合同有效期一年。本合同的最终解释权归乙方所有。"}),
        [("forbidden:final_interpretation", "合同期限")],
    ),
    # payment terms
    Case(
        "payment within 90 days in the text, limit 60",
        "purchase",
        zh({"付款方式": "甲方在收到乙方开具的合法有效发票之日起90日内支付全部价款。"}),
        [("payment_terms_too_long", "付款方式")],
    ),
    Case(
        "payment within 九十日 written in Chinese numerals",
        "purchase",
        zh({"付款方式": "甲方应于验收合格之日起九十日内付清全部价款。"}),
        [("payment_terms_too_long", "付款方式")],
    ),
    Case(
        "账期 written before the number of days",
        "sales",
        zh({"付款方式": "双方约定付款期限为收到发票后120天。"}),
        [("payment_terms_too_long", "付款方式")],
    ),
    Case(
        "payment within ninety (90) days in English",
        "service",
        en({"Payment": "Party A shall pay each correct invoice within ninety (90) days."}),
        [("payment_terms_too_long", "Payment")],
    ),
    Case(
        "payment_days = 90 in the fields, text silent on days",
        "purchase",
        zh({"付款方式": "甲方在验收合格后支付全部价款。"}),
        [("payment_terms_too_long", None)],
        {"payment_days": 90},
    ),
    Case(
        "fields and text agree on 90 days: one flag, at the clause",
        "purchase",
        zh({"付款方式": "甲方在收到发票之日起90日内支付全部价款。"}),
        [("payment_terms_too_long", "付款方式")],
        {"payment_days": 90},
    ),
    Case(
        "exactly the limit of 60 days is accepted",
        "purchase",
        zh({"付款方式": "甲方在收到发票之日起60日内支付全部价款。"}),
        [],
        {"payment_days": 60},
    ),
    Case(
        "other deadlines of 90 days are not payment terms",
        "purchase",
        zh({"合同期限": "乙方应在收到通知后90日内完成整改，本合同有效期一年。"}),
        [],
    ),
    Case(
        "90日内交货，30日内付款 is a 30-day payment term",
        "purchase",
        zh({"付款方式": "乙方应在合同签订后90日内交货，甲方在验收合格后30日内付款。"}),
        [],
    ),
    Case(
        "deliver within 90 days, pay within 30 days",
        "service",
        en(
            {
                "Payment": "Party B shall deliver within 90 days, "
                "and Party A shall pay within 30 days."
            }
        ),
        [],
    ),
    Case(
        "payable within one hundred twenty (120) days",
        "service",
        en({"Payment": "Invoices are payable within one hundred twenty (120) days of receipt."}),
        [("payment_terms_too_long", "Payment")],
    ),
    Case(
        "an NDA has no payment terms to check",
        "nda",
        zh({"付款方式": "甲方在收到发票之日起90日内支付全部价款。"}),
        [],
    ),
    # amounts in capitals
    Case(
        "人民币壹拾贰万元整 next to ¥123,456.50",
        "purchase",
        zh({"合同价款": "本合同总价款为人民币壹拾贰万元整（¥123,456.50），为含税价。"}),
        [("amount_words_mismatch", "合同价款")],
    ),
    Case(
        "capitals that agree with the figures after them",
        "purchase",
        zh({"合同价款": "本合同总价款为人民币壹拾贰万叁仟肆佰伍拾陆元伍角整（¥123,456.50）。"}),
        [],
    ),
    Case(
        "two amounts in one clause, the second one wrong",
        "lease",
        zh(
            {
                "合同价款": "月租金为¥10,000.00（大写：人民币壹万元整），租金总额为¥120,000.00"
                "（大写：人民币壹拾贰万伍仟元整）。"
            }
        ),
        [("amount_words_mismatch", "合同价款")],
    ),
    Case(
        "capitals alone that differ from the contract amount in the fields",
        "purchase",
        zh({"合同价款": "本合同总价款为人民币壹拾贰万元整，为含税价。"}),
        [("amount_words_mismatch", "合同价款")],
        {"amount": CNY_123456_50},
    ),
    Case(
        "capitals alone that equal the contract amount in the fields",
        "purchase",
        zh({"合同价款": "本合同总价款为人民币壹拾贰万叁仟肆佰伍拾陆元伍角整，为含税价。"}),
        [],
        {"amount": CNY_123456_50},
    ),
    Case(
        "capitals a bank would refuse (伍分 right after 元, no 零)",
        "purchase",
        zh({"合同价款": "本合同总价款为¥120,000.05（大写：人民币壹拾贰万元伍分）。"}),
        [("amount_words_invalid", "合同价款")],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.story for c in CASES])
def test_story(rules: RiskRules, case: Case) -> None:
    flags = check(rules, contract_type=case.contract_type, text=case.draft.text, fields=case.fields)
    expected = [(code, None if t is None else case.draft.clause(t)) for code, t in case.expected]
    assert sorted([(f.code, f.clause) for f in flags], key=str) == sorted(expected, key=str)


# --- what a flag tells the reviewer --------------------------------------------------


def test_a_phrase_flag_names_severity_clause_text_and_why(rules: RiskRules) -> None:
    draft = zh({"违约责任": "乙方违反本合同约定的，应对甲方的全部损失承担无限连带责任。"})
    [flag] = check(rules, contract_type="purchase", text=draft.text)
    assert flag.severity == "high"
    assert flag.clause == 6
    assert flag.text == "乙方违反本合同约定的，应对甲方的全部损失承担无限连带责任。"
    assert flag.message.startswith("Clause 6 (违约责任) contains “无限连带责任”; ")
    assert "uncapped" in flag.message


def test_a_missing_clause_has_no_clause_and_no_text(rules: RiskRules) -> None:
    [flag] = check(rules, contract_type="purchase", text=zh({"知识产权": None}).text)
    assert flag.to_dict() == {
        "code": "missing_clause:ip",
        "severity": "high",
        "clause": None,
        "text": "",
        "message": flag.message,
    }
    assert "no intellectual property clause" in flag.message


def test_payment_flag_says_how_long_and_the_limit(rules: RiskRules) -> None:
    draft = zh({"付款方式": "甲方在收到乙方开具的合法有效发票之日起90日内支付全部价款。"})
    [flag] = check(rules, contract_type="purchase", text=draft.text)
    assert flag.severity == "medium"
    assert flag.text == "甲方在收到乙方开具的合法有效发票之日起90日内支付全部价款。"
    assert "payment term of 90 days, beyond the limit of 60 days" in flag.message


def test_payment_flag_from_fields_quotes_the_field(rules: RiskRules) -> None:
    draft = zh({"付款方式": "甲方在验收合格后支付全部价款。"})
    [flag] = check(rules, contract_type="purchase", text=draft.text, fields={"payment_days": 90})
    assert (flag.clause, flag.text) == (None, "payment_days = 90")


def test_amount_flag_shows_both_amounts(rules: RiskRules) -> None:
    draft = zh({"合同价款": "本合同总价款为人民币壹拾贰万元整（¥123,456.50），为含税价。"})
    [flag] = check(rules, contract_type="purchase", text=draft.text)
    assert flag.severity == "high"
    assert "¥120,000.00 in capitals" in flag.message
    assert "¥123,456.50 in figures" in flag.message
    assert "人民币壹拾贰万元整（¥123,456.50）" in flag.text


def test_long_clause_text_is_shortened_around_the_phrase(rules: RiskRules) -> None:
    padding = "乙方应按照甲方的要求提供售后服务并承担相应费用，" * 8
    draft = zh({"违约责任": padding + "并对甲方承担无限连带责任，" + padding + "。"})
    [flag] = check(rules, contract_type="purchase", text=draft.text)
    assert len(flag.text) <= 122
    assert "无限连带责任" in flag.text
    assert flag.text.startswith("…") and flag.text.endswith("…")


def test_flags_come_worst_first(rules: RiskRules) -> None:
    draft = zh(
        {
            "付款方式": "甲方在收到发票之日起90日内支付全部价款。",
            "知识产权": None,
            "合同期限": "本合同期满后自动续约一年。本合同的最终解释权归乙方所有。",
        }
    )
    flags = check(rules, contract_type="purchase", text=draft.text)
    assert [f.severity for f in flags] == ["high", "medium", "medium", "low"]
    assert highest_severity(flags) == "high"
    assert highest_severity([]) is None


def test_flags_survive_storage(rules: RiskRules) -> None:
    flags = check(rules, contract_type="purchase", text=zh({"知识产权": None}).text)
    assert [RiskFlag.from_dict(f.to_dict()) for f in flags] == flags
    with pytest.raises(InvalidInput):
        RiskFlag.from_dict(
            {"code": "x", "severity": "fatal", "clause": 1, "text": "", "message": ""}
        )


def test_an_unknown_contract_type_is_refused(rules: RiskRules) -> None:
    with pytest.raises(InvalidInput, match="unknown contract type 'loan'"):
        check(rules, contract_type="loan", text=zh().text)


# --- drafts rendered from the shipped templates --------------------------------------


@dataclass(frozen=True)
class Rendered:
    contract_type: str
    text: str
    fields: dict[str, Any]
    template_text: str
    standard: tuple[int, ...]
    field_specs: tuple[Any, ...] = ()


def render(name: str, tmp: Path) -> Rendered:
    """A clean draft of template ``name`` from its sample values, as drafting makes it."""
    spec = load_schema(TEMPLATES / f"{name}.toml")
    values, problems = validate_values(spec, spec.sample, resolve_party=None)
    assert problems == []
    out = tmp / f"{name}.docx"
    company = Company(name="上海我们科技有限公司").as_dict()
    Renderer(TEMPLATES / f"{name}.docx").render(to_context(values, company), out)
    return Rendered(
        spec.type,
        docx_text(out),
        jsonable(values),
        docx_text(TEMPLATES / f"{name}.docx"),
        spec.standard_clauses,
        spec.fields,
    )


@pytest.fixture(scope="module")
def purchase_zh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rendered]:
    yield render("purchase-zh", tmp_path_factory.mktemp("drafts"))


def check_draft(
    rules: RiskRules,
    draft: Rendered,
    text: str | None = None,
    fields: dict[str, Any] | None = None,
) -> list[RiskFlag]:
    return check(
        rules,
        contract_type=draft.contract_type,
        text=draft.text if text is None else text,
        fields=draft.fields if fields is None else fields,
        template_text=draft.template_text,
        standard_clauses=draft.standard,
        field_specs=draft.field_specs,
    )


def test_a_deposit_over_a_fifth_of_the_price_is_a_high_flag_naming_the_article(
    rules: RiskRules, purchase_zh: Rendered
) -> None:
    """民法典第五百八十六条: a deposit (定金) above 20% of the price has no effect as a
    deposit for the excess. The template's schema states it; submit flags it high."""
    price = purchase_zh.fields["amount"]
    assert price["currency"] == "CNY"
    fifth = price["minor"] // 5
    at_limit = {**purchase_zh.fields, "deposit_amount": {"minor": fifth, "currency": "CNY"}}
    assert check_draft(rules, purchase_zh, fields=at_limit) == []
    over = {**purchase_zh.fields, "deposit_amount": {"minor": fifth + 1, "currency": "CNY"}}
    [flag] = check_draft(rules, purchase_zh, fields=over)
    assert (flag.code, flag.severity, flag.clause) == (
        "over_legal_limit:deposit_amount",
        "high",
        None,
    )
    assert "民法典第五百八十六条" in flag.message and "at most 20%" in flag.message
    assert "定金金额" in flag.message and "20.0%" in flag.message
    elsewhere = {**over, "deposit_amount": {"minor": price["minor"], "currency": "USD"}}
    assert check_draft(rules, purchase_zh, fields=elsewhere) == []  # never across currencies


def test_a_clean_draft_of_purchase_zh_passes_our_own_rules(
    rules: RiskRules, purchase_zh: Rendered
) -> None:
    assert "第十一条 知识产权" in purchase_zh.text  # really the rendered draft
    assert check_draft(rules, purchase_zh) == []


@pytest.mark.parametrize(
    "name",
    [p.stem for p in sorted(TEMPLATES.glob("*.toml"))],
)
def test_a_clean_draft_of_every_shipped_template_passes(
    rules: RiskRules, name: str, tmp_path: Path
) -> None:
    assert check_draft(rules, render(name, tmp_path)) == []


def test_an_edited_standard_clause_is_nonstandard(rules: RiskRules, purchase_zh: Rendered) -> None:
    original = "在本合同终止后三年内持续有效"
    assert original in purchase_zh.text
    edited = purchase_zh.text.replace(original, "在本合同终止后一年内持续有效")
    [flag] = check_draft(rules, purchase_zh, edited)
    assert (flag.code, flag.severity, flag.clause) == ("nonstandard_clause", "medium", 12)
    assert flag.text == (
        "12.2 本条约定的保密义务不因本合同的变更、解除或终止而失效，在本合同终止后一年内持续有效。"
    )
    assert flag.message.startswith("Clause 12 (保密) differs from the template's standard wording")


def test_unlimited_liability_added_to_a_standard_clause_raises_both(
    rules: RiskRules, purchase_zh: Rendered
) -> None:
    original = "乙方应负责处理并承担全部责任"
    edited = purchase_zh.text.replace(original, "乙方应负责处理并承担无限连带责任")
    flags = check_draft(rules, purchase_zh, edited)
    assert [(f.code, f.clause) for f in flags] == [
        ("forbidden:unlimited_liability", 11),
        ("nonstandard_clause", 11),
    ]


def test_capitals_edited_in_a_draft_disagree_with_the_figures(
    rules: RiskRules, purchase_zh: Rendered
) -> None:
    edited = purchase_zh.text.replace("人民币贰拾万柒仟壹佰贰拾贰元整", "人民币贰拾万柒仟元整")
    [flag] = check_draft(rules, purchase_zh, edited)
    assert (flag.code, flag.clause) == ("amount_words_mismatch", 2)
    assert "states ¥207,000.00 in capitals" in flag.message
    assert "but ¥207,122.00 in figures" in flag.message


def test_a_longer_payment_term_in_the_draft_fields_and_text(
    rules: RiskRules, purchase_zh: Rendered
) -> None:
    edited = purchase_zh.text.replace("之日起30日内", "之日起90日内")
    fields = {**purchase_zh.fields, "payment_days": 90}
    flags = check(
        rules,
        contract_type="purchase",
        text=edited,
        fields=fields,
        template_text=purchase_zh.template_text,
        standard_clauses=purchase_zh.standard,
    )
    assert [(f.code, f.clause) for f in flags] == [("payment_terms_too_long", 3)]


# --- the rule file ---------------------------------------------------------------------


def test_the_shipped_rules_load_and_are_hashed(rules: RiskRules) -> None:
    assert rules.source == "rules/risk.toml"
    assert rules.source_hash == hashlib.sha256(SHIPPED_RULES.read_bytes()).hexdigest()
    assert {
        "missing_clause:ip",
        "missing_clause:confidentiality",
        "missing_clause:liability",
        "missing_clause:dispute_resolution",
        "forbidden:unlimited_liability",
        "forbidden:auto_renewal_without_notice",
        "payment_terms_too_long",
        "amount_words_mismatch",
        "nonstandard_clause",
    } <= rules.codes()
    severities = [r.severity for r in rules.required_clauses] + [p.severity for p in rules.phrases]
    assert set(severities) <= set(SEVERITIES)


def test_a_rule_file_with_only_a_version_checks_nothing(tmp_path: Path) -> None:
    path = tmp_path / "risk.toml"
    path.write_text("version = 1\n", encoding="utf-8")
    empty = load_risk_rules(path)
    assert empty.codes() == frozenset()
    assert check(empty, contract_type="purchase", text="随便什么文字") == []


TWO_PHRASES = """\
version = 1

# the first rule is fine
[[phrase]]
id = "first"
severity = "low"
patterns = ['甲']

[[phrase]]
id = "second"
severity = "low"
patterns = [
  '乙',
  '{pattern}',
]
"""

RULE_FILE_ERRORS = [
    # (what is wrong, file text, line, message fragment)
    (
        "an unknown table",
        "version = 1\n\n[payment_term]\nmax_days = 60\nseverity = 'low'\n",
        3,
        "payment_term: unknown key",
    ),
    (
        "an unknown key in the second of two rules",
        TWO_PHRASES.format(pattern="丙") + "sevrity = 'low'\n",
        16,
        "phrase 'second' -> sevrity: unknown key (expected one of: id, patterns,",
    ),
    (
        "a bad regex, on its own line of a list",
        TWO_PHRASES.format(pattern="丙("),
        14,
        "phrase 'second' -> patterns: bad regular expression '丙(': missing ),",
    ),
    (
        "a regex that matches empty text",
        TWO_PHRASES.format(pattern="丙*"),
        14,
        "phrase 'second' -> patterns: '丙*' matches empty text",
    ),
    (
        "an unknown contract type",
        "version = 1\n[[required_clause]]\nid = 'ip'\ntypes = ['purchase', 'leasing']\n"
        "severity = 'high'\npatterns = ['知识产权']\n",
        4,
        "required_clause 'ip' -> types: 'leasing' is not a contract type",
    ),
    (
        "a number written as text",
        "version = 1\n\n[payment_terms]\nseverity = 'medium'\nmax_days = '60'\n",
        5,
        "payment_terms -> max_days: expected a whole number of days; got '60'",
    ),
    (
        "patterns given as one string instead of a list",
        "version = 1\n[[required_clause]]\nid = 'ip'\nseverity = 'high'\npatterns = '知识产权'\n",
        5,
        "required_clause 'ip' -> patterns: expected a list of regular expressions, got '知识产权'",
    ),
    (
        "a severity that does not exist",
        "version = 1\n[amount_words]\nseverity = 'critical'\n",
        3,
        "amount_words -> severity: expected one of low, medium, high; got 'critical'",
    ),
    (
        "a severity given as a number",
        "version = 1\n[nonstandard]\nseverity = 3\n",
        3,
        "nonstandard -> severity: expected one of low, medium, high; got 3",
    ),
    (
        "the same id twice",
        TWO_PHRASES.format(pattern="丙").replace('id = "second"', 'id = "first"'),
        10,
        "phrase 'first' -> id: declared twice",
    ),
    (
        "an id that cannot be a flag code",
        TWO_PHRASES.format(pattern="丙").replace('id = "second"', 'id = "Second Rule"'),
        10,
        "phrase 'Second Rule' -> id: 'Second Rule': use lower-case letters",
    ),
    (
        "a rule without patterns",
        "version = 1\n\n[[required_clause]]\nid = 'ip'\nseverity = 'high'\n",
        3,
        "required_clause 'ip': patterns is required",
    ),
    (
        "an extra payment pattern without a days group",
        "version = 1\n[payment_terms]\nmax_days = 60\nseverity = 'low'\n"
        "extra_patterns = ['账期\\d+天']\n",
        5,
        "needs a (?P<days>...) group capturing the number of days",
    ),
    (
        "a single [phrase] table instead of [[phrase]]",
        "version = 1\n\n[phrase]\nid = 'x'\n",
        3,
        "phrase: write each rule as a [[phrase]] table",
    ),
    (
        "a rule format from the future",
        "# risk rules\nversion = 2\n",
        2,
        "version: expected 1 (the rule format this contractctl reads), got 2",
    ),
    (
        "broken TOML",
        "version = 1\n[[phrase]]\nid = 'x'\nseverity = = 'low'\n",
        4,
        "invalid TOML",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [case[1:] for case in RULE_FILE_ERRORS],
    ids=[case[0] for case in RULE_FILE_ERRORS],
)
def test_every_rule_file_mistake_names_file_and_line(
    tmp_path: Path, text: str, line: int, fragment: str
) -> None:
    path = tmp_path / "risk.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_risk_rules(path, display="rules/risk.toml")
    message = str(caught.value)
    assert message.startswith(f"rules/risk.toml:{line}: "), message
    assert fragment in message, message


def test_a_missing_rule_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"rules/risk.toml: file not found"):
        load_risk_rules(tmp_path / "risk.toml", display="rules/risk.toml")
