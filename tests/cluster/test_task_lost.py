"""A call that kills every worker it reaches (a poison input: a library crashing on it)
is not retried for ever: after the scheduler's allowed failures it comes back as lost,
the batch goes on, and the cluster is still there for the next call."""

from __future__ import annotations

import operator
import os
from pathlib import Path

from contractctl.cluster import open_executor
from contractctl.cluster.executor import Call, TaskLost
from tests.cluster.local_cluster import local_cluster


def test_a_call_that_kills_every_worker_is_given_up_as_lost(tmp_path: Path) -> None:
    with local_cluster(tmp_path, workers=2, office=False) as cluster:
        executor = open_executor(cluster.address)
        try:
            # os._exit is importable by name on every worker: the slot process dies
            # at once, its nanny starts another, the scheduler sends the call again
            poison = executor.submit(Call(os._exit, (3,)))
            assert executor.wait_first([poison]) == {poison}
            outcome = executor.outcome(poison)
            assert isinstance(outcome.error, TaskLost), outcome
            assert "every worker" in str(outcome.error)
            # the workers came back: the next call runs
            cluster.wait_for_workers(2, timeout=120)
            sound = executor.submit(Call(operator.add, (2, 3)))
            executor.wait_first([sound])
            assert executor.outcome(sound).value == 5
        finally:
            executor.close()
