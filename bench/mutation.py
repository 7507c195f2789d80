"""`make mutate`: mutation testing of the signing layer's decisions with mutmut. Not a test, not part of
`make test`: it takes minutes.

mutmut mutates the functions of `_signature.py`, `_verify.py`, `_headers.py`, `_webhooks.py`, `_retry.py` and
`_replay.py` one change at a time and runs, for each mutant, the tests of TESTS that reach the mutated function; a
mutant that no test notices "survives". The report of every survivor (file:line, the mutation, and whether it is
a listed equivalent) goes to reports/mutation.md, the summary to bench/MUTATION.md.

Why a staging copy: mutmut finds a package only under `src/` (or the project root) and names mutants after
that path, while this project keeps `callbot_signing` in `signing/`, installed editable. So the run happens
in build/mutation/ (git-ignored, rebuilt each run): `src/callbot_signing` (a copy of `signing/
callbot_signing`), `contract_tests`, `openapi`, and the project's pyproject.toml with a `[tool.mutmut]` table
appended. mutmut puts `mutants/src` first on sys.path, ahead of the editable install's finder, so the tests
import the mutated copy; `callbot_client` and `callbot_sandbox` still come from the editable install.

Hypothesis runs under the `mutation` profile of contract_tests/conftest.py (derandomized, fewer examples),
so a mutant is killed or not the same way on every run.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORKSPACE = REPO / "build" / "mutation"
REPORT = REPO / "reports" / "mutation.md"
SUMMARY = REPO / "bench" / "MUTATION.md"
DURATION = WORKSPACE / "seconds.txt"  # of the last run, for --report-only
PACKAGE = "callbot_signing"

#: The modules whose functions are mutated.
MUTATED = ("_signature.py", "_verify.py", "_headers.py", "_webhooks.py", "_retry.py", "_replay.py")

#: The tests run against the mutants: the direct tests of the five modules (chosen by coverage: together
#: they reach every line of them) and test_auth (signing through CallbotAuth). Left out: the tests that
#: start servers or flood the verifier (test_transport_faults, test_hostile_server, test_callbot_*,
#: test_length_extension: seconds per mutant, which made a run take over an hour on a shared 2-core machine)
#: and test_tamper's
#: 10,000 hypothesis examples; each single tampering it tries is one rule of test_verify_rules.py.
TESTS = (
    "contract_tests/signing/test_signature.py",
    "contract_tests/signing/test_signing_rules.py",
    "contract_tests/signing/test_verify_rules.py",
    "contract_tests/signing/test_verify_header_containers.py",
    "contract_tests/webhooks/test_webhook_rules.py",
    "contract_tests/webhooks/test_replay_guard.py",
    "contract_tests/client/test_retry.py",
    "contract_tests/client/test_retry_rules.py",
    "contract_tests/webhooks/test_webhooks.py",
    "contract_tests/webhooks/test_webhook_inputs.py",
    "contract_tests/signing/test_auth.py",
)

#: Lines never mutated: those that only continue an error message (a line that starts with a string
#: literal). What a message says is checked where it matters (the rule, the header named), not letter
#: by letter; mutating each literal would add a hundred "XX...XX" mutants and nothing to learn.
DO_NOT_MUTATE_PATTERNS = (r"^\s*[rbf]?\"",)


@dataclass(frozen=True)
class Equivalent:
    """A surviving mutation that changes no behaviour, matched by file, original line and mutated line
    (their text without surrounding whitespace), so that it stays matched when other lines move."""

    file: str
    original: str
    mutated: str
    why: str


_WRAP = "key = secret_key if isinstance(secret_key, SecretKey) else SecretKey(secret_key, check=False)"
_COPIES = "SecretKey(a SecretKey) copies its bytes, so wrapping a SecretKey again changes nothing"
_FALSY = "SecretKey only tests `check` for truth, and None is as false as False"
_CODEC = "codec names are looked up case-insensitively: the same codec"

#: The survivors that are true equivalents, each with why no test can tell it from the original.
EQUIVALENTS: tuple[Equivalent, ...] = (
    *(
        Equivalent(file, _WRAP, _WRAP.replace("if isinstance(secret_key, SecretKey)", f"if {mutated}"), _COPIES)
        for file in ("_signature.py", "_verify.py")
        for mutated in ("(isinstance(secret_key, SecretKey)) and False",)
    ),
    *(
        Equivalent(file, _WRAP, _WRAP.replace("check=False", "check=None"), _FALSY)
        for file in ("_signature.py", "_verify.py")
    ),
    Equivalent(
        "_signature.py",
        "new_hash = _HASHES.get(algorithm) or _HASHES[normalize_algorithm(algorithm)]",
        "new_hash = _HASHES.get(None) or _HASHES[normalize_algorithm(algorithm)]",
        "the first lookup is a fast path for the exact names; the normalized lookup finds the same hash",
    ),
    Equivalent(
        "_headers.py",
        'name = raw_key.decode("latin-1").lower()',
        'name = raw_key.decode("LATIN-1").lower()',
        _CODEC,
    ),
    Equivalent(
        "_headers.py",
        'found[name].append(raw_value.decode("latin-1"))',
        'found[name].append(raw_value.decode("LATIN-1"))',
        _CODEC,
    ),
    Equivalent(
        "_verify.py",
        'return value.decode("latin-1") if isinstance(value, bytes) else value',
        'return value.decode("LATIN-1") if isinstance(value, bytes) else value',
        _CODEC,
    ),
    Equivalent(
        "_verify.py",
        'if not hmac.compare_digest(expected.encode("ascii"), got_sign.encode("ascii")):',
        'if not hmac.compare_digest(expected.encode("ASCII"), got_sign.encode("ascii")):',
        _CODEC,
    ),
    Equivalent(
        "_verify.py",
        'if not hmac.compare_digest(expected.encode("ascii"), got_sign.encode("ascii")):',
        'if not hmac.compare_digest(expected.encode("ascii"), got_sign.encode("ASCII")):',
        _CODEC,
    ),
    Equivalent(
        "_verify.py",
        'name = (key.decode("latin-1") if isinstance(key, bytes) else key).lower()',
        'name = (key.decode("LATIN-1") if isinstance(key, bytes) else key).lower()',
        _CODEC,
    ),
    Equivalent(
        "_headers.py",
        "if type(headers) is dict:  # a plain dict (the sandbox's): no multi-dict methods to look for",
        "if type(None) is dict:  # a plain dict (the sandbox's): no multi-dict methods to look for",
        "a fast path: a dict has none of the multi-dict methods, so the Mapping branch reads its items the same",
    ),
    Equivalent(
        "_verify.py",
        "if len(values) > 1 and len(set(values)) > 1:",
        "if len(values) >= 1 and len(set(values)) > 1:",
        "two distinct values need two values: the first test is a shortcut the second implies",
    ),
    Equivalent("_webhooks.py", 'text = body.decode("utf-8")', 'text = body.decode("UTF-8")', _CODEC),
    Equivalent(
        "_webhooks.py",
        'raise ValueError(f"{name} is not JSON")',
        "raise ValueError(None)",
        "json.loads re-raises it to _payload, whose `except ValueError` replaces it with its own message",
    ),
    *(
        Equivalent(
            "_retry.py",
            'return request.url.path.rstrip("/").rsplit("/", 1)[-1]',
            f'return request.url.path.rstrip("/").rsplit("/", {maxsplit})[-1]',
            "the last item of a split is the last segment however many splits are made",
        )
        for maxsplit in ("", "2")
    ),
)


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str
    status: str
    line: int
    original: str
    mutated: str
    diff: str

    def equivalent(self) -> Equivalent | None:
        for known in EQUIVALENTS:
            if (known.file, known.original, known.mutated) == (self.file, self.original, self.mutated):
                return known
        return None


def stage() -> None:
    """Build the staging copy (see the module docstring)."""
    missing = [test for test in TESTS if not (REPO / test).exists()]
    if missing:
        print(f"mutation: not in this checkout, so not run: {', '.join(missing)}")
    if WORKSPACE.exists():
        shutil.rmtree(WORKSPACE)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "signing" / PACKAGE, WORKSPACE / "src" / PACKAGE, ignore=ignore)
    shutil.copytree(REPO / "contract_tests", WORKSPACE / "contract_tests", ignore=ignore)
    shutil.copytree(REPO / "openapi", WORKSPACE / "openapi", ignore=ignore)
    table = {
        "source_paths": ["src"],
        "only_mutate": [f"src/{PACKAGE}/{name}" for name in MUTATED],
        "also_copy": ["contract_tests", "openapi"],
        "pytest_add_cli_args_test_selection": [test for test in TESTS if (REPO / test).exists()],
        "pytest_add_cli_args": ["-p", "no:cacheprovider"],
        "do_not_mutate_patterns": list(DO_NOT_MUTATE_PATTERNS),
        "use_git_change_detection": False,
    }
    # TOML basic strings and arrays of them are written the way JSON writes them.
    lines = ["", "[tool.mutmut]", *(f"{key} = {json.dumps(value)}" for key, value in table.items())]
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    (WORKSPACE / "pyproject.toml").write_text(pyproject + "\n".join(lines) + "\n", encoding="utf-8")


def run_mutmut(children: int) -> float:
    env = dict(os.environ, CALLBOT_HYPOTHESIS_PROFILE="mutation", PYTHONDONTWRITEBYTECODE="1")
    mutmut = Path(sys.executable).with_name("mutmut")
    started = time.monotonic()
    subprocess.run([str(mutmut), "run", "--max-children", str(children)], cwd=WORKSPACE, env=env, check=True)
    seconds = time.monotonic() - started
    DURATION.write_text(f"{seconds:.1f}\n", encoding="utf-8")
    return seconds


def _function_span(tree: ast.Module, function: str, cls: str | None) -> tuple[int, int]:
    body = tree.body
    if cls is not None:
        body = next(node.body for node in tree.body if isinstance(node, ast.ClassDef) and node.name == cls)
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == function:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            return first, node.end_lineno or node.lineno
    raise LookupError(f"{cls}.{function}" if cls else function)


def _locate(source_lines: list[str], span: tuple[int, int], removed: list[str], offset: int) -> int:
    """The file line of the first removed line of a diff, inside the function's span: the match nearest
    to where the diff's hunk header puts it."""
    first, last = span
    if not removed:
        return first + offset
    matches = [n for n in range(first, last + 1) if source_lines[n - 1] == removed[0]]
    if not matches:
        return first + offset
    return min(matches, key=lambda n: abs(n - (first + offset)))


