"""Signing: keys, seals, PAdES signatures, verification and long-term validation.

- identities: :mod:`~contractctl.signing.keys` (PKCS#12 identities and trust roots) and
  :mod:`~contractctl.signing.test_ca` (the store's TEST CA and its CRL);
- signing: :mod:`~contractctl.signing.seal` (what a signature looks like on the page) and
  :mod:`~contractctl.signing.sign` (``sign``, ``accept``);
- checking: :mod:`~contractctl.signing.verify` (``verify_pdf``, ``verify_contract``);
- keeping: :mod:`~contractctl.signing.ltv` (B-LT and B-LTA) and
  :mod:`~contractctl.signing.doc_timestamps` (the archive timestamp chain, renewal).

pyHanko and cryptography are imported inside the functions that use them.
"""
