"""Signing: keys, seals, PAdES signatures, verification and long-term validation.

- identities: :mod:`~contractctl.signing.keys` (PKCS#12 identities and trust roots),
  :mod:`~contractctl.signing.test_ca` (the store's TEST CA and its CRL), and beneath both
  :mod:`~contractctl.signing.keyfiles` (the keys folder's files: written 0600, never
  replaced, undone with the transaction; the passphrase) and
  :mod:`~contractctl.signing.certificates` (certificate facts: reading, describing, the
  TEST mark);
- who may sign for whom: :mod:`~contractctl.signing.binding` (a certificate names the
  party, or ``keys bind`` says so; a key signs a contract once);
- signing: :mod:`~contractctl.signing.seal` (what a signature looks like on the page),
  :mod:`~contractctl.signing.sign` (``sign``: check, open the key, sign, record),
  :mod:`~contractctl.signing.plan` (who signs next, the plan a signature is made for) and
  :mod:`~contractctl.signing.pdf_signing` (one signature in the PDF's bytes: fields,
  seals, pyHanko);
  :mod:`~contractctl.signing.sign_import` (``sign-import``: a PDF the other party signed
  in its own tool, checked and recorded);
- acceptances: :mod:`~contractctl.signing.acceptances` (``accept``, click-through
  evidence, never a signature) and :mod:`~contractctl.signing.views` (the signatures and
  acceptances `show` lists);
- checking: :mod:`~contractctl.signing.verify` (``verify_pdf``, ``verify_contract``: the
  walk over the file), :mod:`~contractctl.signing.signature_check` (one signature judged),
  :mod:`~contractctl.signing.revisions` (what a later revision may change: DSS and
  document timestamps only), :mod:`~contractctl.signing.report` (the reports and the
  verdict) and
  :mod:`~contractctl.signing.validity` (the time rules and names both checks share);
- keeping: :mod:`~contractctl.signing.ltv` (B-LT and B-LTA),
  :mod:`~contractctl.signing.doc_timestamps` (the archive timestamp chain, checked) and
  :mod:`~contractctl.signing.renewal` (``renew_chain``: the chain renewed);
- the record's anchor: :mod:`~contractctl.signing.anchor` (``audit anchor``: the audit
  chain's head signed with the organisation key, and the chain held to it).

pyHanko and cryptography are imported inside the functions that use them.
"""
