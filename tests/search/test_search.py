"""Full-text search: Chinese of any length, English words, phrases, filters, snippets,
and an index that stays in step with every change (contractctl.search)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from contractctl import search as search_api
from contractctl.errors import InvalidInput
from contractctl.money import Money
from contractctl.records.contracts import (
    ListFilter,
    NewContract,
    NewVersion,
    add_version,
    create_contract,
)
from contractctl.records.parties import add_party, edit_party
from contractctl.search.query import parse
from contractctl.store import Store, init_store, schema, search_index
from contractctl.store.search_text import cjk_chars, fold, index_text, segments
from tests.bench.corpus import Synthetic, generate

# --- tokenisation ----------------------------------------------------------------------


def test_cjk_runs_become_overlapping_pairs_and_their_last_character() -> None:
    assert index_text("违约责任").split() == ["违约", "约责", "责任", "任"]
    assert index_text("乙方违约，应当赔偿").replace("，", " ").split() == [
        "乙方", "方违", "违约", "约", "应当", "当赔", "赔偿", "偿",
    ]  # fmt: skip
    assert index_text("付").split() == ["付"]


def test_english_is_left_to_unicode61_but_separated_from_chinese() -> None:
    assert index_text("ABC公司 Payment").split() == ["ABC", "公司", "司", "Payment"]
    assert index_text("Ｐａｙ１２３").split() == ["Pay123"]  # full-width folded by NFKC


def test_the_chars_column_holds_each_cjk_character_once() -> None:
    assert cjk_chars("合同合同", "Party 合作") == "合 同 作"


def test_query_segments_split_chinese_from_words() -> None:
    assert segments("违约penalty C-2026") == [
        ("cjk", "违约"),
        ("word", "penalty"),
        ("word", "C"),
        ("word", "2026"),
    ]


def test_folding_maps_back_to_the_original_characters() -> None:
    folded, offsets = fold("Ｃafé 合同")
    assert folded == "cafe 合同"
    assert offsets is not None and offsets[0] == 0 and offsets[-1] == len("Ｃafé 合同") - 1
    assert fold("违约 Payment，甲方") == ("违约 payment，甲方", None)


# --- query syntax ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("违约", '({title parties body meta} : "违约")'),
        ("违约责任", '({title parties body meta} : "违约 约责 责任")'),
        ("违", '(chars : "违")'),
        ("pay*", '({title parties body meta} : "pay"*)'),
        ('"违约金 penalty"', '({title parties body meta} : "违约 约金 金 penalty")'),
        ("C-2026-0001", '({title parties body meta} : "C 2026 0001")'),
        (
            "合同 -草稿",
            '(({title parties body meta} : "合同")) NOT ({title parties body meta} : "草稿")',
        ),
        (
            "a OR b",
            '({title parties body meta} : "a" OR {title parties body meta} : "b")',
        ),
    ],
)
def test_queries_become_fts5_expressions_built_from_tokens(query: str, expected: str) -> None:
    assert parse(query).fts() == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "empty search query"),
        ('"liquidated damages', "unbalanced quote"),
        ("-草稿", "at least one word to find"),
        ("pay*ment", "only at the end of a word"),
        ("!!!", "no letters, digits or Chinese characters"),
        ("OR 合同", "OR needs a word on each side"),
        ("合同 - 草稿", "a lone '-'"),
    ],
)
def test_malformed_queries_say_what_is_wrong(query: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)):
        parse(query)


# --- helpers ---------------------------------------------------------------------------


def add(
    store: Store,
    title: str,
    text: str = "",
    *,
    party: str | None = None,
    type_: str = "purchase",
    status: str = "active",
    signed: date | None = None,
    end: date | None = None,
    amount: Money | None = None,
) -> str:
    """A contract with ``text`` as its version 1's extracted text."""
    with store.transaction("tester") as tx:
        party_id = None
        if party:
            found = tx.conn.execute("SELECT id FROM parties WHERE name = ?", (party,)).fetchone()
            party_id = found[0] if found else add_party(tx, name=party).id
        sha = tx.put_bytes(text.encode("utf-8")) if text else None
        contract = create_contract(
            tx,
            NewContract(
                title=title,
                type=type_,
                status=status,
                counterparty_id=party_id,
                signed_date=signed,
                end_date=end,
                amount=amount,
            ),
            NewVersion(text_sha=sha),
        )
    return contract.id


