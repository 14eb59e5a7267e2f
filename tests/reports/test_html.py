"""The HTML report opened in a real headless Chromium (Debian's `chromium`, driven by
Playwright; `make setup` installs it, `playwright install` is never run).

The page must load from the file alone (no request but the file itself), without a
console error; its chart must be there and drawn; its Chinese text must be glyphs, not
tofu; and its exact amounts must equal SQL totals over the same store.
"""

from __future__ import annotations

import io
import os
import shutil
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from contractctl.reports.model import direction_of
from contractctl.store import Store
from tests.conftest import Cli
from tests.reports.sample import fill

CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _missing(message: str) -> None:
    if CI:
        pytest.fail(f"CI=true: {message}")
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium under Playwright, once for the module."""
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        _missing("chromium is not installed (apt-get install chromium; make setup does)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def _open(browser: Any, path: Path) -> tuple[Any, list[str], list[str]]:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems: list[str] = []
    requests: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    return page, problems, requests


def _png(data: bytes) -> Any:
    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def test_the_month_report_loads_clean_with_its_chart_and_sql_totals(
    browser: Any, cli: Cli, store: Store, tmp_path: Path
) -> None:
    fill(store)
    target = tmp_path / "r.html"
    result = cli("report", "--by", "month", "--format", "html", "-o", str(target))
    assert result.code == 0, result.stderr
    page, problems, requests = _open(browser, target)
    try:
        assert problems == []
        assert requests == [target.as_uri()]  # self-contained: nothing else fetched
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        assert page.locator("h1").inner_text() == "按月签约金额"
        meta = page.locator("dl.meta").inner_text()
        for word in ("期间", "筛选条件", "生成时间", "全部"):
            assert word in meta
        # the chart: an inline SVG, drawn, of a real size
        assert page.locator("figure.chart svg").count() == 1
        assert page.locator("figure.chart svg path").count() > 40
        assert page.locator("figure.chart svg use").count() > 100  # glyphs placed
        box = page.locator("figure.chart svg").bounding_box()
        assert box["width"] > 600 and box["height"] > 400
        chart = _png(page.locator("figure.chart").screenshot())
        red = ((chart[..., 0] > 150) & (chart[..., 1] < 90) & (chart[..., 2] < 90)).sum()
        blue = ((chart[..., 2] > 130) & (chart[..., 0] < 80)).sum()
        assert red > 200 and blue > 200  # the purchase and sales lines are painted
        shot = page.screenshot(full_page=True)
        assert _png(shot).shape[0] > 900
        # the exact amounts of the total row equal SQL over the same store
        cells = page.locator("tr.total td[data-minor]")
        shown = {
            (
                cells.nth(i).get_attribute("data-direction"),
                cells.nth(i).get_attribute("data-currency"),
            ): int(cells.nth(i).get_attribute("data-minor") or 0)
            for i in range(cells.count())
        }
    finally:
        page.close()
    want: dict[tuple[str, str], int] = defaultdict(int)
    for type_, currency, minor in store.conn.execute(
        "SELECT type, currency, amount_minor FROM contracts WHERE currency IS NOT NULL AND "
        "signed_date IS NOT NULL AND status IN ('signed', 'active', 'expired', 'terminated', "
        "'archived')"
    ):
        want[(direction_of(type_), currency)] += minor
    assert shown == dict(want)
    assert {d for d, _ in shown} >= {"pay", "receive"}


def test_chinese_text_in_the_page_is_glyphs_not_tofu(
    browser: Any, cli: Cli, store: Store, tmp_path: Path
) -> None:
    """Each character of a known heading, screenshotted alone, is its own picture, and
    none is the box Chromium draws for a character no font has (U+10FFFD)."""
    fill(store, n=30)
    target = tmp_path / "types.html"
    assert cli("report", "--by", "type", "-o", str(target)).code == 0
    page, problems, _ = _open(browser, target)
    try:
        assert problems == []
        label = page.locator("h1").inner_text()
        assert label == "按合同类型统计"
        page.evaluate(
            """(chars) => { const box = document.createElement('div'); box.id = 'probe';
            for (const ch of chars) { const s = document.createElement('span');
              s.textContent = ch; s.style.fontSize = '40px'; s.style.display = 'inline-block';
              box.appendChild(s); }
            document.body.prepend(box); }""",
            [*label, "\U0010fffd"],
        )
        spans = page.locator("#probe span")
        pictures = [_png(spans.nth(i).screenshot()) for i in range(spans.count())]
    finally:
        page.close()
    tofu = pictures[-1]
    glyphs = pictures[:-1]
    for index, glyph in enumerate(glyphs):
        assert glyph.shape != tofu.shape or (glyph != tofu).any(), f"{label[index]} is tofu"
        for other in glyphs[index + 1 :]:
            assert glyph.shape != other.shape or (glyph != other).any()


def test_an_english_report_is_in_english(
    browser: Any, cli: Cli, store: Store, tmp_path: Path
) -> None:
    fill(store, n=30)
    target = tmp_path / "cycle.html"
    assert cli("report", "--view", "cycle", "--lang", "en", "-o", str(target)).code == 0
    page, problems, _ = _open(browser, target)
    try:
        assert problems == []
        assert page.evaluate("document.documentElement.lang") == "en"
        assert page.locator("h1").inner_text() == "Approval cycle times (submit to approved)"
        assert page.locator("figure.chart svg").count() == 1
        assert "whole route" in page.locator("table.report").inner_text()
    finally:
        page.close()


def test_text_from_the_store_is_escaped_and_nothing_is_fetched(store: Store) -> None:
    from contractctl.records.contracts import NewContract, NewVersion, create_contract
    from contractctl.records.parties import add_party
    from contractctl.reports.aggregate import ReportRequest, build_report
    from contractctl.reports.html import render_html

    with store.transaction("tester") as tx:
        party = add_party(tx, name='<script>alert("x")</script>有限公司').id
        create_contract(
            tx,
            NewContract(title="采购合同", type="purchase", counterparty_id=party,
                        status="active", signed_date=date(2026, 1, 2)),
            NewVersion(kind="import"),
        )  # fmt: skip
    page = render_html(build_report(store.conn, ReportRequest(view="counterparty")))
    assert "<script" not in page and "&lt;script&gt;" in page
    import re

    for fetch in ("src=", "@import", "url(http"):
        assert fetch not in page
    links = re.findall(r'href="([^"]*)"', page)
    assert links and all(link.startswith("#") for link in links)  # the SVG's own glyphs only
