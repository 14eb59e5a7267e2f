"""Synthetic contracts for the search benchmarks and the search quality test.

Each contract reads like a real one: a title, a counterparty (上海星河电子科技有限公司 or
Harbor Analytics Ltd.), a header, and clauses drawn from the shipped templates' text
(templates/src/*.txt) with their fields filled in: amounts, dates, days, places,
products (often English names inside Chinese text). Chinese contracts sometimes carry
an English clause, English ones a Chinese party and address. Bodies are about 1,500
characters. The same seed gives the same corpus.

``build_store(home, n)`` writes ``n`` contracts with plain SQL in large transactions
into a store made by ``contractctl.bootstrap.initialise``, filling the search index as
contractctl does (same document shape, same CJK splitting). Version rows carry no text
object: the bodies live in the index only, which is all a search benchmark reads.
``cached_store(n)`` keeps built stores under tests/bench/_out, keyed by generator
version, seed and n, so reruns reuse them.

Run it alone: ``python -m tests.bench.corpus N [--seed S]`` prints where the store is.
"""

from __future__ import annotations

import random
import re
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from contractctl.bootstrap import initialise
from contractctl.money import Money, format_money, to_chinese_upper
from contractctl.store import search_index

#: Bump when the generated text or the stored shape changes: cached stores are rebuilt.
GENERATOR_VERSION = 2

REPO = Path(__file__).resolve().parents[2]
SOURCES = REPO / "templates" / "src"
CACHE = Path(__file__).parent / "_out"

CITIES = [
    "上海",
    "北京",
    "深圳",
    "杭州",
    "广州",
    "南京",
    "苏州",
    "成都",
    "武汉",
    "天津",
    "西安",
    "重庆",
]
CITIES_EN = ["Shanghai", "Beijing", "Shenzhen", "Hangzhou", "Guangzhou", "Nanjing", "Suzhou"]
BRAND_A = ["星", "华", "恒", "鼎", "远", "中", "新", "东", "瑞", "天",
           "博", "智", "金", "海", "云", "卓", "宏", "安", "嘉", "锦"]  # fmt: skip
BRAND_B = ["河", "信", "达", "盛", "景", "科", "元", "方", "丰", "成",
           "远", "联", "石", "川", "帆", "越", "图", "泰", "禾", "程"]  # fmt: skip
INDUSTRIES = ["电子科技", "信息技术", "建设工程", "物流", "贸易", "医疗器械",
              "软件", "新材料", "能源", "食品", "咨询服务", "物业管理"]  # fmt: skip
WORDS_A = ["Harbor", "Summit", "Pioneer", "Apex", "Blue", "River", "Golden", "Silver", "North",
           "Bright", "Crest", "Evergreen", "Vertex", "Quantum", "Atlas", "Orion", "Meridian",
           "Horizon", "Falcon", "Cedar"]  # fmt: skip
WORDS_B = ["Analytics", "Logistics", "Software", "Trading", "Medical", "Energy", "Foods",
           "Consulting", "Systems", "Materials", "Networks", "Holdings"]  # fmt: skip
PRODUCTS = ["Dell PowerEdge R750 服务器", "ThinkPad X1 Carbon 笔记本电脑",
            "Cisco Catalyst 9300 交换机", "Oracle Database 许可", "AWS 云主机", "办公家具",
            "工业机器人", "LED 显示屏", "UPS 不间断电源", "SAP ERP 实施服务", "医用 CT 设备",
            "锂电池组", "冷链运输服务", "Kubernetes 运维服务", "办公楼", "仓库", "实验室耗材",
            "Microsoft 365 订阅"]  # fmt: skip
PRODUCTS_EN = ["PowerEdge servers", "network switches", "cloud hosting", "ERP implementation",
               "office furniture", "laboratory consumables", "cold-chain logistics",
               "software licences", "security audit", "data migration"]  # fmt: skip
DEPARTMENTS = ["legal", "procurement", "sales", "it", "finance", "admin"]
TYPE_TITLES = {
    "purchase": ("采购合同", "Purchase Agreement"),
    "sales": ("销售合同", "Sales Agreement"),
    "service": ("服务合同", "Services Agreement"),
    "lease": ("房屋租赁合同", "Lease Agreement"),
    "nda": ("保密协议", "Non-Disclosure Agreement"),
}
STATUS_WEIGHTS = {
    "active": 40,
    "expired": 20,
    "signed": 10,
    "archived": 10,
    "draft": 8,
    "in_review": 5,
    "terminated": 4,
    "approved": 3,
}
OUR_COMPANY = "上海示例科技有限公司"
_PLACEHOLDER = re.compile(r"\{\{\s*([\w.]+)(?:\|(\w+))?\s*\}\}")
_MARKUP = re.compile(r"\*\*|“\*\*|\*\*”")


