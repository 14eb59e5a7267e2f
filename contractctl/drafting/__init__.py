"""Drafting: templates in, contracts out (DOCX and PDF), and amendments to them.

The stage where a contract is written:

- the template: :mod:`~contractctl.drafting.schema` (its sidecar TOML, read into the
  dataclasses of :mod:`~contractctl.drafting.specs`), ``text`` (its paragraphs and
  tags), :mod:`~contractctl.drafting.lint` (checked before it enters the store, tag by
  tag in ``tag_checks`` and the tags of a part together in ``block_checks``),
  :mod:`~contractctl.drafting.versions` (registered, pending until legal approves),
  :mod:`~contractctl.drafting.preview`;
- the data: :mod:`~contractctl.drafting.fields` (values checked against the schema);
- the document: :mod:`~contractctl.drafting.render` (docxtpl, sandboxed) and
  :mod:`~contractctl.drafting.convert` (LibreOffice, one document at a time), with
  :mod:`~contractctl.drafting.converter_pool` for a batch (``uno_worker`` kept warm in
  each process of ``worker_process``);
- the contract: :mod:`~contractctl.drafting.draft` (``draft``),
  :mod:`~contractctl.drafting.batch` (``draft_batch``, a CSV streamed by ``batch_csv``) and
  :mod:`~contractctl.drafting.amend` (a new version of a signed or active contract).

Built on :mod:`contractctl.records` and :mod:`contractctl.documents`.
"""
