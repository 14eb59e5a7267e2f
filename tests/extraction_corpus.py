"""An evaluation set for metadata extraction: contracts with their true metadata.

:func:`generate` writes ``count`` contracts from a seed - the same seed, the same texts -
each with a :class:`Truth` drawn first and then expressed in one of many wordings, in
Chinese or English: titles and party blocks of several shapes (label lines, values that
pdftotext put after all the labels, "between X ("Buyer") and Y", 以下简称, numbered
BETWEEN lists), amounts in figures and/or capitals (sometimes disagreeing), in 万 (12.5万元),
in lower-case numerals (十二万元) and in English words ("One Hundred Twenty Thousand US
Dollars (USD 120,000.00)"), dates in every common form (二零二四年, "the first day of March,
2024", and ambiguous 03/05/2026 ones, whose truth is "flagged, no value"; two-digit years
such as 24年3月1日 keep their value but must come back flagged ``two_digit_year``), terms,
renewal with and without notice periods, governing law, and distractors that a careless
extractor takes for those: deposits, monthly rent, penalties, warranty periods,
confidentiality that survives, termination notices, delivery dates, statute names.

``noise`` renders the same document as DOCX text (``clean``: one paragraph per line), as a
PDF text layer (``pdf``: wrapped lines, spaces between CJK characters, page footers and
running headers, values cut by line ends) or as OCR output (``ocr``: that, plus mixed
full- and half-width punctuation, stray marks and O-for-0 in credit codes). The noise
never changes a value, so the truth holds for every rendering.

:func:`evaluate` scores an extractor per field: precision (of the values it gave, how
many are right) and recall (of the true values, how many it gave).
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final

from contractctl import uscc
from contractctl.dates import add_months
from contractctl.metadata import Metadata, Term, extract_metadata, name_key
from contractctl.money import Money, to_chinese_upper

NOISES = ("clean", "pdf", "ocr")
DATE_FIELDS = ("signed_date", "effective_date", "expiry_date")
SCALAR_FIELDS = (
    "title",
    "amount",
    *DATE_FIELDS,
    "term",
    "auto_renewal",
    "notice_days",
    "governing_law",
    "contract_type",
)


@dataclass(frozen=True)
class Truth:
    """What a generated contract really says. A date written ambiguously has the value
    None here and its field name in ``ambiguous``; so do the values derived from it."""

    language: str
    title: str
    contract_type: str
    parties: tuple[tuple[str, str, str | None], ...]  # (role, name, credit code)
    amount: Money | None
    amount_disagrees: bool
    signed_date: date | None
    effective_date: date | None
    expiry_date: date | None
    term: Term | None
    auto_renewal: bool | None
    notice_days: int | None
    governing_law: str | None
    ambiguous: frozenset[str] = frozenset()
    two_digit: frozenset[str] = frozenset()  # dates written with a two-digit year


@dataclass(frozen=True)
class Sample:
    """One generated contract: its text as rendered, a file name, and the truth."""

    text: str
    filename: str
    truth: Truth
    noise: str
    wording: tuple[str, ...] = ()


# --- vocabulary ---------------------------------------------------------------------------

ZH_CITIES = ["上海", "北京", "深圳", "杭州", "苏州", "广州", "成都", "武汉", "南京", "天津", "西安"]
ZH_CORES = [
    "云杉",
    "智衡",
    "恒泰",
    "瑞拓",
    "华信",
    "博远",
    "金桥",
    "明德",
    "鼎盛",
    "天元",
    "中科",
    "新锐",
    "蓝海",
    "睿达",
    "嘉禾",
    "远航",
    "启明",
    "同创",
    "宏图",
    "清源",
]
ZH_TRADES = [
    "信息技术",
    "数据科技",
    "精密机械",
    "贸易",
    "物业管理",
    "建筑工程",
    "医疗器械",
    "电子科技",
    "供应链管理",
    "文化传媒",
    "软件",
    "环保科技",
    "置业",
    "咨询",
]
ZH_FORMS = ["有限公司", "股份有限公司", "有限责任公司", "集团有限公司"]
ZH_PEOPLE = ["张伟", "李娜", "王芳", "刘洋", "陈静", "杨磊", "赵敏", "黄晓明"]
EN_CORES = [
    "Acme",
    "Northwind",
    "Blue Harbor",
    "Evergreen",
    "Helios",
    "Summit",
    "Redwood",
    "Atlas",
    "Silverline",
    "Brightpath",
    "Oakridge",
    "Meridian",
    "Crescent",
    "Pioneer",
]
EN_TRADES = ["Trading", "Logistics", "Software", "Capital", "Systems", "Analytics", "Industries"]
EN_FORMS = ["Ltd.", "Limited", "Inc.", "LLC", "Corporation", "GmbH", "PLC", "Pte. Ltd."]
PINYIN_CITIES = ["Shanghai", "Beijing", "Shenzhen", "Hangzhou", "Suzhou", "Guangzhou"]
PINYIN_CORES = ["Yunshan", "Zhiheng", "Hengtai", "Ruituo", "Huaxin", "Boyuan", "Jinqiao"]
DIVISIONS = ["310115", "110108", "440300", "320594", "330106", "510107", "420106", "120116"]
ADDRESSES_ZH = [
    "浦东新区张江路1388号5楼",
    "海淀区中关村大街27号11层",
    "南山区科技南十二路28号A座9楼",
]
ADDRESSES_EN = ["12 King Street, London EC2V 8EA", "450 Park Avenue, New York, NY 10022"]

ZH_TITLES = [
    ("设备采购合同", "purchase"),
    ("原材料采购合同", "purchase"),
    ("办公用品采购协议", "purchase"),
    ("服务器采购合同", "purchase"),
    ("产品销售合同", "sales"),
    ("销售合同", "sales"),
    ("技术服务协议", "service"),
    ("软件开发合同", "service"),
    ("咨询服务合同", "service"),
    ("物业管理服务合同", "service"),
    ("设备维护保养合同", "service"),
    ("房屋租赁合同", "lease"),
    ("厂房租赁协议", "lease"),
    ("车辆租赁合同", "lease"),
    ("保密协议", "nda"),
    ("商业秘密保密协议", "nda"),
]
EN_TITLES = [
    ("PURCHASE AGREEMENT", "purchase"),
    ("Equipment Purchase Agreement", "purchase"),
    ("SALES CONTRACT", "sales"),
    ("MASTER SERVICES AGREEMENT", "service"),
    ("Consulting Services Agreement", "service"),
    ("SOFTWARE DEVELOPMENT AGREEMENT", "service"),
    ("SOFTWARE LICENSE AGREEMENT", "other"),
    ("OFFICE LEASE AGREEMENT", "lease"),
    ("Equipment Lease Agreement", "lease"),
    ("MUTUAL NON-DISCLOSURE AGREEMENT", "nda"),
    ("Confidentiality Agreement", "nda"),
]
ZH_LABELS = {
    "purchase": [
        ("甲方（买方）", "乙方（卖方）"),
        ("甲方", "乙方"),
        ("买方", "卖方"),
        ("需方", "供方"),
        ("采购方", "供应方"),
    ],
    "sales": [("甲方（卖方）", "乙方（买方）"), ("供方", "需方"), ("甲方", "乙方")],
    "service": [("甲方（委托方）", "乙方（服务方）"), ("委托方", "受托方"), ("甲方", "乙方")],
    "lease": [
        ("出租方（甲方）", "承租方（乙方）"),
        ("出租方", "承租方"),
        ("甲方（出租方）", "乙方（承租方）"),
    ],
    "nda": [("甲方", "乙方")],
}
EN_LABELS = {
    "purchase": [
        ("Party A (Buyer)", "Party B (Seller)"),
        ("Buyer", "Seller"),
        ("Purchaser", "Vendor"),
    ],
    "sales": [("Party A (Seller)", "Party B (Buyer)"), ("Seller", "Buyer")],
    "service": [
        ("Party A (Customer)", "Party B (Service Provider)"),
        ("Client", "Consultant"),
        ("Customer", "Supplier"),
    ],
    "lease": [("Landlord", "Tenant"), ("Lessor", "Lessee")],
    "nda": [("Party A", "Party B"), ("Disclosing Party", "Receiving Party")],
    "other": [("Licensor", "Licensee"), ("Party A", "Party B")],
}
ZH_LAWS = [
    (
        "本合同的订立、效力、解释、履行及争议解决均适用中华人民共和国法律（为本合同之目的，不包括香"
        "港特别行政区、"
        "澳门特别行政区和台湾地区的法律）。",
        "People's Republic of China",
    ),
    ("本合同受中华人民共和国法律管辖。", "People's Republic of China"),
    ("本合同适用中国法律。", "People's Republic of China"),
    ("本合同适用香港特别行政区法律。", "Hong Kong"),
]
EN_LAWS = [
    ("This Agreement is governed by the laws of England and Wales.", "England and Wales"),
    (
        "This Agreement shall be governed by and construed in accordance with the laws of the State"
        " "
        "of New York, without regard to its conflict of laws principles.",
        "New York",
    ),
    (
        "This Agreement is governed by and shall be construed in accordance with the laws of the "
        "People's Republic of China.",
        "People's Republic of China",
    ),
    ("Governing Law: the laws of Singapore.", "Singapore"),
    (
        "This Agreement is subject to English law and the Parties submit to the jurisdiction of the"
        " "
        "English courts.",
        "England and Wales",
    ),
    ("This Agreement shall be governed by the laws of Hong Kong SAR.", "Hong Kong"),
]
MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
CN_DIGITS = "〇一二三四五六七八九"
_ORDINAL_UNITS = [
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth",
]  # fmt: skip
EN_ORDINALS = {
    **{n: word for n, word in enumerate(_ORDINAL_UNITS, start=1)},
    20: "twentieth",
    30: "thirtieth",
    **{20 + n: f"twenty-{word}" for n, word in enumerate(_ORDINAL_UNITS[:9], start=1)},
    31: "thirty-first",
}
EN_NUMBERS = {
    1: "one",
    2: "two",
    3: "three",
    5: "five",
    6: "six",
    12: "twelve",
    15: "fifteen",
    18: "eighteen",
    24: "twenty-four",
    30: "thirty",
    36: "thirty-six",
    45: "forty-five",
    60: "sixty",
    90: "ninety",
}
ZH_NUMBERS = {
    1: "一",
    2: "两",
    3: "三",
    5: "五",
    6: "六",
    12: "十二",
    15: "十五",
    18: "十八",
    24: "二十四",
    30: "三十",
    36: "三十六",
    45: "四十五",
    60: "六十",
    90: "九十",
}

ZH_FILLER = [
    "乙方保证其具备履行本合同所需的营业执照、生产或经营许可及其他资质，并在合同履行期间持续有效。",
    "乙方应于{other_date}前（含当日）将全部货物交付至甲方指定地点，交货日期以甲方签收之日为准。",
    "货物的质量保证期为十二个月，自货物验收合格之日起计算。质量保证期内货物出现质量问题的，乙方应免"
    "费修理或更换。",
    "任何一方违反本合同约定的，应向守约方支付违约金{penalty}（大写：{penalty_caps}），违约金不足以"
    "弥补损失的，还应赔偿损失。",
    "任何一方可以提前三十日书面通知对方解除本合同，但应结清已发生的费用。",
    "双方对在履行本合同过程中知悉的对方商业秘密负有保密义务，该保密义务在本合同终止后三年内持续有效"
    "。",
    "因本合同引起的或者与本合同有关的任何争议，双方应友好协商解决；协商不成的，任何一方均有权向甲方"
    "所在地有管辖权的人民法院提起诉讼。",
    "因地震、火灾、洪水等不可抗力致使本合同不能履行的，受影响的一方应在不可抗力发生后五日内书面通知"
    "对方，并提供相应证明。",
    "本合同首部所列双方的地址、电子邮箱为双方有效的通知和送达地址。一方变更通知地址的，应提前五日书"
    "面通知对方。",
    "甲方应在收到乙方开具的合法有效发票之日起三十日内支付相应款项，逾期付款的，每逾期一日按应付金额"
    "的万分之五支付违约金。",
    "未经对方书面同意，任何一方不得将本合同项下的权利义务全部或部分转让给第三方。",
    "乙方应向甲方开具合法有效的增值税专用发票，税率为百分之十三。",
    "乙方在履行本合同过程中形成的全部工作成果的知识产权归甲方所有，乙方保证工作成果不侵犯任何第三方"
    "的合法权益。",
    "本合同未尽事宜，由双方另行协商并签订补充协议，补充协议与本合同具有同等法律效力。",
    "本合同一式肆份，甲方执贰份，乙方执贰份，每份具有同等法律效力。",
    "乙方应按照国家标准、行业标准及本合同约定的技术要求履行义务，甲方有权对乙方的履约情况进行检查。",
    "甲方应在货物到达交货地点后七个工作日内进行验收；验收不合格的，甲方有权拒收并书面通知乙方。",
    "乙方人员在甲方场所工作期间，应遵守甲方的安全管理制度；因乙方人员原因造成的人身伤害或财产损失，"
    "由乙方承担责任。",
    "乙方应对其提供的货物、服务及工作成果承担质量保证责任。质量保证期内，乙方应在接到甲方通知后二十"
    "四小时内响应，"
    "四十八小时内到达现场处理；乙方未按约定履行的，甲方有权自行或委托第三方处理，所需费用由乙方承担"
    "，甲方可从应付款项中直接扣除。",
    "双方应建立定期沟通机制，每月召开一次工作例会，就合同履行情况、存在的问题及改进措施进行沟通，并"
    "形成会议纪要，"
    "经双方代表签字确认后作为本合同履行的依据。会议纪要与本合同约定不一致的，以本合同为准。",
    "乙方应按照《中华人民共和国个人信息保护法》《中华人民共和国数据安全法》等法律法规的规定处理甲方"
    "提供的数据，"
    "不得超出本合同约定的目的和范围使用，不得向任何第三方提供，并应采取加密、访问控制等必要的安全措"
    "施。",
    "乙方不得将本合同项下的主要义务转包或分包给第三方；经甲方书面同意分包的，乙方应对分包方的行为承"
    "担连带责任，"
    "分包不免除乙方在本合同项下的任何义务和责任。",
    "甲方有权对乙方的履约情况进行考核，考核结果作为付款及续约的参考依据。考核不合格的，乙方应在十日"
    "内整改；"
    "连续两次考核不合格的，甲方有权解除本合同。",
    "发生不可抗力事件的，双方应协商确定是否继续履行本合同；不可抗力持续超过六十日，致使合同目的不能"
    "实现的，任何一方有权书面通知对方解除本合同，"
    "双方互不承担违约责任，但应结清已履行部分的费用。",
    "乙方应为其派驻人员缴纳社会保险并承担全部劳动报酬，乙方与其人员之间发生的劳动争议由乙方自行负责"
    "处理，与甲方无关。",
    "本合同的附件包括技术规格书、报价单、验收标准及双方确认的其他文件，附件是本合同不可分割的组成部"
    "分，与本合同具有同等法律效力；"
    "附件与本合同正文不一致的，以本合同正文为准。",
    "任何一方违反本合同约定的保密义务的，应赔偿对方因此遭受的全部损失，包括但不限于直接损失、律师费"
    "、诉讼费、公证费等合理费用。",
    "甲方应按照本合同的约定及时提供乙方履行本合同所需的资料、场地及其他必要的协助；甲方未及时提供的"
    "，乙方的履行期限相应顺延。",
]
EN_FILLER = [
    "Party B shall deliver the Goods no later than {other_date} to the delivery address notified by"
    " "
    "Party A in writing.",
    "The warranty period is twelve (12) months from Acceptance. During the warranty period the "
    "supplying Party shall repair or replace any defective item at its own cost.",
    "Either Party may terminate this Agreement for convenience on thirty (30) days' written notice "
    "to the other Party.",
    "The obligations of confidentiality under this Agreement survive its termination or expiry for "
    "five (5) years.",
    "Each Party's aggregate liability under this Agreement shall not exceed {cap}, except in the ca"
    "se "
    "of fraud or wilful misconduct.",
    "Neither Party is liable for any failure or delay in performance caused by events beyond its "
    "reasonable control, provided that it notifies the other Party within five (5) days.",
    "All notices shall be in writing and delivered by hand, by courier or by email to the address "
    "stated at the head of this Agreement.",
    "Neither Party may assign any of its rights or obligations under this Agreement without the "
    "prior written consent of the other Party.",
    "Invoices are payable within thirty (30) days after receipt. Late payments bear interest at "
    "0.05% per day.",
    "This Agreement constitutes the entire agreement between the Parties and supersedes all prior "
    "agreements and understandings relating to its subject matter.",
    "If any provision of this Agreement is held invalid or unenforceable, the remaining provisions "
    "remain in full force and effect.",
    "All intellectual property rights in the deliverables vest in the paying Party upon payment in "
    "full of the relevant fees.",
    "Any dispute arising out of or in connection with this Agreement shall be referred to and "
    "finally resolved by arbitration in accordance with the rules in force at the time.",
    "Each Party shall comply with all applicable anti-bribery and anti-corruption laws in "
    "connection with this Agreement.",
    "This Agreement may be executed in counterparts, each of which is deemed an original. "
    "Signatures delivered by PDF are as effective as original signatures.",
    "The Receiving Party shall notify the Disclosing Party in writing within twenty-four (24) hours"
    " "
    "after becoming aware of any unauthorized disclosure.",
    "Each Party represents and warrants that it is duly organized and validly existing under the la"
    "ws "
    "of its jurisdiction of incorporation, that it has full power and authority to enter into and "
    "perform this Agreement, and that this Agreement constitutes its legal, valid and binding "
    "obligations, enforceable in accordance with its terms.",
    "Each Party shall maintain, at its own cost, insurance with reputable insurers against such ris"
    "ks "
    "and in such amounts as are customary for a business of its kind, and shall provide evidence of"
    " "
    "such insurance upon reasonable request of the other Party.",
    "The supplying Party shall perform its obligations with the skill, care and diligence of a "
    "competent provider of similar goods and services, using appropriately qualified personnel, and"
    " "
    "in compliance with all applicable laws, regulations and industry standards.",
    "Each Party shall process personal data received under this Agreement only for the purposes of "
    "this Agreement and in compliance with applicable data protection laws, and shall implement "
    "appropriate technical and organizational measures to protect such data against unauthorized "
    "access, loss or disclosure.",
    "No failure or delay by a Party in exercising any right or remedy under this Agreement operates"
    " "
    "as a waiver of it, nor does any single or partial exercise of any right or remedy preclude any"
    " "
    "further exercise of it or of any other right or remedy.",
    "Nothing in this Agreement creates a partnership, joint venture, agency or employment "
    "relationship between the Parties, and neither Party has authority to bind the other Party in "
    "any way.",
    "Each Party shall keep complete and accurate records relating to this Agreement for at least "
    "three (3) years after its termination and shall permit the other Party's auditors to inspect "
    "such records on reasonable notice during normal business hours.",
    "The paying Party may withhold payment of any amount that it disputes in good faith, provided "
    "that it notifies the other Party of the reasons within ten (10) Business Days after receipt of"
    " "
    "the relevant invoice and pays the undisputed part.",
    "Any amendment to this Agreement shall be made in writing and signed by the authorized "
    "representatives of both Parties. Headings are for convenience only and do not affect "
    "interpretation.",
]


# --- values -------------------------------------------------------------------------------


def credit_code(rng: random.Random) -> str:
    """A valid 统一社会信用代码."""
    head = rng.choice(["91", "91", "91", "92", "93", "12", "52"]) + rng.choice(DIVISIONS)
    body = "MA" + "".join(rng.choice(uscc.ALPHABET) for _ in range(7))
    return uscc.complete(head + body)


def zh_company(rng: random.Random) -> str:
    return (
        rng.choice(ZH_CITIES) + rng.choice(ZH_CORES) + rng.choice(ZH_TRADES) + rng.choice(ZH_FORMS)
    )


def en_company(rng: random.Random) -> tuple[str, bool]:
    """An English company name, and whether it is a Chinese company (has a credit code)."""
    if rng.random() < 0.35:
        name = f"{rng.choice(PINYIN_CITIES)} {rng.choice(PINYIN_CORES)} {rng.choice(EN_TRADES)}"
        return name + rng.choice([" Co., Ltd.", " Co., Ltd.", " Company Limited"]), True
    name = f"{rng.choice(EN_CORES)} {rng.choice(EN_TRADES)} {rng.choice(EN_FORMS)}"
    return (name.upper() if rng.random() < 0.1 else name), False


def some_money(rng: random.Random, currency: str) -> Money:
    kind = rng.random()
    if kind < 0.4:
        major = rng.randrange(1, 500) * 10_000
    elif kind < 0.8:
        major = rng.randrange(5_000, 9_000_000)
    else:
        major = rng.randrange(100, 50_000) * 100
    cents = rng.randrange(1, 100) if rng.random() < 0.2 else 0
    return Money(major * 100 + cents, currency)


def plain_figures(money: Money, *, grouped: bool = True, decimals: bool = True) -> str:
    whole, cents = divmod(money.minor, 100)
    text = f"{whole:,}" if grouped else str(whole)
    if decimals or cents:
        text += f".{cents:02d}"
    return text


def zh_figures(rng: random.Random, money: Money) -> str:
    """The amount in figures as a Chinese contract writes it."""
    plain = plain_figures(money, grouped=rng.random() < 0.85, decimals=rng.random() < 0.8)
    if money.currency == "USD":
        return rng.choice([f"USD {plain}", f"US${plain}", f"{plain}美元"])
    whole, cents = divmod(money.minor, 100)
    forms = [
        f"¥{plain}",
        f"￥{plain}",
        f"{plain}元",
        f"人民币{plain}元",
        f"RMB {plain}",
        f"CNY{plain}",
    ]
    if cents == 0 and whole % 10_000 == 0 and whole >= 10_000:
        forms.append(f"{whole // 10_000}万元")
    elif cents == 0 and whole % 100 == 0 and whole >= 10_000:
        wan = f"{whole // 10_000}.{whole % 10_000 // 100:02d}".rstrip("0")
        forms.append(rng.choice([f"{wan}万元", f"人民币 {wan} 万元"]))
    return rng.choice(forms)


_LOWER: Final = str.maketrans("零壹贰叁肆伍陆柒捌玖拾佰仟", "零一二三四五六七八九十百千")


def zh_lower(money: Money) -> str | None:
    """A whole CNY amount in lower-case numerals (十二万元, 一百二十万零五百元), else None."""
    if money.currency != "CNY" or money.minor % 100:
        return None
    text = to_chinese_upper(money, prefix=False).translate(_LOWER).removesuffix("整")
    return text[1:] if text.startswith("一十") else text


_EN_SMALL = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]  # fmt: skip
_EN_TENS = ["-", "-", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def en_words(number: int) -> str:
    """1234567 → "one million two hundred thirty-four thousand five hundred sixty-seven"."""
    if number == 0:
        return "zero"
    parts: list[str] = []
    for scale, name in ((10**9, "billion"), (10**6, "million"), (10**3, "thousand"), (1, "")):
        group, number = divmod(number, scale)
        if not group:
            continue
        hundreds, rest = divmod(group, 100)
        words = [f"{_EN_SMALL[hundreds]} hundred"] if hundreds else []
        if rest >= 20:
            tens, unit = divmod(rest, 10)
            words.append(_EN_TENS[tens] + (f"-{_EN_SMALL[unit]}" if unit else ""))
        elif rest:
            words.append(_EN_SMALL[rest])
        parts.append(" ".join(words) + (f" {name}" if name else ""))
    return " ".join(parts)


def en_money_words(rng: random.Random, money: Money) -> str:
    """The amount in words as an English contract spells it, currency included."""
    whole, cents = divmod(money.minor, 100)
    words = en_words(whole)
    if rng.random() < 0.7:
        words = words.title()
    name = {
        "USD": rng.choice(["US Dollars", "United States Dollars", "Dollars"]),
        "EUR": "Euros",
        "GBP": "Pounds Sterling",
        "CNY": rng.choice(["Renminbi Yuan", "Yuan"]),
    }[money.currency]
    if cents:
        return f"{words} and {cents:02d}/100 {name}"
    return f"{words} {name}"


def en_figures(rng: random.Random, money: Money) -> str:
    plain = plain_figures(money, decimals=rng.random() < 0.7)
    whole, cents = divmod(money.minor, 100)
    if whole >= 1_000_000 and whole % 10_000 == 0 and not cents and rng.random() < 0.3:
        plain = f"{whole // 1_000_000}.{whole % 1_000_000 // 10_000:02d}".rstrip("0").rstrip(".")
        plain += rng.choice([" million", " mn"])  # USD 1.25 million
    if money.currency == "USD":
        return rng.choice([f"USD {plain}", f"US${plain}", f"${plain}", f"USD{plain}"])
    if money.currency == "EUR":
        return rng.choice([f"EUR {plain}", f"€{plain}"])
    if money.currency == "GBP":
        return rng.choice([f"GBP {plain}", f"£{plain}"])
    return rng.choice([f"RMB {plain}", f"CNY {plain}", f"RMB{plain}"])


def capitals(rng: random.Random, money: Money) -> str:
    text = to_chinese_upper(money, prefix=money.currency != "CNY" or rng.random() < 0.8)
    return text


def different_money(rng: random.Random, money: Money) -> Money:
    """A plausible typo of ``money``: one digit changed."""
    while True:
        delta = rng.choice([1, 10, 100, 1000, 10_000, 100_000]) * 100 * rng.choice([1, 2, 9])
        other = (
            money.minor + delta
            if rng.random() < 0.5 or money.minor <= delta
            else money.minor - delta
        )
        if other > 0 and other != money.minor:
            return Money(other, money.currency)


def zh_date(d: date, style: str) -> str:
    if style in ("cn", "cn0"):
        year = "".join(CN_DIGITS[int(c)] for c in str(d.year))
        if style == "cn0":
            year = year.replace("〇", "零")
        return f"{year}年{_cn_small(d.month)}月{_cn_small(d.day)}日"
    if style == "yy":
        return f"{d.year % 100:02d}年{d.month}月{d.day}日"
    if style == "iso":
        return d.isoformat()
    if style == "dot":
        return f"{d.year}.{d.month}.{d.day}"
    if style == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    return f"{d.year}年{d.month}月{d.day}日"


def _cn_small(n: int) -> str:
    tens, units = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CN_DIGITS[tens] + "十")
    return head + (CN_DIGITS[units] if units else "")


def en_date(d: date, style: str) -> str:
    month = MONTHS_EN[d.month - 1]
    if style == "dmy":
        return f"{d.day} {month} {d.year}"
    if style == "iso":
        return d.isoformat()
    if style in ("ordinal", "ordinal-nocomma"):
        suffix = "th" if 11 <= d.day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d.day % 10, "th")
        comma = "," if style == "ordinal" else ""
        return f"the {d.day}{suffix} day of {month}{comma} {d.year}"
    if style == "ordinal-words":
        return f"the {EN_ORDINALS[d.day]} day of {month}, {d.year}"
    if style == "yy":
        return f"{d.day} {month[:3]} {d.year % 100:02d}"
    if style == "abbr":
        return f"{month[:3]}. {d.day}, {d.year}"
    if style == "numeric":  # unambiguous only: the caller checks day > 12 or day == month
        return (
            f"{d.day:02d}/{d.month:02d}/{d.year}"
            if d.day > 12
            else f"{d.month:02d}/{d.day:02d}/{d.year}"
        )
    return f"{month} {d.day}, {d.year}"


def ambiguous_numeric(d: date) -> str:
    return f"{d.month:02d}/{d.day:02d}/{d.year}"


def can_be_ambiguous(d: date) -> bool:
    return d.day <= 12 and d.day != d.month


def end_of(start: date, months: int) -> date:
    return add_months(start, months) - timedelta(days=1)


# --- one document -------------------------------------------------------------------------


@dataclass
class _Facts:
    """The truth about the term, renewal and law, collected while they are written."""

    effective: date | None = None
    expiry: date | None = None
    term: Term | None = None
    renewal: bool | None = None
    notice: int | None = None
    governing_law: str | None = None


@dataclass
class _Doc:
    """A document being written: paragraphs and the truth collected along the way."""

    rng: random.Random
    language: str
    paragraphs: list[str] = field(default_factory=list)
    wording: list[str] = field(default_factory=list)
    ambiguous: set[str] = field(default_factory=set)
    two_digit: set[str] = field(default_factory=set)

    def add(self, *texts: str) -> None:
        self.paragraphs.extend(texts)

    def pick(self, tag: str, options: list[str]) -> str:
        index = self.rng.randrange(len(options))
        self.wording.append(f"{tag}{index}")
        return options[index]


def _date_text(
    doc: _Doc, d: date, field_name: str, *, may_be_ambiguous: bool = True
) -> tuple[str, bool]:
    """``d`` written in one of the document's styles; (text, written ambiguously)."""
    rng = doc.rng
    if may_be_ambiguous and can_be_ambiguous(d) and rng.random() < 0.08:
        doc.ambiguous.add(field_name)
        doc.wording.append(f"ambiguous:{field_name}")
        text = ambiguous_numeric(d)
        if rng.random() < 0.3:  # 03/05/26: the two-digit year adds a third reading
            text = text[:-4] + text[-2:]
        return text, True
    if rng.random() < 0.04:  # 24年3月1日, 1 Mar 24: read, but flagged for review
        doc.two_digit.add(field_name)
        doc.wording.append(f"two_digit:{field_name}")
        return (zh_date(d, "yy") if doc.language == "zh" else en_date(d, "yy")), False
    if doc.language == "zh":
        style = rng.choice(["zh", "zh", "zh", "cn", "cn0", "iso", "dot", "slash"])
        return zh_date(d, style), False
    style = rng.choice(
        ["mdy", "mdy", "dmy", "iso", "ordinal", "ordinal-nocomma", "ordinal-words", "abbr"]
        + (["numeric"] if d.day > 12 else [])
    )
    return en_date(d, style), False