@dataclass(frozen=True)
class Vocabulary:
    """Clause lines (with their headings) per (type, language) from the templates."""

    clauses: dict[tuple[str, str], list[tuple[str, str]]]

    def pool(self, type_: str, lang: str) -> list[tuple[str, str]]:
        """Clauses of this type and language, else of any type in that language."""
        found = self.clauses.get((type_, lang))
        if found:
            return found
        return [c for (t, lg), cs in self.clauses.items() if lg == lang for c in cs]


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """Read the shipped templates' source text into clause pools."""
    clauses: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for path in sorted(SOURCES.glob("*.txt")):
        type_, lang = path.stem.rsplit("-", 1)
        heading = ""
        pool = clauses.setdefault((type_, lang), [])
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if line.startswith("## "):
                heading = line[3:].strip()
                continue
            if not line or line[0] in "#@|>={" or len(line) < 30:
                continue
            pool.append((heading, _MARKUP.sub("", line.lstrip("- "))))
    return Vocabulary(clauses)


@dataclass
class Synthetic:
    """One generated contract."""

    n: int
    id: str
    title: str
    type: str
    status: str
    language: str
    party: tuple[str, str]  # (id, name)
    amount: Money
    signed: date
    start: date
    end: date
    department: str
    body: str
    fields: dict[str, Any] = field(default_factory=dict)


def party_names(count: int, seed: int) -> list[str]:
    """``count`` distinct company names, about 70% Chinese (…有限公司), 30% English (… Ltd.)."""
    rng = random.Random(seed * 7919 + 1)
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        if rng.random() < 0.7:
            name = (
                f"{rng.choice(CITIES)}{rng.choice(BRAND_A)}{rng.choice(BRAND_B)}"
                f"{rng.choice(INDUSTRIES)}有限公司"
            )
        else:
            suffix = rng.choice(["Ltd.", "Co., Ltd.", "Limited"])
            name = f"{rng.choice(WORDS_A)} {rng.choice(WORDS_A)} {rng.choice(WORDS_B)} {suffix}"
        if name in seen:
            name = (
                f"{name[:-4]}第{len(names)}分公司"
                if name.endswith("有限公司")
                else f"{name} {len(names)}"
            )
        seen.add(name)
        names.append(name)
    return names


def _date_cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _date_en(d: date) -> str:
    return f"{d.day} {d.strftime('%B')} {d.year}"


def _filler(rng: random.Random, c: Synthetic) -> Callable[[re.Match[str]], str]:
    def fill(match: re.Match[str]) -> str:
        name, flt = match.group(1), match.group(2)
        if flt == "money":
            return format_money(c.amount)
        if flt == "cn_upper":
            return to_chinese_upper(c.amount)
        if flt in ("date_cn", "date_en"):
            day = {"start_date": c.start, "end_date": c.end}.get(name, c.signed)
            return _date_cn(day) if flt == "date_cn" else _date_en(day)
        if name == "contract_no":
            return c.id
        if name.endswith(("place", "address", "seat")):
            return rng.choice(CITIES) if c.language == "zh" else rng.choice(CITIES_EN)
        if name.endswith(("_days", "_hours")):
            return str(rng.choice([3, 5, 7, 10, 15, 30, 45, 60, 90]))
        if name.endswith(("_months", "_years", "percent", "rate")):
            return str(rng.choice([1, 2, 3, 5, 6, 10, 12, 20, 24, 30]))
        if name in ("purpose", "service_scope") or name.startswith("item"):
            return rng.choice(PRODUCTS if c.language == "zh" else PRODUCTS_EN)
        return rng.choice(["书面", "约定", "standard", "按月", "电汇"])

    return fill


def _body(rng: random.Random, voc: Vocabulary, c: Synthetic, target: int) -> str:
    fill = _filler(rng, c)
    product = rng.choice(PRODUCTS)
    if c.language == "zh":
        lines = [
            c.title,
            f"合同编号：{c.id}",
            f"签订地点：{rng.choice(CITIES)}  签订日期：{_date_cn(c.signed)}",
            f"甲方：{OUR_COMPANY}",
            f"乙方：{c.party[1]}",
            f"标的：{product}，合同金额 {format_money(c.amount)}（{to_chinese_upper(c.amount)}）",
        ]
    else:
        lines = [
            c.title,
            f"Agreement No.: {c.id}",
            f"Date: {_date_en(c.signed)}, {rng.choice(CITIES_EN)}",
            f"Party A: {OUR_COMPANY} (Shanghai Example Technology Co., Ltd.)",
            f"Party B: {c.party[1]}, 地址：{rng.choice(CITIES)}市{rng.choice(BRAND_A)}路"
            f"{rng.randrange(1, 999)}号",
            f"Subject: {rng.choice(PRODUCTS_EN)}, Contract Price {format_money(c.amount)}",
        ]
    size = sum(len(x) for x in lines)
    pool = voc.pool(c.type, c.language)
    other = voc.pool(c.type, "en" if c.language == "zh" else "zh")
    last_heading = ""
    while size < target:
        source = other if rng.random() < 0.08 else pool
        heading, clause = source[rng.randrange(len(source))]
        if heading != last_heading:
            lines.append(heading)
            size += len(heading)
            last_heading = heading
        text = _PLACEHOLDER.sub(fill, clause)
        lines.append(text)
        size += len(text)
    return "\n".join(lines)


