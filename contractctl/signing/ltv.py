"""Long-term validation: PAdES B-LT and B-LTA signatures, made and validated.

Contracts outlive certificates. A B-T signature proves *when* it was made, but checking
it in ten years needs what only exists today: the certificate chains and the revocation
status of the signer and of the TSA. The levels `sign --level` makes:

- ``B-B``: the signature (and its certificates) only;
- ``B-T``: plus an RFC 3161 signature timestamp (``--tsa``);
- ``B-LT``: plus the validation data in the PDF's Document Security Store (DSS): the
  certificate chains of the signer and of the TSA, and revocation information (CRLs, OCSP
  responses), added by pyHanko (``embed_validation_info``) in a revision after the
  signature;
- ``B-LTA``: plus a document timestamp over all of that (``use_pades_lta``), in the same
  revision as the DSS update.

Where the revocation information comes from:

- the store's TEST CA publishes no CRL distribution point and no OCSP responder, so it
  issues a CRL itself (contractctl.signing.test_ca): `keys init` writes ``keys/test-ca.crl``
  (valid for the CA's lifetime: a test CA never revokes). A B-LT signature by one of its
  identities hands that CRL to pyHanko as known revocation information; when it is missing
  (a store made before this existed) or stale, it is issued again with the signing
  passphrase, which opens the test CA too (`keys init` uses one passphrase for all);
- identities from a real CA: pyHanko fetches OCSP responses and CRLs from the addresses
  the certificates declare, each request bounded by ``timeout``. When a declared source
  does not answer, or the chain cannot be built to a trust root (the store's, plus
  ``--trust``), the signature fails (exit 4) and nothing is stored.

After signing, the new PDF is checked with ``lt_data_holds`` — the same check `verify`
uses to report B-LT — so a signature is never recorded as B-LT without the data in it.

Validating later (`verify --at`): ``prove_signature`` runs pyHanko's PAdES long-term
validation (``ades_lta_validation``, ETSI EN 319 102-1) offline, so a signature whose
certificate has expired since is judged at the time its timestamps prove.

pyHanko, its certificate validator and cryptography are imported inside the functions.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from contractctl.errors import InvalidInput, ToolFailed

if TYPE_CHECKING:
    from contractctl.store import Store

B_B, B_T, B_LT, B_LTA = "B-B", "B-T", "B-LT", "B-LTA"
LEVELS = (B_B, B_T, B_LT, B_LTA)
#: The levels that embed validation data (and so need a TSA and the chains).
LONG_TERM = (B_LT, B_LTA)
CRL_FILE = "test-ca.crl"
#: Room for a document timestamp token in its own signature dictionary (hex digits).
DOC_TS_RESERVE = 2 * 16384


class LtvFailed(ToolFailed):
    """The validation data for B-LT could not be gathered (chain, OCSP, CRL)."""

    kind = "ltv_failed"


def resolve_level(level: str | None, tsa_url: str | None, tsa_optional: bool = False) -> str:
    """The level asked for: ``level`` checked, or the default (B-T with a TSA, else B-B).

    B-T, B-LT and B-LTA need a TSA (exit 2 without one); a long-term level cannot fall
    back to no timestamp (``tsa_optional``).
    """
    if level is None:
        return B_T if tsa_url is not None else B_B
    wanted = level.strip().upper()
    if wanted not in LEVELS:
        raise InvalidInput(f"--level: {level!r} is not one of {', '.join(LEVELS)}")
    if wanted == B_B and tsa_url is not None:
        raise InvalidInput("--level B-B is a signature without a timestamp: drop --tsa")
    if wanted != B_B and tsa_url is None:
        raise InvalidInput(
            f"--level {wanted} needs --tsa URL: a long-term signature is timestamped"
            if wanted in LONG_TERM
            else f"--level {wanted} needs --tsa URL"
        )
    if wanted in LONG_TERM and tsa_optional:
        raise InvalidInput(f"--tsa-optional cannot be used with --level {wanted}: it needs the TSA")
    return wanted


# -- timestamps (B-T and up) ----------------------------------------------------------


class TsaFailed(ToolFailed):
    """The timestamp authority refused, timed out or answered with something unusable."""

    kind = "tsa_failed"


#: The longest a TSA (or an OCSP/CRL server) may be waited for, in seconds.
MAX_TSA_TIMEOUT = 300


def check_tsa_timeout(seconds: float) -> float:
    """``seconds`` if it is a sane wait for a TSA (above 0, at most MAX_TSA_TIMEOUT)."""
    if not 0 < seconds <= MAX_TSA_TIMEOUT:
        raise InvalidInput(
            f"--tsa-timeout must be more than 0 and at most {MAX_TSA_TIMEOUT} seconds, "
            f"not {seconds:g}"
        )
    return seconds


def check_tsa_url(url: str) -> str:
    """``url`` if it is an http(s) URL with a host; anything else is bad usage (exit 2)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- reading it checks the port number
    except ValueError as exc:
        raise InvalidInput(f"--tsa: {url!r} is not a valid URL: {exc}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidInput(
            f"--tsa: {url!r} is not an http:// or https:// URL",
            hint="give the RFC 3161 timestamp service's URL, e.g. https://tsa.example.com/",
        )
    return url


