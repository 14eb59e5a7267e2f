"""Offline verification of an archive bundle: `contractctl verify-bundle FILE.zip`.

A bundle is a dossier written by ``archive ID --bundle`` (see contractctl.archive.dossier for its
layout). Checking one needs nothing but the file: no store, no network. The checks:

- the file is a readable ZIP (else bad input, exit 2) with a dossier manifest.json;
- every file the manifest lists is there, with its size and SHA-256; none is added and
  none appears twice; every entry name, listed or not, is a plain relative path of a
  regular file (no ``..``, absolute path, drive, backslash or symbolic link);
- final.pdf's signatures hold against the trust anchors in trust/*.pem, validated at each
  signature's signing time by default, and are the ones signatures.json records;
- every audit event in events.json recomputes to its hash from its content and previous
  hash, consecutive events link, and all are about this contract;
- manifest.json is signed (manifest.sig) by the certificate of the company's signature
  in final.pdf, and the audit anchor it carries by the same certificate
  (contractctl.archive.manifest_seal), so a forger who re-hashes the manifest fails.

Every finding is a problem in the report (exit 1); the report never stops at the first.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contractctl import limits
from contractctl.archive.dossier import FORMAT, FORMAT_VERSION, MANIFEST
from contractctl.archive.manifest_seal import SIGNATURE
from contractctl.archive.manifest_seal import check as check_seal
from contractctl.errors import ContractctlError, InvalidInput, NotFound
from contractctl.store.audit import canonical_json, event_hash

#: A bundle member larger than this is not read (a ZIP bomb is not a dossier).
MAX_MEMBER = 1 << 31
_CHUNK = 1 << 20


@dataclass
class BundleReport:
    """The offline check of a bundle: every problem found, and what was checked."""

    path: Path
    sha256: str
    files: int = 0
    contract: str | None = None
    archived_at: str | None = None
    signatures: list[dict[str, Any]] = field(default_factory=list)
    events: int = 0
    problems: list[str] = field(default_factory=list)
    #: the fingerprint of the certificate that signed manifest.json (None: unsigned)
    manifest_signer: str | None = None

    @property
    def verdict(self) -> str:
        """``valid`` when nothing is wrong, else ``invalid``."""
        return "invalid" if self.problems else "valid"

    @property
    def ok(self) -> bool:
        """True when the verdict is valid (exit 0)."""
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        """The `verify-bundle --json` shape."""
        return {
            "verdict": self.verdict,
            "problems": list(self.problems),
            "files": self.files,
            "contract": self.contract,
            "archived_at": self.archived_at,
            "sha256": self.sha256,
            "signatures": self.signatures,
            "events": self.events,
            "manifest_signer": self.manifest_signer,
        }


def verify_bundle(path: Path, *, at: str = "signing-time") -> BundleReport:
    """Check a bundle with nothing but the file: the manifest, every file's hash and size,
    no file added, final.pdf's signatures against the bundled trust anchors (validated at
    ``at``, each signature's signing time by default), and the audit events' hashes.

    A file that is not a readable ZIP is bad input (exit 2); every other finding is a
    problem in the report.
    """
    from contractctl.signing.verify import parse_at

    parse_at(at)
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"no file {path}") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from exc
    report = BundleReport(path, hashlib.sha256(raw).hexdigest())
    try:
        bundle = zipfile.ZipFile(io.BytesIO(raw))
        infos = bundle.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise InvalidInput(f"{path.name} is not a readable ZIP file ({exc})") from exc
    report.files = len(infos)
    names = [info.filename for info in infos]
    for name in sorted({n for n in names if names.count(n) > 1}):
        report.problems.append(f"{name}: appears more than once in the ZIP")
    for info in infos:
        unsafe = unsafe_name(info)
        if unsafe is not None:
            report.problems.append(f"{info.filename!r}: {unsafe}")
    if MANIFEST not in names:
        report.problems.append(f"{MANIFEST} is missing: this is not a contractctl dossier")
        return report
    manifest = _manifest(bundle, report)
    if manifest is None:
        return report
    report.contract = str(manifest["contract"].get("id"))
    report.archived_at = manifest["archive"].get("archived_at")
    good: dict[str, bytes] = {}
    listed = set()
    for entry in manifest["files"]:
        name = entry["path"]
        listed.add(name)
        if _unsafe_path(name) is not None:
            report.problems.append(f"{name!r}: listed in the manifest: {_unsafe_path(name)}")
            continue
        if name not in names:
            report.problems.append(f"{name}: listed in the manifest but missing")
            continue
        data = _member(bundle, name, entry["size"], report)
        if data is None:
            continue
        if len(data) != entry["size"]:
            report.problems.append(
                f"{name}: changed ({len(data)} bytes, the manifest says {entry['size']})"
            )
        elif hashlib.sha256(data).hexdigest() != entry["sha256"]:
            report.problems.append(f"{name}: changed (its SHA-256 does not match the manifest)")
        else:
            good[name] = data
    for name in sorted(set(names) - listed - {MANIFEST, SIGNATURE}):
        report.problems.append(f"{name}: not listed in the manifest (added)")
    _check_final(manifest, good, report, at)
    _check_events(good, report)
    _check_seal(bundle, names, manifest, good, report)
    return report


def _check_seal(
    bundle: zipfile.ZipFile,
    names: list[str],
    manifest: dict[str, Any],
    good: dict[str, bytes],
    report: BundleReport,
) -> None:
    """manifest.json signed by the company's key, and the audit anchor it carries."""
    raw = _member(bundle, MANIFEST, 64 << 20, report)
    signature = _member(bundle, SIGNATURE, 1 << 20, report) if SIGNATURE in names else None
    if raw is None:
        return
    report.manifest_signer, problems = check_seal(signature, raw, manifest, good)
    report.problems += problems