def _build(rng: random.Random, language: str) -> tuple[_Doc, Truth]:
    doc = _Doc(rng, language)
    zh = language == "zh"
    title, ctype = rng.choice(ZH_TITLES if zh else EN_TITLES)
    labels = rng.choice((ZH_LABELS if zh else EN_LABELS)[ctype])
    # parties
    parties: list[tuple[str, str, str | None]] = []
    for index, _label in enumerate(labels):
        while True:
            if zh:
                person = ctype == "lease" and index == 0 and rng.random() < 0.3
                name = rng.choice(ZH_PEOPLE) if person else zh_company(rng)
                code = None if person or rng.random() < 0.15 else credit_code(rng)
            else:
                name, chinese = en_company(rng)
                code = credit_code(rng) if chinese and rng.random() < 0.85 else None
            if all(name_key(name) != name_key(other) for _, other, _ in parties):
                break
        role = "party_a" if index == 0 else "party_b"
        parties.append((role, name, code))
    currency = "CNY" if zh else rng.choice(["USD", "USD", "EUR", "GBP", "CNY"])
    amount = (
        None
        if ctype == "nda"
        else some_money(rng, "CNY" if zh and rng.random() < 0.9 else currency)
    )
    disagrees = amount is not None and zh and rng.random() < 0.06
    signed = date(rng.randrange(2015, 2027), rng.randrange(1, 13), rng.randrange(1, 29))
    law = rng.random() < 0.85

    facts = _Facts()
    signed_text, signed_ambiguous = _date_text(doc, signed, "signed_date")
    sign_style = _head(doc, title, parties, labels, signed_text)
    if sign_style == "none":  # the date is never written: no truth about it either
        doc.ambiguous.discard("signed_date")
        doc.two_digit.discard("signed_date")
    signed_usable = sign_style != "none" and not signed_ambiguous
    _body(doc, ctype, amount, disagrees, signed, signed_usable, facts)
    if law:
        text, facts.governing_law = rng.choice(ZH_LAWS if zh else EN_LAWS)
        doc.add(("第十九条 法律适用" if zh else "19. Governing Law"), text)
    _tail(doc, labels, parties, signed_text if sign_style == "tail" else None)
    truth = Truth(
        language=language,
        title=title,
        contract_type=ctype,
        parties=tuple(parties),
        amount=amount,
        amount_disagrees=disagrees,
        signed_date=signed if signed_usable else None,
        effective_date=facts.effective,
        expiry_date=facts.expiry,
        term=facts.term,
        auto_renewal=facts.renewal,
        notice_days=facts.notice,
        governing_law=facts.governing_law,
        ambiguous=frozenset(doc.ambiguous),
        two_digit=frozenset(doc.two_digit),
    )
    return doc, truth