class TsaClient:
    """Builds pyHanko's HTTPTimeStamper for one URL and remembers the token's genTime.

    Any failure of the request becomes TsaFailed naming the TSA and the reason.
    """

    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        self.gen_time: str | None = None  # the signature timestamp's genTime
        self.doc_time: str | None = None  # B-LTA: the document timestamp's

    def timestamper(self) -> Any:
        from pyhanko.sign.timestamps import HTTPTimeStamper
        from pyhanko.sign.timestamps.common_utils import dummy_digest

        client = self

        class _Recording(HTTPTimeStamper):
            async def async_timestamp(self, message_digest: bytes, md_algorithm: str) -> Any:
                try:
                    token = await super().async_timestamp(message_digest, md_algorithm)
                    info = token["content"]["encap_content_info"]["content"].parsed
                    moment = info["gen_time"].native
                except Exception as exc:  # refused, timed out, HTTP error, bad reply
                    raise TsaFailed(
                        f"timestamp authority {client.url} failed: {client.reason(exc)}",
                        hint="try again later, use another TSA, or allow signing "
                        "without a timestamp (--tsa-optional)",
                    ) from exc
                when = moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
                if message_digest == dummy_digest(md_algorithm):
                    return token  # pyHanko's probe for size and the TSA's chain
                if client.gen_time is None:
                    client.gen_time = when
                else:
                    client.doc_time = when
                return token

        return _Recording(self.url, timeout=self.timeout)

    def reason(self, exc: BaseException) -> str:
        """The most telling message in the exception's chain."""
        seen: list[BaseException] = []
        current: BaseException | None = exc
        while current is not None and current not in seen:
            seen.append(current)
            current = current.__cause__ or current.__context__
        for error in reversed(seen):
            if isinstance(error, TimeoutError):
                return f"no answer within {self.timeout:g} s (timed out)"
            if isinstance(error, ConnectionRefusedError):
                return f"connection refused ({error.strerror or error})"
            if isinstance(error, socket.gaierror):
                return "its host name cannot be resolved (no network, or a wrong URL)"
        for error in reversed(seen):
            text = " ".join(str(error).split())
            if text:
                return f"{type(error).__name__}: {text}"[:300]
        return type(exc).__name__


# -- signing: the validation context ----------------------------------------------------


@dataclass
class Gathering:
    """What a long-term signature gathers: the context pyHanko embeds from, and its roots."""

    context: Any  # pyhanko_certvalidator.ValidationContext
    roots: list[bytes]
    lta: bool