def unsafe_name(info: zipfile.ZipInfo) -> str | None:
    """Why a ZIP entry's name is not a plain relative path of a regular file, or None.

    A dossier holds only plain relative paths: an entry that would land outside the folder
    it is unpacked into (``..``, an absolute path, a drive), that names a folder with a
    backslash, or that is a symbolic link is a problem whether the manifest lists it or not.
    """
    import stat

    problem = _unsafe_path(info.filename)
    if problem is None and stat.S_ISLNK(info.external_attr >> 16):
        problem = "a symbolic link, not a file"
    return problem


def _unsafe_path(name: str) -> str | None:
    import re

    if not name or "\x00" in name:
        return "an empty or NUL-containing name"
    if "\\" in name:
        return "a backslash in the name (not a plain relative path)"
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return "an absolute path or a drive (not a plain relative path)"
    if any(part in ("", ".", "..") for part in name.rstrip("/").split("/")):
        return "a '..', '.' or empty path segment (not a plain relative path)"
    return None


def _manifest(bundle: zipfile.ZipFile, report: BundleReport) -> dict[str, Any] | None:
    data = _member(bundle, MANIFEST, 64 << 20, report)
    if data is None:
        return None
    try:
        manifest = limits.json_loads(data, f"{MANIFEST} of the bundle")
    except InvalidInput as exc:
        if "nested deeper" in exc.message:
            raise  # bounded input, refused as such (exit 2), never a RecursionError
        manifest = None
    if isinstance(manifest, dict) and manifest.get("format") == FORMAT:
        version = manifest.get("format_version")
        if version != FORMAT_VERSION:
            report.problems.append(
                f"{MANIFEST}: dossier format {version!r}; this contractctl reads format "
                f"{FORMAT_VERSION}",
            )
            return None
    if not _manifest_shape(manifest):
        report.problems.append(f"{MANIFEST} is not a contractctl dossier manifest")
        return None
    return manifest if isinstance(manifest, dict) else None


def _manifest_shape(manifest: Any) -> bool:
    """Whether ``manifest`` has every key, of the right type, that the checks read."""
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return False
    archive, trust, final = manifest.get("archive"), manifest.get("trust"), manifest.get("final")
    if not (
        isinstance(manifest.get("contract"), dict)
        and isinstance(archive, dict)
        and isinstance(archive.get("final_version"), int)
        and isinstance(trust, list)
        and all(isinstance(t, str) for t in trust)
        and (final is None or isinstance(final, str))
        and isinstance(manifest.get("files"), list)
    ):
        return False
    return all(
        isinstance(entry, dict)
        and isinstance(entry.get("path"), str)
        and isinstance(entry.get("sha256"), str)
        and isinstance(entry.get("size"), int)
        and not isinstance(entry.get("size"), bool)
        for entry in manifest["files"]
    )


