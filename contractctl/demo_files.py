"""The demo's sample files: what the other side and the past bring to `contractctl demo`.

The counterparty signing in its own tool (its own key and CA, outside our store), the
forger's edit of a DOCX, and a folder of "old contracts" to import. Kept apart from the
narrated steps (contractctl.demo) so that both stay short; nothing here narrates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from contractctl.bootstrap import initialise
from contractctl.store import DB_NAME, Store

COUNTERPARTY = "上海星河电子科技有限公司"


def counterparty_signs(home: Path, sent: bytes, passphrase: str) -> tuple[Path, bytes]:
    """The counterparty's side, outside our store: its own key and CA (a second store
    beside ours, ``<home>-counterparty``), pyHanko filling the seal field our
    certification made for it. Returns the signed file and its CA certificate (what the
    counterparty sends along)."""
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    from contractctl.signing.keys import init_test_identities, load_signer
    from contractctl.signing.pdf_signing import sign_bytes
    from contractctl.signing.seal import SealRequest

    theirs = home.with_name(home.name + "-counterparty")
    if not (theirs / DB_NAME).exists():
        initialise(theirs, "xinghe")
    with Store.open(theirs) as store:
        if not (theirs / "keys" / "org.p12").exists():
            init_test_identities(
                store, "xinghe", org=COUNTERPARTY, person=None, passphrase=passphrase
            )
    signer = load_signer(theirs, "org", passphrase)
    reader = PdfFileReader(io.BytesIO(sent), strict=False)
    empty = [name for name, _, _ in enumerate_sig_fields(reader, filled_status=False)]
    options: dict[str, Any] = {"certify": False, "seq": 2, "reason": None, "location": None}
    field: dict[str, Any] = {"party": "counterparty", "prepared": empty[0] if empty else None}
    signed, _, _ = sign_bytes(sent, signer, seal=SealRequest("auto"), **options, **field)
    back = theirs / "signed-by-xinghe.pdf"
    back.write_bytes(signed)
    return back, (theirs / "keys" / "test-ca.crt.pem").read_bytes()


def replace_in_docx(path: Path, old: str, new: str) -> None:
    """Replace text in a DOCX's body XML (the demo's forger at work)."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            if info.filename == "word/document.xml":
                data = data.replace(old.encode(), new.encode())
            archive.writestr(info, data)


def historical_folder(home: Path, store: Store) -> Path:
    """A folder of "old contracts": two text PDFs, a DOCX and a one-page scan, rendered
    from the shipped templates with their sample data (other companies' names)."""
    from contractctl.drafting.convert import convert_one
    from contractctl.drafting.draft import DraftRequest, prepare, render_docx
    from contractctl.drafting.versions import latest_approved, load_spec
    from contractctl.ocr import simulate_scan

    folder = home / "history"
    (folder / "2019").mkdir(parents=True, exist_ok=True)
    made: dict[str, Path] = {}
    for name in ("sales-zh", "nda-en", "lease-zh"):
        sample = load_spec(store, latest_approved(store.conn, name)).sample
        prepared = prepare(store, DraftRequest(template=name, data=dict(sample)))
        docx = folder / f"{name}.docx"
        render_docx(store, prepared, docx)
        made[name] = docx
    convert_one(made["sales-zh"], folder / "2019" / "销售合同（华东区）—2019.pdf")
    convert_one(made["nda-en"], folder / "Mutual NDA 2021.pdf")
    made["sales-zh"].unlink()
    made["nda-en"].unlink()
    scan_source = folder / "scan-source.pdf"
    convert_one(made["lease-zh"], scan_source)
    simulate_scan(
        scan_source, folder / "2019" / "租赁合同扫描件.pdf", page_order=[1], rotation=0.8, seed=7
    )
    scan_source.unlink()
    return folder
