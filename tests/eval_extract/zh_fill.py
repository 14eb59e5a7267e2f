"""The Chinese model contracts, blank and filled in a copy with known values.

The filler reads each paragraph of a copy of the DOCX (body and table cells) and writes
into the blanks it recognises: the first two party labels of the party block
(甲方/乙方, 出卖人/买受人, 出租人/承租人, 委托人/受托人, ...), the signing place and date,
the term's dates, the total price in figures and capitals, a deposit beside it, and on
some contracts a renewal sentence after the term. What it wrote is the truth; every
blank it did not fill stays blank and must read as "not filled". Values are drawn from a
seeded generator, so the set is the same on every run.
"""

from __future__ import annotations

import random
import re
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Final

from contractctl.dates import add_months
from contractctl.documents.extract import docx_text
from contractctl.metadata import Term
from contractctl.money import Money, parse_money, to_chinese_upper
from tests.eval_extract.cases import Case

CORPUS: Final = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
ZH: Final = CORPUS / "zh-model-contracts"
CACHE: Final = Path(__file__).resolve().parents[2] / "build" / "eval_extract"

PARTY_LABELS: Final = (
    "甲方|乙方|出卖人|买受人|出租人|承租人|委托人|受托人|定作人|承揽人|保管人|存货人|寄存人|"
    "发包方|承包方|发包人|承包人|出让人|受让人|赠与人|受赠人|借款人|贷款人|出借人|托运人|承运人|"
    "供方|需方|卖方|买方|委托方|受托方|出租方|承租方|转让方|受让方|居间人|中介人|旅游者|旅行社|"
    "培训机构|受训者|被许可人|许可人|合作方|服务方|消费者|经营者|养老机构|入住者|供电人|用电人|"
    "加工方|定作方|承揽方|运输方|委托单位|受托单位|租赁方|买方单位|卖方单位|设计人|监理人|供气人|用气人|"
    "供水人|用水人|供热人|用热人|定制人|劳务分包人|工程承包人|分包人|中介人|居间人"
)
_BL: Final = r"[ \t\u3000_]*"
_PARTY: Final = re.compile(
    rf"(?:^|(?<=[ \t\u3000]))(?P<label>{PARTY_LABELS})(?P<qual>（[^）]{{0,10}}）|\([^)]{{0,10}}\))?"
    rf"[：:](?P<blank>{_BL})(?=(?P<after>[^\n]{{0,6}}))"
)
_PLACE: Final = re.compile(
    rf"(?P<label>签订地点|签约地点|订立地点|合同订立地点)[：:](?P<blank>{_BL})"
    rf"(?=$|[^ \t\u3000_：:]{{2,14}}[：:])"
)
_SIGN_DATE: Final = re.compile(
    rf"(?P<label>签订时间|签订日期|签约日期|订立时间|签署日期|合同订立时间|签约时间)[：:]?{_BL}"
    rf"年{_BL}月{_BL}日"
)
_SIGNED_ON: Final = re.compile(rf"本合同于{_BL}年{_BL}月{_BL}日{_BL}(?=签\s*订|订立|签署)")
_RANGE: Final = re.compile(
    rf"(?P<from>自|从){_BL}年{_BL}月{_BL}日{_BL}(?P<qi>起)?[，,]?{_BL}(?P<to>至|到){_BL}"
    rf"年{_BL}月{_BL}日"
)
_RANGE_CONTEXT: Final = re.compile(r"期限|有效期|租赁期|租期|服务期|合作期|经营期|承包期")
_YEARS_BLANK: Final = re.compile(rf"(?P<pre>期限为|期限|为期){_BL}(?=年)")
_TOTAL: Final = re.compile(
    r"合计人民币金额|总价款|合同总价|合同总金额|合同总额|价款总额|签约合同价|合同价款|租金总额|"
    r"总金额|费用总额|转让价款|转让价格|服务费总额|旅游费用合计|合同金额|总价"
)
_FIGURE_SLOT: Final = re.compile(r"(?<![\d一二三四五六七八九十])[ \t\u3000_]+(?=元)")
_CAPITALS_SLOT: Final = re.compile(r"大写[）)]?[：:]?(?P<blank>[ \t\u3000_]+)")
_OPEN_SLOT: Final = re.compile(
    rf"^[）)]?[：:为是](?P<blank>{_BL})(?=$|[^ \t\u3000_：:]{{2,14}}[：:])"
)
_DEPOSIT: Final = re.compile(
    r"(?:定金|押金|保证金)[^。；;\n元]{0,12}?(?P<blank>[ \t\u3000_]+)(?=元)"
)
_EFFECT: Final = re.compile(rf"本合同自(?P<blank>{_BL})起生效")
# The model text itself may say the contract takes effect when signed: a labeller
# reading the filled copy takes the signing date as the effective date then.
_ON_SIGNING: Final = re.compile(r"(?:签字|盖章|签章|签订|签署)[^。；;\n]{0,6}之日起生效")

