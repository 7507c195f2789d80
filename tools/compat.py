"""``make compat``: what a change breaks for the code that imports the library.

Compares the spec, the generated package, the public API of the hand-written packages (``callbot_signing``,
``callbot_cli``, ``callbot_sandbox``: their ``__all__`` names and signatures) and the version in pyproject.toml
at a git ref (BASE) with the working tree, classifies every change as breaking, additive or documentation,
prints them, writes them as a Markdown section ready for CHANGELOG.md, and exits 1 when a breaking change is
not matched by a version bump (0.x: a minor bump; from 1.0: a major one), saying which version to set.

BASE defaults to the newest ``v*`` tag reachable from HEAD, else HEAD's parent. Without either (the first
commit, or a clone made with ``--depth 1``) there is nothing to compare with: it says so and exits 0.

Usage: python -m tools.compat [--base REF] [--markdown PATH]
"""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .changes import Change, Kind
from .library_diff import PACKAGES, library_changes
from .python_diff import python_changes
from .spec_diff import spec_changes

REPO = Path(__file__).resolve().parent.parent
SPEC = "openapi/callbot.yaml"
GENERATED = "generated/callbot_client"
PYPROJECT = "pyproject.toml"
HEADINGS = {Kind.BREAKING: "Breaking changes", Kind.ADDITIVE: "Added", Kind.DOCUMENTATION: "Documentation"}


class CompatError(Exception):
    """A BASE that cannot be read: exit 2 with the message."""


def _git(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, check=False)


def _commit(ref: str) -> str | None:
    result = _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    return result.stdout.decode().strip() if result.returncode == 0 else None


def default_base() -> tuple[str, str] | None:
    """(ref, why) of the newest v* tag reachable from HEAD, else of HEAD's parent; None without either."""
    tag = _git("describe", "--tags", "--abbrev=0", "--match", "v*", "HEAD")
    if tag.returncode == 0:
        name = tag.stdout.decode().strip()
        return name, f"the newest release tag, {name}"
    if _commit("HEAD~1") is not None:
        return "HEAD~1", "the previous commit (HEAD~1; no v* tag yet)"
    return None


def _file_at(commit: str, path: str) -> bytes | None:
    result = _git("show", f"{commit}:{path}")
    return result.stdout if result.returncode == 0 else None


def _extract_package(commit: str, package: str, target: Path) -> Path | None:
    """The package folder ``package`` (a path in the repository) at ``commit`` unpacked under ``target``;
    returns its search path (the folder above it), or None when ``commit`` does not have it."""
    if _git("cat-file", "-e", f"{commit}:{package}").returncode != 0:
        return None
    archive = _git("archive", "--format=tar", commit, package)
    if archive.returncode != 0:
        raise CompatError(f"git archive {commit} {package} failed: {archive.stderr.decode().strip()}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")
    return target / Path(package).parent


def _version(pyproject: bytes | None) -> str | None:
    if pyproject is None:
        return None
    project: dict[str, Any] = tomllib.loads(pyproject.decode("utf-8")).get("project", {})
    version = project.get("version")
    return str(version) if version is not None else None


