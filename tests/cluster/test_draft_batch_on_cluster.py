"""A contract centre drafts a batch with its conversions on the cluster: the same
contracts, in the same order, with the same documents as a local batch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from contractctl.store import Store
from tests.cli.test_draft import _batch_csv
from tests.cluster.local_cluster import LocalCluster
from tests.conftest import Cli


def _parties(cli: Cli) -> None:
    cli("party", "add", "上海星河电子科技有限公司", "--uscc", "91350100M000100Y43")
    cli("party", "add", "Harbor Analytics Ltd.")


def _drafted(home: Path) -> list[dict[str, Any]]:
    """Each contract with its version's text (by hash) and the text of its DOCX and PDF
    (a render writes its time into the DOCX, LibreOffice into the PDF: two local runs
    differ in those bytes too, never in what they print)."""
    from contractctl.documents.extract import docx_text, pdf_text

    with Store.open(home) as store:
        rows = store.conn.execute(
            "SELECT c.id, c.title, c.amount_minor, c.counterparty_id, c.external_key, "
            "v.docx_sha, v.text_sha, v.pdf_sha FROM contracts c JOIN versions v "
            "ON v.contract_id = c.id ORDER BY c.id"
        ).fetchall()
        drafted = []
        for row in rows:
            facts = dict(row)
            pdf, docx = facts.pop("pdf_sha"), facts.pop("docx_sha")
            facts["pdf_text"] = "".join(pdf_text(store.objects.path(pdf)).split())
            facts["docx_text"] = docx_text(store.objects.path(docx))
            drafted.append(facts)
    return drafted


def test_a_batch_drafted_through_the_cluster_matches_a_local_batch(
    dask_cluster: LocalCluster, tmp_path: Path
) -> None:
    from contractctl.bootstrap import initialise

    csv_path = _batch_csv(tmp_path, 4)
    homes = {}
    for where in ("local", "cluster"):
        homes[where] = tmp_path / where
        initialise(homes[where], "tester")
        _parties(Cli(homes[where]))
    local = Cli(homes["local"])("draft-batch", "purchase-zh", "--csv", str(csv_path), "--json")
    assert local.code == 0, local.stderr
    remote = Cli(homes["cluster"])(
        "draft-batch",
        "purchase-zh",
        "--csv",
        str(csv_path),
        "--cluster",
        dask_cluster.address,
        "--json",
    )
    assert remote.code == 0, remote.stderr
    assert [c["row"] for c in remote.json()["contracts"]] == [2, 3, 4, 5]
    here, there = _drafted(homes["local"]), _drafted(homes["cluster"])
    assert len(there) == len(here) == 4
    for mine, theirs in zip(here, there, strict=True):
        assert {k for k in mine if mine[k] != theirs[k]} == set(), (mine["id"], theirs["id"])
    rerun = Cli(homes["cluster"])(
        "draft-batch",
        "purchase-zh",
        "--csv",
        str(csv_path),
        "--cluster",
        dask_cluster.address,
        "--json",
    ).json()
    assert (rerun["created"], rerun["existing"]) == (0, 4)
