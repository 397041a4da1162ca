"""Find proof modules on disk and the derivations they define.

A proof folder may be a Python package (a folder with `__init__.py`): its modules then
import each other's helpers with relative imports (`from .common import log_ratio`), and a
derivation may be defined in one module and given claims in several.  Each folder of proofs
is imported under a name derived from its absolute path, so two folders named `proofs`
in different projects do not collide and nothing is added to `sys.path`.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
import traceback
import types
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .obligation import Derivation


@dataclass
class LoadFailure:
    """A proof module that could not be imported, and why."""

    path: Path
    message: str


def default_proof_dir() -> Path:
    """`./proofs` if there is one, else the `proofs/` beside this package (a checkout)."""
    here = Path.cwd() / "proofs"
    return here if here.is_dir() else Path(__file__).resolve().parent.parent / "proofs"


def _is_package(folder: Path) -> bool:
    return (folder / "__init__.py").is_file()


def proof_files(paths: Iterable[Path | str]) -> list[Path]:
    """Every proof file named or contained in `paths` (a package inside a folder counts as its
    `__init__.py`, which imports the rest); a missing path is an error."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir() and _is_package(p):
            files.append(p / "__init__.py")
        elif p.is_dir():
            files.extend(sorted(f for f in p.glob("*.py") if not f.name.startswith(("_", "test_"))))
            files.extend(sorted(d / "__init__.py" for d in p.iterdir() if d.is_dir() and _is_package(d)))
        elif p.is_file() and p.suffix == ".py":
            files.append(p)
        elif p.exists():
            raise FileNotFoundError(f"{p} is not a Python file or a directory of proof modules")
        else:
            raise FileNotFoundError(f"no such file or directory: {p}")
    return files


def _alias(path: Path) -> str:
    """A module name for `path` that no other path gets: its stem and a digest of where it is."""
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:8]
    return f"symderiv_proofs_{path.stem}_{digest}"


def _package_root(path: Path) -> Path | None:
    """The outermost folder of the chain of packages that holds `path`, if it is in one."""
    root = None
    folder = path.parent
    while _is_package(folder):
        root, folder = folder, folder.parent
    return root


def _import_package(root: Path) -> str:
    """Import the package at `root` under its alias (once) and return the alias."""
    name = _alias(root)
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, root / "__init__.py", submodule_search_locations=[str(root)]
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
    return name


def load_module(path: Path) -> types.ModuleType:
    """Import a proof file: alone, or as a module of the package that holds it."""
    path = path.resolve()
    root = _package_root(path)
    if root is not None:
        package = _import_package(root)
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        return importlib.import_module(".".join((package, *parts)))
    name = _alias(path)
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def derivations_in(module: types.ModuleType) -> list[Derivation]:
    """The derivations `module` defines; for a module that only adds claims to a derivation
    defined elsewhere in its package, that derivation restricted to the claims it adds."""
    found = [v for v in vars(module).values() if isinstance(v, Derivation)]
    own = [d for d in found if d.module == module.__name__]
    if own:
        return own
    return [
        part
        for d in dict.fromkeys(found)
        if (part := d.restricted(lambda ob: ob.build.__module__ == module.__name__)).obligations
    ]


def _innermost_line_in(exc: BaseException, place: Path) -> str:
    """`file:line` of the innermost frame of the traceback in `place` (a proof file, or the
    folder of its package), where the user has something to fix; empty if there is none."""
    frames = traceback.extract_tb(exc.__traceback__)
    inside = [fr for fr in frames if Path(fr.filename) == place or Path(fr.filename).is_relative_to(place)]
    return f"{inside[-1].filename}:{inside[-1].lineno}" if inside else ""


def load(paths: Iterable[Path | str]) -> tuple[list[Derivation], list[LoadFailure]]:
    """All derivations in the given files; modules that fail to import are reported, not raised."""
    derivations: list[Derivation] = []
    failures: list[LoadFailure] = []
    for f in proof_files(paths):
        try:
            module = load_module(f)
        except Exception as exc:
            where = _innermost_line_in(exc, _package_root(f.resolve()) or f.resolve())
            failures.append(LoadFailure(f, f"{type(exc).__name__}: {exc}" + (f" (at {where})" if where else "")))
            continue
        derivations.extend(d for d in derivations_in(module) if d not in derivations)
    return derivations, failures
