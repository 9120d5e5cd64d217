"""Briefs as text: Jinja2 templates with autoescape on, for HTML (browser), the
Qt rich-text subset used for PDF, and Markdown.

Templates ship in resources/templates/. A team can point the `template_folder`
setting at a folder of its own: a file there with the same name (brief.html,
brief_pdf.html, brief.md) replaces the built-in one; the rest fall back.
In Markdown every printed value goes through `markdown_escape` automatically
(the environment's finalize hook), so a template cannot forget it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from leadtriage.errors import UserError
from leadtriage.handoff.brief import Brief
from leadtriage.handoff.text import markdown_escape
from leadtriage.paths import resource

HTML_TEMPLATE = "brief.html"
PDF_TEMPLATE = "brief_pdf.html"
MD_TEMPLATE = "brief.md"


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


@lru_cache(maxsize=8)
def _environment(kind: str, team_folder: str) -> Environment:
    folders = []
    if team_folder:
        folder = Path(team_folder).expanduser()
        if not folder.is_dir():
            raise UserError(f"The brief template folder {folder} does not exist; fix it in Settings.")
        folders.append(FileSystemLoader(str(folder)))
    folders.append(FileSystemLoader(str(resource("templates"))))
    env = Environment(
        loader=ChoiceLoader(folders),
        autoescape=True,  # every template, whatever its extension
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_md_finalize if kind == "md" else None,
    )
    env.filters["nl2br"] = _nl2br
    return env


def render(template: str, briefs: Sequence[Brief], team_folder: str = "", **context: object) -> str:
    kind = "md" if template.endswith(".md") else "html"
    env = _environment(kind, team_folder or "")
    return env.get_template(template).render(briefs=list(briefs), brief=briefs[0] if briefs else None, **context)


def render_html(brief: Brief, team_folder: str = "") -> str:
    return render(HTML_TEMPLATE, [brief], team_folder)


def render_markdown(brief: Brief, team_folder: str = "") -> str:
    return render(MD_TEMPLATE, [brief], team_folder)


def render_pdf_html(briefs: Sequence[Brief], team_folder: str = "") -> str:
    return render(PDF_TEMPLATE, briefs, team_folder)
