"""Archive: a contract's dossier, offline bundles, and exports for other tools.

- :mod:`~contractctl.archive.dossier`: the dossier, one deterministic ZIP of a contract's
  versions, approvals, signatures, checks and events (``build_dossier``);
- :mod:`~contractctl.archive.archiving`: the archive transition that stores the dossier,
  and writing bundles and exports whole or not at all (``archive``, ``write_output``);
- :mod:`~contractctl.archive.bundle`: ``verify-bundle``, a bundle checked offline;
- :mod:`~contractctl.archive.export`: CSV, JSON and XLSX exports.

Importing old contracts is :mod:`contractctl.importer`; their metadata
:mod:`contractctl.metadata`; finding them :mod:`contractctl.search`.
"""
