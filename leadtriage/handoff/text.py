"""User text made safe to print: every format the brief is written in gets text that
has already lost what could break a file or fool a reader.

Removed: NUL and other C0/C1 control characters (tab and newline survive), and the
bidirectional embedding/override/isolate controls (U+202A..U+202E, U+2066..U+2069)
that can make "gpj.exe" read as "exe.jpg". Ordinary right-to-left text (Arabic,
Hebrew) is left alone: the renderer's own bidi algorithm handles it. Very long text
is cut with an ellipsis so one pasted e-mail cannot push a brief to fifty pages.
Escaping for a format (HTML, Markdown, CSV cells) happens later, in the renderer.
"""

from __future__ import annotations

import re

_STRIP = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)
_CRLF = re.compile(r"\r\n?")
_SPACES = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n{3,}")

NOTE_LIMIT = 1200
FIELD_LIMIT = 300


def clean(text: object, limit: int = NOTE_LIMIT) -> str:
    """Plain, printable text: controls removed, line ends normalised, cut at `limit`."""
    if text is None:
        return ""
    value = _CRLF.sub("\n", str(text))
    value = _STRIP.sub("", value)
    value = _SPACES.sub(" ", value)
    value = _BLANK_LINES.sub("\n\n", value).strip()
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return value


def clean_line(text: object, limit: int = FIELD_LIMIT) -> str:
    """One-line field (name, company, title): newlines become spaces."""
    return clean(text, limit).replace("\n", " ")


_MD_INLINE = re.compile(r"([\\`*_\[\]|~#])")
# Characters that start a block only at the beginning of a line.
_MD_LINE_START = re.compile(r"^(\s*)([-+=>:]|\d+(?=[.)]))")


def markdown_escape(text: str) -> str:
    """Text that Markdown shows literally: inline markup characters backslash-escaped,
    HTML metacharacters as entities (so `<script>` stays text even in renderers that
    allow inline HTML), block starters (`- `, `1.`, `> `, `===`) neutralised at the
    start of each line, and newlines kept as hard line breaks inside one paragraph."""
    value = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _MD_INLINE.sub(r"\\\1", value)
    lines = []
    for line in value.split("\n"):
        line = line.strip()
        if not line:
            continue
        match = _MD_LINE_START.match(line)
        if match:
            start = match.group(2)
            line = (start + "\\" + line[len(start):]) if start[0].isdigit() else "\\" + line
        lines.append(line)
    return "  \n".join(lines)
