"""The schema as other tools read it: an editor's YAML language server, ajv, VS Code.

The npm tools (ajv-cli, yaml-language-server) are not test dependencies: CI installs only
pip packages. Where they are missing, the rules they enforce are checked here in Python
(every property's own hover text; ajv's strict types), and the runs of the real tools are
skipped with the reason. To run them, install them in a scratch folder and point
SCENARIOKIT_NODE_MODULES at its node_modules:

    cd /tmp/tools && npm install ajv-cli yaml-language-server
    SCENARIOKIT_NODE_MODULES=/tmp/tools/node_modules python3 -m pytest tests/test_schema_tools.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fastjsonschema
import playwright
import pytest
import yaml

from scenariokit.check import schema as schema_module
from scenariokit.check.positions import SourceMap
from scenariokit.check.schema import load_schema, schema_findings
from scenariokit.files.loader import read_source
from tests.helpers import REPO, dump, invoke, make_repo, valid_doc

SCHEMA = load_schema()
SCHEMA_FILE = REPO / "schemas" / "scenario.schema.json"
# The two entries a file writes as a plain text or as a mapping: ajv's strict mode wants
# `allowUnionTypes` for them (see the README's "The schema in other tools").
UNION_TYPES = {"#/$defs/vocabulary_entry", "#/$defs/phrase_entry"}


def definition(reference: str) -> dict[str, Any]:
    found: dict[str, Any] = SCHEMA["$defs"][reference.removeprefix("#/$defs/")]
    return found


def schema_objects(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object, with its place: properties, definitions, items, branches."""
    if not isinstance(node, dict):
        return
    yield where, node
    for key in ("properties", "$defs"):
        for name, child in node.get(key, {}).items():
            yield from schema_objects(child, f"{where}/{key}/{name}")
    for key in ("items", "if", "then", "else"):
        yield from schema_objects(node.get(key), f"{where}/{key}")
    for key in ("allOf", "anyOf", "oneOf"):
        for index, child in enumerate(node.get(key, [])):
            yield from schema_objects(child, f"{where}/{key}/{index}")


def nested_descriptions(node: dict[str, Any]) -> list[str]:
    """Descriptions of the schemas an editor matches *inside* `node` for the same value.

    yaml-language-server (vscode-json-languageservice) merges a `$ref`'s target into the
    node, the node's own keys winning; but an `allOf` member is a schema of its own, matched
    before the node, and the first description matched is the one shown on hover.
    """
    found = []
    members = list(node.get("allOf", []))
    if "$ref" in node:
        members += definition(node["$ref"]).get("allOf", [])
    for member in members:
        target = definition(member["$ref"]) if "$ref" in member else member
        merged = {**target, **{k: v for k, v in member.items() if k != "$ref"}}
        if "description" in merged:
            found.append(merged["description"])
        found += nested_descriptions(merged)
    return found


def test_every_property_shows_its_own_description_on_hover() -> None:
    properties = [
        (f"{where}/properties/{name}", prop)
        for where, node in schema_objects(SCHEMA)
        for name, prop in node.get("properties", {}).items()
        if not where.startswith("#/allOf/")  # the cefr conditionals: messages, not hover text
    ]
    assert len(properties) > 30
    assert [where for where, prop in properties if not prop.get("description")] == []
    shadowed = [(where, nested_descriptions(prop)) for where, prop in properties]
    assert [entry for entry in shadowed if entry[1]] == []


def test_strict_types_as_ajv_checks_them() -> None:
    """ajv --strict: a keyword for one type only where that type is declared beside it."""
    keywords = {
        "string": ("minLength", "maxLength", "pattern"),
        "integer": ("minimum", "maximum"),
        "array": ("minItems", "maxItems", "items"),
        "object": ("properties", "required", "additionalProperties"),
    }
    missing, unions = [], set()
    for where, node in schema_objects(SCHEMA):
        if where.startswith("#/allOf/"):
            continue  # the cefr conditionals: ajv takes the type of the mapping they test
        declared = node.get("type", [])
        declared = [declared] if isinstance(declared, str) else declared
        if len(declared) > 1:
            unions.add(where)
        for kind, names in keywords.items():
            numeric = kind == "integer" and "number" in declared
            missing += [
                (where, name)
                for name in names
                if name in node and kind not in declared and not numeric
            ]
    assert missing == []
    assert unions == UNION_TYPES