def collect() -> list[Mutant]:
    """Every mutant's status, and for those not killed where it is and what it changes."""
    os.chdir(WORKSPACE)
    sys.path.insert(0, str(WORKSPACE))
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code
    from mutmut.utils.format_utils import orig_function_and_class_names_from_key

    mutants: list[Mutant] = []
    for name in MUTATED:
        path = Path("src") / PACKAGE / name
        meta = json.loads((Path("mutants") / f"{path}.meta").read_text(encoding="utf-8"))
        source = (REPO / "signing" / PACKAGE / name).read_text(encoding="utf-8")
        source_lines = source.splitlines()
        tree = ast.parse(source)
        for key, exit_code in sorted(meta["exit_code_by_key"].items(), key=lambda item: _natural(item[0])):
            status = status_by_exit_code[exit_code]
            if status == "killed":
                mutants.append(Mutant(key, name, status, 0, "", "", ""))
                continue
            diff = get_diff_for_mutant(key, path=path)
            removed = [line[1:] for line in diff.splitlines()[2:] if line.startswith("-")]
            added = [line[1:] for line in diff.splitlines()[2:] if line.startswith("+")]
            hunk = re.search(r"^@@ -(\d+)", diff, re.MULTILINE)
            context = 0
            for line in diff.splitlines()[3:]:
                if line.startswith(("-", "+")):
                    break
                context += 1
            offset = (int(hunk.group(1)) - 1 + context) if hunk else 0
            function, cls = orig_function_and_class_names_from_key(key)
            line_no = _locate(source_lines, _function_span(tree, function, cls), removed, offset)
            original = " ".join(part.strip() for part in removed)
            mutated = " ".join(part.strip() for part in added)
            mutants.append(Mutant(key, name, status, line_no, original, mutated, diff))
    return mutants


