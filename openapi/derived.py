"""What `make generate` derives from the spec besides the generated package: the blocks of the docs written
between markers (``<!-- name -->`` ... ``<!-- /name -->``), each in the file ``DOCUMENTS`` names: the client
guide's operations table and its lists of the operations retried after an ambiguous fault, the README's list
of the client's methods.

The table is read from what was generated (``SyncOperations`` in the new ``api/__init__.py``, parsed, not
imported: the methods, their arguments, return types and pagers) and from the spec (the wiki page each
operation's description names, its ``x-idempotent`` mark), so it can never name a method that does not exist.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any

#: The mark of an operation that is safe to send twice (retried after a fault that may have reached the service).
IDEMPOTENT_MARK = "x-idempotent"
#: The generated blocks: ``<!-- name -->`` ... ``<!-- /name -->``.
OPERATIONS_BLOCK = "operations"
IDEMPOTENT_BLOCK = "idempotent"
NOT_IDEMPOTENT_BLOCK = "not-idempotent"
METHODS_BLOCK = "methods"
#: Where each generated block is written: file (relative to the repository) -> its blocks, each there once.
DOCUMENTS: dict[str, tuple[str, ...]] = {
    "README.md": (METHODS_BLOCK,),
    "docs/client.md": (OPERATIONS_BLOCK, IDEMPOTENT_BLOCK, NOT_IDEMPOTENT_BLOCK),
}
_WIKI_PAGE = re.compile(r'Wiki page\s+"([^"]+)"')


class SpecError(ValueError):
    """The spec cannot be generated from as it is: the message names the operation and what to change."""


@dataclass(frozen=True)
class Operation:
    operation_id: str
    path: str
    method: str  # HTTP method, upper case
    idempotent: bool
    wiki_page: str | None


@dataclass(frozen=True)
class Method:
    """A generated method of SyncOperations: its name, keyword arguments and return type."""

    name: str
    arguments: tuple[str, ...]
    returns: str


def spec_operations(spec: dict[str, Any]) -> list[Operation]:
    """Every operation of the spec, in document order. A SpecError for an ``x-idempotent`` that is no boolean,
    and for an operationId that is not the last segment of its path."""
    found = []
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            mark = operation.get(IDEMPOTENT_MARK, False)
            if not isinstance(mark, bool):
                raise SpecError(
                    f"{operation['operationId']}: {IDEMPOTENT_MARK} is {mark!r}; write `{IDEMPOTENT_MARK}: true` on an "
                    f"operation that is safe to send twice, and leave it out otherwise"
                )
            if path.rstrip("/").rsplit("/", 1)[-1] != operation["operationId"]:
                raise SpecError(
                    f"{operation['operationId']}: the operationId must be the last segment of its path ({path}): the "
                    f"client names the operation a request calls by it (retries, logs, errors)"
                )
            page = _WIKI_PAGE.search(str(operation.get("description", "")))
            found.append(Operation(operation["operationId"], path, method.upper(), mark, page[1] if page else None))
    return found


def generated_methods(api_init: str) -> dict[str, list[Method]]:
    """operationId -> the methods of ``SyncOperations`` that call it (the operation's, then its ``iter_``),
    read from the source of the generated ``api/__init__.py``."""
    tree = ast.parse(api_init)
    (operations,) = [node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "SyncOperations"]
    found: dict[str, list[Method]] = {}
    for node in operations.body:
        if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
            continue
        called = [
            call.args[0].value
            for call in ast.walk(node)
            if isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr in ("_call", "_call_or_raise")
            and call.args
            and isinstance(call.args[0], ast.Constant)
        ]
        if not called or node.returns is None:
            continue
        returns = ast.unparse(node.returns).removesuffix(" | _E").replace("_models.", "")  # models are read lazily
        arguments = tuple(argument.arg for argument in node.args.kwonlyargs)
        found.setdefault(str(called[0]), []).append(Method(node.name, arguments, returns))
    return found


def _call(method: Method) -> str:
    if not method.arguments:
        return f"`{method.name}()`"
    if len(method.arguments) == 1:
        return f"`{method.name}({method.arguments[0]}=...)`"
    return f"`{method.name}(...)`"


def _returns(methods: list[Method]) -> str:
    parts = []
    for method in methods:
        rows = re.fullmatch(r"(?:Async)?Iterator\[(\w+)\]", method.returns)
        parts.append(f"`{rows[1]}` rows" if rows else f"`{method.returns}`")
    return " / ".join(parts)


def operations_table(spec: dict[str, Any], api_init: str) -> str:
    """The client guide's table: one row per operation of the spec, with the methods generated for it."""
    methods = generated_methods(api_init)
    lines = ["| method | operation | returns | wiki page |", "|---|---|---|---|"]
    for operation in spec_operations(spec):
        made = methods.get(operation.operation_id, [])
        calls = ", ".join(_call(method) for method in made) or "none: not generated (see `api/__init__.py`)"
        returns = _returns(made) or "—"
        http = f"`{operation.method} {operation.path}`"
        lines.append(f"| {calls} | {http} | {returns} | {operation.wiki_page or '—'} |")
    return "\n".join(lines)


def method_list(spec: dict[str, Any], api_init: str) -> str:
    """The method of each operation, in the spec's order, as an inline list: `ping`, `create_task`, ..."""
    methods = generated_methods(api_init)
    names = [f"`{methods[op.operation_id][0].name}`" for op in spec_operations(spec) if methods.get(op.operation_id)]
    return ", ".join(names) or "none"


def operation_list(spec: dict[str, Any], idempotent: bool) -> str:
    """The operations marked (or not marked) ``x-idempotent``, as an inline list: `ping`, `listTask`, ..."""
    names = [f"`{op.operation_id}`" for op in spec_operations(spec) if op.idempotent is idempotent]
    return ", ".join(names) or "none"


def blocks(spec: dict[str, Any], api_init: str) -> dict[str, str]:
    """Every generated block by its marker name."""
    return {
        OPERATIONS_BLOCK: operations_table(spec, api_init),
        IDEMPOTENT_BLOCK: operation_list(spec, idempotent=True),
        NOT_IDEMPOTENT_BLOCK: operation_list(spec, idempotent=False),
        METHODS_BLOCK: method_list(spec, api_init),
    }


def _block_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- {re.escape(name)} -->)(.*?)(<!-- /{re.escape(name)} -->)", re.DOTALL)