COMPANY_HEADS: Final = (
    "江苏沃田",
    "浙江禾丰",
    "山东鲁康",
    "湖南湘源",
    "河北冀润",
    "福建闽信",
    "安徽皖通",
    "四川蜀联",
    "重庆渝达",
    "辽宁辽海",
    "云南滇红",
    "广西桂林山水",
    "陕西秦川",
    "黑龙江龙垦",
    "江西赣电",
    "内蒙古草原",
    "甘肃陇原",
    "贵州黔丰",
    "吉林长白",
    "宁夏塞上",
)
COMPANY_TRADES: Final = (
    "农业发展",
    "化工",
    "物流",
    "食品",
    "建材",
    "电子",
    "纺织",
    "粮油",
    "机电设备",
    "文化传媒",
    "旅行社",
    "置业",
    "商贸",
    "印务",
    "供应链管理",
)
COMPANY_FORMS: Final = ("有限公司", "有限责任公司", "股份有限公司", "集团有限公司")
SURNAMES: Final = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗郑梁谢宋唐"
GIVEN: Final = ("建华", "秀英", "志强", "丽娟", "海涛", "晓明", "春梅", "国平", "玉兰", "文博")


def _company(rng: random.Random) -> str:
    return rng.choice(COMPANY_HEADS) + rng.choice(COMPANY_TRADES) + rng.choice(COMPANY_FORMS)


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _zh_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class _Filler:
    """Fills one contract's paragraphs in order, remembering what it wrote."""

    def __init__(self, rng: random.Random, index: int, paragraphs: int) -> None:
        self.rng = rng
        self.index = index
        self.head_limit = max(60, paragraphs * 35 // 100)
        self.names: dict[str, str] = {}
        self.signed = date(2018, 1, 1) + timedelta(days=rng.randrange(0, 365 * 7))
        self.total = parse_money(
            str(
                rng.choice((3, 5, 8, 12, 18, 25, 36, 48, 75, 120)) * 1000
                + rng.choice((0, 0, 500, 800, 260))
            ),
            "CNY",
        )
        self.case = Case(name="", kind="zh-filled", text="")

    def fill(self, number: int, text: str) -> str:
        text = self._parties(number, text)
        text = _PLACE.sub(lambda m: f"{m.group('label')}：上海市浦东新区 ", text)
        text = self._dates(text)
        text = self._amounts(text)
        return text

    def _parties(self, number: int, text: str) -> str:
        def put(match: re.Match[str]) -> str:
            label, qual = match.group("label"), match.group("qual") or ""
            blank, after = match.group("blank"), match.group("after")
            if re.search(r"章|签|盖|印", qual) or re.match(
                r"[（(]?(?:公章|章|盖章|签字|签章|签名)", after
            ):
                return match.group()
            if after and not (
                re.search(r"\t|\u3000|  |__", blank)
                or re.match(r"[^ \t\u3000_：:]{2,14}[：:]", after)
            ):
                return match.group()  # 甲方：负责... - a sentence, not a blank
            name = self.names.get(label)
            if name is None:
                if len(self.names) >= 2 or number > self.head_limit:
                    return match.group()
                second = bool(self.names)
                name = (
                    _person(self.rng) if second and self.rng.random() < 0.25 else _company(self.rng)
                )
                self.names[label] = name
                self.case.parties.append(name)
            return f"{label}{qual}：{name}  "

        return _PARTY.sub(put, text)

    def _dates(self, text: str) -> str:
        def signed(match: re.Match[str]) -> str:
            self.case.signed_date = self.signed
            return f"{match.group('label')}：{_zh_date(self.signed)}"

        text = _SIGN_DATE.sub(signed, text)
        if _SIGNED_ON.search(text):
            self.case.signed_date = self.signed
            text = _SIGNED_ON.sub(f"本合同于{_zh_date(self.signed)}", text)
        if self.case.effective_date is None and _RANGE_CONTEXT.search(text):
            match = _RANGE.search(text)
            if match:
                start = self.signed + timedelta(days=self.rng.choice((0, 1, 10, 15, 31)))
                years = self.rng.choice((1, 1, 2, 3, 5))
                end = add_months(start, 12 * years) - timedelta(days=1)
                self.case.effective_date, self.case.expiry_date = start, end
                written = (
                    f"{match.group('from')}{_zh_date(start)}{match.group('qi') or ''}"
                    f"{match.group('to')}{_zh_date(end)}"
                )
                text = text[: match.start()] + written + text[match.end() :]
                text = _YEARS_BLANK.sub(lambda m: f"{m.group('pre')}{years}", text, count=1)
                text += self._renewal()
        effect = _EFFECT.search(text)
        if effect and self.case.effective_date is None and self.case.signed_date is not None:
            self.case.effective_date = self.case.signed_date
            text = text[: effect.start()] + "本合同自双方签字盖章之日起生效" + text[effect.end() :]
        return text

    def _renewal(self) -> str:
        kind = self.index % 5
        self.case.renewal_known = True
        if kind == 0:
            self.case.auto_renewal, self.case.notice = True, Term(30, "days")
            return "期满前三十日内双方均未书面提出异议的，本合同自动续期一年，续期次数不限。"
        if kind == 1:
            self.case.auto_renewal, self.case.notice = True, Term(2, "months")
            return "任何一方不同意续约的，应于期满前两个月书面通知对方，否则本合同自动续约一年。"
        if kind == 2:
            self.case.auto_renewal = False
            return "本合同期满即行终止，不自动续期；双方如需续签，应另行签订书面合同。"
        # 3, 4: nothing added; the model text may offer renewal of its own, unlabelled
        self.case.renewal_known = False
        return ""

    def _amounts(self, text: str) -> str:
        if self.case.amount is None:
            total = _TOTAL.search(text)
            if total:
                filled = self._total(text, total.end())
                if filled is not None:
                    self.case.amount = self.total
                    text = filled
        if self.case.amount is not None:
            deposit = _DEPOSIT.search(text)
            if deposit:
                figure = f"{self.total.minor // 1000:,}"  # a tenth of the total
                text = text[: deposit.start("blank")] + f" {figure} " + text[deposit.end("blank") :]
        return text

    def _total(self, text: str, at: int) -> str | None:
        figure = f"{self.total.minor // 100:,}" + (
            f".{self.total.minor % 100:02d}" if self.total.minor % 100 else ""
        )
        capitals = to_chinese_upper(self.total)  # 人民币壹拾贰万叁仟元整
        rest = text[at:]
        open_slot = _OPEN_SLOT.match(rest)
        if open_slot and "大写" not in rest[:12]:
            return (
                text[:at]
                + rest[: open_slot.start("blank")]
                + f"人民币{figure}元（大写：{capitals}）"
                + (rest[open_slot.end("blank") :])
            )
        if rest.startswith(("（大写）", "(大写)")):
            cut = rest.find("：") + 1 or rest.find(":") + 1
            if cut and not rest[cut:].strip(" \t\u3000_"):
                return text[: at + cut] + f"{capitals}（¥{figure}）"
        window = rest[:40]
        slot = _FIGURE_SLOT.search(window)
        if slot is None:
            return None
        out = rest[: slot.start()] + f" {figure} " + rest[slot.end() :]
        out = out.replace("（币种）", "人民币", 1)
        caps = _CAPITALS_SLOT.search(out, slot.start(), slot.start() + 40)
        if caps:
            after = out[caps.end("blank") :]
            body = capitals.removeprefix("人民币")
            if after.startswith("元整"):
                body = body.removesuffix("元整")
            elif after.startswith("元"):
                body = body.removesuffix("整").removesuffix("元")
            out = out[: caps.start("blank")] + body + after
        return text[:at] + out


def _paragraphs(document: object) -> list[object]:
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    body = document.element.body  # type: ignore[attr-defined]
    return [Paragraph(p, document) for p in body.iter(qn("w:p"))]  # type: ignore[arg-type]


def _set_text(paragraph: object, text: str) -> None:
    runs = paragraph.runs  # type: ignore[attr-defined]
    if not runs:
        paragraph.add_run(text)  # type: ignore[attr-defined]
        return
    runs[0].text = text
    for run in runs[1:]:
        run.text = ""


def filled(path: Path, index: int, seed: int = 2026) -> Case:
    """A filled copy of one model contract (cached under build/eval_extract/) and its truth."""
    from docx import Document

    rng = random.Random(f"{seed}-{path.name}")
    document = Document(str(path))
    paragraphs = _paragraphs(document)
    filler = _Filler(rng, index, len(paragraphs))
    for number, paragraph in enumerate(paragraphs):
        text = paragraph.text  # type: ignore[attr-defined]
        if "".join(r.text for r in paragraph.runs) != text:  # type: ignore[attr-defined]
            continue  # text in hyperlinks or fields: leave it as published
        new = filler.fill(number, text)
        if new != text:
            _set_text(paragraph, new)
    CACHE.mkdir(parents=True, exist_ok=True)
    copy = CACHE / f"filled-{index:03d}.docx"
    document.save(str(copy))
    case = filler.case
    if case.effective_date is None and case.signed_date and _ON_SIGNING.search(docx_text(copy)):
        case.effective_date = case.signed_date
    case.name, case.text, case.filename = f"zh-filled/{path.stem}", docx_text(copy), path.name
    return case


def blank(path: Path) -> Case:
    """A model contract as published: no parties, no amount, no dates."""
    return Case(
        name=f"zh-blank/{path.stem}",
        kind="zh-blank",
        text=docx_text(path),
        filename=path.name,
    )


def available() -> bool:
    """Whether the shared corpus is here."""
    return ZH.is_dir()


def model_contracts() -> list[Path]:
    """The model contracts, in a stable order."""
    return sorted(ZH.glob("*.docx"))


def cases(limit: int | None = None) -> list[Case]:
    """Filled and blank cases for the first ``limit`` model contracts (all by default)."""
    out: list[Case] = []
    for index, path in enumerate(model_contracts()[:limit]):
        out.append(filled(path, index))
        out.append(blank(path))
    return out


def clean_cache() -> None:
    """Remove the filled copies."""
    shutil.rmtree(CACHE, ignore_errors=True)


__all__ = ["Money", "available", "blank", "cases", "filled", "model_contracts"]