def _release(version: str) -> tuple[int, int, int]:
    match = re.match(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", version)
    if match is None:
        raise CompatError(f"version {version!r} in {PYPROJECT} is not X.Y.Z")
    major, minor, patch = (int(part or 0) for part in match.groups())
    return major, minor, patch


def needed_version(base_version: str, kinds: set[Kind]) -> str | None:
    """The lowest version that acknowledges the changes (semver; in 0.x a breaking change bumps the minor)."""
    major, minor, patch = _release(base_version)
    if Kind.BREAKING in kinds:
        return f"{major + 1}.0.0" if major >= 1 else f"0.{minor + 1}.0"
    if Kind.ADDITIVE in kinds:
        return f"{major}.{minor + 1}.0" if major >= 1 else f"0.{minor}.{patch + 1}"
    return None


@dataclass
class Report:
    base: str
    base_commit: str
    why: str
    base_version: str | None
    version: str | None
    changes: list[Change]

    @property
    def needed(self) -> str | None:
        if self.base_version is None:
            return None
        return needed_version(self.base_version, {change.kind for change in self.changes})

    @property
    def unacknowledged(self) -> bool:
        """A breaking change without the version bump it needs."""
        if not any(change.kind is Kind.BREAKING for change in self.changes) or self.needed is None:
            return False
        return self.version is None or _release(self.version) < _release(self.needed)

    def markdown(self) -> str:
        title = self.version if self.version and self.version != self.base_version else "Unreleased"
        lines = [
            f"## {title}",
            "",
            f"Compared with {self.base} ({self.base_commit[:12]}, version {self.base_version}) by `make compat`.",
        ]
        if not self.changes:
            lines += [
                "",
                "No change to the spec, the generated package or the public API of the hand-written packages.",
            ]
        for kind, heading in HEADINGS.items():
            entries = [change for change in self.changes if change.kind is kind]
            if entries:
                lines += ["", f"### {heading}", ""]
                lines += [f"- {change.source.value}: {change.text}" for change in entries]
        return "\n".join(lines) + "\n"

    def summary(self) -> str:
        counts = {kind: sum(change.kind is kind for change in self.changes) for kind in Kind}
        head = (
            f"compat: {self.why} ({self.base_commit[:12]}) -> working tree: {counts[Kind.BREAKING]} breaking, "
            f"{counts[Kind.ADDITIVE]} additive, {counts[Kind.DOCUMENTATION]} documentation"
        )
        if self.unacknowledged:
            rule = "a minor bump while 0.x" if _release(self.base_version or "0")[0] == 0 else "a major bump"
            return (
                f'{head}\ncompat: FAIL: breaking changes need a version bump: set version = "{self.needed}" in '
                f"{PYPROJECT} (now {self.version}; {rule}) and as info.version in {SPEC} (then make generate), "
                "and add the section above to CHANGELOG.md"
            )
        if any(change.kind is Kind.BREAKING for change in self.changes):
            return f"{head}\ncompat: ok: the breaking changes are acknowledged by version {self.version}"
        return f"{head}\ncompat: ok: nothing breaks"


def compare(base: str, why: str) -> Report:
    commit = _commit(base)
    if commit is None:
        raise CompatError(
            f"BASE {base!r} is not a commit of this clone (a typo, a tag not fetched, or a shallow clone: "
            "git fetch --tags --unshallow)"
        )
    old_spec_bytes = _file_at(commit, SPEC)
    old_spec = yaml.safe_load(old_spec_bytes) if old_spec_bytes is not None else None
    new_spec = yaml.safe_load((REPO / SPEC).read_bytes())
    with tempfile.TemporaryDirectory(prefix="compat-") as tmp:
        old_root = _extract_package(commit, GENERATED, Path(tmp))
        changes = spec_changes(old_spec, new_spec) + python_changes(old_root, REPO / Path(GENERATED).parent)
        folders = {package: f"{folder}/{package}" for package, folder in PACKAGES.items()}
        old_roots = {package: _extract_package(commit, path, Path(tmp)) for package, path in folders.items()}
        new_roots = {package: REPO / Path(path).parent for package, path in folders.items()}
        changes += library_changes(old_roots, new_roots)
    return Report(
        base=base,
        base_commit=commit,
        why=why,
        base_version=_version(_file_at(commit, PYPROJECT)),
        version=_version((REPO / PYPROJECT).read_bytes()),
        changes=sorted(changes, key=lambda change: (list(Kind).index(change.kind), change.source, change.text)),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make compat", description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="", help="git ref to compare with (default: newest v* tag, else HEAD~1)")
    parser.add_argument("--markdown", type=Path, help="also write the CHANGELOG.md section to this file")
    args = parser.parse_args(argv)
    try:
        if args.base:
            base, why = args.base, f"BASE={args.base}"
        else:
            found = default_base()
            if found is None:
                print(
                    "compat: skipped: no v* tag and HEAD has no parent here (the first commit, a clone made with "
                    "--depth 1, or not a git checkout): nothing to compare with. Fetch the history "
                    "(git fetch --unshallow --tags) or give BASE=<ref>."
                )
                return 0
            base, why = found
        report = compare(base, why)
    except CompatError as exc:
        print(f"compat: {exc}", file=sys.stderr)
        return 2
    section = report.markdown()
    print(section)
    if args.markdown is not None:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(section, encoding="utf-8")
        print(f"compat: the section is in {args.markdown}")
    print(report.summary())
    return 1 if report.unacknowledged else 0


if __name__ == "__main__":
    sys.exit(main())
