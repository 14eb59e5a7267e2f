"""Documents as text: what a DOCX or PDF says, and the numbered clauses in it.

Shared by drafting, import, compare and the OCR check; depends only on the kernel.

- :mod:`~contractctl.documents.extract`: ``docx_text``, ``pdf_text`` (Poppler);
- :mod:`~contractctl.documents.docx_reader`: ``read_docx``, every word of a DOCX as Word
  shows it, list numbers from :mod:`~contractctl.documents.docx_numbering` included;
- :mod:`~contractctl.documents.clauses`: clause numbers and headings (第X条, 1.1, ...);
- :mod:`~contractctl.documents.docx_safety`: ``open_docx``, opening a DOCX someone
  else wrote without letting it exhaust memory or CPU.
"""
