"""Full-text search over contracts, Chinese and English.

- :func:`search` runs a query (syntax in :mod:`contractctl.search.query`) with the
  filters of `contractctl list`, ranked by bm25, each hit with a snippet.
- :func:`reindex_contract` brings one contract's index entry in step; call it inside the
  transaction that changed the contract (amend, import, edit). create_contract and
  add_version call it already; a party rename re-indexes that party's contracts.

How CJK text is indexed is in :mod:`contractctl.store.search_text`; the tables and their
upkeep in :mod:`contractctl.store.search_index`; the query shape in
:mod:`contractctl.search.engine`.
"""

from __future__ import annotations

from contractctl.search.engine import DEFAULT_LIMIT, RANK_LIMIT, Hit, Results, search
from contractctl.search.query import Query, Term, parse
from contractctl.search.snippet import Snippet
from contractctl.store.search_index import rebuild, reindex_contract, reindex_party

__all__ = [
    "DEFAULT_LIMIT",
    "RANK_LIMIT",
    "Hit",
    "Query",
    "Results",
    "Snippet",
    "Term",
    "parse",
    "rebuild",
    "reindex_contract",
    "reindex_party",
    "search",
]
