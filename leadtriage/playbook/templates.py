"""Merge fields for scripts and e-mail templates, rendered in Jinja2's immutable
sandbox.

A template comes from a team's file, so it is code we did not write: the sandbox
refuses Python internals (`''.__class__`), the environment has no loader (no file
can be included or read) and no globals, and only the listed merge fields exist.
Templates are checked when a file is imported (with the line), and again when
rendered. E-mails are plain text (a mailto: body or a text/plain draft), so there is
no autoescaping: nothing here becomes markup.

A merge field with no value for this lead renders empty and is listed in `missing`,
so the draft dialog can warn before anything is sent: never "Hi {{ first_name }}".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import StrictUndefined, Template, TemplateError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from leadtriage.errors import UserError

MERGE_FIELDS: dict[str, str] = {
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name",
    "title": "Job title",
    "company": "Company",
    "email": "E-mail",
    "phone": "Phone",
    "city": "City",
    "region": "Region",
    "country": "Country",
    "industry": "Industry",
    "website": "Website",
    "source": "Source",
    "campaign": "Campaign",
    "rep_name": "Your name",
}
# Merge templates need no arithmetic; these can build huge values ('a' * 10**9).
_REFUSED_NODES = (nodes.Mul, nodes.Pow, nodes.Add, nodes.FloorDiv, nodes.Div, nodes.Mod)


class TemplateRefused(UserError):
    """A template the sandbox will not run, or that is not valid; says why (and where)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False,
                                        keep_trailing_newline=True, loader=None)
    env.globals.clear()
    return env


_ENV = _environment()


def fields_used(text: str) -> list[str]:
    """The merge fields a template refers to, after checking it can be run at all."""
    return list(_checked(text)[0])


@lru_cache(maxsize=256)
def _checked(text: str) -> tuple[tuple[str, ...], Template]:
    """Checked and compiled once per text (a rep opens the same step's script again and again)."""
    names = _check(text)
    return tuple(names), _ENV.from_string(text)


def _check(text: str) -> list[str]:
    try:
        tree = _ENV.parse(text)
    except TemplateError as exc:
        raise TemplateRefused(f"not a valid template: {exc.message}", getattr(exc, "lineno", None)) from None
    if list(meta.find_referenced_templates(tree)):
        raise TemplateRefused("templates cannot include, import or extend other files",
                              _first_line(tree, (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)))
    for node in tree.find_all((nodes.Getattr,)):
        if str(node.attr).startswith("_"):
            raise TemplateRefused(f"“{node.attr}” is not a merge field: templates cannot reach Python internals",
                                  node.lineno)
    for node in tree.find_all(nodes.Filter):
        if node.name == "attr":  # attribute by name: the sandbox would decide only at render time
            raise TemplateRefused("the attr filter is not available in templates", node.lineno)
    for node in tree.find_all(nodes.Getitem):
        if isinstance(node.arg, nodes.Const) and str(node.arg.value).startswith("_"):
            raise TemplateRefused("templates cannot reach Python internals", node.lineno)
    bad = next(iter(tree.find_all(_REFUSED_NODES)), None)
    if bad is not None:
        raise TemplateRefused("templates cannot compute (no + - * / in merge fields)", bad.lineno)
    names = sorted(meta.find_undeclared_variables(tree))
    unknown = [n for n in names if n not in MERGE_FIELDS]
    if unknown:
        line = next((n.lineno for n in tree.find_all(nodes.Name) if n.name == unknown[0]), None)
        raise TemplateRefused(f"unknown merge field {{{{ {unknown[0]} }}}}; the fields are "
                              + ", ".join(MERGE_FIELDS), line)
    return names


def _first_line(tree: nodes.Template, kinds: tuple) -> int | None:
    node = next(iter(tree.find_all(kinds)), None)
    return node.lineno if node is not None else None


def lead_fields(lead: dict[str, Any], rep_name: str = "") -> dict[str, str]:
    """A lead's merge values as text ('' for none)."""
    def text(key: str) -> str:
        value = lead.get(key)
        return "" if value is None else " ".join(str(value).split())

    values = {k: text(k) for k in MERGE_FIELDS if k not in ("full_name", "rep_name")}
    values["full_name"] = " ".join(p for p in (values["first_name"], values["last_name"]) if p)
    values["rep_name"] = " ".join(str(rep_name or "").split())
    return values


@dataclass(frozen=True)
class Rendered:
    text: str
    missing: tuple[str, ...]  # merge fields with no value for this lead (rendered empty)


def render(text: str, values: dict[str, str]) -> Rendered:
    """The template with the lead's values merged, in the sandbox."""
    used, template = _checked(text)
    missing = tuple(n for n in used if not values.get(n))
    try:
        out = template.render({n: values.get(n, "") for n in MERGE_FIELDS})
    except SecurityError as exc:
        raise TemplateRefused(f"refused by the sandbox: {exc}") from None
    except TemplateError as exc:
        raise TemplateRefused(f"cannot be filled in: {exc}") from None
    return Rendered(out, missing)


@dataclass(frozen=True)
class Draft:
    to: str
    subject: str
    body: str
    missing: tuple[str, ...]

    @property
    def missing_labels(self) -> list[str]:
        return [MERGE_FIELDS.get(n, n) for n in self.missing]


def draft(subject: str, body: str, lead: dict[str, Any], rep_name: str = "") -> Draft:
    values = lead_fields(lead, rep_name)
    s, b = render(subject, values), render(body, values)
    missing = tuple(dict.fromkeys(s.missing + b.missing))
    return Draft(values["email"], " ".join(s.text.split()), b.text, missing)


# Some mail programs cut mailto: links beyond about 2,000 characters; longer drafts go as .eml.
MAILTO_LIMIT = 2000


def mailto_url(d: Draft) -> str:
    """RFC 6068: the address, subject and body percent-encoded; line breaks as CRLF."""
    body = d.body.replace("\r\n", "\n").replace("\n", "\r\n")
    return (f"mailto:{quote(d.to, safe='@')}?subject={quote(d.subject, safe='')}"
            f"&body={quote(body, safe='')}")


def write_eml(d: Draft, folder: Path, name: str) -> Path:
    """An unsent draft the rep's mail program opens (Outlook honours X-Unsent)."""
    msg = EmailMessage()
    msg["To"] = d.to
    msg["Subject"] = d.subject
    msg["X-Unsent"] = "1"
    msg.set_content(d.body)
    stem = re.sub(r"[^\w.-]+", "-", name, flags=re.UNICODE).strip("-.")[:60] or "draft"
    path = Path(folder) / f"{stem}.eml"
    i = 1
    while path.exists():
        i += 1
        path = Path(folder) / f"{stem}-{i}.eml"
    path.write_bytes(bytes(msg))
    return path
