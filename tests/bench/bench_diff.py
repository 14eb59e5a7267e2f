"""Compare benchmark: two ~50-page contracts (~100k characters), in Chinese and in English.

The documents are built from the shipped templates rendered with their [sample] data:
every article of every template, one after the other and renumbered, sub-clauses N.M to
match. The Chinese contract numbers them 第一条 … 第一百…条 (the Chinese and English
templates mixed, as a bilingual contract); the English one is the English templates
alone, ``N. Title`` with many small ``N.M`` clauses (the case whose cost used to
explode). Each new version carries a dozen edits (articles inserted, deleted and moved,
amounts, dates, a percentage and a party changed, sentences reworded). Baselines in the
same process, on the same texts: ``difflib.SequenceMatcher`` over lines with
``get_opcodes`` (what a line diff costs) and ``difflib.unified_diff``. Target: compare()
under 0.5 s in both languages.
"""

from __future__ import annotations

import difflib
import re
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from contractctl.compare import compare
from contractctl.documents.clauses import chinese_number, clause_numeral
from tests.bench.harness import Row, median_seconds

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
NAMES = (
    "purchase-zh",
    "service-en",
    "lease-zh",
    "nda-zh",
    "sales-zh",
    "purchase-en",
    "service-zh",
    "nda-en",
)
ENGLISH = ("service-en", "purchase-en", "nda-en")
TARGET_CHARS = 100_000
_ZH = re.compile(r"^第([一二三四五六七八九十百零]+)条\s*(.*)$")
_EN = re.compile(r"^(\d{1,2})\.\s+(\S.*)$")


def _render(name: str, out: Path) -> str:
    from contractctl.config import Company
    from contractctl.documents.extract import docx_text
    from contractctl.drafting.fields import validate_values
    from contractctl.drafting.render import Renderer, to_context
    from contractctl.drafting.schema import load_schema

    spec = load_schema(TEMPLATES / f"{name}.toml")
    values, problems = validate_values(spec, spec.sample, resolve_party=None)
    assert not problems, problems
    path = out / f"{name}.docx"
    company = Company(name="上海我们科技有限公司").as_dict()
    Renderer(TEMPLATES / f"{name}.docx").render(to_context(values, company), path)
    return docx_text(path)


def _articles(text: str) -> tuple[list[str], list[tuple[int, str, list[str]]]]:
    """Preamble lines and (number, title, body lines) of each top-level article."""
    preamble: list[str] = []
    articles: list[tuple[int, str, list[str]]] = []
    for line in text.split("\n"):
        zh, en = _ZH.match(line), _EN.match(line)
        if zh:
            articles.append((chinese_number(zh.group(1)), zh.group(2), []))
        elif en and (not articles or int(en.group(1)) == articles[-1][0] + 1):
            articles.append((int(en.group(1)), en.group(2), []))
        elif articles:
            articles[-1][2].append(line)
        else:
            preamble.append(line)
    return preamble, articles


def _numeral(n: int) -> str:
    """第…条 numerals beyond 九十九: 一百零五, 一百一十五, 二百三十."""
    hundreds, rest = divmod(n, 100)
    if not hundreds:
        return clause_numeral(n)
    head = "一二三四五六七八九"[hundreds - 1] + "百"
    if rest == 0:
        return head
    if rest < 10:
        return head + "零" + clause_numeral(rest)
    return head + ("一" + clause_numeral(rest) if rest < 20 else clause_numeral(rest))


def _join(
    preamble: list[str], articles: list[tuple[int, str, list[str]]], *, english: bool = False
) -> str:
    lines = list(preamble)
    for k, (old, title, body) in enumerate(articles, 1):
        lines.append(f"{k}. {title}" if english else f"第{_numeral(k)}条 {title}")
        lines += [re.sub(rf"^{old}\.(\d)", rf"{k}.\1", line) for line in body]
    return "\n".join(lines)


def _contract(texts: list[str]) -> tuple[list[str], list[tuple[int, str, list[str]]]]:
    """The templates' articles one after the other until the contract is ~100k characters."""
    preamble: list[str] = []
    articles: list[tuple[int, str, list[str]]] = []
    size = 0
    n = 0
    while size < TARGET_CHARS:  # the templates again until the contract is ~100k characters
        pre, found = _articles(texts[n % len(texts)])
        if n == 0:
            preamble = pre
            size += sum(len(line) + 1 for line in pre)
        for article in found:
            if size >= TARGET_CHARS:
                break
            articles.append(article)
            size += len(article[1]) + sum(len(line) + 1 for line in article[2])
        n += 1
    return preamble, articles