def _member(bundle: zipfile.ZipFile, name: str, size: int, report: BundleReport) -> bytes | None:
    """A member's bytes, reading at most one byte more than ``size``; None if unreadable."""
    limit = min(max(size, 0), MAX_MEMBER) + 1
    chunks: list[bytes] = []
    total = 0
    try:
        with bundle.open(name) as handle:
            while total < limit:
                chunk = handle.read(min(_CHUNK, limit - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
    except (zipfile.BadZipFile, zlib.error, OSError, RuntimeError, NotImplementedError) as exc:
        report.problems.append(f"{name}: cannot be read from the ZIP ({exc})")
        return None
    return b"".join(chunks)


def _check_final(
    manifest: dict[str, Any], good: dict[str, bytes], report: BundleReport, at: str
) -> None:
    """final.pdf's signatures hold against the bundled trust anchors, as recorded."""
    from contractctl.signing.verify import verify_pdf

    final = manifest.get("final")
    if not final:
        return
    if final not in good or "signatures.json" not in good:
        return  # already reported as missing or changed
    version = manifest["archive"]["final_version"]
    try:
        recorded = sorted(
            (
                s
                for s in limits.json_loads(good["signatures.json"], "signatures.json")
                if s["version"] == version
            ),
            key=lambda s: int(s["seq"]),
        )
        wanted = [str(s["fingerprint"]) for s in recorded]
        last_pdf = recorded[-1]["pdf_after"] if recorded else None
    except (ValueError, TypeError, KeyError):
        report.problems.append("signatures.json cannot be read as a list of signatures")
        return
    if not recorded:
        return  # an unsigned contract (a paper original imported as a scan)
    trust = [good[p] for p in manifest["trust"] if p in good]
    try:
        result = verify_pdf(good[final], trust=trust, at=at)
    except ContractctlError as exc:
        report.problems.append(f"{final}: cannot be verified ({exc.message})")
        return
    report.signatures = [s.to_dict() for s in result.signatures]
    for problem in result.problems:
        report.problems.append(f"{final}: {problem}")
    for sig in result.signatures:
        for problem in sig.problems:
            report.problems.append(f"{final}: signature {sig.field} ({sig.signer}): {problem}")
    found = [s.fingerprint for s in result.signatures]
    if found != wanted:
        report.problems.append(
            f"{final}: its signatures are not the {len(wanted)} recorded in signatures.json "
            f"(found {len(found)})"
        )
    if hashlib.sha256(good[final]).hexdigest() != _renewed(good, version, last_pdf):
        report.problems.append(
            f"{final}: not the PDF the last recorded signature (or timestamp renewal) produced"
        )


def _renewed(good: dict[str, bytes], version: int, pdf: str | None) -> str | None:
    """The PDF the archive timestamp renewals (``timestamp.renew`` events, whose hashes
    _check_events checks) made of ``pdf``, one after another; ``pdf`` if there were none.
    A renewal only adds validation data and a document timestamp; verify_pdf above
    checks that nothing else came after the signatures."""
    try:
        events = limits.json_loads(good.get("events.json", b"{}"), "events.json").get("events", [])
        renewals = [
            e["data"]
            for e in events
            if e.get("action") == "timestamp.renew" and e["data"].get("version") == version
        ]
    except (ValueError, TypeError, KeyError, AttributeError):
        return pdf  # reported by _check_events
    for data in renewals:
        if data.get("pdf_before") == pdf:
            pdf = data.get("pdf_after")
    return pdf


def _check_events(good: dict[str, bytes], report: BundleReport) -> None:
    """Each event's hash recomputes from its content and prev_hash; consecutive events
    link; every event is about this contract."""
    if "events.json" not in good:
        return
    try:
        listed = limits.json_loads(good["events.json"], "events.json")["events"]
        previous: dict[str, Any] | None = None
        for event in listed:
            seq, action = event["seq"], event["action"]
            digest = event_hash(
                event["prev_hash"],
                seq,
                event["at"],
                event["actor"],
                action,
                event["subject"],
                canonical_json(event["data"]),
            )
            if digest != event["hash"]:
                report.problems.append(f"events.json: event {seq} ({action}) was modified")
            if event["subject"] != report.contract:
                report.problems.append(f"events.json: event {seq} is about {event['subject']}")
            if previous is not None:
                if seq <= previous["seq"]:
                    report.problems.append(f"events.json: event {seq} is out of order")
                elif seq == previous["seq"] + 1 and event["prev_hash"] != previous["hash"]:
                    report.problems.append(
                        f"events.json: event {seq} does not follow event {previous['seq']}"
                    )
            previous = event
            report.events += 1
    except (ValueError, TypeError, KeyError):
        report.problems.append("events.json cannot be read as a list of audit events")