def gathering(
    store: Store,
    actor: str,
    *,
    level: str,
    identity_issuer: str,
    passphrase: str,
    trust: Sequence[bytes],
    timeout: float,
) -> Gathering:
    """The validation context for a B-LT/B-LTA signature.

    Trust roots are the store's plus ``trust``; known revocation information is the
    test CA's CRL (issued now if the signer is the test CA's and it is missing or stale);
    everything the certificates declare is fetched, each request within ``timeout``.
    """
    from pyhanko.keys import load_certs_from_pemder_data
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

    from contractctl.signing import keys, test_ca

    crl = test_ca.current_crl(store.home)
    ours = test_ca.ca_subject(store.home)
    if crl is None and ours is not None and identity_issuer == ours:
        crl = test_ca.issue_test_crl(store, actor, passphrase)
    roots = list(dict.fromkeys([*keys.trust_anchors(store.home), *trust]))
    context = ValidationContext(
        trust_roots=[c for blob in roots for c in load_certs_from_pemder_data(blob)],
        crls=[crl] if crl is not None else [],
        allow_fetching=True,
        revocation_mode="hard-fail",  # a source declared but not answering fails
        fetcher_backend=AIOHttpFetcherBackend(per_request_timeout=timeout),
    )
    return Gathering(context=context, roots=roots, lta=level == B_LTA)


def signature_settings(gather: Gathering) -> dict[str, Any]:
    """Extra ``PdfSignatureMetadata`` arguments for a long-term signature."""
    from pyhanko.sign.signers.pdf_signer import DSSContentSettings

    return {
        "embed_validation_info": True,
        "use_pades_lta": gather.lta,
        "validation_context": gather.context,
        # VRI entries are deprecated (PAdES); without them the DSS and the document
        # timestamp of B-LTA share one revision.
        "dss_settings": DSSContentSettings(include_vri=False),
    }


def failure(exc: BaseException) -> LtvFailed | None:
    """``exc`` as LtvFailed when it is a failure to build a chain or fetch revocation
    information (pyHanko wraps them), else None."""
    from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    for error in seen:
        if isinstance(error, PathBuildingError):
            return LtvFailed(
                f"cannot gather the validation data for B-LT: {_text(error)}",
                hint="trust the CA the signer's or the TSA's certificate chains to "
                "(contractctl keys trust add PEM, or sign --trust PEM)",
            )
        if isinstance(error, PathValidationError):
            return LtvFailed(
                f"cannot gather the validation data for B-LT: {_text(error)}",
                hint="the CA's OCSP responder or CRL must answer; try again later, or "
                "sign at --level B-T",
            )
    return None


def check_embedded(pdf: bytes, roots: list[bytes], *, lta: bool) -> None:
    """Refuse (LtvFailed) a freshly signed PDF whose last signature does not reach the
    level asked for: never record B-LT without the data in the file."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

    reader = PdfFileReader(_bytes_io(pdf), strict=False)
    signatures = [
        s
        for s in reader.embedded_signatures
        if str(s.sig_object.get("/SubFilter", "")) != "/ETSI.RFC3161"
    ]
    if not signatures:
        raise LtvFailed("the signed PDF holds no signature to check")
    last: EmbeddedPdfSignature = max(signatures, key=lambda s: s.signed_revision)
    missing = lt_data_holds(reader, last, roots)
    if missing:
        raise LtvFailed(
            f"the signed PDF lacks validation data for B-LT: {missing}",
            hint="sign at --level B-T, or give the CA's OCSP/CRL source time to answer",
        )
    if lta and not document_timestamps_after(reader, last.signed_revision):
        raise LtvFailed("the signed PDF has no document timestamp after the signature")


# -- reading: the DSS and its check -----------------------------------------------------


@dataclass(frozen=True)
class DssContents:
    """The Document Security Store of a PDF (its last revision), as DER blobs."""

    certs: tuple[bytes, ...]
    crls: tuple[bytes, ...]
    ocsps: tuple[bytes, ...]


def read_dss(reader: Any) -> DssContents:
    """The certificates, CRLs and OCSP responses in the PDF's DSS (empty if none)."""
    dss = reader.root.get("/DSS")
    if dss is None:
        return DssContents((), (), ())
    dss = dss.get_object()

    def blobs(key: str) -> tuple[bytes, ...]:
        # the array itself may be an indirect object, as well as each of its entries
        entries = dss.get(key)
        entries = () if entries is None else entries.get_object()
        return tuple(bytes(ref.get_object().data) for ref in entries)

    return DssContents(blobs("/Certs"), blobs("/CRLs"), blobs("/OCSPs"))