def build() -> tuple[str, str, int]:
    """(old text, new text, number of edits) for the Chinese benchmark."""
    with tempfile.TemporaryDirectory() as tmp:
        texts = [_render(name, Path(tmp)) for name in NAMES]
    preamble, articles = _contract(texts)
    old = _join(preamble, articles)
    edited = list(articles)
    edited.insert(
        30, (0, "环境保护", ["乙方应确保货物的生产、包装和运输符合环境保护法律法规的要求。"])
    )
    edited.insert(
        120, (0, "Business Continuity", ["Party B shall maintain and test a continuity plan."])
    )
    del edited[75]
    edited.append(edited.pop(50))
    new = _join(preamble, edited)
    replacements = [
        ("¥20,000.00（大写：人民币贰万元整）", "¥25,000.00（大写：人民币贰万伍仟元整）"),
        ("USD 132,000.00. The Fees", "USD 134,000.00. The Fees"),
        ("违约金¥200,000.00", "违约金¥300,000.00"),
        ("2026年12月20日前", "2027年1月15日前"),
        ("from January 1, 2027", "from February 1, 2027"),
        ("合同总价款的30%作为预付款", "合同总价款的40%作为预付款"),
        ("乙方（卖方）：\t苏州恒泰智能装备有限公司", "乙方（卖方）：\t苏州恒泰精密机械有限公司"),
        ("包装物不予回收", "包装物由乙方负责回收"),
        ("shall not be unreasonably withheld", "may be withheld at Party A's discretion"),
    ]
    for before, after in replacements:
        assert before in new, before
        new = new.replace(before, after, 1)
    return old, new, 4 + len(replacements)


def build_english() -> tuple[str, str, int]:
    """(old text, new text, number of edits) for the English benchmark."""
    with tempfile.TemporaryDirectory() as tmp:
        texts = [_render(name, Path(tmp)) for name in ENGLISH]
    preamble, articles = _contract(texts)
    old = _join(preamble, articles, english=True)
    edited = list(articles)
    edited.insert(20, (0, "Business Continuity", ["Party B shall maintain and test a plan."]))
    edited.insert(90, (0, "Sanctions", ["Each party shall comply with export control laws."]))
    del edited[60]
    edited.append(edited.pop(40))
    new = _join(preamble, edited, english=True)
    replacements = [
        ("USD 132,000.00. The Fees", "USD 134,000.00. The Fees"),
        ("from January 1, 2027", "from February 1, 2027"),
        ("shall not be unreasonably withheld", "may be withheld at Party A's discretion"),
    ]
    for before, after in replacements:
        assert before in new, before
        new = new.replace(before, after, 1)
    return old, new, 4 + len(replacements)


def _median_cpu(fn: Callable[[], object], runs: int) -> float:
    """Median CPU time (this process) of ``runs`` calls."""
    samples = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        samples.append(time.process_time() - start)
    return statistics.median(samples)


def _table(language: str, old: str, new: str, edits: int) -> tuple[str, list[Row]]:
    """Time compare() against the difflib baselines on one pair of texts."""
    pages = len(old) / 2000  # ~2,000 characters per printed page of a bilingual contract
    result = compare(old, new)
    assert result.verdict == "changed"
    assert len(result.changes) >= edits, [(c.kind, c.clause) for c in result.changes]
    ours = median_seconds(lambda: compare(old, new), runs=7)
    old_lines, new_lines = old.splitlines(), new.splitlines()

    def line_opcodes() -> object:
        return difflib.SequenceMatcher(None, old_lines, new_lines).get_opcodes()

    def unified() -> object:
        return list(difflib.unified_diff(old_lines, new_lines, lineterm=""))

    by_lines = median_seconds(line_opcodes, runs=7)
    by_unified = median_seconds(unified, runs=7)
    # CPU time too: on a shared machine the wall time also counts other processes' turns.
    ours_cpu = _median_cpu(lambda: compare(old, new), runs=7)
    lines_cpu = _median_cpu(line_opcodes, runs=7)
    paged = "\f".join(
        "\n".join([*chunk, "", f"第 {n} 页 共 {len(new) // 4000 + 1} 页"])
        for n, chunk in enumerate(
            (new.split("\n")[k : k + 40] for k in range(0, len(new.split("\n")), 40)), 1
        )
    )
    tolerant = median_seconds(lambda: compare(old, paged), runs=5)
    articles = sum(1 for c in result.old_clauses if c.level == 1)
    return (
        f"Compare ({language}): two {pages:.0f}-page contracts, {len(old):,} characters, "
        f"{articles} articles ({len(result.old_clauses)} clauses with sub-clauses), {edits} "
        "edits (target < 0.5 s)",
        [
            Row(f"compare() → {len(result.changes)} changes", ours, by_lines, "s",
                "difflib lines + get_opcodes"),
            Row("compare() (same run)", ours, by_unified, "s", "difflib.unified_diff"),
            Row("compare(), CPU time (process_time)", ours_cpu, lines_cpu, "s",
                "difflib lines + get_opcodes, CPU"),
            Row("compare() against paginated text (\\f, footers)", tolerant, by_lines, "s",
                "difflib lines + get_opcodes"),
        ],
    )  # fmt: skip


def run() -> Iterator[tuple[str, list[Row]]]:
    """Yield the compare benchmark tables, Chinese and English."""
    yield _table("Chinese", *build())
    yield _table("English", *build_english())
