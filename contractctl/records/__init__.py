"""The records: contracts with their versions, the parties they are made with, and the
lifecycle that says which status may follow which.

Every stage above reads and writes contracts through here:

- :mod:`~contractctl.records.contracts`: ``create_contract``, ``add_version``,
  ``get_contract``, ``list_contracts``, ``versions`` (the ``list`` and ``show`` JSON
  shapes are made in this one place);
- :mod:`~contractctl.records.parties`: counterparties, their credit codes and details;
- :mod:`~contractctl.records.people`: the people inside (people.toml: roles, department
  heads, delegation), who approve and sign;
- :mod:`~contractctl.records.lifecycle`: ``transition`` (DESIGN.md §3's table).

A record never imports the stages that decorate it (approval, signing, OCR): what
``show`` says of those is assembled in :mod:`contractctl.views`.
"""
