"""What changed in the public API of the hand-written packages, found with griffe (static analysis).

The public API of ``nxcloud_callbot``, ``callbot_signing``, ``callbot_cli`` and ``callbot_sandbox`` is what
their ``__init__`` exports in ``__all__`` (and the ``__all__`` of ``callbot_signing.wire`` and
``nxcloud_callbot.wire``, the wire format for servers and test tools): each name, and for a class its public
methods and attributes (inherited ones included). Other modules of the packages are implementation, even when
their names have no underscore.

griffe's ``find_breaking_changes`` reports, over that surface, what breaks importers: a removed object, a
parameter removed (a rename is a removal plus an addition), made required, moved, of another kind
(keyword-only, positional-only) or with another default, a required parameter added, a base class removed.
A name dropped from ``__all__`` is removed even when it can still be imported. A function defined elsewhere
than before (a class that gains its own ``__init__``, which it inherited) is compared with the one it
replaces, which griffe alone does not do. Additions (new names, new members, new optional parameters,
parameters that became optional) are compatible. Annotations are not compared: whether a widened or a
renamed type alias breaks a caller cannot be told statically here. Members inherited from a class outside
these folders (``httpx.Auth``, the generated ``SyncOperations``, whose changes the generated package's
comparison reports) are not seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import griffe

from .changes import Change, Kind, Source

#: Each hand-written package and the folder of the repository that holds it, in the order they are loaded: a
#: package after those whose ``__all__`` it extends (``nxcloud_callbot``'s is built from ``callbot_signing``'s).
PACKAGES = {
    "callbot_signing": "signing",
    "nxcloud_callbot": "signing",
    "callbot_cli": "cli",
    "callbot_sandbox": "sandbox",
}
#: Submodules that are public seams of their own: their ``__all__`` is public API as the package's is.
PUBLIC_MODULES = frozenset({"callbot_signing.wire", "nxcloud_callbot.wire"})
_UNRESOLVABLE = (griffe.AliasResolutionError, griffe.CyclicAliasError)

Member = griffe.Object | griffe.Alias


def _hide_modules(module: Member) -> None:
    """Mark every submodule that is not in PUBLIC_MODULES as private, so that griffe's walk sees only the
    ``__all__`` names (modules are public by name in griffe's rules, whatever ``__all__`` says)."""
    for member in module.members.values():
        if member.is_alias or not member.is_module:
            continue
        if member.path in PUBLIC_MODULES:
            _hide_modules(member)
        else:
            member.public = False


#: Loaders already run in one comparison, by their search paths: each version's packages are loaded once.
Loaded = dict[tuple[str, ...], griffe.GriffeLoader]


def load(package: str, search_paths: Sequence[Path], loaded: Loaded | None = None) -> Member:
    """``package`` as found in ``search_paths``, loaded together with the other packages of PACKAGES found
    there (one version's roots), so that the names it imports from them resolve and an ``__all__`` built from
    theirs (``nxcloud_callbot``'s ``__all__ += callbot_signing.__all__``) is expanded to their names."""
    paths = tuple(sorted({str(path) for path in search_paths}))
    loader = loaded.get(paths) if loaded is not None else None
    if loader is None:
        loader = griffe.GriffeLoader(search_paths=list(paths), allow_inspection=False, store_source=False)
        for name in PACKAGES:
            if any((Path(path) / name / "__init__.py").exists() for path in paths):
                loader.load(name)
        loader.resolve_aliases(external=True)
        if loaded is not None:
            loaded[paths] = loader
    module: Member = loader.modules_collection.get_member(package)
    _hide_modules(module)
    return module


def _resolved(member: Member) -> griffe.Object | None:
    """The object an alias points to; None when it lies outside the loaded package (httpx, typing...)."""
    if isinstance(member, griffe.Object):
        return member
    try:
        target = member.final_target
    except _UNRESOLVABLE:
        return None
    return target if isinstance(target, griffe.Object) else None


def _is_public_member(name: str) -> bool:
    """A class member is public unless its name is private; special methods (``__init__``) are public."""
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))


