"""The import graph of the hand-written packages, read with ``ast`` (nothing is imported), and its two rules.

1. No circle: no module imports, through any chain of imports, a module that imports it back. Imports inside
   functions count (a deferred import hides a circle, it does not remove it); so do imports under
   ``if TYPE_CHECKING:``, which are the same dependency for a reader and for mypy.
2. No private module across packages: a module of one top-level package (``callbot_cli``, ``contract_tests``,
   ...) imports from another only public modules (no part of the dotted name starts with ``_``), and no
   private name (``from callbot_signing import _x``). Code in a string that a test runs in another
   process (``python -c "from callbot_cli import main"``) is held to this rule too.

Usage: python -m tools.import_graph   (prints each violation as path:line, exits 1 when there is one)
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: Each hand-written folder and the folder its modules are imported from (``signing/callbot_signing/_auth.py``
#: is ``callbot_signing._auth``; ``tools/compat.py`` is ``tools.compat``).
FOLDERS = {
    "signing": "signing",
    "sandbox": "sandbox",
    "cli": "cli",
    "tools": ".",
    "bench": ".",
    "openapi": ".",
    "contract_tests": ".",
    "examples": "examples",
}
#: Packages of the repository that are imported but not read here: the generated client.
OTHER_FIRST_PARTY = frozenset({"callbot_client"})
#: Modules whose strings are examples of violations (this module's own tests), not code run anywhere.
EXAMPLES = frozenset({"contract_tests/client/test_import_graph.py"})
DOTTED = re.compile(r"[a-z_][a-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+")


@dataclass(frozen=True)
class Import:
    """``importer`` imports ``target`` at ``path:line``; ``name`` is the name taken from it (``from x import
    name``), if any; ``in_string`` for code in a string literal (run in another process)."""

    importer: str
    target: str
    path: str
    line: int
    name: str = ""
    in_string: bool = False

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def _is_private(part: str) -> bool:
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


def modules(repo: Path = REPO) -> dict[str, Path]:
    """Every hand-written module: dotted name -> file."""
    found: dict[str, Path] = {}
    for folder, root in FOLDERS.items():
        base = (repo / root).resolve()
        for path in sorted((repo / folder).rglob("*.py")):
            parts = list(path.resolve().relative_to(base).with_suffix("").parts)
            if "__pycache__" in parts:
                continue
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _package_of(module: str, path: Path) -> list[str]:
    parts = module.split(".")
    return parts if path.name == "__init__.py" else parts[:-1]


def _code_in_strings(tree: ast.AST) -> Iterator[tuple[int, ast.Module]]:
    """Python code held in string literals (``subprocess.run([python, "-c", code])``): (line, parsed)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "import " in node.value:
            try:
                parsed = ast.parse(node.value)
            except (SyntaxError, ValueError):
                continue
            yield node.lineno, parsed


def _dotted_paths(tree: ast.AST, first_party: set[str]) -> Iterator[tuple[int, str]]:
    """String literals that name a first-party module or attribute (``monkeypatch.setattr("a._b.c", ...)``,
    ``importlib.import_module("a._b")``): (line, dotted name)."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and DOTTED.fullmatch(node.value)
            and node.value.split(".")[0] in first_party
        ):
            yield node.lineno, node.value


def _targets(
    node: ast.Import | ast.ImportFrom, package: list[str], known: dict[str, Path]
) -> Iterator[tuple[str, str]]:
    """(module, name) pairs one import statement reaches; a name is "" when a module is imported whole."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name, ""
        return
    if node.level:
        base = package[: len(package) - node.level + 1] if node.level > 1 else list(package)
        prefix = ".".join([*base, node.module] if node.module else base)
    else:
        prefix = node.module or ""
    for alias in node.names:
        submodule = f"{prefix}.{alias.name}"
        if submodule in known:
            yield submodule, ""
        else:
            yield prefix, alias.name


def _owner(target: str, known: dict[str, Path]) -> str:
    """The known module a dotted name lies in (``callbot_signing.wire.X`` -> ``callbot_signing.wire``)."""
    parts = target.split(".")
    while len(parts) > 1 and ".".join(parts) not in known:
        parts.pop()
    return ".".join(parts)


def imports(repo: Path = REPO) -> list[Import]:
    """Every import of a first-party module by a hand-written one."""
    known = modules(repo)
    first_party = {name.split(".")[0] for name in known} | OTHER_FIRST_PARTY
    found: list[Import] = []
    for module, path in known.items():
        tree = ast.parse(path.read_bytes(), filename=str(path))
        package = _package_of(module, path)
        where = str(path.relative_to(repo))
        sources: list[tuple[ast.AST, int | None]] = [(tree, None)]
        if where not in EXAMPLES:
            sources += [(code, line) for line, code in _code_in_strings(tree)]
        for source, string_line in sources:
            for node in ast.walk(source):
                if not isinstance(node, ast.Import | ast.ImportFrom):
                    continue
                for target, name in _targets(node, package, known):
                    if target.split(".")[0] not in first_party:
                        continue
                    line = string_line if string_line is not None else node.lineno
                    owner = _owner(target, known) if target.split(".")[0] in known else target
                    found.append(Import(module, owner, where, line, name, in_string=string_line is not None))
        for line, dotted in _dotted_paths(tree, first_party) if where not in EXAMPLES else ():
            found.append(Import(module, dotted, where, line, in_string=True))
    return found


def private_imports(found: list[Import]) -> list[str]:
    """Imports of another package's private module or private name, as ``path:line: importer imports what``."""
    out = []
    for edge in found:
        importer_top, target_top = edge.importer.split(".")[0], edge.target.split(".")[0]
        if importer_top == target_top:
            continue
        private_module = any(_is_private(part) for part in edge.target.split(".")[1:])
        if private_module or _is_private(edge.name):
            what = f"{edge.target}.{edge.name}" if _is_private(edge.name) else edge.target
            kind = "the private name" if _is_private(edge.name) and not private_module else "the private module"
            out.append(f"{edge.where}: {edge.importer} imports {kind} {what}")
    return sorted(set(out))


def circles(found: list[Import]) -> list[str]:
    """Each circle of modules (a strongly connected component of the graph), with the imports that close it."""
    edges: dict[str, set[str]] = {}
    for edge in found:
        if not edge.in_string and edge.target != edge.importer:
            edges.setdefault(edge.importer, set()).add(edge.target)
    out = []
    for component in _components(edges):
        inside = sorted(
            {f"{edge.where}: {edge.importer} -> {edge.target}" for edge in found
             if not edge.in_string and edge.importer in component and edge.target in component
             and edge.importer != edge.target}
        )  # fmt: skip
        out.append(f"circle of {', '.join(sorted(component))}:\n  " + "\n  ".join(inside))
    return out


def _components(edges: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[set[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    result.append(component)
    return result


def main() -> int:
    found = imports()
    problems = circles(found) + private_imports(found)
    for problem in problems:
        print(problem)
    print(f"import graph: {len(modules())} modules, {len(found)} imports, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
