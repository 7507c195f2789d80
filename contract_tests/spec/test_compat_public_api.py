"""`make compat` on the hand-written packages' public API (``__all__`` and signatures): breaking changes are
named, additions are compatible, only ``__all__`` names count; the import root ``nxcloud_callbot`` is compared by
its own names and those it re-exports, a change made underneath named by its public name."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tools.changes import Change, Kind
from tools.library_diff import package_changes

REPO = Path(__file__).resolve().parents[2]


def texts(changes: list[Change], kind: Kind) -> list[str]:
    return [change.text for change in changes if change.kind is kind]


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def compat(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "tools.compat", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    target = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(REPO), str(target))
    return target


# --- the hand-written packages' public API (__all__ and signatures) -------------------------------------


def library(tmp_path: Path, name: str, modules: dict[str, str]) -> Path:
    """A folder holding a package ``callbot_signing`` made of ``modules`` (file name -> source)."""
    root = tmp_path / name
    (root / "callbot_signing").mkdir(parents=True)
    for file, source in modules.items():
        (root / "callbot_signing" / file).write_text(source, encoding="utf-8")
    return root


SIGNING = {
    "__init__.py": (
        "from ._core import Client, Error, SubError, connect, sign\n"
        "from . import wire\n"
        "__all__ = ['Client', 'Error', 'SubError', 'connect', 'sign']\n"
    ),
    "_core.py": (
        "class Error(Exception):\n"
        "    def __init__(self, message: str, *, code: int | None = None) -> None: ...\n"
        "class SubError(Error): ...\n"
        "class Client:\n"
        "    timeout: float = 1.0\n"
        "    def __init__(self, base_url: str | None = None, *, retries: int = 2) -> None: ...\n"
        "    def close(self) -> None: ...\n"
        "    def _private(self) -> None: ...\n"
        "def connect(base_url: str, uuid: str, *, algorithm: str = 'MD5') -> Client: ...\n"
        "def sign(key: str, body: bytes, /) -> str: ...\n"
        "def helper() -> None: ...\n"
    ),
    "wire.py": "from ._core import sign as encode\n__all__ = ['encode']\nUNLISTED = 1\n",
    "internal.py": "def anything(a: int) -> None: ...\n",
}


def library_texts(tmp_path: Path, edit: Callable[[dict[str, str]], object]) -> dict[Kind, list[str]]:
    new = dict(SIGNING)
    edit(new)
    changes = package_changes("callbot_signing", library(tmp_path, "old", SIGNING), library(tmp_path, "new", new))
    return {kind: texts(changes, kind) for kind in Kind}


def core(replace: str, by: str) -> Callable[[dict[str, str]], None]:
    def edit(modules: dict[str, str]) -> None:
        assert replace in modules["_core.py"]
        modules["_core.py"] = modules["_core.py"].replace(replace, by)

    return edit


def test_the_same_hand_written_package_has_no_change(tmp_path: Path) -> None:
    assert library_texts(tmp_path, lambda modules: None) == {kind: [] for kind in Kind}


@pytest.mark.parametrize(
    ("edit", "breaking"),
    [
        (lambda m: m.update({"__init__.py": m["__init__.py"].replace(", 'sign'", "")}),
         ["`callbot_signing.sign`: public object was removed"]),
        (core("    def close(self) -> None: ...\n", ""),
         ["`callbot_signing.Client.close`: public object was removed"]),
        (core("    timeout: float = 1.0\n", ""),
         ["`callbot_signing.Client.timeout`: public object was removed"]),
        (core("uuid: str, *", "user_uuid: str, *"),
         ["`callbot_signing.connect(uuid)`: parameter was removed",
          "`callbot_signing.connect(user_uuid)`: parameter was added as required"]),
        (core("retries: int = 2", "retries: int"),
         ["`callbot_signing.Client(retries)`: parameter is now required"]),
        (core("base_url: str, uuid: str, *,", "base_url: str, *, uuid: str,"),
         ["`callbot_signing.connect(uuid)`: parameter kind was changed (positional or keyword -> keyword-only)"]),
        (core("algorithm: str = 'MD5'", "algorithm: str = 'SHA256'"),
         ["`callbot_signing.connect(algorithm)`: parameter default was changed ('MD5' -> 'SHA256')"]),
        (core("code: int | None = None", "code: int | None = None, extra: str"),
         ["`callbot_signing.Error(extra)`: parameter was added as required"]),
        (core("def sign(", "sign = None\ndef _sign("),
         ["`callbot_signing.sign`: public object points to a different kind of object (function -> attribute)",
          "`callbot_signing.wire.encode`: public object points to a different kind of object (function -> attribute)"]),
        (lambda m: m.update({"wire.py": "__all__ = []\n"}),
         ["`callbot_signing.wire.encode`: public object was removed"]),
        (core("class SubError(Error): ...\n",
              "class SubError(Error):\n    def __init__(self, message: str, *, account: str = '') -> None: ...\n"),
         ["`callbot_signing.SubError(code)`: parameter was removed"]),
    ],
    ids=[
        "name dropped from __all__", "method removed", "attribute removed", "parameter renamed",
        "parameter made required", "parameter made keyword-only", "default changed", "required parameter added",
        "kind changed", "wire name removed", "own __init__ drops an inherited parameter",
    ],
)  # fmt: skip
def test_each_breaking_change_of_the_hand_written_api_is_named(
    tmp_path: Path, edit: Callable[[dict[str, str]], object], breaking: list[str]
) -> None:
    assert library_texts(tmp_path, edit)[Kind.BREAKING] == breaking


@pytest.mark.parametrize(
    ("edit", "additive"),
    [
        (core("*, retries: int = 2)", "*, retries: int = 2, check: bool = True)"),
         ["`callbot_signing.Client(check)`: new optional parameter"]),
        (core("base_url: str | None = None, *", "base_url: str | None = None, proxy: str = '', *"),
         ["`callbot_signing.Client(proxy)`: new optional parameter"]),
        (core("uuid: str, *", "uuid: str = '', *"),
         ["`callbot_signing.connect(uuid)`: now optional"]),
        (core("    def close(self) -> None: ...\n", "    def close(self) -> None: ...\n    def reset(self): ...\n"),
         ["`callbot_signing.Client.reset`: new function"]),
        (core("class SubError(Error): ...\n", "class SubError(Error): ...\nclass Error2(Error): ...\n"),
         []),
        (core("class SubError(Error): ...\n",
              "class SubError(Error):\n"
              "    def __init__(self, message: str, *, code: int | None = None, account: str = '') -> None: ...\n"),
         ["`callbot_signing.SubError(account)`: new optional parameter"]),
    ],
    ids=["keyword parameter", "positional parameter at the end", "parameter made optional", "new method",
         "unexported class", "own __init__ keeps the inherited parameters"],
)  # fmt: skip
def test_additions_to_the_hand_written_api_are_compatible(
    tmp_path: Path, edit: Callable[[dict[str, str]], object], additive: list[str]
) -> None:
    found = library_texts(tmp_path, edit)
    assert found[Kind.BREAKING] == []
    assert found[Kind.ADDITIVE] == additive


def test_only_all_names_count_and_a_member_of_a_base_class_is_named_once(tmp_path: Path) -> None:
    def edit(modules: dict[str, str]) -> None:
        core("code: int | None = None", "code: int | None = None, outcome_unknown: bool = False")(modules)
        core("def helper() -> None: ...\n", "")(modules)  # not in __all__
        modules["internal.py"] = "def anything(b: str) -> None: ...\n"  # a module no __all__ lists
        modules["wire.py"] = modules["wire.py"].replace("UNLISTED = 1\n", "")

    found = library_texts(tmp_path, edit)
    assert found[Kind.BREAKING] == []
    assert found[Kind.ADDITIVE] == ["`callbot_signing.Error(outcome_unknown)`: new optional parameter"]


def commit_file_edit(clone: Path, path: str, edit: Callable[[str], str], message: str) -> None:
    file = clone / path
    before = file.read_text(encoding="utf-8")
    after = edit(before)
    assert after != before, f"the edit of {path} changed nothing"
    file.write_text(after, encoding="utf-8")
    git(clone, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", message)


@pytest.mark.slow
@pytest.mark.generator
def test_a_commit_removing_a_public_name_of_callbot_signing_fails_naming_it(clone: Path) -> None:
    def drop_signature_headers(text: str) -> str:
        text = re.sub(r'\n\s*"signature_headers",', "", text, count=1)
        return re.sub(r"(from \._signature import .*?), signature_headers", r"\1", text, count=1)

    commit_file_edit(clone, "signing/callbot_signing/__init__.py", drop_signature_headers, "drop a name")
    result = compat(clone, "--markdown", "build/compat.md")
    assert result.returncode == 1, result.stdout + result.stderr
    line = "- library API: `callbot_signing.signature_headers`: public object was removed"
    assert line in result.stdout
    assert line in (clone / "build" / "compat.md").read_text(encoding="utf-8")
    assert "compat: FAIL: breaking changes need a version bump" in result.stdout


@pytest.mark.slow
@pytest.mark.generator
def test_a_commit_adding_a_keyword_parameter_with_a_default_passes_as_compatible(clone: Path) -> None:
    def add_parameter(text: str) -> str:
        start = text.index("def connect(")
        star = text.index("    *,\n", start) + len("    *,\n")
        return text[:star] + "    user_agent: str | None = None,\n" + text[star:]

    commit_file_edit(clone, "signing/callbot_signing/_connect.py", add_parameter, "add a parameter")
    result = compat(clone)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "- library API: `callbot_signing.connect(user_agent)`: new optional parameter" in result.stdout
    assert "### Breaking changes" not in result.stdout


# --- the import root, nxcloud_callbot: its own names and those it re-exports from callbot_signing ----------------


ROOT = {
    "__init__.py": (
        "import callbot_signing as _signing\n"
        "from callbot_signing import *\n"
        "from . import wire as wire\n"
        "from .bulk import add_orders\n"
        "__all__ = ['add_orders']\n"
        "__all__ += _signing.__all__\n"
    ),
    "bulk.py": "def add_orders(client: object, task: str, *, batch_size: int = 10) -> list[str]: ...\n",
    "wire.py": "import callbot_signing.wire as _wire\nfrom callbot_signing.wire import *\n__all__ = [*_wire.__all__]\n",
}


def unchanged(modules: dict[str, str]) -> None:
    return None


def root_texts(
    tmp_path: Path, edit_signing: Callable[[dict[str, str]], object], edit_root: Callable[[dict[str, str]], object]
) -> dict[Kind, list[str]]:
    """The changes of nxcloud_callbot's API when callbot_signing and nxcloud_callbot (each edited) change together."""
    roots = []
    for name, edits in (("old", (unchanged, unchanged)), ("new", (edit_signing, edit_root))):
        signing, root = dict(SIGNING), dict(ROOT)
        for edit, modules in zip(edits, (signing, root), strict=True):
            edit(modules)
        folder = library(tmp_path, name, signing)
        (folder / "nxcloud_callbot").mkdir()
        for file, source in root.items():
            (folder / "nxcloud_callbot" / file).write_text(source, encoding="utf-8")
        roots.append(folder)
    old, new = roots
    changes = package_changes("nxcloud_callbot", old, new, [old], [new])
    return {kind: texts(changes, kind) for kind in Kind}