def render_document(text: str, names: tuple[str, ...], made: dict[str, str], where: str) -> str:
    """``text`` (the file ``where``) with each block of ``names`` replaced by its content in ``made``; a SpecError
    when a block's markers are not there once. A table block sits on lines of its own between its markers; a
    list block inline."""
    for name in names:
        pattern = _block_pattern(name)
        found = pattern.findall(text)
        if len(found) != 1:
            raise SpecError(
                f"{where}: expected the markers <!-- {name} --> ... <!-- /{name} --> once, found {len(found)}"
            )
        inner = f"\n{made[name]}\n" if "\n" in found[0][1] else made[name]
        text = pattern.sub(lambda match: f"{match[1]}{inner}{match[3]}", text)  # noqa: B023 (used at once)
    return text


def render_documents(texts: dict[str, str], spec: dict[str, Any], api_init: str) -> dict[str, str]:
    """The new text of every file of ``DOCUMENTS``, given their current ``texts`` (by the same relative paths);
    a SpecError naming a file that is missing or whose markers are not there once."""
    made = blocks(spec, api_init)
    rendered = {}
    for where, names in DOCUMENTS.items():
        if where not in texts:
            raise SpecError(f"{where}: not found; it holds the generated blocks {', '.join(names)}")
        rendered[where] = render_document(texts[where], names, made, where)
    return rendered