def _party_block_zh(doc: _Doc, label: str, name: str, code: str | None, style: str) -> list[str]:
    rng = doc.rng
    details = [
        f"住所：{rng.choice(ZH_CITIES)}市{rng.choice(ADDRESSES_ZH)}",
        f"法定代表人：{rng.choice(ZH_PEOPLE)}",
    ]
    code_line = (
        [f"统一社会信用代码：{code}"]
        if code
        else [f"身份证号：31010419{rng.randrange(10**9, 10**10)}"]
    )
    if style == "inline":
        return [
            f"{label}：{name}",
            *code_line,
            *details,
            f"联系电话：021-{rng.randrange(10**7, 10**8)}",
        ]
    if style == "compact":
        extra = f"（统一社会信用代码：{code}）" if code else ""
        return [f"{label}：{name}{extra}", details[0]]
    # pdftotext without -layout: each label and value on its own line, blank lines between
    return [f"{label}：", "", name, "", *code_line, "住所：", "", details[0].split("：", 1)[1], ""]


def _party_block_en(doc: _Doc, label: str, name: str, code: str | None, style: str) -> list[str]:
    rng = doc.rng
    address = rng.choice(ADDRESSES_EN)
    if style == "inline":
        lines = [f"{label}: {name}"]
        if code:
            lines.append(f"Registration No. (USCC): {code}")
        return [
            *lines,
            f"Address: {address}",
            f"Legal Representative: {rng.choice(['John Smith', 'Li Wei'])}",
        ]
    labels = [
        f"{label}:",
        "Registration No. (USCC):" if code else "Company No.:",
        "Address:",
        "Email:",
    ]
    values = [name, code or str(rng.randrange(10**6, 10**8)), address, "legal@example.com"]
    return [*labels, "", *values, ""]


