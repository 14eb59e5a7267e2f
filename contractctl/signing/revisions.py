"""What a revision after a signature changed: only long-term validation data, or more.

pyHanko's difference analysis puts DSS updates, document timestamps, new empty signature
fields and XMP metadata updates all at its LTA_UPDATES level. For a contract that is too
lenient: a revision that replaces the document's title in its metadata ("Contract amount:
USD 9,999,999") or adds objects nothing refers to would pass as "lta_updates". Here

- a revision counts as LTA updates only when pyHanko says so, it changes no form field,
  the catalog changes in ``/DSS`` alone, every object it writes is the catalog, part of
  the new DSS (its arrays, streams and VRI dictionaries) or the metadata pyHanko itself
  refreshes, and it is clean (below);
- any revision (a signature's or a document timestamp's too) is suspect when its XMP
  metadata differs from the revision before in more than what every PDF writer touches
  (``xmp:ModifyDate``, ``xmp:MetadataDate``, ``pdf:Producer``, ``x:xmptk``), when its
  document information dictionary changes in more than ``/ModDate`` and ``/Producer``,
  or when it writes an object that nothing in the file refers to (an orphan).

pyHanko is imported inside the functions.
"""

from __future__ import annotations

import re
from typing import Any

#: XMP properties any PDF writer refreshes on saving (pyHanko rewrites the packet on
#: every incremental update): left out when two revisions' metadata are compared.
_VOLATILE_XMP = re.compile(
    rb"""\s*(xmp:ModifyDate|xmp:MetadataDate|pdf:Producer|x:xmptk)\s*=\s*(["'])[^"']*\2"""
    rb"|<(xmp:ModifyDate|xmp:MetadataDate|pdf:Producer)>[^<]*</\3>"
)
_VOLATILE_INFO = ("/ModDate", "/Producer")
#: How many objects a reachability walk visits before giving up (and calling it suspect).
_WALK_LIMIT = 200_000


class Revisions:
    """The revisions of one PDF, judged one at a time (cached): ``lta_only(r)`` and
    ``suspect(r)``."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self._lta: dict[int, bool] = {}
        self._suspect: dict[int, str | None] = {}

    def __call__(self, revision: int) -> bool:
        """Shorthand for :meth:`lta_only`."""
        return self.lta_only(revision)

    def lta_only(self, revision: int) -> bool:
        """The revision holds only DSS updates compared with the one before it."""
        if revision not in self._lta:
            self._lta[revision] = self.suspect(revision) is None and self._only_dss(revision)
        return self._lta[revision]

    def suspect(self, revision: int) -> str | None:
        """Why the revision changes the document beyond signing and validation data
        (metadata replaced, document information changed, orphan objects), or None."""
        if revision < 1:
            return None
        if revision not in self._suspect:
            try:
                self._suspect[revision] = self._why(revision)
            except Exception as exc:  # a revision pyHanko cannot read is not explained
                self._suspect[revision] = f"its objects cannot be read ({type(exc).__name__})"
        return self._suspect[revision]

    # -- the checks ---------------------------------------------------------------------

    def _why(self, revision: int) -> str | None:
        if _xmp(self.reader, revision - 1) != _xmp(self.reader, revision):
            return "the XMP metadata was replaced"
        if _info(self.reader, revision - 1) != _info(self.reader, revision):
            return "the document information (/Info) was changed"
        orphans = self._orphans(revision)
        if orphans:
            return f"{orphans} object(s) were added that nothing in the document refers to"
        return None

    def _orphans(self, revision: int) -> int:
        """Objects written in ``revision`` that the document (from its trailer) never
        reaches; cross-reference and object streams are the file's plumbing, not content."""
        written = self._written(revision)
        if not written:
            return 0
        resolver = self.reader.get_historical_resolver(revision)
        reached = _reach(resolver, [resolver.trailer_view], limit=_WALK_LIMIT)
        if reached is None:
            return len(written)
        plumbing = {ref for ref in written if _type(self.reader, ref, revision) in _PLUMBING}
        return len(written - reached - plumbing)

    def _only_dss(self, revision: int) -> bool:
        from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, ModificationLevel

        try:
            result = DEFAULT_DIFF_POLICY.apply(
                self.reader.get_historical_resolver(revision - 1),
                self.reader.get_historical_resolver(revision),
            )
        except Exception:  # SuspiciousModification, or a revision pyHanko cannot compare
            return False
        level = getattr(result, "modification_level", None)
        if level is None or level > ModificationLevel.LTA_UPDATES:
            return False
        # pyHanko counts a new empty signature field as an LTA update too; here it is a
        # change to the form, so only DSS updates qualify (document timestamps apart).
        if result.changed_form_fields or self._fields(revision - 1) != self._fields(revision):
            return False
        before = self.reader.get_historical_root(revision - 1)
        after = self.reader.get_historical_root(revision)
        for key in set(before) | set(after):
            if key not in ("/DSS", "/Metadata") and _raw(before, key) != _raw(after, key):
                return False
        root_ref = self.reader.root_ref
        allowed = {(root_ref.idnum, root_ref.generation), *_refs(after, "/Metadata")}
        allowed |= _refs(self._trailer(revision), "/Info")
        dss = after.raw_get("/DSS") if "/DSS" in after else None
        if dss is not None:
            resolver = self.reader.get_historical_resolver(revision)
            allowed |= _reach(resolver, [dss], limit=_WALK_LIMIT) or set()
        written = self._written(revision)
        plumbing = {ref for ref in written if _type(self.reader, ref, revision) in _PLUMBING}
        return not (written - allowed - plumbing)

    def _fields(self, revision: int) -> list[Any]:
        root = self.reader.get_historical_root(revision)
        form = root.get("/AcroForm")
        if form is None:
            return []
        found = form.get_object().get("/Fields")
        entries = () if found is None else found.get_object()
        return [getattr(ref, "idnum", ref) for ref in entries]

    def _written(self, revision: int) -> set[tuple[int, int]]:
        refs = self.reader.xrefs.explicit_refs_in_revision(revision)
        return {(ref.idnum, ref.generation) for ref in refs}

    def _trailer(self, revision: int) -> Any:
        return self.reader.get_historical_resolver(revision).trailer_view


