"""Export file names that cannot leave the chosen folder and never collide.

A name is built from the lead (public ID + name), reduced to letters, digits and a
few separators; anything that could be a path (`..`, slashes, drive letters) or a
device name on Windows (CON, NUL, COM1...) cannot survive. The namer then claims
each name by creating the file exclusively, so two leads called "Anna Meyer" (or a
file left by an earlier export) get `-2`, `-3` rather than overwriting each other.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from leadtriage.errors import UserError

_UNSAFE = re.compile(r"[^\w\-]+", re.UNICODE)
_DASHES = re.compile(r"[-_]{2,}")
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{dev}{n}" for dev in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")
}
MAX_STEM = 80


class UnsafeExportFolder(UserError):
    """The chosen folder already holds a link named like an export file."""


def safe_stem(*parts: object) -> str:
    """A file-name stem from free text: NFC letters/digits joined by '-', at most
    MAX_STEM characters, never empty, never a reserved device name, never hidden."""
    text = "_".join(str(p) for p in parts if p not in (None, ""))
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    words = [_UNSAFE.sub("-", w) for w in text.split("_")]
    stem = "_".join(w.strip("-_") for w in words if w.strip("-_"))
    stem = _DASHES.sub(lambda m: m.group(0)[0], stem).strip("-_.")
    stem = stem[:MAX_STEM].rstrip("-_.") or "lead"
    if stem.split(".")[0].upper() in _RESERVED:
        stem = f"_{stem}"
    return stem


class FileNamer:
    """Hands out unique paths inside one folder for one export."""

    def __init__(self, folder: Path):
        self.folder = Path(folder).resolve()
        self._taken: set[str] = set()
        self.claimed: list[Path] = []

    def claim(self, stem: str, ext: str) -> Path:
        """Create an empty file `<stem>.<ext>` (or `<stem>-N.<ext>`) that did not exist
        before and return its path. The caller writes into it."""
        stem = safe_stem(stem)
        ext = re.sub(r"[^a-z0-9]", "", ext.lower()) or "txt"
        for n in range(1, 10_000):
            name = f"{stem}.{ext}" if n == 1 else f"{stem}-{n}.{ext}"
            if name.casefold() in self._taken:
                continue
            if os.sep in name or (os.altsep and os.altsep in name) or name.startswith("."):
                # Cannot happen after safe_stem; checked anyway. The name is not in the
                # message: it is the lead's name, and the message reaches the log.
                raise ValueError("unsafe export file name")
            path = self.folder / name
            if path.is_symlink():
                # Someone left a link where an export file goes: writing through it would
                # change a file elsewhere. Refused (the message names no lead: it may be logged).
                raise UnsafeExportFolder(
                    f"The export folder {self.folder} holds a link where an export file would go; "
                    "remove the links from it or choose another folder.")
            try:
                # O_EXCL also refuses a link planted between the check above and here
                # (even one pointing nowhere): it is never followed.
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0), 0o600)
            except FileExistsError:
                self._taken.add(name.casefold())
                continue
            os.close(fd)
            self._taken.add(name.casefold())
            self.claimed.append(path)
            return path
        raise RuntimeError(f"no free file name for {stem}.{ext}")

    def remove_claimed(self) -> None:
        """Undo: delete every file this export created (after a cancel or failure)."""
        for path in self.claimed:
            path.unlink(missing_ok=True)
        self.claimed.clear()