def lt_data_holds(reader: Any, emb: Any, roots: list[bytes]) -> str | None:
    """None when the DSS holds what validating ``emb`` needs without any network: the
    chains of the signer and of its signature timestamp's TSA to a trust root, and
    revocation information for the signer's certificate. Otherwise, what is missing.

    Validation runs at the signature timestamp's time (revocation information gathered
    after it is accepted, as PAdES prescribes); without a timestamp there is no B-LT.
    """
    from pyhanko.keys import load_certs_from_pemder_data
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.policy_decl import (
        CertRevTrustPolicy,
        RevocationCheckingPolicy,
        RevocationCheckingRule,
    )

    stamp = _signature_timestamp(emb)
    if stamp is None:
        return "the signature has no signature timestamp"
    moment, tsa_cert, tsa_certs = stamp
    dss = read_dss(reader)
    if not dss.crls and not dss.ocsps:
        return "the DSS holds no revocation information (CRL or OCSP)"
    others = [c for blob in dss.certs for c in load_certs_from_pemder_data(blob)]
    anchors = [c for blob in roots for c in load_certs_from_pemder_data(blob)]
    # The signer's certificate must have revocation information; the TSA's only what
    # its certificates declare (a test TSA declares none).
    checks = [
        ("the signer", emb.signer_cert, [], RevocationCheckingRule.CRL_OR_OCSP_REQUIRED, set()),
        (
            "the TSA",
            tsa_cert,
            tsa_certs,
            RevocationCheckingRule.CHECK_IF_DECLARED,
            {"time_stamping"},
        ),
    ]
    for who, cert, extra, rule, usage in checks:
        if cert is None:
            return f"no certificate of {who}"
        context = ValidationContext(
            trust_roots=anchors,
            other_certs=others,
            crls=list(dss.crls),
            ocsps=list(dss.ocsps),
            allow_fetching=False,
            moment=moment,
            retroactive_revinfo=True,
            revinfo_policy=CertRevTrustPolicy(
                RevocationCheckingPolicy(
                    ee_certificate_rule=rule,
                    intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED,
                )
            ),
        )
        validator = CertificateValidator(
            cert, intermediate_certs=[*others, *extra], validation_context=context
        )
        try:
            asyncio.run(validator.async_validate_usage(set(), usage))  # type: ignore[no-untyped-call]
        except Exception as exc:  # path building, revocation, usage
            return f"{who}'s chain or revocation status: {_text(exc)}"
    return None


@dataclass(frozen=True)
class Proof:
    """What long-term validation established about a signature at a validation time:
    ``proven_at`` (the time its validity is proven at) when it passed, else ``failure``."""

    proven_at: datetime | None
    failure: str | None = None


def prove_signature(emb: Any, roots: list[Any], moment: datetime) -> Proof:
    """PAdES long-term validation of ``emb`` at ``moment``, offline (ETSI EN 319 102-1,
    validation of signatures providing long-term availability and integrity: pyHanko's
    ``ades_lta_validation``).

    The chain of document timestamps proves, from the last one (valid at ``moment``)
    back, when each earlier token existed; the signature timestamp is then validated at
    the time the next proof shows it existed, and the signer's certificate at the time the
    signature timestamp proves, with the certificates and revocation information in the
    DSS. No network: what is not in the file does not count. ``roots`` are asn1crypto
    certificates. Revocation is required where a certificate declares a source; that the
    signer's is in the DSS is ``lt_data_holds``'s check (it decides the level).
    """
    from pyhanko.sign.ades.report import AdESPassed
    from pyhanko.sign.validation import ades
    from pyhanko.sign.validation.policy_decl import (
        PdfSignatureValidationSpec,
        RevinfoOnlineFetchingRule,
        RevocationInfoGatheringSpec,
        SignatureValidationSpec,
    )
    from pyhanko_certvalidator.context import CertValidationPolicySpec
    from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
    from pyhanko_certvalidator.policy_decl import (
        CertRevTrustPolicy,
        RevocationCheckingPolicy,
        RevocationCheckingRule,
    )
    from pyhanko_certvalidator.registry import SimpleTrustManager

    declared = RevocationCheckingRule.CHECK_IF_DECLARED
    spec = SignatureValidationSpec(
        cert_validation_policy=CertValidationPolicySpec(
            trust_manager=SimpleTrustManager.build(trust_roots=roots),
            revinfo_policy=CertRevTrustPolicy(
                RevocationCheckingPolicy(
                    ee_certificate_rule=declared, intermediate_ca_cert_rule=declared
                )
            ),
        ),
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
        ),
    )
    timing = ValidationTimingInfo(
        validation_time=moment, best_signature_time=moment, point_in_time_validation=True
    )
    try:
        result = asyncio.run(
            ades.ades_lta_validation(emb, PdfSignatureValidationSpec(spec), timing_info=timing)
        )
    except Exception as exc:  # pyHanko's experimental AdES code on an odd file
        return Proof(None, f"long-term validation failed: {_text(exc)}")
    if result.ades_subindic != AdESPassed.OK:
        reason = _ADES_REASONS.get(getattr(result.ades_subindic, "name", ""), "")
        return Proof(None, reason or _text(Exception(result.failure_msg or "")))
    return Proof(result.best_signature_time)


