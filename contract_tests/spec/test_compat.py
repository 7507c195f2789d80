"""`make compat`: spec changes classified for code that imports the generated library, and the version gate (the
hand-written packages' public API: test_compat_public_api.py)."""

from __future__ import annotations

import copy
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tools.changes import Change, Kind
from tools.compat import needed_version
from tools.spec_diff import spec_changes

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = "components"


def changed(spec: dict[str, Any], edit: Callable[[dict[str, Any]], object]) -> list[Change]:
    new = copy.deepcopy(spec)
    edit(new)
    return spec_changes(spec, new)


def schema(spec: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = spec["components"]["schemas"][name]
    return found


def texts(changes: list[Change], kind: Kind) -> list[str]:
    return [change.text for change in changes if change.kind is kind]


def test_the_same_spec_has_no_change(spec: dict[str, Any]) -> None:
    assert spec_changes(spec, copy.deepcopy(spec)) == []


def test_a_removed_response_field_is_breaking(spec: dict[str, Any]) -> None:
    def edit(new: dict[str, Any]) -> None:
        del schema(new, "StopOrderResponse")["properties"]["successCount"]
        schema(new, "StopOrderResponse")["required"].remove("successCount")

    assert texts(changed(spec, edit), Kind.BREAKING) == ["stopOrder response 200: `successCount` removed"]


def test_a_renamed_request_field_is_breaking_twice(spec: dict[str, Any]) -> None:
    def edit(new: dict[str, Any]) -> None:
        request = schema(new, "StopOrderRequest")
        request["properties"]["orderIdList"] = request["properties"].pop("orderIDs")
        request["required"] = [name if name != "orderIDs" else "orderIdList" for name in request["required"]]

    assert texts(changed(spec, edit), Kind.BREAKING) == [
        "stopOrder request: `orderIDs` removed",
        "stopOrder request: new required field `orderIdList`",
    ]


def test_a_new_optional_request_field_is_additive(spec: dict[str, Any]) -> None:
    def edit(new: dict[str, Any]) -> None:
        schema(new, "StopOrderRequest")["properties"]["reason"] = {"type": "string"}

    changes = changed(spec, edit)
    assert texts(changes, Kind.ADDITIVE) == ["stopOrder request: new optional field `reason`"]
    assert texts(changes, Kind.BREAKING) == []


@pytest.mark.parametrize(
    ("edit", "kind", "text"),
    [
        (lambda s: schema(s, "StopOrderRequest")["required"].remove("orderIDs"),
         Kind.ADDITIVE, "stopOrder request: `orderIDs` is now optional"),
        (lambda s: schema(s, "MgrTaskStatusRequest")["required"].append("delCall"),
         Kind.BREAKING, "mgrTaskStatus request: `delCall` is now required"),
        (lambda s: schema(s, "StopOrderResponse")["required"].remove("errList"),
         Kind.BREAKING, "stopOrder response 200: `errList` is no longer guaranteed (was required)"),
        (lambda s: schema(s, "TaskCallback")["properties"].update(extra={"type": "string"}),
         Kind.ADDITIVE, "webhook taskCallback payload: new optional field `extra`"),
        (lambda s: schema(s, "DelCall").update(enum=[0]),
         Kind.BREAKING, "mgrTaskStatus request: `delCall` enum values removed: 1"),
        (lambda s: schema(s, "TaskOperate").update(enum=[1, 2, 3, 4]),
         Kind.ADDITIVE, "mgrTaskStatus request: `taskOperate` enum values added: 4"),
        (lambda s: schema(s, "PingRequest")["properties"]["data"].update(type=["string", "null"]),
         Kind.ADDITIVE, "ping request: `data` type string -> null|string"),
        (lambda s: schema(s, "PingResponse")["properties"]["timestamp"].update(type=["integer", "string"]),
         Kind.BREAKING, "ping response 200: `timestamp` type integer -> integer|string"),
        (lambda s: schema(s, "ListOrderDetailRequest")["properties"]["orderList"].update(maxItems=100),
         Kind.BREAKING, "listOrderDetail request: `orderList` maxItems 500 -> 100"),
        (lambda s: s["components"]["headers"]["algorithm"].update(required=True),
         Kind.ADDITIVE, "stopOrder response 200: `header algorithm` is now always present"),
        (lambda s: s["paths"].pop("/callcentre/api/v3/ping"),
         Kind.BREAKING, "ping (POST /callcentre/api/v3/ping) removed"),
        (lambda s: schema(s, "StopOrderRequest").update(description="Changed."),
         Kind.DOCUMENTATION, "schema StopOrderRequest: description"),
        (lambda s: s["info"].update(version="9.9.9"),
         Kind.DOCUMENTATION, "the API version (info.version) 0.2.0 -> 9.9.9"),
        (lambda s: s.update(security=[]),
         Kind.BREAKING, "security changed: no compat rule covers it (review it)"),
    ],
    ids=[
        "request field optional", "request field required", "response field not guaranteed", "webhook field",
        "enum value removed", "enum value added", "request nullable", "response widened", "request limit",
        "response header required", "operation removed", "description", "info.version", "unclassified",
    ],
)  # fmt: skip
def test_each_rule(spec: dict[str, Any], edit: Callable[[dict[str, Any]], object], kind: Kind, text: str) -> None:
    if "0.2.0" in text:
        text = text.replace("0.2.0", spec["info"]["version"])
    assert text in texts(changed(spec, edit), kind)


@pytest.mark.parametrize(
    ("base", "kinds", "needed"),
    [
        ("0.1.0", {Kind.BREAKING, Kind.ADDITIVE}, "0.2.0"),
        ("0.2.3", {Kind.ADDITIVE}, "0.2.4"),
        ("1.4.2", {Kind.BREAKING}, "2.0.0"),
        ("1.4.2", {Kind.ADDITIVE}, "1.5.0"),
        ("0.2.0", {Kind.DOCUMENTATION}, None),
    ],
)
def test_the_version_a_change_needs(base: str, kinds: set[Kind], needed: str | None) -> None:
    assert needed_version(base, kinds) == needed


# --- end to end, in a scratch clone --------------------------------------------------------------------


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def compat(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "tools.compat", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def commit_spec_edit(clone: Path, edit: Callable[[str], str], message: str) -> None:
    spec = clone / "openapi" / "callbot.yaml"
    spec.write_text(edit(spec.read_text(encoding="utf-8")), encoding="utf-8")
    git(clone, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", message)


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    target = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(REPO), str(target))
    return target


@pytest.mark.generator
def test_a_breaking_commit_without_a_bump_fails_and_says_which_version_to_set(clone: Path) -> None:
    version = yaml.safe_load((clone / "openapi" / "callbot.yaml").read_text(encoding="utf-8"))["info"]["version"]
    major, minor, _ = (int(part) for part in version.split("."))
    commit_spec_edit(
        clone, lambda text: text.replace("        successCount:\n", "        successCountRemoved:\n", 1), "rename"
    )
    result = compat(clone, "--markdown", "build/compat.md")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "stopOrder response 200: `successCount` removed" in result.stdout
    bump = f"0.{minor + 1}.0" if major == 0 else f"{major + 1}.0.0"
    assert f'set version = "{bump}" in pyproject.toml' in result.stdout
    assert "### Breaking changes" in (clone / "build" / "compat.md").read_text(encoding="utf-8")

    pyproject = clone / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(f'version = "{version}"', f'version = "{bump}"'))
    acknowledged = compat(clone)
    assert acknowledged.returncode == 0, acknowledged.stdout + acknowledged.stderr
    assert f"acknowledged by version {bump}" in acknowledged.stdout


@pytest.mark.slow
@pytest.mark.generator
def test_an_additive_commit_passes_and_is_listed_as_added(clone: Path) -> None:
    def add_reason(text: str) -> str:
        anchor = '        delCall:\n          $ref: "#/components/schemas/DelCall"\n'
        return text.replace(anchor, anchor + "        reason: {type: string, description: Why.}\n", 1)

    commit_spec_edit(clone, add_reason, "add")
    result = compat(clone)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "### Added\n\n- spec: stopOrder request: new optional field `reason`" in result.stdout


@pytest.mark.generator
def test_without_history_there_is_nothing_to_compare_with(tmp_path: Path) -> None:
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{REPO}", str(shallow))
    result = compat(shallow)
    assert result.returncode == 0 and "compat: skipped" in result.stdout, result.stdout + result.stderr
    unknown = compat(shallow, "--base", "v0.0.0-none")
    assert unknown.returncode == 2 and "is not a commit of this clone" in unknown.stderr
