"""The import rules of docs/architecture.md, checked on the source of every module.

Each module's imports are read with :mod:`ast` (nothing is imported): those under
``if TYPE_CHECKING:`` are for the type checker only and do not count, function-level
imports do. The layer table is read from the docs page itself, so the page and
the rule cannot drift apart.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
PACKAGE = "safety_collab"
DOC = ROOT / "docs" / "architecture.md"

# the package's facade and its entry point import everything on purpose
FACADES = {PACKAGE, f"{PACKAGE}.__main__"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {
    _module_name(p): p
    for p in sorted((SRC / PACKAGE).rglob("*.py"))
    if "__pycache__" not in p.parts
}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if MODULES[module].name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _imports(module: str) -> list[tuple[str, tuple[str, ...], int]]:
    """``(imported module, names taken from it, line)`` for every runtime import."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: list[tuple[str, tuple[str, ...], int]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((alias.name, (), node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            names = tuple(alias.name for alias in node.names)
            # ``from pkg import sub`` imports the submodule pkg.sub
            subs = [n for n in names if f"{target}.{n}" in MODULES]
            found.extend((f"{target}.{n}", (), node.lineno) for n in subs)
            rest = tuple(n for n in names if n not in subs)
            if rest or not subs:
                found.append((target, rest, node.lineno))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return [(m, names, line) for m, names, line in found if m.split(".")[0] == PACKAGE]


def _layers() -> tuple[dict[str, int], set[str]]:
    """Module prefix -> layer number, and the edge's prefixes, from the docs page."""
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"```text\n(layer .*?)```", text, re.DOTALL)
    assert block, f"{DOC}: no ```text block of layers"
    order: dict[str, int] = {}
    edge: set[str] = set()
    for line in block.group(1).splitlines():
        m = re.match(r"layer (\d+|edge)\s+\S+\s+(.*)", line)
        assert m, f"{DOC}: cannot read layer line {line!r}"
        names = {f"{PACKAGE}.{n}" for n in m.group(2).split()}
        if m.group(1) == "edge":
            edge |= names
        else:
            order.update(dict.fromkeys(names, int(m.group(1))))
    return order, edge


def _owner(module: str, prefixes: dict[str, int] | set[str]) -> str | None:
    best = None
    for prefix in prefixes:
        if (module == prefix or module.startswith(prefix + ".")) and (
            best is None or len(prefix) > len(best)
        ):
            best = prefix
    return best


def _layer_of(module: str) -> int | str:
    order, edge = _layers()
    if _owner(module, edge):
        return "edge"
    owner = _owner(module, order)
    assert owner is not None, f"{module} is in no layer of {DOC.name}: add it to the table"
    return order[owner]


@pytest.mark.parametrize("module", sorted(set(MODULES) - FACADES))
def test_every_module_is_in_a_layer(module: str) -> None:
    assert _layer_of(module) is not None


@pytest.mark.parametrize("module", sorted(set(MODULES) - FACADES))
def test_no_module_imports_a_layer_above_it_or_the_edge(module: str) -> None:
    mine = _layer_of(module)
    wrong = []
    for target, _names, line in _imports(module):
        if target == PACKAGE or target not in MODULES:
            # ``from safety_collab import __version__`` reads the facade's metadata only
            assert target == PACKAGE or target in MODULES, f"{module}:{line}: no module {target}"
            continue
        theirs = _layer_of(target)
        if mine == "edge":
            continue  # a built-in may import anything below it
        if theirs == "edge":
            wrong.append(f"line {line}: {target} (the edge: registered by name, never imported)")
        elif int(theirs) > int(mine):
            wrong.append(f"line {line}: {target} (layer {theirs}, above layer {mine})")
    assert not wrong, f"{module} (layer {mine}) imports upwards:\n" + "\n".join(wrong)


def test_no_import_cycle() -> None:
    graph = {m: {t for t, _, _ in _imports(m) if t in MODULES and t != m} for m in MODULES}
    # Tarjan's strongly connected components: any component of two or more modules is a
    # cycle (a submodule importing its own package's __init__ counts: it is one)
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []
    counter = [0]

    def strongconnect(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    assert not cycles, f"import cycles: {cycles}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_another_modules_private_names(module: str) -> None:
    wrong = [
        f"line {line}: {name} from {target}"
        for target, names, line in _imports(module)
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert not wrong, f"{module} imports private names:\n" + "\n".join(wrong)


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith(f"{PACKAGE}.plugins")))
def test_plugins_import_only_hookspecs_and_errors(module: str) -> None:
    """The manager sits below every layer it serves: it names the built-ins, never imports them.

    Besides hookspecs and errors it may use the foundation (layer 0: the validation
    toolkit and message helpers), which imports nothing above it.
    """
    order, _ = _layers()
    allowed = {f"{PACKAGE}.hookspecs", f"{PACKAGE}.errors", f"{PACKAGE}.plugins"}
    allowed |= {prefix for prefix, layer in order.items() if layer == 0}
    imported = {t for t, _, _ in _imports(module)}
    assert all(t in allowed or t.startswith(f"{PACKAGE}.plugins.") for t in imported), imported


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_source_file_is_too_long_to_hold_in_ones_head(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= 850, f"{MODULES[module]} has {lines} lines; split it along its sections"
