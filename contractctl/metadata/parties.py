"""The contracting parties: who they are, in which role, with which credit code.

Parties are written three ways: label lines (甲方：…, 甲方（买方）：…, 委托方：…,
"Party A (Buyer): …", "Licensor: …"), where a PDF text layer may put the value lines
after all the labels; sentences ("This Agreement is made between Acme Ltd. ("Buyer") and
Beta Corp. ("Seller")", 本合同由甲公司（以下简称“甲方”）与乙公司（以下简称“乙方”）签订);
and numbered lists under "BETWEEN:". Each name is checked to look like a company or a
person; the 统一社会信用代码 printed in the party's block is read and checked to its
check character, with the usual OCR confusions (O for 0, I for 1) corrected only when the
correction makes the check character right.

:func:`match_party` then finds the counterparty a guess refers to among those already
stored: by credit code first, else by a normalised name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Final, Protocol

from contractctl import uscc
from contractctl.errors import InvalidInput
from contractctl.metadata.model import PartyGuess, PartyMatch
from contractctl.metadata.preamble import preamble_parties, signature_parties
from contractctl.metadata.text import Doc

_ZH_LABELS: Final = (
    "甲方|乙方|丙方|丁方|委托方|受托方|委托人|受托人|出租方|承租方|出租人|承租人|出卖人|买受人|"
    "买方|卖方|供方|需方|供货方|供应方|采购方|购买方|购货方|销售方|服务方|服务提供方|发包方|承包方|"
    "发包人|承包人|许可方|被许可方|许可人|被许可人|转让方|受让方|借款人|贷款人|合作方|开发方|研发方|"
    "保管人|存货人|寄存人|定作人|定作方|定制人|承揽人|承揽方|出让人|受让人|赠与人|受赠人|出借人|"
    "托运人|承运人|供气人|用气人|供水人|用水人|供热人|用热人|供电人|用电人|设计人|监理人|勘察人|"
    "居间人|中介人|中介方|行纪人|旅游者|劳务分包人|工程承包人|分包人|代销人|委托代销人|加工方"
)
_EN_LABELS: Final = (
    r"Party\s+[A-D]|Buyer|Seller|Purchaser|Vendor|Supplier|Customer|Client|Service\s+Provider|"
    r"Provider|Contractor|Consultant|Licensor|Licensee|Landlord|Tenant|Lessor|Lessee|"
    r"Disclosing\s+Party|Receiving\s+Party|Company|Employer|Borrower|Lender|Distributor|"
    r"Principal|Agent|Developer|Assignor|Assignee|Reseller|Franchisor|Franchisee|Owner|Resident|"
    r"Processor|Controller|Agency|Manufacturer|Distributor|Investor|Guarantor"
)
_LABEL_LINE: Final = re.compile(
    rf"(?:\(?[0-9一二三四]\)?[.、]?\s*)?(?P<label>(?P<base>{_ZH_LABELS}|(?i:{_EN_LABELS}))"
    r"(?:\s*\((?P<qual>[^()\n]{1,30})\))?)(?:名称|全称|单位名称|(?i:\s+name))?\s*:\s*(?P<value>.*)"
)
_LABEL_ANY: Final = re.compile(
    rf"(?P<label>(?P<base>{_ZH_LABELS})(?:\s*\((?P<qual>[^()\n]{{1,30}})\))?)"
    r"(?:名称|全称|单位名称)?\s*:(?P<value>)"
)
_EXPLICIT: Final = {"甲方": "party_a", "乙方": "party_b", "丙方": "party_c", "丁方": "party_d"}
_SIGNATURE: Final = re.compile(
    r"盖章|签章|签字|签名|公章|印章|(?i:seal|signature|signed|stamp|chop)"
)
_INLINE_LABEL: Final = re.compile(
    r"[,;]?\s*(?:统一社会信用代码|社会信用代码|信用代码|纳税人识别号|营业执照|住所|地址|注册地址|"
    r"法定代表人|负责人|联系人|联系电话|电话|传真|邮编|电子邮箱|邮箱|开户行|开户银行|银行账号|账号|"
    r"身份证号|签署地址|签署地点|签署时间|签订地点|签订时间|签订日期|签约地点|签约时间|签约日期|订立地点|订立时间|合同编号|"
    r"通讯地址|联系地址|邮政编码|证件类型|证件号码|身份证号码|营业执照注册号|委托代理人|"
    rf"{_ZH_LABELS})\s*(?:\([^)]*\))?\s*:"
    r"|[,;]?\s+(?:registration\s+no\.?|uscc|unified\s+social\s+credit\s+code|(?:registered\s+)?"
    r"address|registered\s+office|legal\s+representative|contact(?:\s+person)?|tel|telephone|phone"
    r"|e-?mail|fax|bank|account\s+no\.?|attn|attention|authori[sz]ed\s+representative)"
    r"\s*(?:\([^)]*\))?\s*:"
    r"|\s*\(\s*(?:以下简称|以下称|下称|简称|hereinafter|the\s+[\"“])"
    r"|\s*\(\s*[\"“]"
    r"|\s*\(\s*(?:盖章|签章|公章|签字|seal|stamp)"
    r"|\s+(?=[0-9A-Z]{15,}\b|\d{5,})"  # a code or number that a PDF put on the same line
    r"|\s*\(\s*(?:统一社会信用代码|社会信用代码|信用代码|注册号|营业执照|unified\s+social|registration"
    r"|uscc|credit\s+code|company\s+(?:no|number)|reg(?:istered)?\s+no)|\s*\((?=[^)]*\d{5,})"
    r"|,\s*(?:a|an)\s+(?:company|corporation|limited|private|public|[\w\s]{0,30}?(?:company|"
    r"corporation|entity|partnership))\b|,\s*(?:incorporated|organi[sz]ed|registered|whose|with\s+its"
    r"|having|located|existing|duly)\b",
    re.IGNORECASE,
)
_ZH_SUFFIX: Final = re.compile(
    r"(?:公司|集团|研究院|研究所|设计院|大学|学院|学校|医院|中心|事务所|合伙企业|\(有限合伙\)|厂|局|"
    r"委员会|银行|分行|支行|商行|商店|店|社|协会|学会|基金会|馆|站|所)$"
)
_EN_SUFFIX: Final = re.compile(
    r"\b(?:Ltd|Limited|Inc|Incorporated|LLC|L\.L\.C|LLP|LP|PLC|Corp|Corporation|Co|Company|"
    r"GmbH|AG|S\.A|SA|SAS|B\.V|N\.V|Pte\.?\s+Ltd|Pty\.?\s+Ltd|K\.K|SE|SARL|S\.r\.l|Trust|Bank|"
    r"University|Institute|Foundation|Partners|Group|Holdings|Cooperative|Association|Academy|"
    r"Trustees|Partnership|N\.A|P\.C|P\.A|L\.P|Sdn\.?\s+Bhd|Bhd|plc|Pte)\.?$",
    re.IGNORECASE,
)
_PERSON_ZH: Final = re.compile(r"[\u4e00-\u9fff]{2,4}")
# A person's name starts with a surname; the words a blank form prints (签订地点, 邮政编码,
# 年月日, 目录, 鉴于) do not, which is how a label with an empty blank stays "not filled".
_SURNAMES: Final = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左"
    "柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈"
    "饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵"
    "苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_COMPOUND_SURNAMES: Final = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容")
_FORM_WORDS: Final = re.compile(
    r"地点|地址|编码|号码|名称|日期|时间|电话|传真|邮编|账号|银行|代表|签字|盖章|签章|"
    r"代理|住所|身份|证件|证号|目录|附件|鉴于|条款|面积|期限|金额|单位|年月|月日|邮箱|网址|"
    r"联系|方式|用途|数量|价格|标准|类型|工程|项目|说明|备注|负责|办学|设计"
)
_PERSON_EN: Final = re.compile(
    r"(?:Mr\.?\s+|Ms\.?\s+|Mrs\.?\s+|Dr\.?\s+)?[A-Z][a-z]+(?:\s+[A-Z][a-z.]+){1,3}"
)
_LEADING: Final = re.compile(
    r"^(?:(?:本合同|本协议)?(?:由|与|和|及|、)|[,;:]|(?i:(?:by\s+and\s+)?between\b:?|by\b|and\b)"
    r"|\(\d\)|\d[.)])\s*"
)
_PERSON_EN_UPPER: Final = re.compile(r"[A-Z]{2,}(?:\s+[A-Z]{2,}){1,3}")
_NOT_PERSON: Final = re.compile(
    r"\b(?:Agreement|Contract|Services?|Part(?:y|ies)|Date|Name|Title|Seal|Signature|Lease|"
    r"Purchase|Schedule|Annex|Appendix|Clause|Article|Section|Page|Order|Terms|Conditions|"
    r"Between|Whereas|Witness|Hereby|Now|Therefore)\b",
    re.IGNORECASE,
)
_COMPANY_THEN_TEXT: Final = re.compile(
    r"(?P<name>[^,;:。()\s]{2,40}?公司(?:[\u4e00-\u9fff]{1,12}?分公司)?)(?=[\u4e00-\u9fff(])"
)
_LABEL_ONLY: Final = re.compile(r"[^:]{1,30}:\s*")
#: The name under a role, after a label of its own: 名称：, 机构名称（…）：, 姓名：.
_NAME_LABEL: Final = re.compile(
    r"\s*[\u4e00-\u9fff]{0,4}(?:名称|姓名|全称)(?:\([^()]{0,40}\))?\s*:\s*(\S.*)"
)
_NEXT_LABEL: Final = re.compile(r"\s*[^\s:,;。]{1,14}(?:\([^)]{0,10}\))?\s*:")
_NOT_NAME: Final = re.compile(
    r"@|https?:|www\.|\d{5,}|_{2,}|^\(|以下简称|(?i:\b(?:tel|fax|email|address)\b)|"
    r"(?i:\b(?:shall|will|agree|this\s+agreement|hereby|between)\b)"
)
_CODE_LABELED: Final = re.compile(
    r"(?:统一社会信用代码|社会信用代码|信用代码|纳税人识别号|(?i:unified\s+social\s+credit\s+code"
    r"|credit\s+code|uscc|registration\s+no\.?(?:\s*\(uscc\))?))\s*(?:\([^)]{0,12}\))?\s*:?\s*"
    r"(?P<code>[0-9A-Za-z]{18})(?![0-9A-Za-z])"
)
_OWNER_BEFORE: Final = re.compile(rf"(?:{_ZH_LABELS})\s*(?:的)?$")
_CODE_BARE: Final = re.compile(r"(?<![0-9A-Za-z])(?P<code>[0-9A-Z]{18})(?![0-9A-Za-z])")
_OCR_DIGIT: Final = str.maketrans("OILZSBG", "0112586")
_OCR_ANY: Final = str.maketrans("OISZV", "0152U")
_AND_NEXT: Final = re.compile(r"\s*[,;]?\s*(?i:and)\b")
_LIST_MARK: Final = re.compile(r"\s*(?:\(\d\)|\d[.)])\s")
_OPENING: Final = re.compile(r"(?i)\b(?:between|by)\b(?!\s+and\b)\s*:?\s*")
_EN_DEFINED: Final = re.compile(
    r"\(\s*(?:hereinafter\s+(?:referred\s+to\s+as\s+|called\s+)?|the\s+|each\s+a\s+)?"
    r"[\"“'‘](?P<label>[A-Za-z][A-Za-z ]{1,30}?)[\"”'’]\s*\)"
)
_ZH_DEFINED: Final = re.compile(
    r"\(\s*(?:以下简称|以下称|下称|简称)\s*(?:为)?\s*:?\s*[\"“]?"
    rf"(?P<label>{_ZH_LABELS})[\"”]?\s*\)"
)
_ZH_NAME_BEFORE: Final = re.compile(r"[^,。;:“”()\n]{2,60}$")
_BLOCK_CHARS: Final = 900


@dataclass(frozen=True)
class _Found:
    role: str | None  # None: a capacity label only (出租方, "Buyer"); assigned by order
    label: str
    name: str
    start: int  # where the party's block starts in the flow
    end: int  # end of the name, for the source snippet
    confidence: float
    signature: bool = False  # from a signature block (甲方（盖章）：…), the weakest source


def _explicit_role(label: str, qualifier: str | None) -> str | None:
    """party_a for 甲方 / Party A (also inside a qualifier: 委托方（甲方）)."""
    for text in (label, qualifier or ""):
        for word, role in _EXPLICIT.items():
            if word in text:
                return role
        match = re.search(r"(?i)party\s+([a-d])\b", text)
        if match:
            return f"party_{match.group(1).lower()}"
    return None


def clean_name(text: str) -> str:
    """The name part of a party value: no trailing details, brackets or punctuation."""
    cut = _INLINE_LABEL.search(text)
    if cut:
        text = text[: cut.start()]
    company = _COMPANY_THEN_TEXT.match(text.strip())
    if company:  # 某某有限公司出租人向承租人… - the words after a company's name
        text = company.group("name")
    text = _LEADING.sub("", text.strip())
    return text.strip(" ,;:。\"“”'‘’*(")


def name_strength(name: str) -> float:
    """0 for not a name, 0.7 for a plausible person's name, 1 for an organisation."""
    if not 2 <= len(name) <= 80 or _NOT_NAME.search(name):
        return 0.0
    if re.search(r"[\u4e00-\u9fff]", name):
        if (
            "的" in name
            or re.fullmatch(_ZH_LABELS, name)
            or re.search(r"[省市县区镇乡村局]\(", name)
        ):
            return 0.0
        suffix = _ZH_SUFFIX.search(name)
        if suffix and suffix.start() >= 2 and (len(suffix.group()) > 1 or len(name) > 4):
            return 1.0
        if _FORM_WORDS.search(name):
            return 0.0
        if _PERSON_ZH.fullmatch(name) and (
            name[0] in _SURNAMES or name.startswith(_COMPOUND_SURNAMES)
        ):
            return 0.7
        return 0.0
    if name[0].islower():
        return 0.0
    if _EN_SUFFIX.search(name.rstrip(".")) or _EN_SUFFIX.search(name):
        return 1.0
    if (_PERSON_EN.fullmatch(name) or _PERSON_EN_UPPER.fullmatch(name)) and not _NOT_PERSON.search(
        name
    ):
        return 0.7
    return 0.0


