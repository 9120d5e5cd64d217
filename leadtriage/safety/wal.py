"""Reading a WAL file's frames the way SQLite does, to notice a damaged one.

SQLite replays the write-ahead log only up to the first frame whose checksum (or
salt) does not match, and quietly ignores the rest: a flipped byte in the middle of
the WAL drops every transaction committed after it, and the next write overwrites
the evidence. That is right for a frame torn by a crash (its transaction was never
committed) but not for corruption. The difference: after a torn frame nothing of
the same WAL generation follows, while after corruption later frames with the same
salts, and a commit among them, still sit in the file.

File format (https://www.sqlite.org/fileformat2.html#walformat): a 32-byte header
(magic, version, page size, checkpoint sequence, salt-1, salt-2, checksum-1,
checksum-2), then frames of a 24-byte header (page number, database size after
commit or 0, salt-1, salt-2, checksum-1, checksum-2) and one page. Checksums are
cumulative: each frame's covers its first 8 header bytes and its page, seeded with
the previous frame's (the first with the WAL header's).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

MAGIC_LE = 0x377F0682
MAGIC_BE = 0x377F0683
HEADER = 32
FRAME_HEADER = 24
_MASK = 0xFFFFFFFF


@dataclass(frozen=True)
class WalState:
    frames: int  # complete frames in the file
    valid: int  # frames SQLite will replay (up to the first bad one of this generation)
    committed_after_break: int  # commit frames of this generation SQLite will ignore

    @property
    def damaged(self) -> bool:
        return self.committed_after_break > 0


def _checksum(data: bytes, big_endian: bool, s0: int, s1: int) -> tuple[int, int]:
    """SQLite's WAL checksum, word by word (used for the 24-byte WAL header)."""
    words = struct.unpack(f"{'>' if big_endian else '<'}{len(data) // 4}I", data)
    for a, b in zip(words[0::2], words[1::2], strict=True):
        s0 = (s0 + a + s1) & _MASK
        s1 = (s1 + b + s0) & _MASK
    return s0, s1


class _FrameSums:
    """Frame checksums for many frames at once with numpy. One step of the checksum
    is affine, (s0, s1) -> M (s0, s1) + (a, a + b) with M = [[1, 1], [1, 2]] mod 2**32,
    so a frame's effect is M**n on the incoming sums plus a term that depends only
    on the frame's own words; those terms are computed for a whole chunk of frames
    at once, and only the cheap 2x2 step runs per frame in Python. (Word by word in
    Python, a 400 MB WAL left by a killed import would take over a minute.)"""

    def __init__(self, page_size: int, big_endian: bool):
        import numpy as np

        self.np = np
        pairs = page_size // 8 + 1  # the frame header's first 8 bytes, then the page
        powers = [(1, 0, 0, 1)]
        for _ in range(pairs):
            a, b, c, d = powers[-1]
            powers.append(((a + c) & _MASK, (b + d) & _MASK, (a + 2 * c) & _MASK, (b + 2 * d) & _MASK))
        self.mn = powers[pairs]  # M**n
        # weight of pair k: M**(n-1-k)
        weights = np.array(powers[pairs - 1::-1], dtype=np.uint64)
        self.w = weights  # shape (pairs, 4)
        self.dtype = np.dtype(">u4" if big_endian else "<u4")

    def terms(self, frames: bytes, frame_size: int) -> list[tuple[int, int]]:
        np = self.np
        raw = np.frombuffer(frames, dtype=np.uint8).reshape(-1, frame_size)
        body = np.concatenate([raw[:, :8], raw[:, FRAME_HEADER:]], axis=1)
        words = body.copy().view(self.dtype).astype(np.uint64)
        a, b = words[:, 0::2], words[:, 1::2]
        v0, v1 = a, a + b
        w = self.w
        c0 = (v0 * w[:, 0]).sum(axis=1, dtype=np.uint64) + (v1 * w[:, 1]).sum(axis=1, dtype=np.uint64)
        c1 = (v0 * w[:, 2]).sum(axis=1, dtype=np.uint64) + (v1 * w[:, 3]).sum(axis=1, dtype=np.uint64)
        return [(int(x) & _MASK, int(y) & _MASK) for x, y in zip(c0, c1, strict=True)]

    def step(self, s0: int, s1: int, term: tuple[int, int]) -> tuple[int, int]:
        a, b, c, d = self.mn
        return (a * s0 + b * s1 + term[0]) & _MASK, (c * s0 + d * s1 + term[1]) & _MASK


_CHUNK_BYTES = 8 * 2**20


def inspect_wal(wal: Path) -> WalState | None:
    """The frames of `wal`, or None when there is no WAL with frames to judge."""
    try:
        with open(wal, "rb") as fh:
            header = fh.read(HEADER)
            if len(header) < HEADER:
                return None
            magic, _version, page_size, _seq, salt1, salt2, c1, c2 = struct.unpack(">8I", header)
            if magic not in (MAGIC_LE, MAGIC_BE):
                # Zeros are a hole a crash can leave (nothing was lost); anything else
                # is not a WAL any more, and whatever it held is lost to SQLite.
                return WalState(0, 0, 1) if any(header) else None
            if page_size < 512 or page_size > 65536 or page_size & (page_size - 1):
                return WalState(0, 0, 1)
            big = magic == MAGIC_BE
            frame_size = FRAME_HEADER + page_size
            s0, s1 = _checksum(header[:24], big, 0, 0)
            broken = (s0, s1) != (c1, c2)  # then SQLite ignores the whole log
            frames = valid = committed_after = 0
            sums: _FrameSums | None = None
            per_chunk = max(1, _CHUNK_BYTES // frame_size)
            while True:
                chunk = fh.read(frame_size * per_chunk)
                whole = len(chunk) // frame_size
                if not whole:
                    break
                chunk = chunk[:whole * frame_size]
                terms = None
                for i in range(whole):
                    frame = chunk[i * frame_size:i * frame_size + FRAME_HEADER]
                    frames += 1
                    _page, commit, f_salt1, f_salt2, f_c1, f_c2 = struct.unpack(">6I", frame)
                    ours = (f_salt1, f_salt2) == (salt1, salt2)
                    if broken:
                        committed_after += bool(ours and commit)
                        continue
                    if ours:
                        if terms is None:
                            sums = sums or _FrameSums(page_size, big)
                            terms = sums.terms(chunk, frame_size)
                        s0, s1 = sums.step(s0, s1, terms[i])
                        if (s0, s1) == (f_c1, f_c2):
                            valid += 1
                            continue
                    # The first frame SQLite will not replay. Not counted even when it
                    # is a commit: a crash can tear the last frame written.
                    broken = True
            return WalState(frames, valid, committed_after)
    except OSError:
        return None


def describe(state: WalState) -> str:
    return (f"the write-ahead log (-wal file) is damaged: {state.committed_after_break:,} committed "
            f"transaction(s) after frame {state.valid + 1:,} of {state.frames:,} fail their checksums "
            "and would be dropped")
