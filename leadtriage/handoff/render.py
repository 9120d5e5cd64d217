"""Briefs as text: Jinja2 templates with autoescape on, for HTML (browser), the
Qt rich-text subset used for PDF, and Markdown.

Templates ship in resources/templates/. A team can point the `template_folder`
setting at a folder of its own: a file there with the same name (brief.html,
brief_pdf.html, brief.md) replaces the built-in one; the rest fall back.
In Markdown every printed value goes through `markdown_escape` automatically
(the environment's finalize hook), so a template cannot forget it.

A team template is a file someone else wrote, so it is treated as untrusted: every
template (the built-in ones too) renders in Jinja2's immutable sandbox, without the
helper globals (`cycler`, `lipsum`, `joiner`, `namespace`), and sees the brief only as
plain dicts, lists and strings. A template that reaches for anything else (an
attribute starting with `_`, a method that changes data, a name that does not exist)
stops the export with one sentence naming the template; nothing it asked for runs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError, TemplateNotFound
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from leadtriage.errors import UserError
from leadtriage.handoff.brief import Brief
from leadtriage.handoff.text import markdown_escape
from leadtriage.paths import resource

HTML_TEMPLATE = "brief.html"
PDF_TEMPLATE = "brief_pdf.html"
MD_TEMPLATE = "brief.md"
# Helpers Jinja2 offers every template by default. They are plain objects whose
# internals (`__init__.__globals__`) lead to `os` and `open` outside a sandbox;
# the briefs need none of them.
_REMOVED_GLOBALS = ("cycler", "lipsum", "joiner", "namespace", "dict")


def _md_finalize(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    if isinstance(value, bool | int | float):
        return value
    return Markup(markdown_escape(str(value)))


def _nl2br(value: object) -> Markup:
    """Line breaks in user text kept as <br>, everything else escaped."""
    return Markup("<br>").join(escape(line) for line in str(value or "").split("\n"))


_MAX_BUILT = 1_000_000  # characters or items one `*` may build
_MAX_EXPONENT = 64


class _BriefSandbox(ImmutableSandboxedEnvironment):
    """The sandbox stops code and file access; this also stops a template from
    exhausting memory or the CPU with arithmetic (`'x' * 10**9`, `9 ** 9 ** 9`)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator, left, right):  # type: ignore[override]
        if operator == "**" and isinstance(right, int) and abs(right) > _MAX_EXPONENT:
            raise SecurityError("the exponent is too large")
        if operator == "*":
            seq, count = (left, right) if isinstance(left, str | list | tuple) else (right, left)
            if isinstance(seq, str | list | tuple) and isinstance(count, int) and count * len(seq) > _MAX_BUILT:
                raise SecurityError("the repeated text is too long")
        return super().call_binop(context, operator, left, right)


@lru_cache(maxsize=8)
def _environment(kind: str, team_folder: str) -> ImmutableSandboxedEnvironment:
    folders = []
    if team_folder:
        folder = Path(team_folder).expanduser()
        if not folder.is_dir():
            raise UserError(f"The brief template folder {folder} does not exist; fix it in Settings.")
        folders.append(FileSystemLoader(str(folder)))
    folders.append(FileSystemLoader(str(resource("templates"))))
    env = _BriefSandbox(
        loader=ChoiceLoader(folders),
        autoescape=True,  # every template, whatever its extension
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_md_finalize if kind == "md" else None,
    )
    for name in _REMOVED_GLOBALS:
        env.globals.pop(name, None)
    env.filters["nl2br"] = _nl2br
    return env


def plain(value: Any) -> Any:
    """The brief as dicts, lists, strings and numbers: the only things a template
    sees. Derived values (`met_count`, `empty`) are computed here, not called there."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for name, attr in vars(type(value)).items():
            if isinstance(attr, property):
                data[name] = plain(getattr(value, name))
        return data
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def render(template: str, briefs: Sequence[Brief], team_folder: str = "", **context: object) -> str:
    kind = "md" if template.endswith(".md") else "html"
    env = _environment(kind, team_folder or "")
    data = [plain(b) for b in briefs]
    try:
        compiled = env.get_template(template)
        return compiled.render(briefs=data, brief=data[0] if data else None,
                               **{k: plain(v) for k, v in context.items()})
    except TemplateNotFound:
        raise UserError(f"The brief template {template} is missing; reinstall LeadTriage.") from None
    except (SecurityError, UndefinedError) as exc:
        raise UserError(
            f"The brief template {_where(env, template)} asks for something templates may not use "
            f"({_short(exc)}); nothing was exported. Fix the template or clear the template folder "
            "in Settings."
        ) from None
    except TemplateSyntaxError as exc:
        raise UserError(f"The brief template {_where(env, template)} has an error on line {exc.lineno} "
                        f"({_short(exc)}); nothing was exported.") from None
    except TemplateError as exc:
        raise UserError(f"The brief template {_where(env, template)} failed ({_short(exc)}); "
                        "nothing was exported.") from None
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError, RecursionError) as exc:
        # Errors the template's own expressions raise (1/0, int('x'), a loop that
        # recurses): the template's fault, not the app's.
        raise UserError(f"The brief template {_where(env, template)} failed ({type(exc).__name__}: "
                        f"{_short(exc)}); nothing was exported.") from None


def _where(env: ImmutableSandboxedEnvironment, template: str) -> str:
    """The template's file, so the user knows which one to fix (team or built-in)."""
    try:
        source = env.loader.get_source(env, template)  # type: ignore[union-attr]
        return source[1] or template
    except TemplateError:
        return template


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())  # one line, whatever the template put in it
    return text if len(text) <= 120 else text[:117] + "…"


def render_html(brief: Brief, team_folder: str = "") -> str:
    return render(HTML_TEMPLATE, [brief], team_folder)


def render_markdown(brief: Brief, team_folder: str = "") -> str:
    return render(MD_TEMPLATE, [brief], team_folder)


def render_pdf_html(briefs: Sequence[Brief], team_folder: str = "") -> str:
    return render(PDF_TEMPLATE, briefs, team_folder)