def _paragraphs(flow: str) -> list[tuple[int, str]]:
    out = []
    pos = 0
    for line in flow.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def _label_parties(doc: Doc) -> list[_Found]:
    """Parties from label lines, reading ahead when the value sits on later lines."""
    paragraphs = _paragraphs(doc.flow)
    found: list[_Found] = []
    for index, (_, text) in enumerate(paragraphs):
        segments = _label_segments(text)
        for segment in segments:
            item = _label_party(paragraphs, index, segment, len(segments) == 1)
            if item is not None:
                found.append(item)
    return found


def _label_segments(text: str) -> list[tuple[str, str, str | None, str, int]]:
    """(label, base, qualifier, value, value offset) of each party label on a label line:
    出租人：X 承租人：Y holds two."""
    if ":" not in text:
        return []  # every label ends with a colon (full-width ones are normalised)
    match = _LABEL_LINE.match(text)
    heads = []
    if match is not None:
        heads.append(
            (match.group("label"), match.group("base"), match.group("qual"), match.start("value"))
        )
    elif not _NEXT_LABEL.match(text):
        return []  # neither a party label nor any label starts the line: a sentence
    if text.count(":") > (1 if match else 0):  # another label further along the line
        heads += [
            (m.group("label"), m.group("base"), m.group("qual"), m.end())
            for m in _LABEL_ANY.finditer(text, match.start("value") if match else 0)
        ]
    out = []
    for number, (label, base, qualifier, value_at) in enumerate(heads):
        end = len(text)
        if number + 1 < len(heads):
            end = text.rfind(heads[number + 1][0], value_at, heads[number + 1][3])
        out.append((label, base, qualifier, text[value_at : max(value_at, end)], value_at))
    return out