def _natural(key: str) -> tuple[str, int]:
    stem, _, number = key.rpartition("__mutmut_")
    return stem, int(number) if number.isdigit() else 0


def _score(mutants: list[Mutant]) -> str:
    killed = sum(m.status == "killed" for m in mutants)
    return f"{100 * killed / len(mutants):.1f} %" if mutants else "-"


def write_reports(mutants: list[Mutant], seconds: float, children: int) -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    versions = f"mutmut {metadata.version('mutmut')}, Python {platform.python_version()}"
    command = f"make mutate (mutmut run --max-children {children})"
    rows = ["| file | mutants | killed | survived | equivalent | other | score |", "|---|---|---|---|---|---|---|"]
    for name in MUTATED:
        mine = [m for m in mutants if m.file == name]
        survived = [m for m in mine if m.status == "survived"]
        equivalent = [m for m in survived if m.equivalent()]
        other = [m for m in mine if m.status not in ("killed", "survived")]
        rows.append(
            f"| `{name}` | {len(mine)} | {sum(m.status == 'killed' for m in mine)} | "
            f"{len(survived) - len(equivalent)} | {len(equivalent)} | {len(other)} | {_score(mine)} |"
        )
    total_survived = [m for m in mutants if m.status != "killed"]
    unexplained = [m for m in total_survived if not m.equivalent()]
    rows.append(
        f"| all | {len(mutants)} | {len(mutants) - len(total_survived)} | "
        f"{sum(m.status == 'survived' and not m.equivalent() for m in mutants)} | "
        f"{len(total_survived) - len(unexplained)} | "
        f"{sum(m.status not in ('killed', 'survived') for m in mutants)} | {_score(mutants)} |"
    )
    head = [
        f"Written by `{command}` on {now} in {seconds / 60:.1f} min ({versions}, {os.cpu_count()} cores).",
        "",
        *rows,
        "",
        "score = killed / mutants. *other* counts timeouts, suspicious mutants and mutants no selected test "
        "reaches. Error-message continuation lines are not mutated (see DO_NOT_MUTATE_PATTERNS in "
        "bench/mutation.py), and neither are module-level constants: mutmut mutates function bodies only.",
    ]

    report = ["# Mutation testing: every mutant that was not killed", "", *head, ""]
    for m in total_survived:
        known = m.equivalent()
        label = f"equivalent: {known.why}" if known else m.status
        report += [f"## signing/{PACKAGE}/{m.file}:{m.line} `{m.name}` ({label})", "", "```diff", m.diff, "```", ""]
    if not total_survived:
        report.append("None.")
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("\n".join(report) + "\n", encoding="utf-8")

    summary = [
        "# Mutation testing",
        "",
        "`make mutate` (not part of `make test`) runs mutmut over the signing layer's decisions "
        f"({', '.join(f'`{name}`' for name in MUTATED)}) with the tests that reach them; see bench/mutation.py "
        "for the test selection and why the run happens in a staging copy. The full report, with the diff of "
        "every mutant that was not killed, is reports/mutation.md (not committed).",
        "",
        *head,
        "",
        "## Surviving mutants that are equivalent",
        "",
    ]
    listed = [(m, known) for m in total_survived if (known := m.equivalent())]
    summary += [f"- `{m.file}:{m.line}` `{m.original}` → `{m.mutated}`: {known.why}" for m, known in listed]
    summary += [*(["None."] if not listed else []), "", "## Other survivors", ""]
    summary += [f"- `{m.file}:{m.line}` ({m.status}) `{m.original}` → `{m.mutated}`" for m in unexplained]
    summary += ["None."] if not unexplained else []
    SUMMARY.write_text("\n".join(summary).rstrip() + "\n", encoding="utf-8")
    print(f"mutation: {len(mutants)} mutants, {len(unexplained)} unexplained survivors; {REPORT}, {SUMMARY}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=2, help="parallel mutant runs (default 2)")
    parser.add_argument("--report-only", action="store_true", help="rewrite the reports from the last run")
    args = parser.parse_args()
    if args.report_only:
        seconds = float(DURATION.read_text(encoding="utf-8"))
    else:
        stage()
        seconds = run_mutmut(args.children)
    write_reports(collect(), seconds, args.children)


if __name__ == "__main__":
    main()
