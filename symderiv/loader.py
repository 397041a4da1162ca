"""Find proof modules on disk and the derivations they define."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import traceback
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


def proof_files(paths: Iterable[Path | str]) -> list[Path]:
    """Every proof file named or contained in `paths`; a missing path is an error."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(f for f in p.glob("*.py") if not f.name.startswith(("_", "test_"))))
        elif p.is_file() and p.suffix == ".py":
            files.append(p)
        elif p.exists():
            raise FileNotFoundError(f"{p} is not a Python file or a directory of proof modules")
        else:
            raise FileNotFoundError(f"no such file or directory: {p}")
    return files


def load_module(path: Path):
    """Import a proof file under a name derived from its absolute path (so two files with
    the same name in different folders do not collide)."""
    path = path.resolve()
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:8]
    name = f"symderiv_proofs_{path.stem}_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def derivations_in(module) -> list[Derivation]:
    return [v for v in vars(module).values() if isinstance(v, Derivation)]


def load(paths: Iterable[Path | str]) -> tuple[list[Derivation], list[LoadFailure]]:
    """All derivations in the given files; modules that fail to import are reported, not raised."""
    derivations, failures = [], []
    for f in proof_files(paths):
        try:
            module = load_module(f)
        except Exception as exc:
            tb = traceback.extract_tb(exc.__traceback__)
            where = next((f"{fr.filename}:{fr.lineno}" for fr in reversed(tb) if fr.filename == str(f.resolve())), "")
            failures.append(LoadFailure(f, f"{type(exc).__name__}: {exc}" + (f" (at {where})" if where else "")))
            continue
        derivations.extend(derivations_in(module))
    return derivations, failures
