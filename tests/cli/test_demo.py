"""`contractctl demo`: the README's first command tells a true story on a real store."""

from __future__ import annotations

import io
import re
from contextlib import redirect_stdout
from pathlib import Path

from contractctl.store import Store, audit


def test_the_demo_walks_its_steps_on_a_fresh_store_and_leaves_it_valid(tmp_path: Path) -> None:
    """Without --home the demo makes its own temp store, even when CONTRACTCTL_HOME is
    set (the user's own store is never touched), and says where it is. One run of the
    demo for the whole story (it takes ~90 s)."""
    import shutil

    from contractctl.cli.main import run

    buffer = io.StringIO()
    with redirect_stdout(buffer):
        code = run(["demo"])
    out = buffer.getvalue()
    assert code == 0, out[-2000:]
    where = re.search(r"The demo store stays at (\S+);", out)
    assert where, out[-2000:]
    home = Path(where.group(1))
    try:
        assert home.name.startswith("contractctl-demo-")
        assert not (tmp_path / "default-home").exists()
        _the_story_is_told(out, home)
    finally:
        shutil.rmtree(home)


def _the_story_is_told(out: str, home: Path) -> None:
    assert not re.search(r"\bNone\b|\bTrue\b|\bFalse\b", out), "a Python value reached the user"
    assert "== 1. Create a store" in out
    assert "P-0001 上海星河电子科技有限公司" in out
    assert "a mistyped code is refused (exit 2)" in out
    assert "chain intact" in out
    assert "C-" in out and "is now approved" in out
    assert "-> signed" in out and "verify C-" in out and ": valid" in out
    assert "a copy with one byte changed: verify says invalid" in out
    assert "(party.add) was modified" in out
    assert "routes department, over-100k, amendment-amount" in out
    assert "合同总价款: ¥207,122.00 → ¥248,546.40" in out and "v2 is in force" in out
    # the paper copy: the clean scan matches, the one-digit forgery is named critical
    assert re.search(
        r"ocr-check returned-scan\.pdf --against C-\S+: match \(\d+ pages, exit 0\)", out
    ), out
    assert re.search(r"ocr-check tampered-scan\.pdf --against C-\S+: mismatch \(exit 1\)", out), out
    assert re.search(r"\[critical\] page \d+ .*248,546\.40 → ¥?248,546\.70", out), out
    # every place the forged total stands is named with both values (the table's total
    # too: its currency sign misread on the scan once cost it its new value)
    severe = [line for line in out.splitlines() if line.strip().startswith("[critical]")]
    assert len(severe) >= 2 and not any("(none)" in line for line in severe), severe
    assert "(again): 4 duplicates, nothing imported twice" in out
    assert "contractctl search '违约': 3 hit(s)" in out and "«confidential»" in out.lower()
    # after the signature: obligations, an order refused, deliveries, two payments to zero
    assert "the amendment moved obligation" in out
    assert re.search(r"order create C-\S+ --line 1=2  refused \(exit 3\)", out), out
    assert "outstanding USD 0.00" in out and "paid USD 112,680.00 of USD 112,680.00" in out
    assert str(home) in out
    assert list(home.glob("redline-*.html"))
    with Store.open(home) as store:
        # two counterparties of the demo, three found in the imported contracts
        assert store.conn.execute("SELECT count(*) FROM parties").fetchone()[0] == 5
        assert (
            store.conn.execute("SELECT count(*) FROM contracts WHERE source = 'import'").fetchone()[
                0
            ]
            == 4
        )
        assert audit.verify(store.conn).ok, "the tampering happens on a copy only"
