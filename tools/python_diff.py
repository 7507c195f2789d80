"""What changed in the generated package's Python API, found with griffe (static analysis, nothing imported).

griffe's ``find_breaking_changes`` reports what breaks importers (removed objects and parameters, parameters
newly required or moved, changed defaults); the additions (new public objects, new optional parameters) are
collected here. Docstrings are not compared: they come from the spec, whose documentation changes the spec
comparison lists.
"""

from __future__ import annotations

import re
from pathlib import Path

import griffe

from .changes import Change, Kind, Source

PACKAGE = "callbot_client"
#: Values that change with every spec change by design (the package's provenance, not its API).
PROVENANCE = frozenset({"SPEC_SHA256", "GENERATOR_VERSION", "TEMPLATES_SHA256"})


def load(search_path: Path) -> griffe.Object | griffe.Alias:
    return griffe.load(PACKAGE, search_paths=[str(search_path)], allow_inspection=False, store_source=False)


def _short(path: str) -> str:
    return path.removeprefix(PACKAGE + ".")


def _describe(breakage: griffe.Breakage) -> str:
    where = _short(breakage.obj.path)
    old, new = breakage.old_value, breakage.new_value
    parameter = new if isinstance(new, griffe.Parameter) else old if isinstance(old, griffe.Parameter) else None
    if parameter is not None:
        where = f"{where}({parameter.name})"
    text = f"`{where}`: {breakage.kind.value.lower()}"
    if breakage.kind in (griffe.BreakageKind.PARAMETER_CHANGED_DEFAULT, griffe.BreakageKind.ATTRIBUTE_CHANGED_VALUE):
        before = old.default if isinstance(old, griffe.Parameter) else old
        after = new.default if isinstance(new, griffe.Parameter) else new
        text += f" ({before} -> {after})"
    return text


def _public(obj: griffe.Object | griffe.Alias, found: dict[str, str]) -> dict[str, str]:
    """Path -> kind of every public object defined in the package, and of every exported name that points
    into a private module (``callbot_client.SPEC_SHA256`` from ``_provenance``)."""
    for member in obj.members.values():
        if member.is_alias:
            assert isinstance(member, griffe.Alias)
            if member.is_exported and any(part.startswith("_") for part in member.target_path.split(".")):
                found[member.path] = "name"
            continue
        if not member.is_public:
            continue
        found[member.path] = member.kind.value
        if member.is_module or member.is_class:
            _public(member, found)
    return found


def _additions(old: griffe.Object | griffe.Alias, new: griffe.Object | griffe.Alias) -> list[str]:
    before, after = _public(old, {}), _public(new, {})
    added = sorted(set(after) - set(before))
    out = [
        f"`{_short(path)}`: new {after[path]}"
        for path in added
        if not any(path.startswith(parent + ".") for parent in added)
    ]
    for path in sorted(set(before) & set(after)):
        was, now = old.modules_collection.get_member(path), new.modules_collection.get_member(path)
        if not (isinstance(was, griffe.Function) and isinstance(now, griffe.Function)):
            continue
        known = {parameter.name for parameter in was.parameters}
        for parameter in now.parameters:
            if parameter.name not in known and parameter.default is not None:
                out.append(f"`{_short(path)}({parameter.name})`: new optional parameter")
    return out


def _unqualified(annotation: object) -> str:
    """An annotation's text with its names unqualified: ``_models.DelCall`` (the methods name the lazily
    imported models so) and ``DelCall`` are the same type."""
    return re.sub(r"\b[A-Za-z_]\w*\.(?=[A-Za-z_])", "", str(annotation))


def _union(annotation: object) -> frozenset[str]:
    """The members of an annotation's top-level union (``A | None | Unset``)."""
    parts, depth, current = [], 0, ""
    for char in _unqualified(annotation):
        depth += (char == "[") - (char == "]")
        if char == "|" and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return frozenset([*parts, current.strip()])


def _replaced(old: object, new: object) -> bool:
    """A type replaced by another, not only widened or narrowed: whether a wider or a narrower type breaks
    depends on who writes the value, which the spec comparison knows and reports."""
    if _unqualified(old) == _unqualified(new):
        return False
    before, after = _union(old), _union(new)
    return not (before <= after or after <= before)


def _type_changes(old: griffe.Object | griffe.Alias, new: griffe.Object | griffe.Alias) -> list[str]:
    out = []
    for path in sorted(set(_public(old, {})) & set(_public(new, {}))):
        was, now = old.modules_collection.get_member(path), new.modules_collection.get_member(path)
        if isinstance(was, griffe.Attribute) and isinstance(now, griffe.Attribute):
            if _replaced(was.annotation, now.annotation):
                out.append(f"`{_short(path)}`: type {was.annotation} -> {now.annotation}")
        elif isinstance(was, griffe.Function) and isinstance(now, griffe.Function):
            before = {parameter.name: parameter.annotation for parameter in was.parameters}
            for parameter in now.parameters:
                if parameter.name in before and _replaced(before[parameter.name], parameter.annotation):
                    change = f"{before[parameter.name]} -> {parameter.annotation}"
                    out.append(f"`{_short(path)}({parameter.name})`: type {change}")
            if _replaced(was.returns, now.returns):
                out.append(f"`{_short(path)}`: returns {was.returns} -> {now.returns}")
    return out


def _pair(texts: list[str]) -> list[str]:
    """One line for the same change of SyncOperations and AsyncOperations (and sync/asyncio functions)."""
    merged = (
        re.sub(r"\.(?:sync|asyncio)(?:_detailed)?\(", ".sync/asyncio[_detailed](", re.sub(
            r"\b(?:Sync|Async)Operations\b", "SyncOperations/AsyncOperations", text))
        for text in texts
    )  # fmt: skip
    return list(dict.fromkeys(merged))


def python_changes(old_root: Path | None, new_root: Path) -> list[Change]:
    """Changes of the generated package from ``old_root/callbot_client`` to ``new_root/callbot_client``."""
    if old_root is None or not (old_root / PACKAGE / "__init__.py").exists():
        return [Change(Kind.ADDITIVE, Source.PYTHON, f"the `{PACKAGE}` package is new")]
    old, new = load(old_root), load(new_root)
    breaking = [
        _describe(breakage)
        for breakage in griffe.find_breaking_changes(old, new)
        if breakage.obj.name not in PROVENANCE
    ]
    breaking += _type_changes(old, new)
    changes = [Change(Kind.BREAKING, Source.PYTHON, text) for text in _pair(breaking)]
    changes += [Change(Kind.ADDITIVE, Source.PYTHON, text) for text in _pair(_additions(old, new))]
    return changes
