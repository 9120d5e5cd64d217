"""Cadence files (JSON or YAML) in and out.

A file holds one cadence (a mapping with `name` and `steps`) or several under
`cadences`, plus the `templates` its e-mail steps use, and optionally
`source_scripts` (the default call script per lead source). YAML is read with
`safe_load` only: a file is data, never objects. Everything is checked before
anything is written, and the first problem comes back with its line, the cadence
and step it is in, and the reason; nothing of a bad file is kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leadtriage.errors import UserError
from leadtriage.playbook.model import Cadence, CadenceFile, Objection, Step, StepKind, Template
from leadtriage.playbook.schedule import parse_window
from leadtriage.playbook.templates import TemplateRefused, fields_used

MAX_STEPS = 50
MAX_DELAY = 90  # business days between two steps
MAX_TEXT = 20_000
STEP_KEYS = {"type", "delay", "window", "title", "script", "template"}
CADENCE_KEYS = {"name", "description", "steps", "objections"}
FILE_KEYS = {"cadences", "templates", "source_scripts"}


class CadenceFileError(UserError):
    """A cadence file that cannot be imported; the message has the line and reason."""


@dataclass
class _Ctx:
    file: str
    lines: dict[tuple, int]

    def fail(self, path: tuple, reason: str, where: str = "", line: int | None = None) -> CadenceFileError:
        if line is None:
            probe = path
            while probe and probe not in self.lines:
                probe = probe[:-1]
            line = self.lines.get(probe)
        place = f"{self.file} line {line}" if line else self.file
        return CadenceFileError(f"{place}{f' ({where})' if where else ''}: {reason}")


def _yaml_lines(text: str) -> dict[tuple, int]:
    """Line (1-based) of every mapping value and list item, by its path."""
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    lines: dict[tuple, int] = {}

    def walk(node, path: tuple) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                key = k.value if isinstance(k, yaml.ScalarNode) else None
                walk(v, (*path, key))
                lines[(*path, key)] = k.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    if root is not None:
        walk(root, ())
    return lines


def parse(text: str, name: str = "cadence file") -> CadenceFile:
    """Read and check a whole file; CadenceFileError on the first problem."""
    import yaml

    is_json = name.lower().endswith(".json") or text.lstrip().startswith(("{", "["))
    if is_json:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise CadenceFileError(f"{name} line {getattr(exc, 'lineno', '?')}: not valid JSON "
                                   f"({getattr(exc, 'msg', exc)})") from None
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" line {mark.line + 1}" if mark else ""
            raise CadenceFileError(f"{name}{where}: not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    ctx = _Ctx(name, _yaml_lines(text))
    if not isinstance(data, dict):
        raise ctx.fail((), "expected a cadence (name, steps) or a list of them under 'cadences'")
    if "cadences" in data:
        extra = set(data) - FILE_KEYS
        if extra:
            raise ctx.fail((sorted(extra)[0],), f"unknown key '{sorted(extra)[0]}' (expected {', '.join(sorted(FILE_KEYS))})")
        raw = data["cadences"]
        if not isinstance(raw, list) or not raw:
            raise ctx.fail(("cadences",), "'cadences' must be a list with at least one cadence")
        items = [(("cadences", i), c) for i, c in enumerate(raw)]
    else:
        items = [((), {k: v for k, v in data.items() if k not in ("templates", "source_scripts")})]
    templates = _templates(ctx, data.get("templates"))
    names = {t.name.casefold() for t in templates}
    cadences: list[Cadence] = []
    seen: set[str] = set()
    for path, raw in items:
        cadence = _cadence(ctx, path, raw, names)
        if cadence.name.casefold() in seen:
            raise ctx.fail((*path, "name"), f"the cadence name '{cadence.name}' appears twice")
        seen.add(cadence.name.casefold())
        cadences.append(cadence)
    return CadenceFile(tuple(cadences), templates, _source_scripts(ctx, data.get("source_scripts")))


def read_file(path: str | Path) -> tuple[str, str]:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise CadenceFileError(f"Cannot read {p.name}: {exc.strerror}.") from None
    try:
        return raw.decode("utf-8-sig"), p.name
    except UnicodeDecodeError:
        raise CadenceFileError(f"{p.name}: not UTF-8 text") from None


def _text(ctx: _Ctx, path: tuple, value: Any, what: str, where: str, *, required: bool = False,
          limit: int = MAX_TEXT) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ctx.fail(path, f"{what} must be text", where)
    value = value.strip("\n") if "\n" in value else value.strip()
    if required and not value.strip():
        raise ctx.fail(path, f"{what} is missing", where)
    if len(value) > limit:
        raise ctx.fail(path, f"{what} is too long (at most {limit:,} characters)", where)
    return value


def _checked_template(ctx: _Ctx, path: tuple, text: str, what: str, where: str) -> None:
    try:
        fields_used(text)
    except TemplateRefused as exc:
        base = ctx.lines.get(path)
        # Multi-line text is a block scalar: its first line is the one after the key.
        line = base + exc.line if base and exc.line and "\n" in text else base
        raise ctx.fail(path, f"{what}: {exc}", where, line=line) from None


def _templates(ctx: _Ctx, raw: Any) -> tuple[Template, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ctx.fail(("templates",), "'templates' must be a list of {name, subject, body}")
    out, seen = [], set()
    for i, t in enumerate(raw):
        path = ("templates", i)
        where = f"template {i + 1}"
        if not isinstance(t, dict):
            raise ctx.fail(path, "a template needs name, subject and body", where)
        extra = set(t) - {"name", "subject", "body"}
        if extra:
            raise ctx.fail((*path, sorted(extra)[0]), f"unknown key '{sorted(extra)[0]}'", where)
        name = _text(ctx, (*path, "name"), t.get("name"), "the template's name", where, required=True, limit=80)
        where = f"template '{name}'"
        if name.casefold() in seen:
            raise ctx.fail((*path, "name"), "this template name appears twice", where)
        seen.add(name.casefold())
        subject = _text(ctx, (*path, "subject"), t.get("subject"), "the subject", where, required=True, limit=300)
        body = _text(ctx, (*path, "body"), t.get("body"), "the body", where, required=True)
        _checked_template(ctx, (*path, "subject"), subject, "subject", where)
        _checked_template(ctx, (*path, "body"), body, "body", where)
        out.append(Template(name, subject, body))
    return tuple(out)


def _source_scripts(ctx: _Ctx, raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ctx.fail(("source_scripts",), "'source_scripts' must map a lead source to its call script")
    out = {}
    for source, body in raw.items():
        where = f"script for source '{source}'"
        text = _text(ctx, ("source_scripts", source), body, "the script", where, required=True)
        _checked_template(ctx, ("source_scripts", source), text, "script", where)
        out[str(source).strip()] = text
    return out


def _cadence(ctx: _Ctx, path: tuple, raw: Any, template_names: set[str]) -> Cadence:
    if not isinstance(raw, dict):
        raise ctx.fail(path, "a cadence needs a name and steps")
    extra = set(raw) - CADENCE_KEYS
    if extra:
        key = sorted(extra)[0]
        raise ctx.fail((*path, key), f"unknown key '{key}' (expected {', '.join(sorted(CADENCE_KEYS))})")
    name = _text(ctx, (*path, "name"), raw.get("name"), "the cadence's name", "", required=True, limit=80)
    where = f"cadence '{name}'"
    description = _text(ctx, (*path, "description"), raw.get("description"), "the description", where)
    steps_raw = raw.get("steps")
    if not isinstance(steps_raw, list) or not steps_raw:
        raise ctx.fail((*path, "steps"), "'steps' must be a list with at least one step", where)
    if len(steps_raw) > MAX_STEPS:
        raise ctx.fail((*path, "steps"), f"at most {MAX_STEPS} steps", where)
    steps = tuple(_step(ctx, (*path, "steps", i), s, f"{where}, step {i + 1}", template_names)
                  for i, s in enumerate(steps_raw))
    objections = []
    obj_raw = raw.get("objections") or []
    if not isinstance(obj_raw, list):
        raise ctx.fail((*path, "objections"), "'objections' must be a list of {objection, answer}", where)
    for i, o in enumerate(obj_raw):
        opath = (*path, "objections", i)
        if not isinstance(o, dict) or set(o) - {"objection", "answer"}:
            raise ctx.fail(opath, "an objection is {objection, answer}", f"{where}, objection {i + 1}")
        objections.append(Objection(
            _text(ctx, (*opath, "objection"), o.get("objection"), "the objection", where, required=True, limit=500),
            _text(ctx, (*opath, "answer"), o.get("answer"), "the answer", where, required=True)))
    return Cadence(name, steps, description, tuple(objections))


def _step(ctx: _Ctx, path: tuple, raw: Any, where: str, template_names: set[str]) -> Step:
    if not isinstance(raw, dict):
        raise ctx.fail(path, "a step is a mapping with at least a type", where)
    extra = set(raw) - STEP_KEYS
    if extra:
        key = sorted(extra)[0]
        raise ctx.fail((*path, key), f"unknown key '{key}' (a step has {', '.join(sorted(STEP_KEYS))})", where)
    kind_raw = raw.get("type")
    try:
        kind = StepKind(str(kind_raw).strip().lower())
    except ValueError:
        raise ctx.fail((*path, "type"), f"type must be one of {', '.join(k.value for k in StepKind)}, "
                       f"not {kind_raw!r}", where) from None
    delay = raw.get("delay", 0)
    if isinstance(delay, bool) or not isinstance(delay, int) or not 0 <= delay <= MAX_DELAY:
        raise ctx.fail((*path, "delay"), f"delay must be a whole number of business days from 0 to {MAX_DELAY}, "
                       f"not {delay!r}", where)
    window = None
    if raw.get("window") not in (None, ""):
        try:
            window = parse_window(raw["window"])
        except ValueError as exc:
            raise ctx.fail((*path, "window"), str(exc), where) from None
    title = _text(ctx, (*path, "title"), raw.get("title"), "the title", where, limit=120)
    script = _text(ctx, (*path, "script"), raw.get("script"), "the script", where)
    if script:
        _checked_template(ctx, (*path, "script"), script, "script", where)
    template = _text(ctx, (*path, "template"), raw.get("template"), "the template", where, limit=80)
    if kind is StepKind.EMAIL:
        if not template:
            raise ctx.fail(path, "an e-mail step names its template", where)
        if template.casefold() not in template_names:
            raise ctx.fail((*path, "template"), f"no template named '{template}' (define it under 'templates')", where)
    elif template:
        raise ctx.fail((*path, "template"), "only e-mail steps have a template", where)
    return Step(kind, delay, window, title, script, template)


def to_data(cadence: Cadence, templates: list[Template], source_scripts: dict[str, str] | None = None) -> dict:
    """A cadence as file data (the inverse of `parse`)."""
    steps = []
    for s in cadence.steps:
        item: dict[str, Any] = {"type": s.kind.value, "delay": s.delay_days}
        if s.window:
            item["window"] = s.window.text()
        for key in ("title", "script", "template"):
            if getattr(s, key):
                item[key] = getattr(s, key)
        steps.append(item)
    data: dict[str, Any] = {"name": cadence.name}
    if cadence.description:
        data["description"] = cadence.description
    data["steps"] = steps
    if cadence.objections:
        data["objections"] = [{"objection": o.objection, "answer": o.answer} for o in cadence.objections]
    if templates:
        data["templates"] = [{"name": t.name, "subject": t.subject, "body": t.body} for t in templates]
    if source_scripts:
        data["source_scripts"] = dict(source_scripts)
    return data


def dump(data: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    import yaml

    class _Block(yaml.SafeDumper):
        pass

    def _str(dumper, value: str):
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    _Block.add_representer(str, _str)
    return yaml.dump(data, Dumper=_Block, allow_unicode=True, sort_keys=False, width=100)
