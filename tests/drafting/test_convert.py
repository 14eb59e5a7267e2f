"""DOCX→PDF with the real LibreOffice: one draft, a batch, broken input, crashes.

Nothing here fakes soffice. The crash and timeout tests kill real processes or give a
real conversion too little time. One pool is shared by the module's tests because each
pool start costs a LibreOffice start per worker.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from contractctl import tools
from contractctl.drafting import convert
from contractctl.drafting.convert import convert_one, system_python_with_uno
from contractctl.drafting.converter_pool import ConverterPool
from contractctl.errors import InvalidInput, NotFound, ToolFailed, ToolMissing

CI = os.environ.get("CI", "").lower() == "true"


def _need(program: str) -> None:
    """Skip without ``program`` on a developer machine; fail in CI (STYLE.md)."""
    if shutil.which(program) is None:
        message = f"{program} is not installed ({tools.install_hint(program)})"
        if CI:
            pytest.fail(message)
        pytest.skip(message)


def converted_text(src: Path, pdf: Path, *, batch: bool) -> str:
    """``src`` converted to ``pdf`` one-shot (``convert_one``) or by the batch pool, as
    draft and draft-batch do; the PDF's text."""
    from contractctl.documents.extract import pdf_text

    _need("soffice")
    if batch:
        with ConverterPool(workers=1) as pool:
            assert pool.convert([(src, pdf)]) == {src: None}
    else:
        convert_one(src, pdf, timeout=120)
    return pdf_text(pdf)