def ids(store: Store, query: str, flt: ListFilter | None = None) -> set[str]:
    return {h.contract.id for h in search_api.search(store.conn, query, flt, limit=10_000).hits}


# --- the quality corpus: every known match is found ------------------------------------


def _word(word: str) -> str:
    return rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])"


def _oracle(query: str) -> Callable[[list[str]], bool]:
    """Whether a document (its fields) matches the query, decided without FTS: substring
    for Chinese, whole-word regular expressions for English; each word may be in any
    field, a phrase within one."""
    sep = r"[^A-Za-z0-9\u4e00-\u9fff]+"
    positive: list[Callable[[str], bool]] = []
    negative: list[Callable[[str], bool]] = []
    for raw in re.findall(r'-?"[^"]+"|\S+', query):
        target = negative if raw.startswith("-") else positive
        term = raw.lstrip("-")
        if term.startswith('"'):
            words = term.strip('"').split()
            pattern = sep.join(w if re.match(r"[\u4e00-\u9fff]", w) else _word(w) for w in words)
            regex = re.compile(pattern, re.IGNORECASE)
        elif term.endswith("*"):
            regex = re.compile(rf"(?<![A-Za-z0-9]){re.escape(term[:-1])}", re.IGNORECASE)
        elif re.match(r"[\u4e00-\u9fff]", term):
            regex = re.compile(re.escape(term))
        else:
            regex = re.compile(_word(term), re.IGNORECASE)
        target.append(lambda fields, r=regex: any(r.search(f) for f in fields))
    return lambda fields: all(p(fields) for p in positive) and not any(n(fields) for n in negative)


QUALITY_QUERIES = [
    # one Chinese character
    "赔",
    "租",
    # two
    "合同",
    "付款",
    "违约",
    "发票",
    "仲裁",
    # four and more
    "违约责任",
    "不可抗力",
    "争议解决",
    "知识产权归",
    # English: case-insensitive whole words, prefixes, phrases
    "confidential",
    "CONFIDENTIAL",
    "pay",
    "pay*",
    "payment",
    "Kubernetes",
    "invoice",
    '"liquidated damages"',
    '"force majeure"',
    # mixed, and exclusions
    "违约 payment",
    "合同 Party",
    "付款 -发票",
    "agreement -confidential",
    "Dell 服务器",
]


@pytest.fixture(scope="module")
def quality(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Synthetic]]:
    """300 generated contracts stored through create_contract, text in the object store."""
    home = tmp_path_factory.mktemp("quality") / "store"
    init_store(home, "tester")
    corpus = list(generate(300, seed=11))
    with Store.open(home) as store, store.transaction("tester") as tx:
        parties: dict[str, str] = {}
        for c in corpus:
            if c.party[1] not in parties:
                parties[c.party[1]] = add_party(tx, name=c.party[1]).id
            sha = tx.put_bytes(c.body.encode("utf-8"))
            created = create_contract(
                tx,
                NewContract(
                    title=c.title,
                    type=c.type,
                    status=c.status,
                    counterparty_id=parties[c.party[1]],
                    amount=c.amount,
                    start_date=c.start,
                    end_date=c.end,
                    signed_date=c.signed,
                    department=c.department,
                ),
                NewVersion(text_sha=sha),
            )
            c.id = created.id
    return home, corpus


@pytest.mark.parametrize("query", QUALITY_QUERIES)
def test_every_known_match_is_found_and_nothing_else(
    quality: tuple[Path, list[Synthetic]], query: str
) -> None:
    home, corpus = quality
    matches = _oracle(query)
    with Store.open(home) as store:
        meta = dict(store.conn.execute("SELECT contract_id, meta FROM search_docs").fetchall())
        expected = {
            c.id
            for c in corpus
            if matches(
                [
                    unicodedata.normalize("NFKC", field)
                    for field in (c.title, c.party[1], c.body, meta[c.id])
                ]
            )
        }
        found = ids(store, query)
    assert expected, f"the corpus should contain {query!r}"
    assert found == expected, (
        f"{query!r}: missed {sorted(expected - found)[:5]}, extra {sorted(found - expected)[:5]}"
    )