def generate(n: int, seed: int = 1, *, body_chars: int = 1500) -> Iterator[Synthetic]:
    """``n`` synthetic contracts, the same for the same seed."""
    rng = random.Random(seed)
    voc = vocabulary()
    parties = party_names(max(50, n // 50), seed)
    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    types = list(TYPE_TITLES)
    first = date(2015, 1, 1)
    for i in range(n):
        type_ = rng.choice(types)
        language = "zh" if type_ in ("sales", "lease") or rng.random() < 0.65 else "en"
        party_index = rng.randrange(len(parties))
        signed = first + timedelta(days=rng.randrange(0, 4000))
        start = signed + timedelta(days=rng.randrange(0, 31))
        end = start + timedelta(days=rng.choice([180, 365, 730, 1095]))
        currency = "CNY" if language == "zh" or rng.random() < 0.4 else "USD"
        amount = Money(rng.randrange(1_000, 50_000_000) * 100, currency)
        product = rng.choice(PRODUCTS if language == "zh" else PRODUCTS_EN)
        zh_title, en_title = TYPE_TITLES[type_]
        title = f"{product}{zh_title}" if language == "zh" else f"{en_title} for {product.title()}"
        contract = Synthetic(
            n=i,
            id=f"C-{signed.year}-{i + 1:07d}",
            title=title,
            type=type_,
            status=rng.choices(statuses, weights)[0],
            language=language,
            party=(f"P-{party_index + 1:05d}", parties[party_index]),
            amount=amount,
            signed=signed,
            start=start,
            end=end,
            department=rng.choice(DEPARTMENTS),
            body="",
        )
        contract.body = _body(rng, voc, contract, body_chars + rng.randrange(-300, 300))
        yield contract


# --- writing a store -----------------------------------------------------------------

BATCH = 20_000


@dataclass(frozen=True)
class BuildReport:
    """How a corpus store was built."""

    home: Path
    n: int
    seconds: float
    db_bytes: int
    body_chars: int

    @property
    def rate(self) -> float:
        """Contracts written per second."""
        return self.n / self.seconds if self.seconds else 0.0


def _rows(c: Synthetic, stamp: str) -> tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]:
    contract = (
        c.id,
        c.title,
        c.type,
        c.status,
        c.party[0],
        c.amount.minor,
        c.amount.currency,
        c.start.isoformat(),
        c.end.isoformat(),
        c.signed.isoformat(),
        c.department,
        stamp,
        stamp,
    )
    version = (c.id, stamp)
    meta = search_index.meta_text(
        {
            "id": c.id,
            "type": c.type,
            "template": None,
            "department": c.department,
            "external_key": None,
            "start_date": c.start.isoformat(),
            "end_date": c.end.isoformat(),
            "signed_date": c.signed.isoformat(),
            "amount_minor": c.amount.minor,
            "currency": c.amount.currency,
            "fields": None,
        }
    )
    doc = search_index.Document(c.title, c.party[1], c.body, meta)
    return contract, version, (doc, search_index.pack(c.body))


def build_store(
    home: Path,
    n: int,
    seed: int = 1,
    *,
    progress: Callable[[int, float], None] | None = None,
) -> BuildReport:
    """Create a store at ``home`` holding ``n`` synthetic contracts, indexed for search."""
    initialise(home, "bench")
    db = home / "contracts.db"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("INSERT INTO search_fts (search_fts, rank) VALUES ('hashsize', 64000000)")
    conn.execute("INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 8)")
    stamp = "2026-01-01T00:00:00.000000Z"
    start = time.perf_counter()
    parties = party_names(max(50, n // 50), seed)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO parties (id, kind, name, created_at, updated_at) "
        "VALUES (?, 'company', ?, ?, ?)",
        [(f"P-{i + 1:05d}", name, stamp, stamp) for i, name in enumerate(parties)],
    )
    conn.execute("COMMIT")
    chars = 0
    docid = 0
    batch: list[Synthetic] = []

    def flush() -> None:
        nonlocal docid, chars
        contracts, versions, docs, fts, filters = [], [], [], [], []
        for c in batch:
            contract, version, (doc, packed) = _rows(c, stamp)
            docid += 1
            chars += len(c.body)
            contracts.append(contract)
            versions.append(version)
            docs.append((docid, c.id, doc.title, doc.parties, packed, doc.meta))
            fts.append((docid, *doc.fts_values()))
            filters.append(
                (docid, c.type, c.status, c.party[0], c.signed.isoformat(), c.end.isoformat(),
                 c.amount.currency, c.amount.minor, "import", 0)
            )  # fmt: skip
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO contracts (id, title, type, status, counterparty_id, amount_minor, "
            "currency, start_date, end_date, signed_date, department, source, created_by, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'import', 'bench',"
            " ?, ?)",
            contracts,
        )
        conn.executemany(
            "INSERT INTO versions (contract_id, n, kind, created_by, created_at) "
            "VALUES (?, 1, 'original', 'bench', ?)",
            versions,
        )
        conn.executemany("INSERT INTO search_docs VALUES (?, ?, ?, ?, ?, ?)", docs)
        conn.executemany(
            "INSERT INTO search_fts (rowid, title, parties, body, meta, chars) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            fts,
        )
        conn.executemany(
            "INSERT INTO search_filter (docid, type, status, counterparty_id, signed_date, "
            "end_date, currency, amount_minor, source, needs_review) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            filters,
        )
        conn.execute("COMMIT")
        batch.clear()
        if progress:
            progress(docid, time.perf_counter() - start)

    for contract in generate(n, seed):
        batch.append(contract)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    conn.execute("INSERT INTO search_fts (search_fts, rank) VALUES ('hashsize', 1048576)")
    conn.execute("INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 4)")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    conn.close()
    seconds = time.perf_counter() - start
    return BuildReport(home, n, seconds, db.stat().st_size, chars)


def ensure_plain_copy(home: Path) -> float:
    """Add ``bench_plain`` (docid, contract_id, title, body as plain text) for the LIKE
    baseline, if missing; returns the seconds it took (0 when it was there)."""
    conn = sqlite3.connect(home / "contracts.db", isolation_level=None)
    try:
        exists = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'bench_plain'").fetchone()
        if exists:
            return 0.0
        start = time.perf_counter()
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        conn.execute(
            "CREATE TABLE bench_plain (docid INTEGER PRIMARY KEY, contract_id TEXT NOT NULL, "
            "title TEXT NOT NULL, body TEXT NOT NULL)"
        )
        conn.create_function("unpack", 1, search_index.unpack, deterministic=True)
        conn.execute(
            "INSERT INTO bench_plain SELECT docid, contract_id, title, unpack(body) "
            "FROM search_docs ORDER BY docid"
        )
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return time.perf_counter() - start
    finally:
        conn.close()


def cache_dir(n: int, seed: int = 1) -> Path:
    """Where the store of ``n`` contracts is cached."""
    return CACHE / f"search-corpus-g{GENERATOR_VERSION}-s{seed}-n{n}"


def cached_store(
    n: int, seed: int = 1, *, progress: Callable[[int, float], None] | None = None
) -> tuple[Path, BuildReport | None]:
    """The cached store of ``n`` contracts, built first if missing (report then)."""
    home = cache_dir(n, seed)
    done = home / ".complete"
    if done.exists():
        _upgrade(home)
        return home, None
    if home.exists():
        shutil.rmtree(home)
    partial = home.with_name(home.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    report = build_store(partial, n, seed, progress=progress)
    (partial / ".complete").write_text(
        f"{report.n} contracts in {report.seconds:.1f} s ({report.rate:.0f}/s), "
        f"{report.db_bytes} bytes, {report.body_chars} body characters\n",
        encoding="utf-8",
    )
    partial.rename(home)
    return home, BuildReport(home, report.n, report.seconds, report.db_bytes, report.body_chars)


def _upgrade(home: Path) -> None:
    """Bring a cached store built by an older contractctl to the current schema (what
    `contractctl init` does for a user), so a new migration never breaks the bench."""
    from contractctl.store import connect, init_store, schema

    conn = connect(home / "contracts.db")
    try:
        current = schema.current_version(conn)
    finally:
        conn.close()
    if current < schema.SCHEMA_VERSION:
        init_store(home, "bench")


def main(argv: list[str]) -> int:
    """Build (or find) the cached corpus store of N contracts and say where it is."""
    n = int(argv[0]) if argv else 10_000
    seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 1

    def show(done: int, seconds: float) -> None:
        print(f"  {done:,} contracts, {done / seconds:,.0f}/s", file=sys.stderr, flush=True)

    home, report = cached_store(n, seed, progress=show)
    if report:
        print(f"built in {report.seconds:.1f} s ({report.rate:,.0f}/s), {report.db_bytes:,} bytes")
    print(home)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
