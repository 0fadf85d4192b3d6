"""The layers, enforced: walks the `ast` imports of every module under kiosk/ and drivers/.

Rules (docs/architecture.md explains them):
  - drivers/ never imports kiosk;
  - kiosk/core imports only kiosk.core and the standard library;
  - PySide6 / shiboken6 only in kiosk/ui/qt.py;
  - kiosk.ui only from the UI itself and the composition roots (app, staff, demo, commands, cli);
  - no import circle among module-level imports (function-local imports and TYPE_CHECKING
    blocks do not run at import time, so they cannot make one);
  - no file under kiosk/ or drivers/ over 400 lines.
Every import counts for the layering rules, including function-local ones: a lazy import is
still an arrow.
"""
from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("kiosk", "drivers")
MAX_LINES = 400
QT_MODULE = "kiosk.ui.qt"
QT_PACKAGES = ("PySide6", "shiboken6")
UI_ROOTS = ("kiosk.ui", "kiosk.app", "kiosk.staff", "kiosk.demo", "kiosk.commands", "kiosk.cli")


@dataclass(frozen=True)
class Import:
    source: str        # importing module, dotted
    target: str        # imported module, dotted (resolved to a submodule when it is one)
    line: int
    top_level: bool    # runs when the module is imported (not in a function, not TYPE_CHECKING)
    typing_only: bool = False   # inside `if TYPE_CHECKING:`: an annotation, never executed

    def __str__(self) -> str:
        return f"{self.source}:{self.line} -> {self.target}"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@lru_cache(maxsize=None)
def _files() -> tuple[Path, ...]:
    return tuple(sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")
                        if "__pycache__" not in p.parts))


@lru_cache(maxsize=None)
def _modules() -> frozenset[str]:
    return frozenset(_module_name(p) for p in _files())


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _walk(tree: ast.AST, module: str, is_package: bool):
    out: list[Import] = []

    def visit(node: ast.AST, top: bool, typing: bool) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            top = False
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, False, True)
            for child in node.orelse:
                visit(child, top, typing)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                out.append(Import(module, alias.name, node.lineno, top, typing))
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, is_package, node)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                out.append(Import(module, sub if sub in _modules() else base, node.lineno, top, typing))
        for child in ast.iter_child_nodes(node):
            visit(child, top, typing)

    visit(tree, True, False)
    return out


@lru_cache(maxsize=None)
def _imports() -> tuple[Import, ...]:
    found: list[Import] = []
    for path in _files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        found += _walk(tree, _module_name(path), path.name == "__init__.py")
    return tuple(found)


def _under(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _stdlib(name: str) -> bool:
    return name.split(".")[0] in sys.stdlib_module_names or name == "__future__"


# ------------------------------------------------------------------ the walker itself


def test_the_walker_sees_the_project():
    mods = _modules()
    assert {"kiosk.core.ports", "kiosk.ui.qt", "drivers.manager", "kiosk.store"} <= mods
    qt = [i for i in _imports() if i.source == QT_MODULE and _under(i.target, "PySide6")]
    assert qt, "kiosk/ui/qt.py imports PySide6: the walker must see it"
    assert any(i.source == "kiosk.store" and i.target == "kiosk.store.open" for i in _imports())


def test_the_walker_resolves_relative_local_and_type_checking_imports():
    tree = ast.parse("from . import x\nfrom ..b import y\nif TYPE_CHECKING:\n    import z\n"
                     "def f():\n    import w\nimport v\n")
    got = {(i.target, i.top_level) for i in _walk(tree, "kiosk.a.m", False)}
    assert got == {("kiosk.a", True), ("kiosk.b", True), ("z", False), ("w", False), ("v", True)}


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            node, it = work[-1]
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(edges.get(nxt, ())))))
                    break
                if nxt in on:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        m = stack.pop()
                        on.discard(m)
                        comp.append(m)
                        if m == node:
                            break
                    if len(comp) > 1:
                        found.append(sorted(comp))
    return found


def test_the_cycle_finder_finds_a_known_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


# ------------------------------------------------------------------ the rules


def test_drivers_never_import_kiosk():
    bad = [str(i) for i in _imports() if _under(i.source, "drivers") and _under(i.target, "kiosk")]
    assert bad == []


# core may *name* the identity value types in annotations (events carry an `Identity`), never
# import them at run time: the pure suite runs core without kiosk.identity loaded.
CORE_TYPING_ONLY = ("kiosk.identity",)


def test_core_imports_only_core_and_the_standard_library():
    bad = [str(i) for i in _imports() if _under(i.source, "kiosk.core")
           and not _under(i.target, "kiosk.core") and not _stdlib(i.target)
           and not (i.typing_only and _under(i.target, *CORE_TYPING_ONLY))]
    assert bad == []


def test_core_names_identity_types_only_in_annotations():
    runtime = [str(i) for i in _imports() if _under(i.source, "kiosk.core") and not i.typing_only
               and _under(i.target, *CORE_TYPING_ONLY)]
    assert runtime == []


def test_qt_only_through_kiosk_ui_qt():
    bad = [str(i) for i in _imports() if _under(i.target, *QT_PACKAGES) and i.source != QT_MODULE]
    assert bad == []


def test_kiosk_ui_only_from_the_ui_and_the_composition_roots():
    bad = [str(i) for i in _imports() if _under(i.target, "kiosk.ui") and not _under(i.source, *UI_ROOTS)]
    assert bad == []


# what only a composition root may import: opening the store, key providers, gateway clients and
# signers, the check-in service builder
BUILDERS = ("kiosk.store.open", "kiosk.store.migrate", "kiosk.store.keys", "kiosk.gateway.client",
            "kiosk.gateway.signing", "kiosk.checkin.build")


# Known violations, being fixed in parallel (issue 12). The strict tests below keep anything NEW
# out; the xfail ones turn green (XPASS) once these lists can be emptied.
KNOWN_UI_BUILDERS: set[str] = set()


def _ui_building() -> list[Import]:
    return [i for i in _imports() if _under(i.source, "kiosk.ui")
            and (i.target == "kiosk.store" or _under(i.target, *BUILDERS))]


def _module_cycles() -> list[list[str]]:
    edges: dict[str, set[str]] = {}
    for i in _imports():
        if i.top_level and i.target in _modules() and i.target != i.source:
            edges.setdefault(i.source, set()).add(i.target)
    return _cycles(edges)


def test_no_new_ui_module_builds_services():
    assert [str(i) for i in _ui_building() if i.source not in KNOWN_UI_BUILDERS] == []


def test_the_ui_builds_nothing():
    assert [str(i) for i in _ui_building()] == []


def test_no_import_circles():
    assert _module_cycles() == []


def test_no_file_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in _files()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
