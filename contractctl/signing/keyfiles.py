"""The keys folder's files: where they live, how they are written, and the passphrase.

Every file is 0600, written to a temporary name, fsynced and linked into place without
ever replacing an existing file. Files are written inside the store transaction that
records the audit event, and removed again if that transaction fails (``changing``).
PKCS#12 files are encrypted with PBKDF2-SHA256 (``KDF_ROUNDS``) and AES-256.

Apart from contractctl.signing.keys because the store's test CA
(contractctl.signing.test_ca) keeps its key and CRL in the same folder, written the same
way and opened with the same passphrase: both use this module and it uses neither, so the
imports point one way (keys -> test_ca -> keyfiles).

cryptography is imported inside the functions that use it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from contractctl.errors import Duplicate, InvalidInput, StoreProblem

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization.pkcs12 import PKCS12PrivateKeyTypes

    from contractctl.store import Store, Tx

KEYS_DIR = "keys"
#: PBKDF2-SHA256 rounds for .p12 files (key and certificate bags), ~70 ms per bag.
KDF_ROUNDS = 200_000
NO_PASSPHRASE_HINT = "set CONTRACTCTL_KEY_PASSPHRASE or run in a terminal"


def keys_dir(home: Path) -> Path:
    """The store's keys folder (created by `contractctl init` with mode 0700)."""
    return home / KEYS_DIR


def passphrase_bytes(passphrase: str) -> bytes:
    """The passphrase as UTF-8; an empty one is refused (exit 2)."""
    if not passphrase:
        raise InvalidInput("an empty passphrase cannot protect a key", hint=NO_PASSPHRASE_HINT)
    return passphrase.encode("utf-8")


def pkcs12_bytes(
    name: str,
    key: PKCS12PrivateKeyTypes,
    cert: x509.Certificate,
    chain: Sequence[x509.Certificate],
    secret: bytes,
) -> bytes:
    """Key, certificate and chain as PKCS#12, encrypted with PBKDF2-SHA256 (KDF_ROUNDS)
    and AES-256: cryptography's defaults use far fewer rounds."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.serialization import PrivateFormat, pkcs12

    encryption = (
        PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(KDF_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(secret)
    )
    return pkcs12.serialize_key_and_certificates(
        name.encode("utf-8"), key, cert, list(chain) or None, encryption
    )


def ensure_dir(path: Path) -> Path:
    """A private folder (0700); an existing one that others can read is tightened."""
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o700)
    except OSError as exc:
        raise StoreProblem(f"cannot prepare {path}: {exc.strerror or exc}") from exc
    return path


def write_private(path: Path, data: bytes, *, replace: bool) -> None:
    """Write ``data`` (mode 0600) to a temporary name, fsync, and put it in place: linked
    when ``replace`` is false (a file that appeared meanwhile is refused, exit 3: keys
    are never overwritten), renamed over the old one when it is true (a stale CRL)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        if replace:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError as exc:
                raise Duplicate(f"{path} already exists; keys are never overwritten") from exc
    except OSError as exc:
        raise StoreProblem(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
    _fsync_dir(path.parent)


class NewFiles:
    """Files created by one change, removed again if the change does not commit."""

    def __init__(self) -> None:
        self.paths: list[Path] = []

    def write(self, path: Path, data: bytes) -> None:
        """Write ``data`` (mode 0600) as the new file ``path`` (never replacing one)."""
        write_private(path, data, replace=False)
        self.paths.append(path)

    def undo(self) -> None:
        """Remove every file this change wrote."""
        for path in reversed(self.paths):
            with suppress(FileNotFoundError):
                path.unlink()


@contextmanager
def changing(store: Store, actor: str) -> Iterator[tuple[Tx, NewFiles]]:
    """A store transaction plus the key files it writes: both land, or neither does."""
    files = NewFiles()
    try:
        with store.transaction(actor) as tx:
            yield tx, files
    except BaseException:
        files.undo()
        raise


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