@pytest.mark.parametrize(
    ("edit_signing", "edit_root", "breaking"),
    [
        (unchanged, unchanged, []),
        (lambda m: m.update({"__init__.py": m["__init__.py"].replace(", 'sign'", "")}), unchanged,
         ["`nxcloud_callbot.sign`: public object was removed"]),
        (core("uuid: str, *", "user_uuid: str, *"), unchanged,
         ["`nxcloud_callbot.connect(uuid)`: parameter was removed",
          "`nxcloud_callbot.connect(user_uuid)`: parameter was added as required"]),
        (lambda m: m.update({"wire.py": "__all__ = []\n"}), unchanged,
         ["`nxcloud_callbot.wire.encode`: public object was removed"]),
        (unchanged, lambda m: m.update({"__init__.py": m["__init__.py"].replace("['add_orders']", "[]")}),
         ["`nxcloud_callbot.add_orders`: public object was removed"]),
        (unchanged, lambda m: m.update({"bulk.py": m["bulk.py"].replace("batch_size: int = 10", "batch_size: int")}),
         ["`nxcloud_callbot.add_orders(batch_size)`: parameter is now required"]),
    ],
    ids=["nothing changed", "a re-exported name removed underneath", "a re-exported function's parameter renamed",
         "a wire name removed underneath", "its own name dropped from __all__", "its own parameter made required"],
)  # fmt: skip
def test_a_change_of_the_import_root_is_named_with_its_public_name_even_when_made_underneath(
    tmp_path: Path,
    edit_signing: Callable[[dict[str, str]], object],
    edit_root: Callable[[dict[str, str]], object],
    breaking: list[str],
) -> None:
    assert root_texts(tmp_path, edit_signing, edit_root)[Kind.BREAKING] == breaking