class Surface:
    """The public API of one package: public path -> object, and the public paths each griffe path has."""

    def __init__(self, package: Member) -> None:
        self.objects: dict[str, Member] = {}
        #: Public paths inherited from a base class (``APITimeoutError.__init__`` is ``CallbotError``'s).
        self.inherited: set[str] = set()
        self._direct: dict[str, list[str]] = {}
        self._through_base: dict[str, list[str]] = {}
        self._module(package)

    def _module(self, module: Member) -> None:
        for name in module.exports or ():
            # a name computed in __all__ (``*other.__all__``) is not a plain string: griffe expands the usual forms
            member = module.members.get(name) if isinstance(name, str) else None
            if member is not None:
                self._add(f"{module.path}.{name}", member, inherited=False, within=frozenset())
        for submodule in module.modules.values():
            if submodule.path in PUBLIC_MODULES and submodule.path not in self.objects:
                self.objects[submodule.path] = submodule
                self._module(submodule)

    def _add(self, path: str, member: Member, *, inherited: bool, within: frozenset[str]) -> None:
        if path in self.objects:
            return
        self.objects[path] = member
        target = _resolved(member)
        paths = self._through_base if inherited else self._direct
        for griffe_path in {member.path, target.path if target is not None else member.path}:
            paths.setdefault(griffe_path, []).append(path)
        if inherited:
            self.inherited.add(path)
        if isinstance(target, griffe.Class) and target.path not in within:  # a class nested in itself stops
            for name, child in target.all_members.items():
                if _is_public_member(name):
                    inherits = child.is_alias and child.inherited
                    self._add(f"{path}.{name}", child, inherited=inherits, within=within | {target.path})

    def public_paths(self, griffe_path: str) -> list[str]:
        """Where the object at ``griffe_path`` shows publicly: where it is defined, else where it is inherited
        (a method of a private base class); empty when it is not public."""
        return self._direct.get(griffe_path) or self._through_base.get(griffe_path) or []

    def target_path(self, path: str) -> str:
        target = _resolved(self.objects[path])
        return target.path if target is not None else self.objects[path].path

    def function(self, path: str) -> griffe.Function | None:
        target = _resolved(self.objects[path])
        return target if isinstance(target, griffe.Function) else None

    def kind(self, path: str) -> str:
        target = _resolved(self.objects[path])
        return target.kind.value if target is not None else "name"


def _shown(path: str) -> str:
    """``Callbot.__init__`` is called as ``Callbot(...)``."""
    return path.removesuffix(".__init__")


def _describe(breakage: griffe.Breakage, where: str) -> str:
    old, new = breakage.old_value, breakage.new_value
    parameter = new if isinstance(new, griffe.Parameter) else old if isinstance(old, griffe.Parameter) else None
    if parameter is not None:
        where = f"{where}({parameter.name})"
    text = f"`{where}`: {breakage.kind.value.lower()}"
    if breakage.kind is griffe.BreakageKind.PARAMETER_CHANGED_DEFAULT:
        assert isinstance(old, griffe.Parameter) and isinstance(new, griffe.Parameter)
        text += f" ({old.default} -> {new.default})"
    elif breakage.kind is griffe.BreakageKind.PARAMETER_CHANGED_KIND:
        assert isinstance(old, griffe.Parameter) and isinstance(new, griffe.Parameter)
        text += f" ({old.kind and old.kind.value} -> {new.kind and new.kind.value})"
    elif breakage.kind is griffe.BreakageKind.OBJECT_CHANGED_KIND:
        text += f" ({old.value} -> {new.value})"
    return text


def _topmost(paths: set[str]) -> list[str]:
    """The paths none of whose parents is in the set (a removed class, not each of its methods)."""
    return sorted(path for path in paths if not any(path.startswith(parent + ".") for parent in paths))


def _once(paths: set[str], surface: Surface) -> list[str]:
    """``paths`` without the inherited members whose defining class is in it too: a method added to
    ``CallbotError`` is one line, not one per subclass (a private base's members keep every line)."""
    defined = {surface.target_path(path) for path in paths if path not in surface.inherited}
    return sorted(path for path in paths if path not in surface.inherited or surface.target_path(path) not in defined)


def _removed(before: Surface, after: Surface) -> list[str]:
    """Public paths gone from ``after``: the topmost ones (a class, not each of its methods), once."""
    gone = set(before.objects) - set(after.objects)
    return _once(set(_topmost(gone)), before)