#: pyHanko's AdES sub-indications -> what they mean for a contract.
_ADES_REASONS = {
    "NO_POE": "nothing in the file proves the signature existed while its certificate was "
    "valid (no document timestamp that still holds covers it)",
    "OUT_OF_BOUNDS_NO_POE": "nothing in the file proves the signature existed while its "
    "certificate was valid",
    "REVOKED_NO_POE": "the certificate was revoked, and nothing proves the signature existed "
    "before that",
    "REVOKED": "the certificate was revoked",
    "TRY_LATER": "the revocation information in the file is not fresh enough",
    "NO_CERTIFICATE_CHAIN_FOUND": "the certificates in the file do not chain to a trusted root",
}


def gen_time(emb: Any) -> datetime | None:
    """A document timestamp's genTime, read from its token (None if it cannot be read)."""
    try:
        info = emb.signed_data["encap_content_info"]["content"].parsed
        moment: datetime = info["gen_time"].native
    except Exception:  # a broken token: validation reports it
        return None
    return moment


def dss_context(reader: Any, roots: list[Any], moment: datetime) -> Any:
    """A validation context at ``moment`` with the DSS's certificates and revocation
    information, offline (revocation information gathered later is accepted)."""
    from pyhanko.keys import load_certs_from_pemder_data
    from pyhanko_certvalidator import ValidationContext

    dss = read_dss(reader)
    return ValidationContext(
        trust_roots=roots,
        other_certs=[c for blob in dss.certs for c in load_certs_from_pemder_data(blob)],
        crls=list(dss.crls),
        ocsps=list(dss.ocsps),
        allow_fetching=False,
        moment=moment,
        retroactive_revinfo=True,
    )


def document_timestamps_after(reader: Any, revision: int) -> list[Any]:
    """The document timestamps (``/ETSI.RFC3161``) signed in a revision after ``revision``."""
    return [
        s
        for s in reader.embedded_signatures
        if str(s.sig_object.get("/SubFilter", "")) == "/ETSI.RFC3161"
        and s.signed_revision > revision
    ]


def _signature_timestamp(emb: Any) -> tuple[datetime, Any, list[Any]] | None:
    """The signature timestamp's genTime, the TSA's certificate and the token's others."""
    from pyhanko.sign.general import extract_certificate_info

    attrs = emb.signer_info["unsigned_attrs"]
    if not attrs or attrs.native is None:
        return None
    for attr in attrs:
        if attr["type"].native != "signature_time_stamp_token":
            continue
        token = attr["values"][0]
        signed = token["content"]
        info = signed["encap_content_info"]["content"].parsed
        certs = extract_certificate_info(signed)
        return info["gen_time"].native, certs.signer_cert, list(certs.other_certs)
    return None


# -- helpers ----------------------------------------------------------------------------


def _bytes_io(data: bytes) -> Any:
    import io

    return io.BytesIO(data)


def _text(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]
