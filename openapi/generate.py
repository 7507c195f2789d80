"""`make generate` and `make check-generated`: everything the spec implies, from the spec alone.

    python -m openapi.generate            # regenerate generated/callbot_client and the docs' generated blocks
    python -m openapi.generate --check    # change nothing; exit 1, with the differences, when either is stale

Generating: the spec's marks are checked (``x-idempotent`` is a boolean), openapi-python-client writes the
package into a temporary directory beside the target (with openapi/generator.yaml and openapi/templates, its
post hooks running ruff), openapi/spec_to_json.py adds openapi.json and _provenance.py, the docs' generated
blocks are rendered (openapi/derived.py: the operations table and retry lists of docs/client.md, the README's
list of methods), and only then is the new package moved into place and the docs written. Any failure (the
generator's errors or warnings, a spec mark, missing markers) exits 1 with the reason and leaves generated/
and the docs as they were.

The retry classes need no file of their own: callbot_signing reads ``x-idempotent`` from the shipped spec
(callbot_client/openapi.json), and the tests read their operation lists from it too.
"""

from __future__ import annotations

import argparse
import difflib
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from openapi import derived, spec_to_json

OPENAPI = Path(__file__).resolve().parent
REPO = OPENAPI.parent
#: Longest diff printed by --check (the whole diff of a new operation runs to thousands of lines).
MAX_DIFF_LINES = 200


class GenerateError(Exception):
    """Generation failed; the message says why and what to do."""


def run_generator(spec: Path, output: Path) -> None:
    """openapi-python-client into ``output`` (which must not exist); GenerateError on an error or a warning,
    since a warning means an operation or a model was left out."""
    bin_dir = Path(sys.executable).parent
    command = [
        str(bin_dir / "openapi-python-client"), "generate",
        "--path", str(spec),
        "--config", str(OPENAPI / "generator.yaml"),
        "--custom-template-path", str(OPENAPI / "templates"),
        "--meta", "none",
        "--output-path", str(output),
    ]  # fmt: skip
    env = {**os.environ, "PATH": os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")])}  # ruff for the hooks
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GenerateError(f"openapi-python-client could not run ({exc}): run `make setup`") from exc
    said = (done.stdout + done.stderr).strip()
    if done.returncode != 0 or "Warning" in said or not (output / "__init__.py").is_file():
        what = f"failed (exit {done.returncode})" if done.returncode else "warned: an operation or a model was left out"
        raise GenerateError(f"openapi-python-client {what} on {spec}; fix the spec:\n{said}")


def read_documents(root: Path) -> dict[str, str]:
    """The current text of each file that holds generated blocks (``derived.DOCUMENTS``), under ``root``."""
    texts = {}
    for where in derived.DOCUMENTS:
        try:
            texts[where] = (root / where).read_text(encoding="utf-8")
        except FileNotFoundError:
            continue  # derived.render_documents names it
        except OSError as exc:
            raise GenerateError(f"{root / where}: {exc}") from exc
    return texts


def build(spec: Path, output: Path, docs: Path) -> dict[str, str]:
    """The package in ``output`` and the new text of each file with generated blocks under ``docs`` (by path
    relative to it), both from ``spec``; nothing else is touched."""
    try:
        document = yaml.safe_load(spec.read_text(encoding="utf-8"))
        derived.spec_operations(document)  # the marks, checked before the generator runs
    except (OSError, yaml.YAMLError, derived.SpecError) as exc:
        raise GenerateError(str(exc)) from exc
    run_generator(spec, output)
    (output / "py.typed").touch()
    spec_to_json.main([str(spec), str(output / "openapi.json")])
    api_init = (output / "api" / "__init__.py").read_text(encoding="utf-8")
    try:
        return derived.render_documents(read_documents(docs), document, api_init)
    except derived.SpecError as exc:
        raise GenerateError(str(exc)) from exc


def replace_directory(new: Path, target: Path, scratch: Path) -> None:
    """Put ``new`` where ``target`` is, the old tree moved aside first (renames on one file system)."""
    if target.exists():
        target.rename(scratch / "previous")
    new.rename(target)


def differences(new: Path, old: Path) -> list[str]:
    """Unified diffs of every file that differs between the trees (``__pycache__`` left out)."""
    lines: list[str] = []

    def walk(compared: filecmp.dircmp[str], prefix: str) -> None:
        for name in sorted(compared.left_only):
            lines.append(f"only in the new package: {prefix}{name}")
        for name in sorted(compared.right_only):
            lines.append(f"only in {old}: {prefix}{name}")
        for name in sorted(compared.diff_files):
            left = (Path(compared.left) / name).read_text(encoding="utf-8", errors="replace").splitlines()
            right = (Path(compared.right) / name).read_text(encoding="utf-8", errors="replace").splitlines()
            path = f"{old.name}/{prefix}{name}"
            lines.extend(difflib.unified_diff(right, left, f"{path} (committed)", f"{path} (generated)", lineterm=""))
        for name, sub in sorted(compared.subdirs.items()):
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(new, old, ignore=["__pycache__"]), "")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m openapi.generate", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when something is stale")
    parser.add_argument("--spec", type=Path, default=REPO / "openapi" / "callbot.yaml")
    parser.add_argument("--package", type=Path, default=REPO / "generated" / "callbot_client")
    parser.add_argument(
        "--docs", type=Path, default=REPO, help="the folder holding README.md and docs/ (default: the repository)"
    )
    args = parser.parse_args(argv)
    package: Path = args.package.resolve()
    package.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".generate-", dir=package.parent))
    try:
        new = scratch / package.name
        texts = build(args.spec, new, args.docs)
        if args.check:
            return check(new, package, args.docs, texts)
        replace_directory(new, package, scratch)
        for where, text in texts.items():
            if text != (args.docs / where).read_text(encoding="utf-8"):
                (args.docs / where).write_text(text, encoding="utf-8")
        print(f"generate: {package} and the generated blocks of {', '.join(texts)} are made from {args.spec}")
        return 0
    except GenerateError as exc:
        print(f"generate: {exc}\ngenerate: nothing was changed", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def check(new: Path, package: Path, docs: Path, texts: dict[str, str]) -> int:
    """1, printing the differences, when the package or a file's generated blocks are not what was just made."""
    stale = False
    found = differences(new, package) if package.is_dir() else [f"{package} does not exist"]
    if found:
        stale = True
        print("\n".join(found[:MAX_DIFF_LINES]))
        if len(found) > MAX_DIFF_LINES:
            print(f"... {len(found) - MAX_DIFF_LINES} more lines")
        print(f"check-generated: {package} differs from what the spec generates: run 'make generate' and commit")
    for where, text in texts.items():
        current = (docs / where).read_text(encoding="utf-8")
        if text != current:
            stale = True
            diff = difflib.unified_diff(
                current.splitlines(), text.splitlines(), where, f"{where} (generated)", lineterm=""
            )
            print("\n".join(diff))
            print(f"check-generated: the generated blocks of {where} are stale: run 'make generate' and commit")
    if not stale:
        print(f"check-generated: {package} and the generated blocks of {', '.join(texts)} match the spec")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
