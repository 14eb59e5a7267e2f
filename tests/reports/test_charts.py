"""Charts: Chinese labels are drawn with real CJK glyphs, never tofu boxes.

A font without Chinese (matplotlib's DejaVu Sans) draws every missing character as the
same empty box. So a known label is rendered with the chart's font set-up and with
DejaVu alone: with tofu, every character is the same picture; with the CJK font, each
character is its own and none looks like the box.
"""

from __future__ import annotations

import io
import os
import warnings
from typing import Any

import pytest

from contractctl.reports.aggregate import ReportRequest, build_report
from contractctl.reports.charts import _rc, cjk_font, render_chart
from contractctl.store import Store
from tests.reports.sample import TODAY, fill

CI = os.environ.get("CI", "").lower() == "true"
LABEL = "合同金额采购"


def _need_cjk_font() -> None:
    try:
        cjk_font()
    except Exception as exc:  # ToolMissing
        if CI:
            pytest.fail(f"CI=true: {exc}")
        pytest.skip(str(exc))


def _glyph(text: str, rc: dict[str, Any]) -> Any:
    """``text`` drawn black on white at 48 pt, as a numpy array cropped to the ink."""
    import numpy as np
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    with rc_context(rc), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DejaVu warns about each missing glyph
        figure = Figure(figsize=(1.2, 1.2), dpi=100)
        FigureCanvasAgg(figure)
        figure.text(0.5, 0.5, text, fontsize=48, ha="center", va="center")
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    image = np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("L")) < 128
    rows, cols = np.where(image)
    return image[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]


def _same(a: Any, b: Any) -> bool:
    return bool(a.shape == b.shape and (a == b).all())


def test_the_cjk_font_is_loaded_by_its_file_path() -> None:
    _need_cjk_font()
    path, family = cjk_font()
    assert path.is_file() and path.suffix == ".ttc"
    assert family.startswith("Noto")


def test_a_known_label_renders_as_glyphs_not_tofu() -> None:
    _need_cjk_font()
    tofu_rc = {"font.family": ["DejaVu Sans"]}
    tofu = [_glyph(ch, tofu_rc) for ch in LABEL]
    # the control: without a CJK font every character is the same box
    assert all(_same(tofu[0], t) for t in tofu[1:])
    ours = [_glyph(ch, _rc()) for ch in LABEL]
    for index, glyph in enumerate(ours):
        assert not _same(glyph, tofu[0]), f"{LABEL[index]} is drawn as a tofu box"
        for other in ours[index + 1 :]:
            assert not _same(glyph, other), "two different characters look the same"
    # a real glyph has strokes inside it: far more ink than the outline of a box
    assert all(g.sum() > 1.3 * tofu[0].sum() or g.shape != tofu[0].shape for g in ours)


def test_charts_of_every_view_have_no_missing_glyphs(store: Store) -> None:
    _need_cjk_font()
    fill(store, n=60)
    for view in ("month", "type", "counterparty", "status", "pipeline", "expiring", "cycle"):
        report = build_report(store.conn, ReportRequest(view=view, today=TODAY, lang="zh"))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            png = render_chart(report, "png")
        missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
        assert missing == [], f"{view}: {missing[:3]}"
        assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_the_chart_differs_from_the_same_chart_drawn_in_tofu(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _need_cjk_font()
    import numpy as np
    from PIL import Image

    fill(store, n=40)
    report = build_report(store.conn, ReportRequest(view="type", lang="zh"))
    ours = np.asarray(Image.open(io.BytesIO(render_chart(report, "png"))).convert("L"))
    from contractctl.reports import charts

    real_rc = charts._rc
    monkeypatch.setattr(charts, "_rc", lambda: {**real_rc(), "font.family": ["DejaVu Sans"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tofu = np.asarray(Image.open(io.BytesIO(render_chart(report, "png"))).convert("L"))
    assert ours.shape == tofu.shape
    assert (ours != tofu).mean() > 0.002  # the labels differ, the bars do not


def test_svg_has_glyphs_as_paths_and_is_reproducible(store: Store) -> None:
    _need_cjk_font()
    fill(store, n=40)
    report = build_report(store.conn, ReportRequest(view="month", lang="zh"))
    svg = render_chart(report, "svg")
    assert svg.startswith(b"<?xml") and b"<svg" in svg
    assert b"<text" not in svg  # outlines: no font needed to show it
    assert svg.count(b"<path") > 50
    assert render_chart(report, "svg") == svg