def _head(
    doc: _Doc,
    title: str,
    parties: list[tuple[str, str, str | None]],
    labels: tuple[str, str],
    signed_text: str,
) -> str:
    """Title, header lines and the party blocks. Returns where the signing date went."""
    rng = doc.rng
    zh = doc.language == "zh"
    prefix = rng.choice(["HT", "CG", "FW", "ZL", "BM", "PA", "SA"])
    number = f"{prefix}-{rng.randrange(2015, 2027)}-{rng.randrange(1, 999):03d}"
    if rng.random() < 0.15:
        doc.add(parties[0][1] if zh else parties[0][1].upper())  # a letterhead above the title
    if rng.random() < 0.3:
        doc.add(f"合同编号：{number}" if zh else f"Agreement No.: {number}")
    if zh and rng.random() < 0.1:
        doc.add(" ".join(title))  # letter-spaced in the document itself
        doc.wording.append("spaced-title")
    else:
        doc.add(title)
    sign_style = doc.pick(
        "sign",
        ["header", "header", "sentence", "tail", "none"]
        if zh
        else ["header", "sentence", "sentence", "tail", "none"],
    )
    if zh:
        if rng.random() < 0.6:
            doc.add(f"合同编号：{number}")
        if sign_style == "header":
            doc.add(f"签订地点：{rng.choice(ZH_CITIES)}市")
            doc.add(
                doc.pick("signlabel", ["签订日期：", "签约日期：", "签署日期：", "签订时间："])
                + signed_text
            )
        party_style = doc.pick("party", ["inline", "inline", "compact", "split", "sentence"])
        if party_style == "sentence":
            (_, a, _), (_, b, _) = parties
            short_a = labels[0].split("（")[0]
            short_b = labels[1].split("（")[0]
            when = f"于{signed_text}" if sign_style == "sentence" else ""
            doc.add(
                f"本合同由{a}（以下简称“{short_a}”）与{b}（以下简称“{short_b}”）{when}在{rng.choice(ZH_CITIES)}"
                f"签订。"
            )
            for (_, _, code), short in ((parties[0], short_a), (parties[1], short_b)):
                if code:
                    doc.add(f"{short}统一社会信用代码：{code}")
            return sign_style
        for (_, name, code), label in zip(parties, labels, strict=True):
            doc.add(*_party_block_zh(doc, label, name, code, party_style))
        if sign_style == "sentence":
            doc.add(
                rng.choice(
                    [
                        f"本合同由双方于{signed_text}在{rng.choice(ZH_CITIES)}签订。",
                        f"本合同于{signed_text}由双方签署。",
                    ]
                )
            )
        doc.add(
            "根据《中华人民共和国民法典》及其他有关法律、法规的规定，双方在平等、自愿、公平、诚实信"
            "用的基础上，经友好协商，订立本合同，以资共同遵守。"
        )
        return sign_style
    # English
    if sign_style == "header":
        doc.add(
            doc.pick("signlabel", ["Date: ", "Dated: ", "Signing Date: ", "Date of Signing: "])
            + signed_text
        )
    party_style = doc.pick("party", ["inline", "columns", "between", "list"])
    when = f" on {signed_text}" if sign_style == "sentence" else ""
    if party_style in ("between", "list"):
        tags = [lab.split(" (")[1].rstrip(")") if "(" in lab else lab for lab in labels]
        described = []
        for (_, name, code), tag in zip(parties, tags, strict=True):
            desc = rng.choice(
                [
                    "",
                    ", a company incorporated in England and Wales",
                    ", a company organized under the laws of the PRC",
                ]
            )
            if code:
                desc += f" (Unified Social Credit Code: {code})"
            quote = rng.choice(
                [f'("{tag}")', f'(the "{tag}")', f"(hereinafter referred to as “{tag}”)"]
            )
            described.append(f"{name}{desc} {quote}")
        verb = rng.choice(["is made", "is entered into", "is made and entered into"])
        if party_style == "between":
            doc.add(
                f'This {title.title()} (this "Agreement") {verb}{when} between '
                f"{described[0]} and {described[1]}."
            )
        else:
            doc.add(
                f'This {title.title()} (this "Agreement") {verb}{when}',
                "BETWEEN:",
                f"(1) {described[0]}; and",
                f"(2) {described[1]}.",
            )
        return sign_style
    doc.add(
        f'This {title.title()} (this "Agreement") '
        f"{rng.choice(['is entered into', 'is made'])}{when} by and between:"
    )
    for (_, name, code), label in zip(parties, labels, strict=True):
        doc.add(*_party_block_en(doc, label, name, code, party_style))
    return sign_style


