"""The cluster tests' Dask cluster: `dask scheduler` on a random port of 127.0.0.1 and two
`contractctl worker` processes of one slot each (a warm LibreOffice each), started once
per module and stopped, with everything they started, at its end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cluster.local_cluster import LocalCluster, local_cluster


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    """The scheduler's address and its two workers."""
    with local_cluster(tmp_path_factory.mktemp("dask")) as cluster:
        yield cluster
