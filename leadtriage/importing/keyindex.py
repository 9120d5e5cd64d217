"""Compact in-memory look-up of duplicate keys (e-mail, E.164 phone, LinkedIn URL)
for big imports.

A bulk import drops the leads table's e-mail/phone/LinkedIn indexes (inserting a
million random keys into B-trees that outgrow the page cache is what made big
imports slow) and finds duplicates here instead: each key is kept as its 64-bit
hash next to the id of the first lead that has it, in sorted numpy arrays (16 bytes
a key) plus a small dict of recent additions that is folded in now and then.

A hash says only "maybe": the caller reads the lead by id and compares the real
value, so a collision can never merge two different people.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

_FOLD_AT = 100_000  # recent additions kept in a dict before they join the sorted arrays


def key_hash(value: str) -> int:
    """64-bit hash of a key, stable for the life of the process (which is all it
    has to be: the index lives only as long as one import)."""
    return hash(value)


class KeyIndex:
    def __init__(self) -> None:
        self._hashes = np.empty(0, dtype=np.int64)  # sorted
        self._ids = np.empty(0, dtype=np.int64)
        self._recent: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._hashes) + len(self._recent)

    def load(self, pairs: Iterable[tuple[int, str]]) -> None:
        """Bulk-load (lead id, value) pairs in ascending id order; the first (lowest)
        id per value wins."""
        ids = []
        hashes = []
        for lead_id, value in pairs:
            ids.append(lead_id)
            hashes.append(hash(value))
        if ids:
            self._merge(np.array(hashes, dtype=np.int64), np.array(ids, dtype=np.int64))

    def add(self, value: str, lead_id: int) -> None:
        """Remember that `lead_id` has `value` (kept only if no lower id has it)."""
        h = hash(value)
        known = self._get_hash(h)
        if known is None or lead_id < known:
            self._recent[h] = lead_id
            if len(self._recent) >= _FOLD_AT:
                self._fold()

    def add_new(self, pairs: Iterable[tuple[str, int]]) -> None:
        """Remember (value, lead id) pairs of freshly inserted leads, whose values the
        caller has just failed to find (so no lower id has them). Cheap: no search."""
        recent = self._recent
        for value, lead_id in pairs:
            recent.setdefault(hash(value), lead_id)
        if len(recent) >= _FOLD_AT:
            self._fold()

    def candidates(self, values: Iterable[str]) -> dict[str, int]:
        """value -> the lead id that probably has it (verify before trusting)."""
        values = list(values)
        if not values:
            return {}
        hashes = np.fromiter((hash(v) for v in values), dtype=np.int64, count=len(values))
        out: dict[str, int] = {}
        if len(self._hashes):
            pos = np.searchsorted(self._hashes, hashes)
            pos[pos >= len(self._hashes)] = 0
            hit = self._hashes[pos] == hashes
            for i in np.flatnonzero(hit).tolist():
                out[values[i]] = int(self._ids[pos[i]])
        recent = self._recent
        if recent:
            for value, h in zip(values, hashes.tolist(), strict=True):
                rid = recent.get(h)
                if rid is not None:
                    known = out.get(value)
                    if known is None or rid < known:
                        out[value] = rid
        return out

    # -- internals --------------------------------------------------------------------------

    def _get_hash(self, h: int) -> int | None:
        found = self._recent.get(h)
        if len(self._hashes):
            pos = int(np.searchsorted(self._hashes, h))
            if pos < len(self._hashes) and self._hashes[pos] == h:
                main = int(self._ids[pos])
                found = main if found is None else min(found, main)
        return found

    def _fold(self) -> None:
        if not self._recent:
            return
        hashes = np.fromiter(self._recent.keys(), dtype=np.int64, count=len(self._recent))
        ids = np.fromiter(self._recent.values(), dtype=np.int64, count=len(self._recent))
        self._recent = {}
        self._merge(hashes, ids)

    def _merge(self, hashes: np.ndarray, ids: np.ndarray) -> None:
        all_h = np.concatenate([self._hashes, hashes])
        all_i = np.concatenate([self._ids, ids])
        order = np.lexsort((all_i, all_h))  # by hash, then lowest id first
        all_h, all_i = all_h[order], all_i[order]
        first = np.ones(len(all_h), dtype=bool)
        first[1:] = all_h[1:] != all_h[:-1]
        self._hashes, self._ids = all_h[first], all_i[first]