def _make_docx(path: Path, number: int) -> Path:
    """A small bilingual contract whose text says which one it is."""
    import docx

    document = docx.Document()
    document.add_heading(f"采购合同 第{number}号 Purchase Contract {number}", 0)
    for clause in range(1, 8):
        document.add_paragraph(
            f"第{clause}条 甲方应于收到发票后三十日内向乙方支付货款。"
            f"Clause {clause}: the Buyer pays within thirty days of the invoice."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def _make_corrupt_docx(path: Path, good: Path) -> Path:
    """A DOCX whose zip is cut in half, as an interrupted download leaves it."""
    data = good.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert not zipfile.is_zipfile(path)
    return path


def _pdf_text(pdf: Path) -> str:
    """The PDF's text without any whitespace (pdftotext spaces out 第 1 号 and wraps lines)."""
    _need("pdftotext")
    text = tools.run(["pdftotext", "-enc", "UTF-8", pdf, "-"], timeout=60).stdout
    return "".join(text.split())


def _our_processes(marker: str) -> list[str]:
    """Command lines of running processes that mention ``marker`` (our temp folders)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if marker in cmdline and str(os.getpid()) != entry.name:
                found.append(f"{entry.name}: {cmdline[:200]}")
    return found


def _pool_tmp(pool: ConverterPool) -> str:
    assert pool._tmp is not None
    return str(pool._tmp)


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Six small bilingual DOCX files."""
    folder = tmp_path_factory.mktemp("docx")
    return [_make_docx(folder / f"contract-{n}.docx", n) for n in range(1, 7)]


@pytest.fixture(scope="module")
def pool() -> Iterator[ConverterPool]:
    """One pool of UNO workers for the module; no LibreOffice of ours survives it."""
    _need("soffice")
    system_python_with_uno()  # fail loudly here rather than silently test the fallback
    with ConverterPool(workers=2) as shared:
        assert shared.uses_uno
        marker = _pool_tmp(shared)
        yield shared
    assert _our_processes(marker) == []
    assert not Path(marker).exists()


def test_one_draft_converts_and_keeps_its_chinese_text(docs: list[Path], tmp_path: Path) -> None:
    _need("soffice")
    pdf = tmp_path / "out" / "draft.pdf"
    convert_one(docs[0], pdf)
    text = _pdf_text(pdf)
    assert "采购合同第1号" in text
    assert "甲方应于收到发票后三十日内向乙方支付货款" in text
    assert "PurchaseContract1" in text
    assert sorted(p.name for p in pdf.parent.iterdir()) == ["draft.pdf"]  # nothing left over


def test_one_draft_that_cannot_be_read_is_bad_input(docs: list[Path], tmp_path: Path) -> None:
    _need("soffice")
    broken = _make_corrupt_docx(tmp_path / "broken.docx", docs[0])
    with pytest.raises(InvalidInput, match="could not load"):
        convert_one(broken, tmp_path / "broken.pdf")
    with pytest.raises(NotFound):
        convert_one(tmp_path / "missing.docx", tmp_path / "missing.pdf")
    assert not (tmp_path / "broken.pdf").exists()


def test_a_draft_that_takes_too_long_is_stopped_with_its_soffice(
    docs: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _need("soffice")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the profile goes here
    with pytest.raises(
        ToolFailed, match=r"^.*\.docx: LibreOffice did not finish .* within 0\.3 s$"
    ):
        convert_one(docs[0], tmp_path / "late.pdf", timeout=0.3)
    assert _our_processes(str(tmp_path)) == []  # soffice.bin too, not only oosplash
    assert not (tmp_path / "late.pdf").exists()


def test_a_batch_converts_every_document_and_reports_each_as_it_finishes(
    pool: ConverterPool, docs: list[Path], tmp_path: Path
) -> None:
    jobs = [(src, tmp_path / "pdf" / f"{src.stem}.pdf") for src in docs]
    finished: list[tuple[Path, str | None]] = []
    results = pool.convert(jobs, on_done=lambda src, error: finished.append((src, error)))
    assert results == {src: None for src in docs}
    assert sorted(finished) == sorted((src, None) for src in docs)
    for number, (_, pdf) in enumerate(jobs, start=1):
        assert f"采购合同第{number}号" in _pdf_text(pdf)
    assert sorted(p.name for p in (tmp_path / "pdf").iterdir()) == sorted(
        f"{src.stem}.pdf" for src in docs
    )


def test_a_corrupt_docx_mid_batch_fails_alone(
    pool: ConverterPool, docs: list[Path], tmp_path: Path
) -> None:
    broken = _make_corrupt_docx(tmp_path / "broken.docx", docs[0])
    empty = tmp_path / "empty.docx"
    empty.write_bytes(b"")
    sources = [docs[0], docs[1], broken, empty, tmp_path / "missing.docx", docs[2], docs[3]]
    out = tmp_path / "out"
    results = pool.convert([(src, out / f"{src.stem}.pdf") for src in sources])
    assert results[broken] is not None and "could not load" in results[broken]
    assert results[empty] == "the file is empty"
    assert results[tmp_path / "missing.docx"] == "no such file"
    good = [docs[0], docs[1], docs[2], docs[3]]
    assert all(results[src] is None for src in good)
    # Only the good ones have PDFs, and no hidden part file was left behind.
    assert sorted(os.listdir(out)) == sorted(f"{src.stem}.pdf" for src in good)


def test_killed_workers_are_restarted_and_their_documents_retried(
    pool: ConverterPool, docs: list[Path], tmp_path: Path
) -> None:
    warm = pool.convert([(src, tmp_path / "warm" / f"{src.stem}.pdf") for src in docs])
    assert set(warm.values()) == {None}
    # Kill worker 0's soffice (the worker survives and finds it gone) and worker 1
    # itself (its soffice is orphaned until the pool kills the process group).
    first, second = pool._slots[0], pool._slots[1]
    assert first is not None and first.ready and second is not None and second.ready
    for pid_text in os.listdir("/proc"):
        if pid_text.isdigit() and int(pid_text) != first.proc.pid:
            try:
                if os.getpgid(int(pid_text)) == first.proc.pid:
                    os.kill(int(pid_text), signal.SIGKILL)
            except ProcessLookupError:
                pass
    os.kill(second.proc.pid, signal.SIGKILL)
    time.sleep(0.2)

    # And kill a busy worker once a document is through (one that is not already on a
    # retry: a second loss on the same document is, rightly, reported as a failure).
    killed_mid_batch: list[int] = []

    def kill_a_busy_worker(src: Path, error: str | None) -> None:
        if killed_mid_batch:
            return
        for worker in pool._slots:
            if worker is not None and worker.job is not None and worker.job.losses == 0:
                os.killpg(worker.proc.pid, signal.SIGKILL)
                killed_mid_batch.append(worker.proc.pid)
                return

    jobs = [(src, tmp_path / f"{src.stem}.pdf") for src in docs]
    results = pool.convert(jobs, on_done=kill_a_busy_worker)
    assert results == {src: None for src in docs}
    assert all(pdf.stat().st_size > 0 for _, pdf in jobs)
    new_pids = {w.proc.pid for w in pool._slots if w is not None}
    assert first.proc.pid not in new_pids and second.proc.pid not in new_pids
    assert killed_mid_batch and killed_mid_batch[0] not in new_pids


def test_a_document_that_keeps_timing_out_is_reported_after_one_retry(
    docs: list[Path], tmp_path: Path
) -> None:
    _need("soffice")
    with ConverterPool(workers=1, timeout_per_doc=0.01) as slow:
        marker = _pool_tmp(slow)
        results = slow.convert([(docs[0], tmp_path / "late.pdf")])
    assert results[docs[0]] is not None
    assert "failed twice" in results[docs[0]] and "within 0.01 s" in results[docs[0]]
    assert not (tmp_path / "late.pdf").exists()
    assert _our_processes(marker) == []


def test_without_uno_the_pool_converts_in_chunks_of_soffice_calls(
    docs: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _need("soffice")
    # Two sources with the same name must not collide in soffice's output folder.
    twin = _make_docx(tmp_path / "other" / docs[1].name, 99)
    broken = _make_corrupt_docx(tmp_path / "broken.docx", docs[0])
    sources = [docs[0], broken, docs[1], twin, docs[2]]
    jobs = [(src, tmp_path / "out" / f"{n}-{src.stem}.pdf") for n, src in enumerate(sources)]
    monkeypatch.setenv(convert.ENV_NO_UNO, "1")
    finished: list[Path] = []
    with ConverterPool(workers=2) as fallback:
        assert not fallback.uses_uno
        marker = _pool_tmp(fallback)
        results = fallback.convert(jobs, on_done=lambda src, error: finished.append(src))
    assert sorted(finished) == sorted(sources)
    assert results[broken] is not None and "could not load" in results[broken]
    assert [results[s] for s in sources if s != broken] == [None] * 4
    assert "采购合同第99号" in _pdf_text(jobs[3][1])
    assert "采购合同第2号" in _pdf_text(jobs[2][1])
    assert not jobs[1][1].exists()
    assert _our_processes(marker) == []


def test_without_soffice_the_error_names_the_debian_package(
    docs: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(ToolMissing) as one:
        convert_one(docs[0], tmp_path / "a.pdf")
    assert "libreoffice-writer-nogui" in (one.value.hint or "")
    with pytest.raises(ToolMissing) as batch, ConverterPool():
        pass
    assert "libreoffice-writer-nogui" in (batch.value.hint or "")


def test_without_python3_uno_the_pool_falls_back_or_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _need("soffice")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "soffice").symlink_to(tools.find("soffice"))
    (bin_dir / "python3").symlink_to(sys.executable)  # the venv's Python: no uno
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setattr(convert, "SYSTEM_PYTHONS", (sys.executable,))
    with pytest.raises(ToolMissing) as missing:
        system_python_with_uno()
    assert "sudo apt-get install python3-uno" in (missing.value.hint or "")
    with pytest.raises(ToolMissing), ConverterPool(uno=True):
        pass
    with ConverterPool() as pool:
        assert not pool.uses_uno


def test_a_source_named_twice_is_refused(
    pool: ConverterPool, docs: list[Path], tmp_path: Path
) -> None:
    with pytest.raises(InvalidInput, match="listed twice"):
        pool.convert([(docs[0], tmp_path / "a.pdf"), (docs[0], tmp_path / "b.pdf")])


def test_a_pool_of_more_workers_than_a_machine_runs_is_refused() -> None:
    """draft-batch --workers 100000 would start as many LibreOffices; a huge number
    overflowed C. Refused before any starts."""
    from contractctl.drafting.converter_pool import MAX_WORKERS, ConverterPool
    from contractctl.errors import InvalidInput

    for workers in (0, MAX_WORKERS + 1, 2**63 - 1):
        with pytest.raises(InvalidInput, match="workers must be between 1 and"):
            ConverterPool(workers)