def node_modules() -> Path | None:
    folder = os.environ.get("SCENARIOKIT_NODE_MODULES")
    return Path(folder) if folder else None


def node() -> str:
    """Node: the one on PATH, else the one Playwright (a test dependency) ships."""
    found = shutil.which("node") or str(Path(playwright.__file__).parent / "driver" / "node")
    assert Path(found).is_file(), "Node is needed: install the test extra (Playwright)"
    return found


def npm_tool(package: str, script: str) -> list[str]:
    """The command of an npm tool, or a skip saying how to get it."""
    folder = node_modules()
    path = folder / package / script if folder else None
    if path is None or not path.is_file():
        pytest.skip(f"{package} is not installed: set SCENARIOKIT_NODE_MODULES (module docstring)")
    return [node(), str(path)]


def test_ajv_strict_compiles_the_schema_without_a_warning() -> None:
    command = npm_tool("ajv-cli", "dist/index.js")
    ran = subprocess.run(
        [
            *command,
            "compile",
            "--spec=draft2020",
            "--strict=true",
            "--strict-types=log",
            "--allow-union-types",
            "-s",
            str(SCHEMA_FILE),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = ran.stdout + ran.stderr
    assert ran.returncode == 0, output
    assert "strict mode" not in output
    assert "is valid" in output


class LanguageServer:
    """yaml-language-server over stdio, as an editor runs it (YAML 1.1, as the repo says)."""

    def __init__(self, command: list[str], root: Path) -> None:
        self.process = subprocess.Popen(
            [*command, "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        self.last = 0
        self.diagnostics: dict[str, list[dict[str, Any]]] = {}
        settings = json.loads((REPO / ".vscode" / "settings.json").read_text())
        self.settings = {"yamlVersion": settings["yaml.yamlVersion"], "hover": True}
        self.request(
            "initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {}}
        )
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": {"yaml": self.settings}})

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.process.stdin
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def receive(self) -> dict[str, Any]:
        assert self.process.stdout
        length = 0
        while line := self.process.stdout.readline().strip():
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        message: dict[str, Any] = json.loads(self.process.stdout.read(length))
        return message

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self.last += 1
        self.send({"id": self.last, "method": method, "params": params})
        while True:
            message = self.receive()
            if message.get("method") == "textDocument/publishDiagnostics":
                self.diagnostics[message["params"]["uri"]] = message["params"]["diagnostics"]
            elif "method" in message and "id" in message:  # asks for settings: the repo's
                items = message["params"].get("items", [{}])
                self.send({"id": message["id"], "result": [self.settings] * len(items)})
            elif message.get("id") == self.last:
                return message.get("result")

    def open(self, path: Path) -> str:
        uri = path.as_uri()
        document = {"uri": uri, "languageId": "yaml", "version": 1, "text": path.read_text()}
        self.notify("textDocument/didOpen", {"textDocument": document})
        return uri

    def hover(self, uri: str, line: int, column: int) -> str:
        position = {"line": line, "character": column}
        found = self.request(
            "textDocument/hover", {"textDocument": {"uri": uri}, "position": position}
        )
        return str(found["contents"]["value"]) if found else ""

    def close(self) -> None:
        self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe:
                pipe.close()


@pytest.fixture
def language_server(tmp_path: Path) -> Iterator[LanguageServer]:
    command = npm_tool("yaml-language-server", "bin/yaml-language-server")
    server = LanguageServer(command, tmp_path)
    yield server
    server.close()


def test_the_language_server_shows_each_keys_own_description(
    language_server: LanguageServer,
) -> None:
    path = REPO / "scenarios" / "restaurant" / "tapas-bar-madrid.yaml"
    uri = language_server.open(path)
    lines = path.read_text().splitlines()
    data = yaml.safe_load(path.read_text())
    shown = {}
    for number, line in enumerate(lines):
        key = line.split(":")[0]
        if key in data and key not in shown:
            shown[key] = language_server.hover(uri, number, 1)
    phase = SCHEMA["$defs"]["phase"]["properties"]
    term_line = next(i for i, line in enumerate(lines) if line.strip().startswith("- term:"))
    shown["term"] = language_server.hover(uri, term_line, lines[term_line].index("term") + 1)
    name_line = next(i for i, line in enumerate(lines) if line.strip().startswith("name:"))
    shown["name"] = language_server.hover(uri, name_line, lines[name_line].index("name") + 1)
    expected = {key: SCHEMA["properties"][key]["description"] for key in shown if key in data}
    expected["name"] = phase["name"]["description"]
    expected["term"] = SCHEMA["$defs"]["vocabulary_entry"]["properties"]["term"]["description"]
    assert {"title", "user_role", "setting", "language", "created_by"} <= set(shown)
    wrong = {
        key: text
        for key, text in shown.items()
        if expected[key].replace("`", "").replace("_", "")
        not in text.replace("\\", "").replace("`", "").replace("_", "")
    }
    assert wrong == {}


def test_vscode_reads_scenarios_as_yaml_1_1() -> None:
    settings = json.loads((REPO / ".vscode" / "settings.json").read_text())
    assert settings["yaml.yamlVersion"] == "1.1"
    assert settings["yaml.schemas"]["./schemas/scenario.schema.json"]


# --- what reached the raw fallback message ----------------------------------------------


@pytest.mark.parametrize(
    ("edit", "where", "wording"),
    [
        (lambda doc: doc["phases"][0].update(phase_id="greeting\n"), "phase 1 › phase_id", "slug"),
        (lambda doc: doc.update(language="es\n"), "language", "BCP 47"),
        (lambda doc: doc.update(created_by="octocat\n"), "created_by", "GitHub login"),
        (lambda doc: doc.update(scenario_id="tapas-bar-madrid\n"), "scenario_id", "slug"),
    ],
)
def test_a_final_line_break_gets_the_usual_message_at_its_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: Any, where: str, wording: str
) -> None:
    """Python's `$` takes a final newline, ECMA-262's does not: the value once reached the
    fallback, worded "data.phases[0].phase_id must match pattern…"."""
    doc = valid_doc()
    edit(doc)
    make_repo(tmp_path, {"scenarios/restaurant/tapas-bar-madrid.yaml": dump(doc)})
    monkeypatch.chdir(tmp_path)
    result = invoke("validate")
    assert result.exit_code == 1
    assert "data." not in result.stdout
    assert "must match pattern" not in result.stdout
    line = next(line for line in result.stdout.splitlines() if "[bad-format]" in line)
    assert line.startswith("scenarios/restaurant/tapas-bar-madrid.yaml:")
    assert f"error: {where} " in line
    assert wording in line
    assert "\\n" in line
    text = (tmp_path / "scenarios/restaurant/tapas-bar-madrid.yaml").read_text()
    row, column = (int(part) for part in line.split(":")[1:3])
    assert text.splitlines()[row - 1][column - 1 :].startswith("'")  # the value, quoted


def test_the_fallback_itself_speaks_as_the_other_messages(tmp_path: Path) -> None:
    """Should python-jsonschema ever accept what the fast validator refuses, the fast
    validator's error is worded like every other: the field, the value, the rule in words."""
    doc = valid_doc()
    doc["phases"][0]["phase_id"] = "greeting\n"
    path = make_repo(tmp_path, {"a.yaml": dump(doc)}) / "a.yaml"
    source_map = SourceMap(read_source(path))
    with pytest.raises(fastjsonschema.JsonSchemaValueException) as raised:
        schema_module._gate()(doc)
    fallback = schema_module._from_gate(raised.value, doc, source_map)
    explained = schema_findings(doc, source_map)
    assert [(f.doc_path, f.code, f.message) for f in explained] == [
        (fallback.doc_path, fallback.code, fallback.message)
    ]
    assert fallback.message.startswith('phase 1 › phase_id "greeting\\n" is not valid here.')