_PLUMBING = ("/XRef", "/ObjStm")


def _raw(container: Any, key: str) -> Any:
    from pyhanko.pdf_utils import generic

    value = container.raw_get(key) if key in container else None
    if isinstance(value, generic.IndirectObject):
        return ("ref", value.idnum, value.generation)
    return value


def _refs(container: Any, key: str) -> set[tuple[int, int]]:
    from pyhanko.pdf_utils import generic

    value = container.raw_get(key) if key in container else None
    if isinstance(value, generic.IndirectObject):
        return {(value.idnum, value.generation)}
    return set()


def _type(reader: Any, ref: tuple[int, int], revision: int) -> str | None:
    from pyhanko.pdf_utils import generic

    try:
        obj = reader.get_object(generic.Reference(ref[0], ref[1], reader), revision=revision)
        kind = obj.get("/Type") if isinstance(obj, generic.DictionaryObject) else None
    except Exception:
        return None
    return str(kind) if kind is not None else None


def _xmp(reader: Any, revision: int) -> bytes | None:
    """The catalog's XMP packet as of ``revision``, without the properties every writer
    refreshes (read through that revision's resolver: an object overwritten in place
    later must not stand in for its earlier self)."""
    from pyhanko.pdf_utils import generic

    resolver = reader.get_historical_resolver(revision)
    stream = _resolve(resolver, resolver.root, "/Metadata")
    if stream is None:
        return None
    if not isinstance(stream, generic.StreamObject):
        return b"not a stream"
    return _VOLATILE_XMP.sub(b"", bytes(stream.data))


def _info(reader: Any, revision: int) -> dict[str, str] | None:
    resolver = reader.get_historical_resolver(revision)
    info = _resolve(resolver, resolver.trailer_view, "/Info")
    if info is None or not isinstance(info, dict):
        return None
    return {str(k): str(v) for k, v in info.items() if k not in _VOLATILE_INFO}


def _resolve(resolver: Any, container: Any, key: str) -> Any:
    from pyhanko.pdf_utils import generic

    if key not in container:
        return None
    value = container.raw_get(key)
    if isinstance(value, generic.IndirectObject):
        return resolver.get_object(value.reference)
    return value


def _reach(resolver: Any, starts: list[Any], *, limit: int) -> set[tuple[int, int]] | None:
    """Every indirect object reachable from ``starts`` (None past ``limit`` objects)."""
    from pyhanko.pdf_utils import generic

    seen: set[tuple[int, int]] = set()
    stack = list(starts)
    while stack:
        item = stack.pop()
        if isinstance(item, generic.IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > limit:
                return None
            try:
                item = resolver.get_object(item.reference)
            except Exception:
                continue
        if isinstance(item, dict):  # DictionaryObject, StreamObject (its dictionary)
            stack.extend(item.values())  # dict's own values: indirect objects unresolved
        elif isinstance(item, list):
            stack.extend(item)
    return seen
