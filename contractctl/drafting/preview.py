"""`template preview`: a template rendered with its own sample values.

Reviewers look at a template as it will print before approving it, so the preview
renders any version (pending ones too) to DOCX, PDF and a PNG of page 1.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from contractctl import tools
from contractctl.drafting.fields import validate_values
from contractctl.drafting.render import Renderer, to_context
from contractctl.drafting.versions import docx_path, load_spec, resolve
from contractctl.errors import InvalidInput, ValidationFailed
from contractctl.store import Store


def render_preview(store: Store, ref: str, out_dir: Path) -> dict[str, Path]:
    """Render ``ref`` with its [sample] into ``out_dir``; returns the files written."""
    from contractctl.drafting.convert import convert_one

    version = resolve(store.conn, ref)
    spec = load_spec(store, version)
    if not spec.sample:
        raise InvalidInput(f"{version.ref} has no [sample] values to preview with")
    values, problems = validate_values(spec, spec.sample, resolve_party=None)
    if problems:
        raise ValidationFailed(f"the [sample] of {version.ref} is invalid", list(problems))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"cannot write to {out_dir}: {exc.strerror}") from exc
    stem = f"{version.name}-{version.version}-preview"
    # made in a hidden folder beside the output and moved in only when all three are
    # there: a failed or interrupted preview (LibreOffice timing out) leaves nothing
    with tempfile.TemporaryDirectory(prefix=".preview-", dir=out_dir) as tmp:
        work = Path(tmp)
        docx, pdf, png_base = work / f"{stem}.docx", work / f"{stem}.pdf", work / f"{stem}-page1"
        Renderer(docx_path(store, version)).render(
            to_context(values, store.settings.company.as_dict()), docx
        )
        convert_one(docx, pdf)
        first_page = ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile"]
        tools.run(
            [*first_page, str(pdf), str(png_base)],
            timeout=60,
            expect_file=png_base.with_suffix(".png"),
        )
        made = {"docx": docx, "pdf": pdf, "png": png_base.with_suffix(".png")}
        files = {kind: out_dir / path.name for kind, path in made.items()}
        for kind, path in made.items():
            os.replace(path, files[kind])
    return files
