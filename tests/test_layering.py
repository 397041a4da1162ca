"""symderiv's modules form layers: each imports only modules below it, so there is no import cycle,
and the core knows nothing of the RL vocabulary (`symderiv.rl`).

The edges are read from each module's source (`from .x import y`, `from ..x import y`, `import
symderiv.x`, at any depth, inside functions too); imports under `if TYPE_CHECKING:` are left out,
since they never run and only name a type in an annotation."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import symderiv

PACKAGE = Path(symderiv.__file__).resolve().parent

#: Lowest first: a module may import only modules listed before it.  The package's own
#: `symderiv` (its __init__) re-exports the public names of the engine; only the command line
#: and the pytest plugin stand on it.  The command line's entry (`cli`) replays a run (`replay`)
#: or hands it to `commands`.
LAYERS = [
    "symderiv._version",
    "symderiv.cache_files",
    "symderiv.limits",
    "symderiv.allocation",
    "symderiv.location",
    "symderiv.expressions",
    "symderiv.outcome",
    "symderiv.verdict",
    "symderiv.domain",
    "symderiv.definitions",
    "symderiv.differentiation",
    "symderiv.claims",
    "symderiv.rules",
    "symderiv.smoothness",
    "symderiv.printing",
    "symderiv.half_angle",
    "symderiv.special_functions",
    "symderiv.enclosure",
    "symderiv.rational",
    "symderiv.symbolic",
    "symderiv.numeric",
    "symderiv.vocabulary",
    "symderiv.obligation",
    "symderiv.sums",
    "symderiv.indexed",
    "symderiv.large_sizes",
    "symderiv.provenance",
    "symderiv.values",
    "symderiv.cache",
    "symderiv.parallel",
    "symderiv.schedule",
    "symderiv.checker",
    "symderiv.api",
    "symderiv.mutation",
    "symderiv.loader",
    "symderiv.progress",
    "symderiv.export.notation",
    "symderiv.report",
    "symderiv.rl.notation",
    "symderiv.rl.reference",
    "symderiv.rl.model",
    "symderiv.rl",
    "symderiv.export.layout",
    "symderiv.export.usage",
    "symderiv.export.appendix",
    "symderiv.export.document",
    "symderiv.export.base",
    "symderiv.export.latex",
    "symderiv.export.markdown",
    "symderiv.export.pdf",
    "symderiv.export",
    "symderiv",
    "symderiv.pytest_plugin",
    "symderiv.replay",
    "symderiv.commands",
    "symderiv.cli",
]
#: The RL vocabulary: only its own modules import it.
VOCABULARY = "symderiv.rl"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")


def _walk(node: ast.AST):
    """Every node below `node`, except what runs only under a type checker."""
    for child in ast.iter_child_nodes(node):
        if _type_checking_only(child):
            yield from (n for orelse in child.orelse for n in [orelse, *_walk(orelse)])
            continue
        yield child
        yield from _walk(child)


def imports_of(name: str, source: str, known: set[str]) -> set[str]:
    """The modules of `known` that module `name` (of the package) imports."""
    is_package = name in known and any(k.startswith(name + ".") for k in known)
    found = set()
    for node in _walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level:
            parts = name.split(".")
            base = parts[: len(parts) - node.level + (1 if is_package else 0)]
            target = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                # `from . import numeric` names a module; `from .cache import key` a module's name.
                found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in known else target)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "symderiv":
            for alias in node.names:
                found.add(f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in known else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "symderiv"}
    return {m for m in found if m != name}


def import_graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports_of(name, path.read_text(), set(found)) for name, path in found.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the graph as a path that returns to its start, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = 2
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle_and_only_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None  # a diamond is no cycle
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"x": set(), "a": {"a"}}) == ["a", "a"]


def test_edges_are_read_from_every_kind_of_relative_import():
    known = {"symderiv", "symderiv.cache", "symderiv.checker", "symderiv.export", "symderiv.export.latex"}
    source = (
        "from . import cache\n"
        "from .export.latex import verdict_math\n"
        "import typing\n"
        "if typing.TYPE_CHECKING:\n    from .checker import Settings\n"
        "def f():\n    from .checker import check\n"
    )
    assert imports_of("symderiv.cli", source, known) == {"symderiv.cache", "symderiv.export.latex", "symderiv.checker"}
    assert imports_of("symderiv.cli", "from . import cache\nif TYPE_CHECKING:\n    from . import checker\n", known) == {
        "symderiv.cache"
    }
    assert imports_of("symderiv.export.latex", "from .. import __version__\nfrom ..cache import x\n", known) == {
        "symderiv",
        "symderiv.cache",
    }
    assert imports_of("symderiv.export", "from .latex import to_latex\n", known) == {"symderiv.export.latex"}


def test_the_package_has_no_import_cycle():
    assert find_cycle(import_graph()) is None


def test_every_module_imports_only_modules_below_it():
    graph = import_graph()
    undeclared = sorted(set(graph) - set(LAYERS))
    assert not undeclared, f"declare the layer of {undeclared} in LAYERS"
    rank = {name: k for k, name in enumerate(LAYERS)}
    upward = [f"{m} imports {n}" for m, targets in graph.items() for n in sorted(targets) if rank[n] >= rank[m]]
    assert not upward, "imports against the layers: " + "; ".join(upward)


def _in_vocabulary(name: str) -> bool:
    return name == VOCABULARY or name.startswith(VOCABULARY + ".")


def test_the_core_imports_no_vocabulary():
    graph = import_graph()
    leaks = [
        f"{m} imports {n}"
        for m, targets in graph.items()
        if not _in_vocabulary(m)
        for n in targets
        if _in_vocabulary(n)
    ]
    assert not leaks, "the core must not import a vocabulary: " + "; ".join(leaks)


def test_the_package_names_one_name_of_a_vocabulary_and_imports_it_only_when_used():
    """`symderiv.sizes` is the RL vocabulary's (`symderiv.rl.sizes`, states x actions), which proof
    files import from the package: the one public name it takes from a vocabulary, by name, not
    by an import, so that nothing of the core loads the vocabulary until it is used."""
    taken = {name for name, module in symderiv._DEFINED_IN.items() if _in_vocabulary("symderiv" + module)}
    assert taken == {"sizes"}
    probe = (
        "import sys, symderiv\n"
        "symderiv.Size, symderiv.Derivation, symderiv.check_all\n"
        "assert 'symderiv.rl' not in sys.modules, 'the core imported the vocabulary'\n"
        "from symderiv import sizes\n"
        "from symderiv.rl import sizes as rl_sizes\n"
        "assert sizes is rl_sizes\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


#: Run in a fresh interpreter: imports each module with no module of symderiv loaded.  Third-party
#: libraries stay loaded between modules (importing `symderiv.x` runs the package's __init__, which
#: imports every module anyway, so a fresh interpreter per module would repeat SymPy's import only).
_IMPORT_EACH = """
import importlib, sys, traceback
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "symderiv" or m.startswith("symderiv.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except BaseException:
        failed.append(name + ": " + traceback.format_exc(limit=-3))
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def test_each_module_imports_on_its_own():
    """Each module imported first, so that no other module's import hides a cycle or a missing one."""
    names = sorted(modules())
    done = subprocess.run([sys.executable, "-c", _IMPORT_EACH, *names], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
