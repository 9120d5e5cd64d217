"""Cadence files: JSON and YAML in, the same out; a bad file is refused whole, with
its line and reason; hostile templates never run."""

from __future__ import annotations

import json

import pytest

from leadtriage.playbook.files import CadenceFileError, parse
from leadtriage.playbook.templates import TemplateRefused, draft, mailto_url, render, write_eml
from tests.playbook_helpers import CADENCE_YAML, playbook


def test_yaml_file_imports_and_exports_round_trip(store):
    service, _ = playbook(store)
    assert service.cadence_names() == ["Inbound"]
    _, cadence = service.cadence("inbound")
    assert [s.kind.value for s in cadence.steps] == ["call", "email", "voicemail", "linkedin", "task"]
    assert cadence.steps[2].window.text() == "10:00-12:00"
    exported = service.export("Inbound", "json")
    again = parse(exported, "again.json")
    assert again.cadences[0] == cadence
    assert again.templates[0].name == "intro"
    assert parse(service.export("Inbound", "yaml"), "again.yaml").cadences[0] == cadence


@pytest.mark.parametrize(("bad", "where"), [
    ("    delay: 2\n    window: \"10:00-12:00\"", "    delay: two\n    window: \"10:00-12:00\""),
    ("  - type: linkedin", "  - type: fax"),
    ("    template: intro", "    template: missing"),
    ("    title: Research the account", "    titel: Research the account"),
])
def test_a_file_with_an_error_is_refused_whole_with_line_and_reason(store, bad, where):
    service, _ = playbook(store)
    text = CADENCE_YAML.replace("name: Inbound", "name: Outbound", 1).replace(bad, where, 1)
    assert text != CADENCE_YAML.replace("name: Inbound", "name: Outbound", 1)
    line = text.splitlines().index(where.splitlines()[0]) + 1
    with pytest.raises(CadenceFileError) as err:
        service.import_text(text, "outbound.yaml")
    message = str(err.value)
    assert message.startswith(f"outbound.yaml line {line} (cadence 'Outbound', step ")
    # Nothing of it was kept: no cadence, no template changes.
    assert service.cadence_names() == ["Inbound"]


def test_two_cadences_in_one_file_are_all_or_nothing(store):
    service, _ = playbook(store)
    data = {"cadences": [
        {"name": "Good one", "steps": [{"type": "call"}]},
        {"name": "Bad one", "steps": [{"type": "call", "delay": -1}]},
    ]}
    with pytest.raises(CadenceFileError, match=r"cadence 'Bad one', step 1\): delay must be"):
        service.import_text(json.dumps(data, indent=1), "two.json")
    assert service.cadence_names() == ["Inbound"]


def test_invalid_json_reports_its_line(store):
    service, _ = playbook(store)
    with pytest.raises(CadenceFileError, match=r"x.json line 3: not valid JSON"):
        service.import_text('{\n "name": "X",\n "steps": [,]\n}', "x.json")


def test_yaml_objects_are_refused_not_built(store):
    service, _ = playbook(store)
    with pytest.raises(CadenceFileError, match="not valid YAML"):
        service.import_text("name: !!python/object/apply:os.system ['true']\nsteps: []\n", "evil.yaml")


@pytest.mark.parametrize("hostile", [
    "{{ ''.__class__.__mro__ }}",
    "{{ first_name.__class__ }}",
    "{{ first_name|attr('__class__') }}",
    "{% include '/etc/passwd' %}",
    "{% import 'os' as os %}",
    "{{ lipsum.__globals__ }}",
    "{{ 'a' * 1000000000 }}",
])
def test_hostile_templates_are_refused_by_the_sandbox(hostile, store):
    with pytest.raises(TemplateRefused):
        render(hostile, {"first_name": "Ann"})
    service, _ = playbook(store)
    text = CADENCE_YAML.replace("name: Inbound", "name: Evil", 1).replace(
        'subject: "{{ company }} and us"', "subject: " + json.dumps(hostile))
    with pytest.raises(CadenceFileError, match=r"template 'intro'\): subject"):
        service.import_text(text, "evil.yaml")


def test_missing_merge_field_warns_and_never_leaves_the_placeholder():
    d = draft("{{ company }} and us", "Hi {{ first_name }},\nbye", {"first_name": None, "company": "Acme",
                                                                  "email": "ann@acme.test"})
    assert d.missing == ("first_name",)
    assert d.missing_labels == ["First name"]
    assert "{{" not in d.body and d.body.startswith("Hi ,")
    assert d.subject == "Acme and us"


def test_mailto_and_eml_drafts(tmp_path):
    d = draft("Q&A for {{ company }}", "Hi {{ first_name }},\nsee you", {"first_name": "Ann", "company": "A&B",
                                                                        "email": "ann@ab.test"})
    url = mailto_url(d)
    assert url.startswith("mailto:ann@ab.test?subject=Q%26A%20for%20A%26B&body=Hi%20Ann%2C%0D%0Asee%20you")
    path = write_eml(d, tmp_path, "Ann / A&B")
    assert path.parent == tmp_path and path.name.endswith(".eml")
    text = path.read_text()
    assert "X-Unsent: 1" in text and "To: ann@ab.test" in text and "Hi Ann," in text