def test_pay_is_a_word_and_pay_star_a_prefix(quality: tuple[Path, list[Synthetic]]) -> None:
    home, _ = quality
    with Store.open(home) as store:
        pay, prefix, payment = ids(store, "pay"), ids(store, "pay*"), ids(store, "payment")
    assert payment - pay, "some contracts say payment without the word pay"
    assert pay | payment <= prefix


@pytest.mark.parametrize("small_filter", [50_000, 0], ids=["gathered", "looked-up"])
def test_filters_narrow_the_matches(
    quality: tuple[Path, list[Synthetic]], small_filter: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contractctl.search import engine

    monkeypatch.setattr(engine, "SMALL_FILTER", small_filter)
    home, corpus = quality
    flt = ListFilter(types=["purchase"], signed_from="2018-01-01", signed_to="2022-12-31")
    with Store.open(home) as store:
        found = ids(store, "合同", flt)
        everything = ids(store, "合同")
    expected = {
        c.id
        for c in corpus
        if c.id in everything
        and c.type == "purchase"
        and date(2018, 1, 1) <= c.signed <= date(2022, 12, 31)
    }
    assert expected and found == expected


# --- ranking and snippets --------------------------------------------------------------


def test_a_title_match_ranks_above_a_mention_in_the_text(store: Store) -> None:
    add(store, "办公用品采购合同", "本合同涉及设备维护。")
    best = add(store, "设备维护服务合同", "乙方负责设备维护。")
    add(store, "租赁合同", "")
    hits = search_api.search(store.conn, "设备维护").hits
    assert hits[0].contract.id == best
    assert hits[0].score >= hits[1].score


def test_terms_too_common_to_rank_give_the_newest_matches_first(store: Store) -> None:
    first = add(store, "采购合同", "违约责任")
    second = add(store, "服务合同", "违约责任 Kubernetes")
    third = add(store, "租赁合同", "违约责任")
    results = search_api.search(store.conn, "违约责任", rank_limit=2)
    assert results.ranking == "newest"
    assert [str(t) for t in results.common] == ["违约责任"]
    assert [h.contract.id for h in results.hits] == [third, second, first]
    assert all(h.score is None for h in results.hits)
    rare = search_api.search(store.conn, "Kubernetes", rank_limit=2)
    assert (rare.ranking, [h.contract.id for h in rare.hits]) == ("bm25", [second])
    # A common word beside a rare one: bm25 ranks by the rare one (the common one's
    # weight is next to nothing anyway), among the matches of both.
    mixed = search_api.search(store.conn, "违约责任 Kubernetes", rank_limit=2)
    assert (mixed.ranking, [str(t) for t in mixed.common]) == ("bm25", ["违约责任"])
    assert [h.contract.id for h in mixed.hits] == [second]
    assert mixed.hits[0].snippet.marked() == "«违约责任» «Kubernetes»"
    excluded = search_api.search(store.conn, "Kubernetes -违约责任", rank_limit=2)
    assert (excluded.ranking, excluded.hits) == ("bm25", [])


def test_bm25_scores_the_newest_matches_when_there_are_many(store: Store) -> None:
    best_but_old = add(store, "违约金条款说明", "违约金 违约金 违约金")
    newer = [add(store, "采购合同", "甲方违约的，支付违约金。") for _ in range(3)]
    results = search_api.search(store.conn, "违约金", limit=3, rank_window=3)
    assert results.windowed and results.ranking == "bm25"
    assert {h.contract.id for h in results.hits} == set(newer)
    everything = search_api.search(store.conn, "违约金")
    assert not everything.windowed
    assert everything.hits[0].contract.id == best_but_old


def test_the_snippet_shows_the_original_text_with_the_match_marked(store: Store) -> None:
    text = (
        "第一条 总则\n"
        + "本条为一般约定。" * 20
        + "\n第十四条 违约责任\n乙方违约的，应支付违约金。"
    )
    add(store, "采购合同", text)
    snippet = search_api.search(store.conn, "违约金").hits[0].snippet
    assert snippet.field == "body"
    assert "«违约金»" in snippet.marked()
    assert "约金" not in snippet.text.replace("违约金", "")  # original text, not pairs
    assert snippet.text.startswith("…")


def test_snippets_keep_the_original_case_and_width(store: Store) -> None:
    add(store, "Services Agreement", "Ｐａｙｍｅｎｔ is due in 30 days. PAYMENT terms apply.")
    snippet = search_api.search(store.conn, "payment").hits[0].snippet
    assert snippet.marked() == "«Ｐａｙｍｅｎｔ» is due in 30 days. «PAYMENT» terms apply."


def test_chinese_is_found_across_layout_spaces_and_line_breaks(store: Store) -> None:
    """Letter-spaced headings, justified lines and mid-phrase line breaks are layout: a
    user types 质量标准 and 付款方式, never the spaces a PDF happened to put there."""
    spaced = add(store, "加 工 合 同", "第五条 质 量 标 准\n付款  方式：验收后三十日内支\n付。")
    assert ids(store, "质量标准") == {spaced}
    assert ids(store, "付款方式") == {spaced}
    assert ids(store, "支付") == {spaced}
    assert ids(store, "加工合同") == {spaced}
    assert ids(store, '"质 量 标 准"') == {spaced}
    snippet = search_api.search(store.conn, "质量标准").hits[0].snippet
    assert "«质 量 标 准»" in snippet.marked()
    assert index_text("质 量 and 标准").split() == ["质量", "量", "and", "标准", "准"]


def test_a_snippet_is_cut_around_the_first_match_of_a_long_document(store: Store) -> None:
    """Snippets read only as far as the first matches, and a match on the last page of a
    long contract is still found and marked."""
    filler = "Each party shall perform its obligations diligently. " * 1500  # ~80 KB
    add(store, "Master Services Agreement", filler + "Liquidated damages apply. Café.")
    late = search_api.search(store.conn, '"liquidated damages"').hits[0].snippet
    assert "«Liquidated damages»" in late.marked()
    assert late.text.startswith("…")
    early = search_api.search(store.conn, "diligently liquidated").hits[0].snippet
    assert "«liquidated»" in early.marked().lower() or "«diligently»" in early.marked()


def test_json_shape_of_a_hit(store: Store) -> None:
    add(store, "采购合同", "违约责任", party="上海星河电子科技有限公司")
    hit = search_api.search(store.conn, "违约").hits[0].to_dict()
    assert list(hit)[:4] == ["id", "title", "score", "snippet"]
    assert hit["snippet"] == "«违约»责任"
    assert hit["counterparty"]["name"] == "上海星河电子科技有限公司"
    assert {"type", "status", "amount", "version", "end_date"} <= set(hit)


# --- metadata, and the index kept in step ---------------------------------------------


def test_parties_and_metadata_are_searchable(store: Store) -> None:
    cid = add(
        store,
        "采购合同",
        "",
        party="上海星河电子科技有限公司",
        amount=Money(125_000_000, "CNY"),
        signed=date(2025, 3, 1),
    )
    for query in ("星河", cid, "1,250,000.00", "壹佰贰拾伍万", "2025-03-01", "purchase"):
        assert ids(store, query) == {cid}, query


def test_every_filter_of_list_works_in_search(store: Store) -> None:
    cid = add(
        store,
        "采购合同",
        "付款",
        party="上海星河电子科技有限公司",
        status="active",
        signed=date(2025, 3, 1),
        end=date(2027, 2, 28),
        amount=Money(500_000_00, "CNY"),
    )
    flt = ListFilter(
        statuses=["active"],
        types=["purchase"],
        party="上海星河电子科技有限公司",
        signed_from="2025-01-01",
        signed_to="2025-12-31",
        expires_from="2027-01-01",
        expires_to="2027-12-31",
        min_amount=Money(100_000_00, "CNY"),
        max_amount=Money(1_000_000_00, "CNY"),
        source="draft",
        needs_review=False,
    )
    assert ids(store, "付款", flt) == {cid}


def test_a_status_change_anywhere_is_seen_by_the_filters(store: Store) -> None:
    cid = add(store, "采购合同", "付款", status="active")
    with store.transaction("tester") as tx:
        tx.conn.execute("UPDATE contracts SET status = 'terminated' WHERE id = ?", (cid,))
    assert ids(store, "付款", ListFilter(statuses=["active"])) == set()
    assert ids(store, "付款", ListFilter(statuses=["terminated"])) == {cid}


def test_a_new_version_is_searchable_and_the_old_text_stays(store: Store) -> None:
    cid = add(store, "服务合同", "原条款：按月付款。")
    with store.transaction("tester") as tx:
        sha = tx.put_bytes("新条款：按季度付款，逾期支付违约金。".encode())
        add_version(tx, cid, 2, NewVersion(kind="amendment", text_sha=sha), parent_n=1)
    assert ids(store, "按季度") == {cid}
    assert ids(store, "按月") == {cid}


def test_a_party_rename_is_searchable_at_once(store: Store) -> None:
    cid = add(store, "采购合同", "", party="上海星河电子科技有限公司")
    with store.transaction("tester") as tx:
        party = tx.conn.execute("SELECT counterparty_id FROM contracts").fetchone()[0]
        edit_party(tx, party, {"name": "上海银河数码有限公司"})
    assert ids(store, "银河数码") == {cid}
    assert ids(store, "星河") == set()


def test_reindex_after_a_change_removes_the_old_words(store: Store) -> None:
    cid = add(store, "旧标题合同", "Old clause about penalty.")
    with store.transaction("tester") as tx:
        tx.conn.execute("UPDATE contracts SET title = '新标题合同' WHERE id = ?", (cid,))
        search_api.reindex_contract(tx, cid)
    assert ids(store, "新标题") == {cid}
    assert ids(store, "旧标题") == set()
    assert ids(store, "penalty") == {cid}
    store.conn.execute("INSERT INTO search_fts (search_fts) VALUES ('integrity-check')")


def test_a_rolled_back_change_leaves_the_index_as_it_was(store: Store) -> None:
    add(store, "采购合同", "付款条件")
    before = store.conn.execute("SELECT count(*) FROM search_docs").fetchone()[0]
    with pytest.raises(RuntimeError), store.transaction("tester") as tx:
        sha = tx.put_bytes("回滚测试条款".encode())
        create_contract(tx, NewContract(title="回滚合同", type="nda"), NewVersion(text_sha=sha))
        assert search_api.search(tx.conn, "回滚").hits
        raise RuntimeError("boom")
    assert store.conn.execute("SELECT count(*) FROM search_docs").fetchone()[0] == before
    assert ids(store, "回滚") == set()
    assert len(ids(store, "付款")) == 1


def test_upgrading_a_store_indexes_the_contracts_already_in_it(home: Path) -> None:
    with Store.open(home) as store:
        cid = add(store, "历史合同", "旧系统导入的条款：保密义务。")
        store.conn.execute("DROP TRIGGER search_filter_in_step")
        for table in ("search_fts", "search_filter", "search_docs"):
            store.conn.execute(f"DROP TABLE {table}")
        before_index = schema.MIGRATIONS.index(schema._v7_search)
        store.conn.execute(f"PRAGMA user_version = {before_index}")
    report = init_store(home, "tester")
    assert report.schema_after == schema.SCHEMA_VERSION
    with Store.open(home) as store:
        assert ids(store, "保密义务") == {cid}


def test_rebuild_gives_the_same_answers(store: Store) -> None:
    cid = add(store, "采购合同", "不可抗力条款")
    with store.transaction("tester") as tx:
        assert search_index.rebuild(tx.conn, store.objects) == 1
    assert ids(store, "不可抗力") == {cid}


def test_a_bad_limit_is_invalid_input(store: Store) -> None:
    with pytest.raises(InvalidInput, match="--limit"):
        search_api.search(store.conn, "合同", limit=0)
