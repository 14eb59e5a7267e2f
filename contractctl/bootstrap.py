"""Creating or upgrading a whole store: the folder and schema, then its registries.

``init_store`` (contractctl.store) knows only files and SQL; this module adds what
the capabilities need registered at `init`, such as the shipped templates, so the
store package never depends on the capabilities built on it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from contractctl.store import InitReport, Store, init_store


def initialise(home: Path, actor: str) -> InitReport:
    """Create or upgrade the store at ``home`` and register the shipped templates."""
    from contractctl.drafting.versions import register_shipped

    report = init_store(home, actor)
    with Store.open(home) as store, store.transaction(actor) as tx:
        registered = register_shipped(tx, home / "templates")
    return dataclasses.replace(report, registered=registered)
