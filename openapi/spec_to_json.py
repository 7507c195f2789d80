"""The post-generation step of `make generate`: beside the generated client, write the spec as JSON (for
code that needs it at run time: answer validation, the sandbox) and `_provenance.py`, which records what
made the package: the spec's sha256, the generator's version and the sha256 of its settings and templates.

Usage: python openapi/spec_to_json.py openapi/callbot.yaml generated/callbot_client/openapi.json
       python openapi/spec_to_json.py --check openapi/callbot.yaml generated/callbot_client/openapi.json
The second form changes nothing: it exits 1, saying what differs, when the package's provenance does not
match the spec, the installed generator and the templates (`make check-generated` runs it).
"""

import ast
import hashlib
import json
import sys
from importlib.metadata import version
from pathlib import Path

import yaml

OPENAPI = Path(__file__).resolve().parent
GENERATOR = "openapi-python-client"


def provenance(spec: Path) -> dict[str, str]:
    templates = hashlib.sha256()
    for path in sorted([OPENAPI / "generator.yaml", *(OPENAPI / "templates").rglob("*.jinja")]):
        templates.update(path.relative_to(OPENAPI).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return {
        "SPEC_SHA256": hashlib.sha256(spec.read_bytes()).hexdigest(),
        "GENERATOR_VERSION": version(GENERATOR),
        "TEMPLATES_SHA256": templates.hexdigest(),
    }


def provenance_module(values: dict[str, str]) -> str:
    return f'''"""What this package was generated from. Written by openapi/spec_to_json.py during `make generate`;
`make check-generated` fails when it does not match the spec, the generator and the templates."""

#: sha256 of openapi/callbot.yaml, the spec this package was generated from.
SPEC_SHA256 = "{values["SPEC_SHA256"]}"
#: The version of {GENERATOR} that generated it.
GENERATOR_VERSION = "{values["GENERATOR_VERSION"]}"
#: sha256 of the generator settings (openapi/generator.yaml) and the custom templates (openapi/templates/).
TEMPLATES_SHA256 = "{values["TEMPLATES_SHA256"]}"
'''


def recorded(module: Path) -> dict[str, str]:
    """The values a generated _provenance.py records (read without importing it)."""
    if not module.exists():
        return {}
    tree = ast.parse(module.read_text(encoding="utf-8"))
    return {
        node.targets[0].id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    }


def main(argv: list[str]) -> int:
    check = argv[:1] == ["--check"]
    source, target = map(Path, argv[1:3] if check else argv[:2])
    expected = provenance(source)
    module = target.parent / "_provenance.py"
    if check:
        found = recorded(module)
        wrong = {name: value for name, value in expected.items() if found.get(name) != value}
        for name, value in wrong.items():
            print(f"check-generated: {module}: {name} is {found.get(name)!r}, expected {value!r}")
        return 1 if wrong else 0
    spec = yaml.safe_load(source.read_text(encoding="utf-8"))
    target.write_text(json.dumps(spec, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    module.write_text(provenance_module(expected), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
