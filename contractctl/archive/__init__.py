"""Archive: a contract's dossier, offline bundles, and exports for other tools.

- :mod:`~contractctl.archive.dossier`: the archive transition and the dossier folder;
- :mod:`~contractctl.archive.bundle`: ``verify-bundle``, a bundle checked offline;
- :mod:`~contractctl.archive.export`: CSV, JSON and XLSX exports.

Importing old contracts is :mod:`contractctl.importer`; their metadata
:mod:`contractctl.metadata`; finding them :mod:`contractctl.search`.
"""
