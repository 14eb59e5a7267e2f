"""A schema skeleton for the blanks of a Word contract: names, types, samples.

Each blank :mod:`~contractctl.drafting.blanks` finds becomes a field. Its name is an
ASCII identifier made from the label (no pinyin: a small vocabulary of contract words,
``甲方`` + ``地址`` -> ``party_a_address``), else a numbered one by type (``amount_1``,
``date_2``, ``field_3``); the label itself is kept as the field's ``label``, and the text
around the blank as its ``help``, so legal can find it in Word. Types are guessed from
the label: a party role alone (甲方, 出卖人...) is the party's name, 金额/价款/租金... is
money, 日期 and ``年 月 日`` are dates, ``□是 □否`` is a yes/no boolean, anything else is
text. Every field gets a plausible, distinct sample value, so `template preview` and a
draft with the samples show each one on the page.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from contractctl.drafting.blanks import Blank

#: Party roles, longest first where one contains another.
ROLES: tuple[tuple[str, str], ...] = (
    ("甲方", "party_a"), ("乙方", "party_b"), ("丙方", "party_c"), ("丁方", "party_d"),
    ("出卖人", "seller"), ("卖方", "seller"), ("供方", "supplier"), ("买受人", "buyer"),
    ("买方", "buyer"), ("需方", "purchaser"), ("出租人", "lessor"), ("承租人", "lessee"),
    ("委托人", "principal"), ("受托人", "trustee"), ("发包人", "employer"),
    ("承包人", "contractor"), ("贷款人", "lender"), ("借款人", "borrower"),
    ("出借人", "lender"), ("保证人", "guarantor"), ("出让人", "transferor"),
    ("受让人", "transferee"), ("托运人", "shipper"), ("承运人", "carrier"),
    ("收货人", "consignee"), ("存货人", "depositor"), ("保管人", "custodian"),
    ("定作人", "orderer"), ("承揽人", "maker"), ("中介人", "intermediary"),
    ("旅行社", "travel_agency"), ("旅游者", "tourist"), ("投保人", "policyholder"),
    ("被保险人", "insured"), ("抵押人", "mortgagor"), ("抵押权人", "mortgagee"),
    ("用人单位", "employer"), ("劳动者", "employee"), ("服务方", "provider"),
    ("经纪人", "broker"), ("监理人", "supervisor"), ("设计人", "designer"),
)  # fmt: skip
#: Words of labels, longest first where one contains another.
WORDS: tuple[tuple[str, str], ...] = (
    ("统一社会信用代码", "uscc"), ("法定代表人", "legal_rep"), ("委托代理人", "agent"),
    ("身份证号码", "id_no"), ("身份证号", "id_no"), ("证件号码", "id_no"),
    ("通讯地址", "address"), ("联系地址", "address"), ("邮政编码", "postcode"),
    ("联系电话", "phone"), ("电子邮箱", "email"), ("开户银行", "bank"), ("开户行", "bank"),
    ("签订地点", "sign_place"), ("签订日期", "sign_date"), ("签订时间", "sign_date"),
    ("合同编号", "contract_no"), ("违约金", "penalty"), ("保证金", "security_deposit"),
    ("负责人", "representative"), ("代理人", "agent"), ("联系人", "contact"),
    ("名称", "name"), ("姓名", "name"), ("地址", "address"), ("住所", "address"),
    ("电话", "phone"), ("传真", "fax"), ("邮编", "postcode"), ("邮箱", "email"),
    ("账号", "account"), ("帐号", "account"), ("编号", "number"), ("数量", "quantity"),
    ("单价", "unit_price"), ("总价", "total_price"), ("价款", "price"), ("租金", "rent"),
    ("押金", "deposit"), ("定金", "deposit"), ("金额", "amount"), ("费用", "fee"),
    ("期限", "term"), ("地点", "place"), ("规格", "spec"), ("型号", "model"),
    ("单位", "unit"), ("品名", "product"), ("备注", "remarks"), ("面积", "area"),
    ("用途", "purpose"), ("日期", "date"), ("时间", "time"),
)  # fmt: skip
_MONEY = re.compile(
    r"金额|价款|总价|单价|租金|费用|价格|押金|保证金|定金|违约金|报酬|佣金|大写|小写|人民币"
)
_MONEY_AFTER = re.compile(r"^(元|万元|圆)")
_DATE = re.compile(r"日期|年月日")
_COUNT_AFTER = re.compile(
    r"^(份|日|天|个|月|年|%|％|倍|次|项|种|条|页|人|小时|周|公里|米|吨|件|台|辆)"
)
#: Words of a party's own details: after 甲方's name, 地址 is 甲方's address.
PARTY_DETAILS = frozenset(
    [
        "uscc",
        "legal_rep",
        "agent",
        "id_no",
        "address",
        "postcode",
        "phone",
        "email",
        "bank",
        "account",
        "representative",
        "contact",
        "fax",
    ]
)
_PARTY_TAIL = re.compile(r"^(（[^）]*）|\([^)]*\))?(名称|姓名)?(（[^）]*）|\([^)]*\))?$")
_COMPANIES = (
    "上海示例科技有限公司", "杭州样本贸易有限公司", "北京范例咨询有限公司",
    "广州模板实业有限公司", "南京示范物流有限公司", "成都样例建设有限公司",
)  # fmt: skip
_PEOPLE = ("张明", "李华", "王芳", "赵磊", "陈静", "刘洋")


@dataclass
class SkeletonField:
    """One field of the skeleton, with its guessed type and sample value."""

    name: str
    type: str
    label: str
    help: str
    sample: object
    tag: str


@dataclass
class Skeleton:
    """The fields guessed so far, in the order their blanks appear."""

    fields: list[SkeletonField] = field(default_factory=list)
    _counts: dict[str, int] = field(default_factory=dict)
    _roles: dict[str, int] = field(default_factory=dict)
    _party: str = ""  # the party whose details are being listed

    def name_blank(self, blank: Blank) -> str:
        """Add a field for ``blank``; returns the tag to put in its place (a ``Namer``)."""
        kind, slug = guess(blank)
        if kind == "party":
            self._party = slug.removesuffix("_name")
        elif slug in PARTY_DETAILS and self._party:
            slug = f"{self._party}_{slug}"
        elif not slug.startswith(tuple(f"{role}_" for _, role in ROLES)):
            self._party = ""  # a party's details are listed together
        name = self._unique(
            slug or {"money": "amount", "date": "date", "boolean": "choice"}.get(kind, "field"),
            numbered=not slug,
        )
        label = blank.label or blank.context
        number = len(self.fields) + 1
        sample = self._sample(kind, name, slug or "", number)
        shown_kind = "text" if kind == "party" else kind
        spec = SkeletonField(
            name, shown_kind, label, blank.context, sample, _tag(kind, name, blank)
        )
        self.fields.append(spec)
        return spec.tag

    def _unique(self, base: str, *, numbered: bool) -> str:
        count = self._counts.get(base, 0) + 1
        self._counts[base] = count
        if numbered:
            return f"{base}_{count}"
        return base if count == 1 else f"{base}_{count}"

    def _sample(self, kind: str, name: str, slug: str, number: int) -> object:
        if kind == "party":
            role = slug.removesuffix("_name")
            index = self._roles.setdefault(role, len(self._roles))
            return _COMPANIES[index % len(_COMPANIES)] + ("" if index < 6 else str(index))
        if kind == "money":
            return f"{10000 + number * 100}.00"
        if kind == "date":
            return date(2026, 12, 7) + timedelta(days=number)
        if kind == "boolean":
            return number % 2 == 1
        return _text_sample(slug, number)


def guess(blank: Blank) -> tuple[str, str]:
    """(kind, slug) for a blank: kind is party, money, date, boolean or text; slug may be ""."""
    label = blank.label
    if blank.kind == "checkbox":
        return "boolean", ""
    role, rest = _role(label)
    attribute = _word(rest if role else label)
    if blank.kind == "date" or (_DATE.search(label) and not re.search(r"期限|天|日内", label)):
        return "date", (f"{role}_{attribute}" if role and attribute else "") or (
            "sign_date" if "签" in label else ""
        )
    if _MONEY.search(label) or _MONEY_AFTER.match(blank.after):
        slug = attribute if attribute in {"price", "rent", "deposit", "penalty", "fee"} else ""
        return "money", f"{role}_{slug}" if role and slug else slug
    if _COUNT_AFTER.match(blank.after):
        return "text", ""
    if role and _PARTY_TAIL.match(rest):
        return "party", f"{role}_name"
    if role and attribute:
        return "text", f"{role}_{attribute}"
    if attribute and attribute not in {"date", "time"}:
        return "text", attribute
    return "text", ""


def _role(label: str) -> tuple[str, str]:
    for word, slug in ROLES:
        if label.startswith(word):
            return slug, label[len(word) :]
    return "", label


def _word(label: str) -> str:
    for word, slug in WORDS:
        if word in label:
            return slug
    return ""


def _tag(kind: str, name: str, blank: Blank) -> str:
    if kind == "boolean":
        yes, no = ("有", "无") if "有" in blank.text else ("是", "否")
        return f"{{{{ '■{yes} □{no}' if {name} else '□{yes} ■{no}' }}}}"
    if kind == "date":
        return f"{{{{ {name}|date_cn }}}}"
    if kind == "money":
        return f"{{{{ {name}|{'cn_upper' if '大写' in blank.label else 'money'} }}}}"
    return f"{{{{ {name} }}}}"


def _text_sample(slug: str, number: int) -> str:
    attribute = slug.rsplit("_", 1)[-1] if slug else ""
    person = _PEOPLE[number % len(_PEOPLE)]
    samples = {
        "address": f"上海市浦东新区示例路{number}号",
        "phone": f"021-5555{number:04d}",
        "fax": f"021-6666{number:04d}",
        "postcode": f"2001{number % 100:02d}",
        "email": f"contact{number}@example.cn",
        "bank": "中国工商银行上海示例支行",
        "account": f"62220210{number:08d}",
        "uscc": f"913101157{number:08d}X",
        "no": f"31010119800101{number:04d}",
        "rep": person,
        "agent": person,
        "contact": person,
        "representative": person,
        "place": "上海市浦东新区",
        "number": f"HT-2026-{number:04d}",
    }
    if slug == "contract_no":
        return f"HT-2026-{number:04d}"
    if slug.endswith("_name") or slug == "name":
        return person
    return samples.get(attribute, f"示例{number}")


def schema_toml(
    skeleton: Skeleton,
    *,
    name: str,
    version: int,
    ctype: str,
    language: str,
    title: str,
    description: str,
) -> str:
    """The skeleton as a template schema (the format of templates/*.toml)."""
    q = _quote
    lines = [
        "# Made by `contractctl template from-docx`: review names, types, labels and samples.",
        "",
        "[template]",
        f"name = {q(name)}",
        f"version = {version}",
        f"type = {q(ctype)}",
        f"language = {q(language)}",
        f"title = {q(title)}",
        f"description = {q(description)}",
        'signatories = ["company", "counterparty"]',
        "standard_clauses = []",
    ]
    for spec in skeleton.fields:
        lines += [
            "",
            "[[fields]]",
            f"name = {q(spec.name)}",
            f"type = {q(spec.type)}",
            "required = true",
            f"label = {{ zh = {q(spec.label)} }}",
            f"help = {q(spec.help)}",
        ]
        if spec.type == "money":
            lines.append('currency = "CNY"')
    lines += ["", "[sample]"]
    for spec in skeleton.fields:
        lines.append(f"{spec.name} = {_value(spec.sample)}")
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return _quote(str(value))
