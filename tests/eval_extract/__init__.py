"""`make eval-extract`: metadata extraction measured on documents written by others.

Three sets, none written beside the extractor (its development examples live in
``tests/extraction_corpus.py``; nothing here is shared with them):

- the Chinese model contracts of ``../shared/corpus/zh-model-contracts/`` with their blanks
  filled in a copy (python-docx) by :mod:`.zh_fill`: parties in the label blanks
  (甲方/乙方, 出租人, 买受人, ...), the total price in figures and 大写, a deposit beside
  it, the signing date and place, the term's dates, and on some a renewal sentence; the
  truth is what the filler wrote, and a blank left blank is "not filled";
- the same contracts as published, blank: they must yield no parties and no amounts;
- English agreements in the styles real ones use (:mod:`.en_docs`), with their labels,
  and the Common Paper NDA cover page blank and filled.

:mod:`.score` counts per field precision, recall and the share of values given without a
flag that are wrong.
"""