def _label_party(
    paragraphs: list[tuple[int, str]],
    index: int,
    segment: tuple[str, str, str | None, str, int],
    alone: bool,
) -> _Found | None:
    """The party one label names, reading ahead when the value sits on later lines.

    A label whose blank is empty, or holds only the next label (出卖人：签订地点：), is
    "not filled": it names no one.
    """
    start = paragraphs[index][0]
    label, base, qualifier, value, value_at = segment
    signature = bool(_SIGNATURE.search(label))
    if _SIGNATURE.search(value[:6]):
        return None
    name = clean_name(value)
    name_end = start + value_at + max(0, value.find(name)) + len(name)
    if name and name_strength(name) < 1 and alone and index + 1 < len(paragraphs):
        # 甲方：上海云杉信息技|术有限公司 - a name cut by a line end
        following_start, following = paragraphs[index + 1]
        joined = clean_name(value + following)
        if len(following) <= 24 and not _LABEL_LINE.match(following) and name_strength(joined) == 1:
            name, name_end = joined, following_start + len(following)
    if name_strength(name) == 0 and not signature and alone and not value.strip():
        # a PDF text layer may put the value lines after all the labels
        name = ""
        for later_start, later in paragraphs[index + 1 : index + 10]:
            if _LABEL_LINE.match(later):
                break
            if not later.strip() or _LABEL_ONLY.fullmatch(later):
                continue
            named = _NAME_LABEL.match(later)  # 甲方：\n机构名称（…一致）：上海启明星教育培训中心
            if named:
                later_start, later = later_start + named.start(1), named.group(1)
            candidate = clean_name(later)
            if len(later.strip()) <= 40 and name_strength(candidate) > 0:
                name = candidate
                name_end = later_start + max(0, later.find(candidate)) + len(candidate)
            break
    strength = name_strength(name)
    if strength == 0:
        return None
    confidence = (0.95 if strength == 1 else 0.7) - (0.1 if signature else 0.0)
    role = _explicit_role(base, qualifier)
    return _Found(role, label, name, start, name_end, confidence, signature)


