"""Signing benchmarks: sign and verify N approved contracts in one contractctl process.

Baseline in the same run: pyHanko's own CLI, `pyhanko sign addsig --use-pades pkcs12`
and `pyhanko sign validate`, called once per file on the same unsigned PDFs with the
same PKCS#12 identity. The per-file CLI costs about a second a call, so it runs on the
first BENCH_SIGN_BASELINE_N (default 15) of the files and is compared as a rate.

The B-LTA row signs BENCH_SIGN_LTA_N (default 20) more contracts at PAdES B-LTA with the
real loopback TSA of tests/signing/test_timestamp.py (three TSA requests a signature: the chain
probe, the signature timestamp, the document timestamp), against the same baseline.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from contractctl.approval.decide import decide, submit
from contractctl.bootstrap import initialise
from contractctl.demo import DEMO_PEOPLE
from contractctl.drafting.batch import draft_batch
from contractctl.drafting.versions import latest_approved, load_spec
from contractctl.signing.keys import init_test_identities, trust_anchors
from contractctl.signing.seal import SealRequest
from contractctl.signing.sign import sign
from contractctl.signing.verify import verify_pdf
from contractctl.store import Store
from tests.bench.harness import Row

N = int(os.environ.get("BENCH_SIGN_N", "100"))
BASELINE_N = int(os.environ.get("BENCH_SIGN_BASELINE_N", "15"))
SEALED_N = int(os.environ.get("BENCH_SIGN_SEALED_N", "20"))
LTA_N = int(os.environ.get("BENCH_SIGN_LTA_N", "20"))
PASS = "bench-passphrase"
PYHANKO = str(Path(sys.executable).parent / "pyhanko")


def run() -> Iterator[tuple[str, list[Row]]]:
    """Yield the signing benchmark table."""
    import json

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        home = work / "store"
        initialise(home, "bench")
        (home / "people.toml").write_text(DEMO_PEOPLE, encoding="utf-8")
        with Store.open(home) as store:
            init_test_identities(
                store, "bench", org="基准测试科技有限公司", person=None, passphrase=PASS
            )
            spec = load_spec(store, latest_approved(store.conn, "purchase-zh"))
            sample = json.loads(json.dumps(spec.sample, default=str))
            count = N + SEALED_N + LTA_N
            rows = [{**sample, "contract_no": f"QM-2026-{n:05d}"} for n in range(count)]
            made = [r.id for r in draft_batch(store, "bench", "purchase-zh", rows).made]
            ids, sealed_ids = made[:N], made[N : N + SEALED_N]
            lta_ids = made[N + SEALED_N :]
            for cid in made:
                with store.transaction("bench") as tx:
                    submit(tx, cid)
                for person in ("qian.feng", "wang.fang"):
                    with store.transaction(person) as tx:
                        decide(tx, cid, "approve")
            unsigned = [
                store.objects.path(
                    store.conn.execute(
                        "SELECT pdf_sha FROM versions WHERE contract_id = ? AND n = 1", (cid,)
                    ).fetchone()[0]
                )
                for cid in ids
            ]

            def rate(cids: list[str], **options: Any) -> float:
                """Contracts signed per second for the company, with these options."""
                start = time.perf_counter()
                for cid in cids:
                    sign(
                        store, "bench", cid, key="org", passphrase=PASS, party="company", **options
                    )
                return len(cids) / (time.perf_counter() - start)

            invisible = SealRequest(mode="none")  # like the CLI baseline
            sign_rate = rate(ids, seal=invisible)
            sealed_rate = rate(sealed_ids)  # the default: a drawn red seal with the name
            with _loopback_tsa(work) as (tsa_url, tsa_ca):
                lta_rate = rate(
                    lta_ids, seal=invisible, tsa_url=tsa_url, level="B-LTA", trust=[tsa_ca]
                )

            trust = trust_anchors(home)
            signed = [
                store.objects.path(
                    store.conn.execute(
                        "SELECT pdf_sha FROM versions WHERE contract_id = ? AND n = 1", (cid,)
                    ).fetchone()[0]
                )
                for cid in ids
            ]
            start = time.perf_counter()
            verdicts = [verify_pdf(path, trust=trust).verdict for path in signed]
            verify_rate = len(signed) / (time.perf_counter() - start)
            assert set(verdicts) == {"valid"}, verdicts

        passfile = work / "pass.txt"
        passfile.write_text(PASS, encoding="utf-8")
        p12 = home / "keys" / "org.p12"
        ca = home / "keys" / "test-ca.crt.pem"
        outs: list[Path] = []
        start = time.perf_counter()
        for index, pdf in enumerate(unsigned[:BASELINE_N]):
            out = work / f"cli-{index}.pdf"
            subprocess.run(
                [
                    PYHANKO,
                    "sign",
                    "addsig",
                    "--field",
                    "Sig1",
                    "--use-pades",
                    "pkcs12",
                    "--passfile",
                    str(passfile),
                    str(pdf),
                    str(out),
                    str(p12),
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
            outs.append(out)
        cli_sign_rate = len(outs) / (time.perf_counter() - start)
        start = time.perf_counter()
        for out in outs:
            subprocess.run(
                [PYHANKO, "sign", "validate", "--trust", str(ca), str(out)],
                check=True,
                capture_output=True,
                timeout=120,
            )
        cli_verify_rate = len(outs) / (time.perf_counter() - start)
    yield (
        f"Signing: {N} approved contracts in one process (target >= 3x the per-file CLI)",
        [
            Row(
                f"sign (PAdES B-B, store, audit), {N} contracts",
                sign_rate,
                cli_sign_rate,
                "/s",
                f"pyhanko sign addsig per file ({BASELINE_N})",
                higher_is_better=True,
            ),
            Row(
                f"sign with the drawn seal (visible, CJK font subset), {SEALED_N} contracts",
                sealed_rate,
                cli_sign_rate,
                "/s",
                f"pyhanko sign addsig per file, invisible ({BASELINE_N})",
                higher_is_better=True,
            ),
            Row(
                f"sign at PAdES B-LTA (loopback TSA, DSS + CRL, document timestamp), "
                f"{LTA_N} contracts",
                lta_rate,
                cli_sign_rate,
                "/s",
                f"pyhanko sign addsig per file, B-B ({BASELINE_N})",
                higher_is_better=True,
            ),
            Row(
                f"verify (strict report), {N} contracts",
                verify_rate,
                cli_verify_rate,
                "/s",
                f"pyhanko sign validate per file ({BASELINE_N})",
                higher_is_better=True,
            ),
        ],
    )


@contextmanager
def _loopback_tsa(work: Path) -> Iterator[tuple[str, bytes]]:
    """The RFC 3161 TSA of tests/signing/test_timestamp.py on loopback: its URL and CA (PEM)."""
    import threading
    from http.server import ThreadingHTTPServer

    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    from tests.signing.test_timestamp import _handler, _test_pki

    ca_pem, tsa_cert, tsa_key = _test_pki()
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), _handler(DummyTimeStamper(tsa_cert=tsa_cert, tsa_key=tsa_key))
    )
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa", ca_pem
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
