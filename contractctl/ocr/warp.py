"""The scanned page in the approved page's pixels, made region by region on demand.

A page comparison looks at the ink of a few regions only (a line or two round each
difference of the readings, with some neighbourhood). Registering the whole scanned
page first (one affine resampling of ~9 megapixels, and a second one of its red-ink
mask) cost ~0.37 s a page, and finding the red ink of the whole page ~0.13 s more:
over half of a page's comparison, and the last page's comparison is the one part of a
check that nothing overlaps. Here each region asked for is resampled alone, from the
part of the scan it maps to, by the same affine map and the same bilinear filter, so
the pixels are those the whole-page registration gave (the same source pixels and
weights: the source part keeps two pixels round what the region samples).

Red ink (a seal) is dropped from the grey image as ``pipeline.drop_red`` does for a
whole page; where red ink is is found from a cheap first pass over the page (red leads
the other channels by ``RED_LEAD``: one of ``seal_detect.red_mask``'s own tests, done in
Pillow's C code), and the exact mask only inside the region asked for.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray
    from PIL.Image import Image as PILImage

#: ``seal_detect.red_mask`` keeps a pixel only where red exceeds green and blue by this.
RED_LEAD = 35
#: Source pixels kept round the mapped region, so bilinear sampling near its edge reads
#: the pixels the whole page would give it.
_MARGIN = 2

Region = tuple[int, int, int, int]


class RegisteredScan:
    """The scanned page (turned ``rotation``, deskewed by ``skew``, then mapped by
    ``affine`` from approved to scan pixels) as the approved page of ``size`` sees it."""

    def __init__(
        self,
        image_path: Path,
        rotation: int,
        skew: float,
        affine: Sequence[float],
        size: tuple[int, int],
    ) -> None:
        from PIL import Image, ImageChops

        from contractctl.ocr import deskew

        with Image.open(image_path) as image:
            image.load()
            rgb = image if image.mode == "RGB" else image.convert("RGB")  # no copy of a scan
            # turned (lossless) but not deskewed: the deskew and the registration are
            # one resampling, not two
            self._rgb: PILImage = deskew.turned(rgb, rotation)
        self._affine = deskew.skew_affine(self._rgb.size, skew, affine)
        self._size = size
        red, green, blue = self._rgb.split()
        lead = ImageChops.subtract(red, ImageChops.lighter(green, blue))
        #: where red ink may be (scan pixels), None: nowhere
        self._red_box = lead.point([255 if v >= RED_LEAD else 0 for v in range(256)]).getbbox()

    def crop(self, box: Region) -> PILImage:
        """The registered grey scan in ``box`` (approved pixels), red ink dropped, and
        paper (white) where the box leaves the approved page or the scan."""
        from PIL import Image

        from contractctl.ocr.pipeline import drop_red

        source = self._source(box)
        if source is None:
            return Image.new("L", _dimensions(box), 255)
        grey = drop_red(self._rgb.crop(source))
        return self._on_page(self._warp(grey, source, box, 255), box, 255)

    def red(self, box: Region) -> NDArray[np.bool_] | None:
        """The registered red-ink pixels in ``box``; None when there are none."""
        import numpy as np
        from PIL import Image

        from contractctl.ocr.seal_detect import red_mask

        source = self._source(box)
        if source is None or self._red_box is None or not _overlap(source, self._red_box):
            return None
        mask = red_mask(np.asarray(self._rgb.crop(source), dtype=np.uint8))
        if not mask.any():
            return None
        warped = self._warp(Image.fromarray(mask.astype(np.uint8) * 255), source, box, 0)
        found: NDArray[np.bool_] = np.asarray(self._on_page(warped, box, 0)) > 0
        return found if found.any() else None

    def _source(self, box: Region) -> Region | None:
        """The part of the scan the region samples, with ``_MARGIN``; None: none of it."""
        a, b, c, d, e, f = self._affine
        left, top, right, bottom = box
        corners = [(x, y) for x in (left, right) for y in (top, bottom)]
        xs = [a * x + b * y + c for x, y in corners]
        ys = [d * x + e * y + f for x, y in corners]
        width, height = self._rgb.size
        x0 = max(0, math.floor(min(xs)) - _MARGIN)
        y0 = max(0, math.floor(min(ys)) - _MARGIN)
        x1 = min(width, math.ceil(max(xs)) + _MARGIN + 1)
        y1 = min(height, math.ceil(max(ys)) + _MARGIN + 1)
        return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None

    def _warp(self, part: PILImage, source: Region, box: Region, fill: int) -> PILImage:
        """``part`` (the scan's ``source`` region) resampled into ``box``: the whole
        page's affine map, shifted to both crops' origins."""
        from PIL import Image

        a, b, c, d, e, f = self._affine
        left, top = box[0], box[1]
        data = (a, b, a * left + b * top + c - source[0], d, e, d * left + e * top + f - source[1])
        return part.transform(
            _dimensions(box),
            Image.Transform.AFFINE,
            data,
            resample=Image.Resampling.BILINEAR,
            fillcolor=fill,
        )

    def _on_page(self, image: PILImage, box: Region, fill: int) -> PILImage:
        """``image`` with ``fill`` where ``box`` leaves the approved page (as a crop of
        a page-sized registration padded with paper would be)."""
        from PIL import Image

        left, top, right, bottom = box
        width, height = self._size
        if left >= 0 and top >= 0 and right <= width and bottom <= height:
            return image
        canvas = Image.new("L", _dimensions(box), fill)
        inside = (max(0, left), max(0, top), min(width, right), min(height, bottom))
        if inside[0] < inside[2] and inside[1] < inside[3]:
            part = (inside[0] - left, inside[1] - top, inside[2] - left, inside[3] - top)
            canvas.paste(image.crop(part), part[:2])
        return canvas


def _dimensions(box: Region) -> tuple[int, int]:
    return box[2] - box[0], box[3] - box[1]


def _overlap(one: Region, other: Region) -> bool:
    return one[0] < other[2] and other[0] < one[2] and one[1] < other[3] and other[1] < one[3]