def _function_breakages(was: griffe.Function, now: griffe.Function) -> list[griffe.Breakage]:
    """griffe's comparison of two functions, whatever their paths: each is put alone in a module of its own
    (an alias to it, so that the loaded trees are not changed)."""
    holders = []
    for function in (was, now):
        holder = griffe.Module("compared")
        alias = griffe.Alias("function", target=function, parent=holder)
        alias.public = True
        holder.set_member("function", alias)
        holders.append(holder)
    return list(griffe.find_breaking_changes(*holders))


def _redefined(before: Surface, after: Surface) -> list[str]:
    """Public functions defined elsewhere than before: a class that gains its own ``__init__`` (it inherited
    one), or loses it. griffe compares each definition once, by the path it was defined at, so it compares
    the inherited ``CallbotError.__init__`` with itself and never with the subclass's new one."""
    moved = {
        path
        for path in set(before.objects) & set(after.objects)
        if (was := before.function(path)) is not None
        and (now := after.function(path)) is not None
        and was.path != now.path
    }
    return _once(moved, after)


def _breaking(old: Member, new: Member, before: Surface, after: Surface) -> list[str]:
    removed = _removed(before, after)
    out = [f"`{_shown(path)}`: public object was removed" for path in removed]
    gone = set(before.objects) - set(after.objects)
    for breakage in griffe.find_breaking_changes(old, new):
        if breakage.kind is griffe.BreakageKind.OBJECT_REMOVED:
            continue  # the surface comparison above lists removals, __all__ included
        where = after.public_paths(breakage.obj.path) or before.public_paths(breakage.obj.path) or [breakage.obj.path]
        out += [_describe(breakage, _shown(path)) for path in where if path not in gone]
    for path in _redefined(before, after):
        was, now = before.function(path), after.function(path)
        assert was is not None and now is not None
        out += [_describe(breakage, _shown(path)) for breakage in _function_breakages(was, now)]
    return list(dict.fromkeys(out))


def _additions(before: Surface, after: Surface) -> list[str]:
    new = set(after.objects) - set(before.objects)
    out = [f"`{_shown(path)}`: new {after.kind(path)}" for path in _once(set(_topmost(new)), after)]
    for path in _once(set(before.objects) & set(after.objects), after):
        was, now = before.function(path), after.function(path)
        if was is None or now is None:
            continue
        known = {parameter.name: parameter for parameter in was.parameters}
        for parameter in now.parameters:
            old = known.get(parameter.name)
            if old is None and not parameter.required:
                out.append(f"`{_shown(path)}({parameter.name})`: new optional parameter")
            elif old is not None and old.required and not parameter.required:
                out.append(f"`{_shown(path)}({parameter.name})`: now optional")
    return list(dict.fromkeys(out))


def package_changes(
    package: str,
    old_root: Path | None,
    new_root: Path,
    old_others: Sequence[Path] = (),
    new_others: Sequence[Path] = (),
    loaded: Loaded | None = None,
) -> list[Change]:
    """Changes of ``package``'s public API from ``old_root/package`` to ``new_root/package``; ``*_others`` are
    where the other packages of the same version are, for the names ``package`` imports from them."""
    if not (new_root / package / "__init__.py").exists():
        if old_root is not None and (old_root / package / "__init__.py").exists():
            return [Change(Kind.BREAKING, Source.LIBRARY, f"the `{package}` package was removed")]
        return []
    if old_root is None or not (old_root / package / "__init__.py").exists():
        return [Change(Kind.ADDITIVE, Source.LIBRARY, f"the `{package}` package is new")]
    old, new = load(package, [old_root, *old_others], loaded), load(package, [new_root, *new_others], loaded)
    before, after = Surface(old), Surface(new)
    changes = [Change(Kind.BREAKING, Source.LIBRARY, text) for text in _breaking(old, new, before, after)]
    changes += [Change(Kind.ADDITIVE, Source.LIBRARY, text) for text in _additions(before, after)]
    return changes


def library_changes(old_roots: dict[str, Path | None], new_roots: dict[str, Path]) -> list[Change]:
    """Changes of every hand-written package; ``old_roots[package]`` is None when BASE does not have it."""
    changes: list[Change] = []
    old_others = [root for root in old_roots.values() if root is not None]
    new_others = list(new_roots.values())
    loaded: Loaded = {}
    for package in PACKAGES:
        old_root, new_root = old_roots.get(package), new_roots[package]
        changes += package_changes(package, old_root, new_root, old_others, new_others, loaded)
    return changes
