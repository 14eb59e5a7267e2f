"""Running a search: the MATCH, the filters, ranking, snippets.

Ranking. FTS5's bm25 needs, for every phrase of the query, the number of contracts that
contain it, and counts them by walking all of the phrase's matches: for 违约责任 in a
million contracts that walk alone takes about 200 ms, and scoring each match costs
another 0.7 µs (PERFORMANCE-NOTES: ~1 s for very common terms). So each required term is
first probed: do more than ``RANK_LIMIT`` (20,000) contracts hold all its tokens? The
probe walks at most that many doclist entries, newest first, without comparing
positions, and stops.

- bm25 ranks the matches of the whole query (filters and exclusions applied) by its
  *rare* groups only: the terms within the limit (title 8, parties 4, metadata 2, text
  1). A common term weighs little beside a rare one (bm25's IDF falls to zero as a
  term nears half of the contracts), so leaving it out of the score changes little and
  saves its walk. The work is bounded by the rare terms' matches, at any store size.
- Every required term common (合同, agreement, 违 alone): relevance among that many means
  little and costs most, so the hits are the most recently added matches, newest first,
  with ``score`` None and ``Results.ranking == "newest"``. The CLI says so.

Filters (``contractctl list``'s, through ``contracts.filter_clauses``) run on
``search_filter``, the contract columns mirrored by docid (contractctl.store.search_index):
when few contracts pass, their docids are gathered first (``WITH cand AS MATERIALIZED``)
and matches are checked with ``+rowid IN cand``; when many pass, each match is looked up
as the FTS walk meets it, so newest-first stops after ``limit`` hits. The ``+`` matters:
without it SQLite hands every candidate to FTS5 as a lookup of its own, re-counting
bm25's phrases each time (seconds instead of milliseconds). The FTS table is never
JOINed to contracts and ordered by rank.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from contractctl.errors import InvalidInput
from contractctl.records.contracts import Contract, ListFilter, contracts_by_id, filter_clauses
from contractctl.search.query import Query, Term, parse
from contractctl.search.snippet import Snippet, make_snippet
from contractctl.store.search_index import WEIGHTS, Document, unpack

DEFAULT_LIMIT = 20
#: A term whose tokens are in more contracts than this is "common": it is not scored.
RANK_LIMIT = 20_000
#: bm25 scores at most this many matches: the most recently added ones.
RANK_WINDOW = 2_000
#: Filters passing at most this many contracts are gathered before the FTS walk.
SMALL_FILTER = 50_000


@dataclass(frozen=True)
class Hit:
    """One matching contract, its bm25 score (higher is better; None when the query was
    too common to rank) and its snippet."""

    contract: Contract
    score: float | None
    snippet: Snippet

    def to_dict(self) -> dict[str, Any]:
        """The `search --json` shape: id, title, score, snippet, then the contract."""
        return {
            "id": self.contract.id,
            "title": self.contract.title,
            "score": self.score,
            "snippet": self.snippet.marked(),
            "snippet_field": self.snippet.field,
            **self.contract.to_dict(),
        }


@dataclass(frozen=True)
class Results:
    """The hits of a search, best (or newest) first."""

    query: Query
    hits: list[Hit]
    #: "bm25", or "newest" when ``common`` terms match too many contracts to rank.
    ranking: str
    common: tuple[Term, ...] = ()
    #: bm25 scored only the ``window`` most recently added matches (more matched).
    windowed: bool = False
    window: int = 0


def search(
    conn: sqlite3.Connection,
    text: str,
    flt: ListFilter | None = None,
    *,
    limit: int = DEFAULT_LIMIT,
    rank_limit: int | None = None,
    rank_window: int | None = None,
) -> Results:
    """Contracts matching ``text`` (syntax: contractctl.search.query) and every filter of
    ``flt``, ranked by bm25 (or newest first for very common terms), with snippets.

    Raises InvalidInput (exit 2) for a malformed query, a bad filter or limit.
    """
    query = parse(text)
    if limit < 1:
        raise InvalidInput("--limit must be at least 1")
    clauses, params = filter_clauses(conn, flt) if flt else ([], [])
    cte, condition, cte_params, condition_params = _filtering(conn, clauses, params)
    rank_limit = RANK_LIMIT if rank_limit is None else rank_limit
    common = _common_terms(conn, query.terms, rank_limit)
    window = max(limit, RANK_WINDOW if rank_window is None else rank_window)
    rare_groups = [g for g in query.groups if not any(t in common for t in g)]
    weights = ", ".join(str(w) for w in WEIGHTS)
    if not rare_groups:
        # Nothing rare enough to score: the newest matches.
        sql = (
            f"{cte} SELECT f.rowid, NULL, 0 FROM search_fts f WHERE search_fts MATCH ?"
            f"{condition} ORDER BY f.rowid DESC LIMIT ?"
        )
        args = [*cte_params, query.fts(), *condition_params, limit]
    elif not common and not _common_terms(conn, query.excluded, rank_limit):
        # Every term rare: bm25 of the whole query over its newest ``window`` matches.
        sql = (
            f"{cte} SELECT docid, score, count(*) OVER () FROM ("
            f"SELECT f.rowid AS docid, -bm25(search_fts, {weights}) AS score "
            f"FROM search_fts f WHERE search_fts MATCH ?{condition} "
            "ORDER BY f.rowid DESC LIMIT ?) ORDER BY score DESC, docid DESC LIMIT ?"
        )
        args = [*cte_params, query.fts(), *condition_params, window, limit]
    else:
        # Some terms common: find the newest ``window`` matches of the whole query, then
        # score them by the rare groups alone (a second walk, bounded to their range).
        hits = (
            "hits AS MATERIALIZED (SELECT f.rowid AS docid FROM search_fts f "
            f"WHERE search_fts MATCH ?{condition} ORDER BY f.rowid DESC LIMIT ?) "
        )
        sql = (
            f"{cte + ', ' if cte else 'WITH '}{hits}"
            f"SELECT f.rowid, -bm25(search_fts, {weights}) AS score, "
            "(SELECT count(*) FROM hits) FROM search_fts f WHERE search_fts MATCH ? "
            "AND f.rowid >= (SELECT min(docid) FROM hits) AND +f.rowid IN hits "
            "ORDER BY score DESC, f.rowid DESC LIMIT ?"
        )
        rank = Query.and_fts(rare_groups)
        args = [*cte_params, query.fts(), *condition_params, window, rank, limit]
    rows = conn.execute(sql, args).fetchall()
    ranked = [(int(r[0]), None if r[1] is None else float(f"{r[1]:.6g}")) for r in rows]
    ranking = "bm25" if rare_groups else "newest"
    windowed = bool(rare_groups and rows and rows[0][2] >= window)
    return Results(query, _hits(conn, query, ranked), ranking, common, windowed, window)


def _filtering(
    conn: sqlite3.Connection, clauses: list[str], params: list[Any]
) -> tuple[str, str, list[Any], list[Any]]:
    """How matches are checked against the filters: (CTE, condition on ``f.rowid``, the
    CTE's parameters, the condition's parameters).

    At most ``SMALL_FILTER`` contracts pass: their docids are gathered first from
    search_filter's indexes and a match is kept if it is one of them (the FTS walk is
    also bounded to their rowid range). More pass: each match is looked up in
    search_filter by rowid as the FTS walk meets it, so newest-first stops after
    ``limit`` hits instead of gathering hundreds of thousands.
    """
    if not clauses:
        return "", "", [], []
    where = " AND ".join(clauses)
    passing = conn.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM search_filter c WHERE {where} LIMIT ?)",
        [*params, SMALL_FILTER + 1],
    ).fetchone()[0]
    if passing <= SMALL_FILTER:
        cte = f"WITH cand AS MATERIALIZED (SELECT c.docid FROM search_filter c WHERE {where})"
        condition = (
            " AND +f.rowid IN cand AND f.rowid BETWEEN (SELECT min(docid) FROM cand) "
            "AND (SELECT max(docid) FROM cand)"
        )
        return cte, condition, params, []
    condition = f" AND EXISTS (SELECT 1 FROM search_filter c WHERE c.docid = f.rowid AND {where})"
    return "", condition, [], params


def _common_terms(
    conn: sqlite3.Connection, terms: list[Term] | tuple[Term, ...], limit: int
) -> tuple[Term, ...]:
    """The terms found in more than ``limit`` contracts (all their tokens, in any order:
    see Term.probe); each probe walks at most ``limit`` matches, newest first."""
    common: list[Term] = []
    for term in terms:
        row = conn.execute(
            "SELECT rowid FROM search_fts WHERE search_fts MATCH ? "
            "ORDER BY rowid DESC LIMIT 1 OFFSET ?",
            (term.probe(), limit),
        ).fetchone()
        if row is not None:
            common.append(term)
    return tuple(common)


def _hits(
    conn: sqlite3.Connection, query: Query, ranked: list[tuple[int, float | None]]
) -> list[Hit]:
    if not ranked:
        return []
    marks = ", ".join("?" for _ in ranked)
    docs = {
        int(r[0]): (r[1], Document(r[2], r[3], unpack(r[4]), r[5]))
        for r in conn.execute(
            "SELECT docid, contract_id, title, parties, body, meta FROM search_docs "
            f"WHERE docid IN ({marks})",
            [docid for docid, _ in ranked],
        )
    }
    contracts = contracts_by_id(conn, [contract_id for contract_id, _ in docs.values()])
    terms = query.terms
    hits: list[Hit] = []
    for docid, score in ranked:
        contract_id, doc = docs[docid]
        hits.append(Hit(contracts[contract_id], score, make_snippet(doc, terms)))
    return hits