def _sentence_parties(doc: Doc) -> list[_Found]:
    """Parties defined in a sentence: "between X ("Buyer") and Y" or X（以下简称“甲方”）."""
    flow = doc.flow
    found: list[_Found] = []
    limit = max(3000, len(flow) // 3)
    for match in _ZH_DEFINED.finditer(flow, 0, limit):
        before = _ZH_NAME_BEFORE.search(flow, max(0, match.start() - 60), match.start())
        if before is None:
            continue
        name = clean_name(before.group())
        strength = name_strength(name)
        if strength:
            label = match.group("label")
            role = _explicit_role(label, None)
            confidence = 0.9 if strength == 1 else 0.65
            found.append(_Found(role, label, name, before.start(), match.end(), confidence))
    # The preamble of an English agreement: "by and between X, a Delaware corporation
    # ("Company"), and Y ("Customer")", or a numbered BETWEEN:/PARTIES list.
    for number, party in enumerate(preamble_parties(doc, lambda n: name_strength(n) > 0), 1):
        strength = name_strength(party.name)
        confidence = 0.9 if strength == 1 else (0.85 if party.label else 0.72)
        label = party.label or f"Party {number}"
        found.append(
            _Found(
                _explicit_role(label, None), label, party.name, party.start, party.end, confidence
            )
        )
    return found


def _signature_parties(doc: Doc) -> list[_Found]:
    """Companies named in the signature block (above "By:", "on behalf of X")."""
    return [
        _Found(None, f"Signatory {n}", p.name, p.start, p.end, 0.82, signature=True)
        for n, p in enumerate(signature_parties(doc, lambda n: name_strength(n) == 1), 1)
    ]


def read_credit_code(raw: str) -> tuple[str | None, tuple[str, ...]]:
    """A credit code as printed: (valid code or None, flags).

    OCR confusions are corrected only when the corrected code passes its check: letters
    that look like digits in the six-digit division code (O→0, I→1, Z→2, S→5, B→8),
    and letters no credit code uses anywhere (I, O, S, Z, V).
    """
    code = uscc.normalize(raw)
    try:
        return uscc.validate(code), ()
    except InvalidInput:
        pass
    if len(code) == 18:
        fixed = (code[:2] + code[2:8].translate(_OCR_DIGIT) + code[8:]).translate(_OCR_ANY)
        if fixed != code:
            try:
                return uscc.validate(fixed), ("credit_code_corrected",)
            except InvalidInput:
                pass
    return None, ("invalid_credit_code",)


def _credit_code(
    doc: Doc, start: int, end: int, label: str
) -> tuple[str | None, tuple[str, ...], int]:
    """The credit code printed in a party's block, its flags and where it ends.

    A code line that names the party (甲方统一社会信用代码：…), wherever it is, wins.
    """
    short = re.split(r"[(\s]", label, maxsplit=1)[0]
    if short and re.fullmatch(_ZH_LABELS, short):
        named = re.search(rf"(?:^|\n){short}\s*(?:的)?{_CODE_LABELED.pattern}", doc.flow)
        if named:
            code, flags = read_credit_code(named.group("code"))
            return code, flags, start
    block = doc.flow[start:end]
    others: set[str] = set()
    for labeled in _CODE_LABELED.finditer(block):
        owner = _OWNER_BEFORE.search(block, max(0, labeled.start() - 8), labeled.start())
        if owner and owner.group() != short:
            others.add(labeled.group("code"))
            continue  # 甲方统一社会信用代码 in 乙方's block belongs to 甲方
        code, flags = read_credit_code(labeled.group("code"))
        return code, flags, start + labeled.end()
    for bare in _CODE_BARE.finditer(block):
        token = bare.group("code")
        if token.isdigit() or token in others:
            continue  # an account number, not a credit code, unless labelled
        code, flags = read_credit_code(token)
        if code is not None:
            return code, flags, start + bare.end()
    return None, (), start


def _capacity(label: str) -> str:
    """A label without its qualifier, in one case: "Party A (Buyer)" -> "party a"."""
    return re.split(r"\s*\(", label, maxsplit=1)[0].casefold()


def extract_parties(doc: Doc) -> list[PartyGuess]:
    """The parties of the contract, one per role, in role order."""
    labelled = _label_parties(doc)
    found = [f for f in labelled if not f.signature] + _sentence_parties(doc)
    found += [f for f in labelled if f.signature]
    if len({name_key(f.name) for f in found}) < 2:
        found += _signature_parties(doc)
    chosen: list[_Found] = []
    names: set[str] = set()
    capacities: set[str] = set()
    for item in found:  # label lines first; a role, a capacity or a name counts once
        key = name_key(item.name)
        capacity = _capacity(item.label)
        if key in names or (item.role and any(c.role == item.role for c in chosen)):
            continue
        if item.role is None and capacity in capacities:
            continue
        names.add(key)
        capacities.add(capacity)
        chosen.append(item)
    taken = {c.role for c in chosen if c.role}
    free = [r for r in (f"party_{c}" for c in "abcdefgh") if r not in taken]
    assigned: list[_Found] = []
    for item in sorted(chosen, key=lambda f: f.start):
        if item.role is None:
            if not free:
                continue
            item = replace(item, role=free.pop(0))
        assigned.append(item)
    starts = sorted(f.start for f in assigned)
    guesses = []
    for item in assigned:
        following = [s for s in starts if s > item.start]
        block_end = min(following[0] if following else len(doc.flow), item.start + _BLOCK_CHARS)
        code, flags, code_end = _credit_code(doc, item.start, block_end, item.label)
        confidence = item.confidence
        if "invalid_credit_code" in flags:
            confidence = min(confidence, 0.6)
        elif "credit_code_corrected" in flags:
            confidence = min(confidence, 0.85)
        source_end = item.end if code_end - item.start > 120 else max(item.end, code_end)
        assert item.role is not None
        guesses.append(
            PartyGuess(
                role=item.role,
                label=item.label,
                name=item.name,
                credit_code=code,
                confidence=confidence,
                source=doc.source(item.start, source_end),
                flags=flags,
            )
        )
    return sorted(guesses, key=lambda g: g.role)


# --- matching existing counterparties ----------------------------------------------------


class Counterparty(Protocol):
    """What :func:`match_party` needs of a stored party (contractctl.records.parties.Party fits)."""

    @property
    def id(self) -> str:
        """The stored party's id."""
        ...

    @property
    def name(self) -> str:
        """The stored party's name."""
        ...

    @property
    def uscc(self) -> str | None:
        """The stored party's credit code, if it has one."""
        ...


_WORDS: Final = {
    "limited": "ltd",
    "company": "co",
    "corporation": "corp",
    "incorporated": "inc",
    "the": "",
    "and": "&",
}


def name_key(name: str) -> str:
    """A party name reduced for comparison: width, case, spacing, punctuation and the
    spelling of legal forms ("Co., Limited" = "Co. Ltd") do not matter."""
    text = unicodedata.normalize("NFKC", name).casefold()
    words = re.split(r"[\s.,'’\"“”]+", text)
    return "".join(_WORDS.get(w, w) for w in words).replace("(", "").replace(")", "")


def match_party(guess: PartyGuess, parties: Iterable[Counterparty]) -> PartyMatch | None:
    """The stored counterparty that ``guess`` refers to, or None to create a new one.

    A valid credit code decides (flag ``name_differs`` when the stored name is another
    spelling); otherwise the normalised name must match exactly one party. A name match
    whose stored credit code differs from the one in the text is returned with the flag
    ``credit_code_conflict`` and a low confidence, so the import asks instead of
    creating a duplicate.
    """
    candidates = list(parties)
    key = name_key(guess.name)
    if guess.credit_code:
        for party in candidates:
            if party.uscc and uscc.normalize(party.uscc) == guess.credit_code:
                flags = () if name_key(party.name) == key else ("name_differs",)
                return PartyMatch(party.id, "credit_code", 0.99, flags)
    same_name = [p for p in candidates if name_key(p.name) == key]
    if not same_name:
        return None
    party = same_name[0]
    if len(same_name) > 1:
        return PartyMatch(party.id, "name", 0.5, ("several_matches",))
    if guess.credit_code and party.uscc and uscc.normalize(party.uscc) != guess.credit_code:
        return PartyMatch(party.id, "name", 0.4, ("credit_code_conflict",))
    return PartyMatch(party.id, "name", 0.9)