def _items(doc: _Doc, amount: Money) -> None:
    """A line-item table whose rows add up to the amount: unit prices and line totals are
    distractors, the total row (合计 / Total) agrees with the price clause."""
    rng = doc.rng
    zh = doc.language == "zh"
    rows = rng.randrange(2, 5)
    whole = amount.minor // 100
    cuts = sorted(rng.sample(range(1, whole), k=min(rows - 1, whole - 1))) if whole > 1 else []
    parts = [(b - a) * 100 for a, b in itertools.pairwise([0, *cuts, whole])]
    parts[-1] += amount.minor % 100
    goods = (
        ["服务器", "交换机", "存储设备", "工作站", "打印机"]
        if zh
        else ["Server", "Switch", "Storage array", "Workstation"]
    )

    def fmt(money: Money) -> str:
        return zh_figures(rng, money) if zh else en_figures(rng, money)

    header = (
        ["序号", "品名", "数量", "单价", "金额"]
        if zh
        else ["No.", "Item", "Qty", "Unit Price", "Amount"]
    )
    cells_per_line = rng.random() < 0.4  # pdftotext without -layout: one cell per line
    lines = [header]
    for n, minor in enumerate(parts, 1):
        qty = rng.choice([q for q in (1, 2, 4, 5, 10) if minor % q == 0] or [1])
        unit = Money(minor // qty, amount.currency)
        lines.append(
            [str(n), rng.choice(goods), str(qty), fmt(unit), fmt(Money(minor, amount.currency))]
        )
    lines.append(["合计" if zh else "Total", fmt(amount)])
    for cells in lines:
        if cells_per_line:
            doc.add(*cells)
        else:
            doc.add(" ".join(cells))


def _amount_zh(doc: _Doc, ctype: str, amount: Money, disagrees: bool) -> None:
    rng = doc.rng
    fig = zh_figures(rng, amount)
    caps = capitals(rng, different_money(rng, amount) if disagrees else amount)
    if ctype == "lease":
        monthly = Money(max(100, amount.minor // 12 // 100 * 100), amount.currency)
        doc.add(
            f"该房屋月租金为{zh_figures(rng, monthly)}（大写：{capitals(rng, monthly)}），"
            f"租赁期内租金总额为{fig}（大写：{caps}）。"
        )
        return
    forms = [
        f"本合同总价款为{fig}（大写：{caps}），为含税价。",
        f"合同总金额：{fig}（大写：{caps}）。",
        f"本合同项下服务费用总额为{fig}（大写：{caps}），包含全部税费。",
        f"合同价款合计{caps}（{fig}）。",
    ]
    forms.append(f"合同总价款（含税）：{caps}（{fig}）。")
    lower = zh_lower(different_money(rng, amount) if disagrees else amount)
    if lower:
        forms.append(f"本合同总价为人民币{lower}（{fig}）。")
    if not disagrees:
        forms += [
            f"合同总价：{fig}。",
            f"本合同总价为{caps}。",
            f"合同金额(小写)：{fig}，含税。",
            f"价款总计{fig}，大写：{caps}。",
        ]
        if lower:
            forms.append(f"合同总金额：人民币{lower}整。")
    doc.add(doc.pick("amount", forms))


def _amount_en(doc: _Doc, amount: Money) -> None:
    rng = doc.rng
    fig = en_figures(rng, amount)
    doc.add(
        doc.pick(
            "amount",
            [
                f"The total Contract Price is {fig}.",
                f"The total Fees for the Term are {fig}, inclusive of all taxes.",
                f"In consideration of the rights granted, the paying Party shall pay a license fee "
                f"of {fig}.",
                f'The purchase price for the Goods is {fig} (the "Purchase Price").',
                f"Total Amount: {fig}",
                f"The aggregate fees payable under this Agreement are {fig}.",
                f"The Contract Price shall be {fig} (exclusive of VAT).",
                f"As consideration, the Customer shall pay the Supplier a total of {fig}.",
                f"The total Contract Price is {en_money_words(rng, amount)} ({fig}).",
                f"The Customer shall pay a total sum of {en_money_words(rng, amount)}.",
            ],
        )
    )


def _body(
    doc: _Doc,
    ctype: str,
    amount: Money | None,
    disagrees: bool,
    signed: date,
    signed_usable: bool,
    truth: _Facts,
) -> None:
    rng = doc.rng
    zh = doc.language == "zh"
    penalty = Money(rng.randrange(1, 50) * 1_000_000, "CNY")
    distractors = {
        "other_date": zh_date(signed + timedelta(days=rng.randrange(30, 200)), "zh")
        if zh
        else en_date(signed + timedelta(days=rng.randrange(30, 200)), "mdy"),
        "penalty": zh_figures(rng, penalty),
        "penalty_caps": capitals(rng, penalty),
        "cap": en_figures(rng, Money(rng.randrange(1, 50) * 10_000_000, "USD")),
    }
    filler = ZH_FILLER if zh else EN_FILLER
    # Enough clauses for a contract of 3,500-6,500 characters, as the imports see them.
    target = rng.randrange(3500, 6500) - sum(len(p) for p in doc.paragraphs) - 600
    chosen: list[str] = []
    while sum(len(c) for c in chosen) < max(target, 400):
        chosen += rng.sample(filler, k=len(filler))  # a long contract repeats its boilerplate
    while sum(len(c) for c in chosen) > max(target, 400) and len(chosen) > 3:
        chosen.pop()
    if ctype == "lease" and zh and rng.random() < 0.5:
        free_from = signed + timedelta(days=rng.randrange(1, 20))
        chosen.append(
            f"自交付日起三十日为免租期，即{zh_date(free_from, 'zh')}起至"
            f"{zh_date(free_from + timedelta(days=29), 'zh')}止，免租期内乙方无须支付租金。"
        )
    # payment clause with the amount, deposit distractor
    heading = itertools.count(1)

    def head(zh_title: str, en_title: str) -> str:
        n = next(heading)
        return f"第{_cn_small(n)}条 {zh_title}" if zh else f"{n}. {en_title}"

    doc.add(head("合同标的", "Subject Matter"), chosen.pop().format(**distractors))
    if amount is not None:
        doc.add(head("合同价款", "Price"))
        if ctype in ("purchase", "sales") and rng.random() < 0.5:
            _items(doc, amount)
        if zh:
            _amount_zh(doc, ctype, amount, disagrees)
            if ctype == "purchase" and rng.random() < 0.5:
                deposit = Money(amount.minor // 10 // 100 * 100 or 100, amount.currency)
                doc.add(
                    f"甲方应于本合同签订之日起七个工作日内向乙方支付定金{zh_figures(rng, deposit)}"
                    f"（大写：{capitals(rng, deposit)}）。"
                )
        else:
            _amount_en(doc, amount)
            if rng.random() < 0.4:
                deposit = Money(amount.minor // 10 // 100 * 100 or 100, amount.currency)
                doc.add(
                    f"The paying Party shall pay a deposit of {en_figures(rng, deposit)} within ten"
                    f" (10) days after signing."
                )
    half = len(chosen) // 2
    while len(chosen) > half:
        doc.add(head("一般约定", "General"))
        for _ in range(min(rng.randrange(1, 4), len(chosen) - half)):
            doc.add(chosen.pop().format(**distractors))
    doc.add(head("合同期限", "Term"))
    _term(doc, signed, signed_usable, truth)
    while chosen:
        doc.add(head("其他约定", "Miscellaneous"))
        for _ in range(min(rng.randrange(1, 4), len(chosen))):
            doc.add(chosen.pop().format(**distractors))


def _term(doc: _Doc, signed: date, signed_usable: bool, truth: _Facts) -> None:
    """Effective date, term, expiry and renewal, in one of several shapes."""
    rng = doc.rng
    zh = doc.language == "zh"
    start = signed + timedelta(days=rng.choice([0, 0, 1, 10, 30]))
    months = rng.choice([6, 12, 12, 12, 24, 24, 36])
    end = end_of(start, months)
    shape = doc.pick(
        "term", ["range", "range", "effective+term", "signing+term", "signing", "none"]
    )
    if shape in ("range", "effective+term"):
        start_text, start_ambiguous = _date_text(doc, start, "effective_date")
        truth.effective = None if start_ambiguous else start
    if shape == "range":
        end_text, end_ambiguous = _date_text(doc, end, "expiry_date")
        truth.expiry = None if end_ambiguous else end
        if not (start_ambiguous or end_ambiguous):
            truth.term = Term(months, "months")
        if zh:
            what = rng.choice(["本合同有效期", "服务期限", "租赁期限", "合同期限"])
            doc.add(
                rng.choice(
                    [
                        f"{what}自{start_text}起至{end_text}止。",
                        f"{what}自{start_text}起至{end_text}止。",
                        f"{what}：{start_text}至{end_text}。",
                        f"合同生效日期：{start_text}；合同终止日期：{end_text}。",
                        f"本合同自{start_text}起生效，有效期至{end_text}。",
                    ]
                )
            )
        else:
            doc.add(
                rng.choice(
                    [
                        f'The Services shall be provided from {start_text} until {end_text} (the "T'
                        f'erm").',
                        f"This Agreement shall commence on {start_text} and expire on {end_text}.",
                        f"The term of this Agreement runs from {start_text} to {end_text}.",
                        f"Effective Date: {start_text}\nExpiry Date: {end_text}",
                        f"This Agreement is effective as of {start_text} and shall remain in effect"
                        f" until "
                        f"{end_text}, unless terminated earlier in accordance with its terms.",
                        f"The lease term commences on {start_text} and ends on {end_text}.",
                    ]
                )
            )
    elif shape in ("effective+term", "signing+term"):
        truth.term = Term(months, "months")
        if shape == "signing+term":
            ambiguous = not signed_usable
            base = signed
            if signed_usable:
                truth.effective = signed
        else:
            ambiguous = "effective_date" in doc.ambiguous
            base = start
        if not ambiguous and truth.effective is not None:
            truth.expiry = end_of(base, months)
        years = months // 12 if months % 12 == 0 else None
        if zh:
            length = (
                f"{ZH_NUMBERS[years] if rng.random() < 0.6 else years}年"
                if years
                else f"{months}个月"
            )
            if shape == "signing+term":
                doc.add(
                    rng.choice(
                        [
                            f"本合同自双方签字盖章之日起生效，有效期为{length}。",
                            f"本合同自双方签字并盖章之日起生效，合同期限为{length}。",
                        ]
                    )
                )
            else:
                doc.add(
                    rng.choice(
                        [
                            f"本合同自{start_text}起生效，有效期为{length}。",
                            f"合同期限为{length}，自{start_text}起计算。",
                            f"本合同生效日期：{start_text}。本合同有效期{length}。",
                            f"租赁期限为{length}，自{start_text}起算。",
                            f"本合同自{start_text}起，为期{length}。",
                        ]
                    )
                )
        else:
            unit = "years" if years else "months"
            n = years or months
            words = f"{EN_NUMBERS.get(n, str(n))} ({n})" if rng.random() < 0.6 else str(n)
            if n == 1 and unit == "years":
                unit = "year"
            if shape == "signing+term":
                doc.add(
                    f"This Agreement takes effect upon signature by both Parties and remains in for"
                    f"ce for {words} {unit}."
                )
            else:
                doc.add(
                    rng.choice(
                        [
                            f"This Agreement takes effect on {start_text} and remains in force "
                            f"for {words} {unit}.",
                            f"This Agreement is made for a term of {words} {unit} commencing "
                            f"on {start_text}.",
                            f"Effective Date: {start_text}. The initial term of this Agreement "
                            f"is {words} {unit}.",
                            f"Commencement Date: {start_text}\nTerm: {words} {unit}",
                            f"This Agreement shall be valid for a period of {words} {unit} "
                            f"from {start_text}.",
                        ]
                    )
                )
    elif shape == "signing":
        if signed_usable:
            truth.effective = signed
        doc.add(
            "本合同自双方法定代表人或授权代表签字并加盖公章之日起生效。"
            if zh
            else "This Agreement takes effect on the date on which it has been signed by both Parti"
            "es."
        )
    if shape in ("signing", "none") or rng.random() < 0.35:
        return
    # renewal
    renewal = doc.pick("renewal", ["yes-notice", "yes-notice", "yes", "no", "no-notice"])
    notice = rng.choice([15, 30, 30, 60, 90])
    n_zh = ZH_NUMBERS.get(notice, str(notice)) if rng.random() < 0.5 else str(notice)
    n_en = f"{EN_NUMBERS[notice]} ({notice})" if rng.random() < 0.5 else str(notice)
    truth.renewal = renewal.startswith("yes")
    if renewal in ("yes-notice", "no-notice"):
        truth.notice = notice
    if zh:
        doc.add(
            {
                "yes-notice": rng.choice(
                    [
                        f"本合同期满前{n_zh}日，任何一方均未书面通知对方不再续约的，本合同自动续期"
                        f"一年。",
                        f"合同期满后自动续期一年，但任何一方于期满前{n_zh}日书面通知对方不续约的除"
                        f"外。",
                        f"任何一方如不同意续约，应于合同到期前{n_zh}天书面通知对方；否则本合同自动"
                        f"续约一年。",
                        f"除非一方在期满前{n_zh}日书面提出终止，否则本合同自动延续一年。",
                    ]
                ),
                "yes": rng.choice(
                    [
                        "本合同期满后自动续期一年，续期期间的权利义务与本合同相同。",
                        "合同期满，双方均无异议的，本合同自动顺延一年。",
                    ]
                ),
                "no": rng.choice(["本合同期满即行终止，不自动续期。", "本合同到期后不自动续约。"]),
                "no-notice": f"本合同期满即行终止。双方如需续约，应于期满前{n_zh}日协商，并另行签订"
                f"书面协议。",
            }[renewal]
        )
    else:
        doc.add(
            {
                "yes-notice": rng.choice(
                    [
                        f"This Agreement shall automatically renew for successive one (1) year peri"
                        f"ods unless either party gives {n_en} days' written notice of non-renewal"
                        f".",
                        f"Upon expiry of the Term, this Agreement renews automatically for successi"
                        f"ve periods of one (1) year, unless either Party gives the other written "
                        f"notice of non-renewal at least {n_en} days before the end of the then-cu"
                        f"rrent period.",
                        f"This Agreement will be automatically extended for additional one-year ter"
                        f"ms unless either party notifies the other in writing at least {n_en} day"
                        f"s prior to expiration.",
                    ]
                ),
                "yes": rng.choice(
                    [
                        "This Agreement renews automatically for successive periods of one (1) year"
                        " on the same terms.",
                        "Thereafter this Agreement shall be automatically renewed for further one-y"
                        "ear periods.",
                    ]
                ),
                "no": rng.choice(
                    [
                        "This Agreement shall not be renewed automatically.",
                        "There is no automatic renewal of this Agreement.",
                    ]
                ),
                "no-notice": f"This Agreement expires at the end of the Term. Any renewal requires "
                f"a written agreement of the Parties; the Parties shall start discuss"
                f"ions on renewal at least {n_en} days before the end of the Term.",
            }[renewal]
        )


def _tail(
    doc: _Doc,
    labels: tuple[str, str],
    parties: list[tuple[str, str, str | None]],
    signed_text: str | None,
) -> None:
    zh = doc.language == "zh"
    doc.add(
        "（以下无正文）" if zh else "IN WITNESS WHEREOF, the Parties have signed this Agreement."
    )
    for label in labels:
        short = label.split("（")[0].split(" (")[0]
        if zh:
            doc.add(f"{short}（盖章）：", "法定代表人或授权代表（签字）：")
            doc.add(f"签订日期：{signed_text}" if signed_text else "日期：    年  月  日")
        else:
            doc.add(f"{short} (Seal):", "By: ______________", "Name:", "Title:")
            doc.add(f"Date: {signed_text}" if signed_text else "Date: ______________")


# --- rendering ----------------------------------------------------------------------------

_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _width(text: str) -> int:
    return sum(2 if _CJK.match(c) else 1 for c in text)


def _wrap_zh(line: str, width: int) -> list[str]:
    """Wrap by display width between any two characters, except inside a run of ASCII
    (a figure like ¥1,234.00 or a code stays whole, as LibreOffice lays them out)."""
    out: list[str] = []
    start = 0
    used = 0
    last_break = 0
    for i, char in enumerate(line):
        if i > start and not (line[i - 1].isascii() and char.isascii() and char != " "):
            last_break = i
        used += 2 if _CJK.match(char) else 1
        if used > width and i > start:
            cut = last_break if last_break > start else i
            out.append(line[start:cut])
            start = cut
            used = _width(line[start : i + 1])
    out.append(line[start:])
    return out


def _wrap_en(line: str, width: int) -> list[str]:
    out: list[str] = []
    current = ""
    for word in line.split(" "):
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        out.append(current)
    return out


def _space_cjk(rng: random.Random, line: str) -> str:
    """pdftotext's habit: spaces where a CJK run meets digits, or between every character."""
    if rng.random() < 0.05:
        return " ".join(line)
    if rng.random() < 0.35:
        return re.sub(
            r"(?<=[\u4e00-\u9fff])(?=[0-9A-Za-z¥])|(?<=[0-9A-Za-z])(?=[\u4e00-\u9fff])", " ", line
        )
    return line


_OCR_SWAPS = {"，": ",", "：": ":", "（": "(", "）": ")", "；": ";", ",": "，", ":": "："}


def _ocr(rng: random.Random, line: str, codes: Iterable[str]) -> str:
    """OCR damage that never changes a value: punctuation widths, O for 0 in credit codes."""
    chars = list(line)
    for i, c in enumerate(chars):
        if (
            c in _OCR_SWAPS
            and rng.random() < 0.3
            and not (c in ",:" and i and chars[i - 1].isdigit())
        ):
            chars[i] = _OCR_SWAPS[c]
    line = "".join(chars)
    for code in codes:
        if code in line and "0" in code[8:] and rng.random() < 0.5:
            index = code.index("0", 8)
            line = line.replace(code, code[:index] + "O" + code[index + 1 :])
    return line


def render(doc: _Doc, noise: str, parties: Iterable[tuple[str, str, str | None]]) -> str:
    """The document's text as a DOCX, a PDF text layer or OCR would give it."""
    paragraphs = [p for block in doc.paragraphs for p in block.split("\n")]
    if noise == "clean":
        return "\n".join(paragraphs)
    rng = doc.rng
    zh = doc.language == "zh"
    width = rng.choice([68, 74, 80]) if zh else rng.choice([84, 92, 100])
    codes = [c for _, _, c in parties if c]
    lines: list[str] = []
    for paragraph in paragraphs:
        wrapped = _wrap_zh(paragraph, width) if zh else _wrap_en(paragraph, width)
        for line in wrapped:
            if zh:
                line = _space_cjk(rng, line)
            if noise == "ocr":
                line = _ocr(rng, line, codes)
            lines.append(line)
        if rng.random() < 0.3:
            lines.append("")
    page = rng.choice([38, 44, 50])
    total = len(lines) // page + 1
    header = doc.paragraphs[0] if rng.random() < 0.3 else None
    out: list[str] = []
    for n in range(total):
        chunk = lines[n * page : (n + 1) * page]
        if n and header:
            out.append(header)
        out.extend(chunk)
        footer = rng.choice(
            [
                f"第 {n + 1} 页 共 {total} 页",
                f"第{n + 1}页/共{total}页",
                f"- {n + 1} -",
                f"Page {n + 1} of {total}",
                f"{n + 1}",
            ]
        )
        out.extend(["", "", footer])
        if noise == "ocr" and rng.random() < 0.3:
            out.append(rng.choice(["·", "' ,", "—", "_ _"]))
        out.append("\f")
    return "\n".join(out)


def _filename(rng: random.Random, truth: Truth, noise: str) -> str:
    ext = ".docx" if noise == "clean" else ".pdf"
    stem = rng.choice(
        [
            f"{truth.title}",
            f"{truth.signed_date or 'undated'}_{truth.title}",
            f"scan_{rng.randrange(1000, 9999)}",
            f"contract-{rng.randrange(100, 999)}",
        ]
    )
    return stem + ext


def generate(
    count: int, seed: int = 0, *, noise: str | None = None, language: str | None = None
) -> list[Sample]:
    """``count`` contracts with their truth; the same arguments always give the same set.

    ``noise`` fixes the rendering (else a mix: half clean, a third PDF, the rest OCR);
    ``language`` fixes zh or en (else two thirds Chinese).
    """
    rng = random.Random(seed)
    samples = []
    for _ in range(count):
        lang = language or ("zh" if rng.random() < 0.65 else "en")
        how = noise or rng.choices(NOISES, weights=[0.5, 0.33, 0.17])[0]
        doc, truth = _build(rng, lang)
        text = render(doc, how, truth.parties)
        samples.append(Sample(text, _filename(rng, truth, how), truth, how, tuple(doc.wording)))
    return samples


# --- evaluation -----------------------------------------------------------------------------


@dataclass
class Score:
    """Counts for one field: right values, wrong or spurious values, missed values."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def count(self, truth: object, found: object, where: str) -> None:
        if found is not None and found == truth:
            self.tp += 1
            return
        if found is not None:
            self.fp += 1
        if truth is not None:
            self.fn += 1
        if found is not None or truth is not None:
            self.misses.append(f"{where}: expected {truth!r}, got {found!r}")


def _norm_title(text: str | None) -> str | None:
    return None if text is None else re.sub(r"\s+", "", text).casefold()


def evaluate(
    samples: Iterable[Sample], extractor: Callable[..., Metadata] = extract_metadata
) -> dict[str, Score]:
    """Per-field scores of ``extractor`` over ``samples``.

    Parties count one by one (role and name must both be right); credit codes count
    per party that has one. A date written ambiguously must come back with no value
    (a value is a false positive) and the ``ambiguous_date`` flag, scored as
    ``ambiguous_flag``; ``amount_flag`` scores ``amount_words_disagree`` likewise, and
    the amount value is not scored where figures and capitals disagree. A date written
    with a two-digit year is scored on its value and, as ``two_digit_flag``, on the
    ``two_digit_year`` flag that sends it to review.
    """
    scores = {
        name: Score()
        for name in (
            *SCALAR_FIELDS,
            "parties",
            "credit_code",
            "ambiguous_flag",
            "two_digit_flag",
            "amount_flag",
            "needs_review",
        )
    }
    for index, sample in enumerate(samples):
        where = f"#{index} {sample.noise} {sample.truth.language} {' '.join(sample.wording)}"
        meta = extractor(sample.text, filename=sample.filename)
        truth = sample.truth
        for name in SCALAR_FIELDS:
            item = meta.field(name)
            value = item.value if item is not None else None
            expected = getattr(truth, name)
            if name == "title":
                value, expected = _norm_title(value), _norm_title(expected)
            if name == "amount" and truth.amount_disagrees:
                continue
            scores[name].count(expected, value, where)
        for name in DATE_FIELDS:
            item = meta.field(name)
            flagged = item is not None and "ambiguous_date" in item.flags
            _flag(scores["ambiguous_flag"], name in truth.ambiguous, flagged, f"{where} {name}")
            short = item is not None and "two_digit_year" in item.flags
            _flag(scores["two_digit_flag"], name in truth.two_digit, short, f"{where} {name}")
        amount_flag = meta.amount is not None and "amount_words_disagree" in meta.amount.flags
        _flag(scores["amount_flag"], truth.amount_disagrees, amount_flag, where)
        expected_parties = {(role, name_key(name)) for role, name, _ in truth.parties}
        found_parties = {(p.role, name_key(p.name)) for p in meta.parties}
        scores["parties"].tp += len(expected_parties & found_parties)
        scores["parties"].fp += len(found_parties - expected_parties)
        scores["parties"].fn += len(expected_parties - found_parties)
        if expected_parties != found_parties:
            scores["parties"].misses.append(
                f"{where}: expected {truth.parties}, got {[(p.role, p.name) for p in meta.parties]}"
            )
        codes = {name_key(p.name): p.credit_code for p in meta.parties}
        for _, name, code in truth.parties:
            found = codes.get(name_key(name))
            scores["credit_code"].count(code, found, where)
        if truth.ambiguous or truth.two_digit or truth.amount_disagrees:  # recall only
            _flag(scores["needs_review"], True, bool(meta.needs_review()), where)
    return scores


def _flag(score: Score, expected: bool, found: bool, where: str) -> None:
    if expected and found:
        score.tp += 1
    elif found:
        score.fp += 1
        score.misses.append(f"{where}: flagged, should not be")
    elif expected:
        score.fn += 1
        score.misses.append(f"{where}: not flagged")
