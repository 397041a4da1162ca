"""pytest plugin: every obligation in a proof module is a test item.

Proof modules are the `.py` files in a folder named `proofs` (or matching the
`symderiv_files` ini option); each obligation passes when its verdict is the
one it expects.  Options: --symderiv-seed, --symderiv-samples, --symderiv-time-limit,
--symderiv-cache.
"""

from __future__ import annotations

import fnmatch

import pytest

from . import report
from .cache import VerdictCache
from .checker import Settings, check
from .loader import derivations_in, load_module


def pytest_addoption(parser):
    group = parser.getgroup("symderiv", "symderiv proof obligations")
    defaults = Settings()
    group.addoption("--symderiv-seed", type=int, default=defaults.seed, help="random seed for numeric checks")
    group.addoption("--symderiv-samples", type=int, default=defaults.samples, help="instances per obligation and size")
    group.addoption(
        "--symderiv-time-limit",
        type=float,
        default=defaults.time_limit,
        help="CPU seconds for each symbolic rewrite attempt",
    )
    group.addoption(
        "--symderiv-cache",
        action="store_true",
        help="reuse verdicts stored for the same claim, settings and versions (the cache of "
        "`symderiv check`); off by default, so that a test run checks every obligation",
    )
    parser.addini("symderiv_files", "glob patterns of proof files besides proofs/*.py", type="linelist", default=[])


def _is_proof_file(file_path, config) -> bool:
    if file_path.suffix != ".py" or file_path.name.startswith(("_", "test_", "conftest")):
        return False
    if file_path.parent.name == "proofs":
        return True
    return any(fnmatch.fnmatch(file_path.name, pat) for pat in config.getini("symderiv_files"))


def pytest_collect_file(file_path, parent):
    if _is_proof_file(file_path, parent.config):
        return ProofFile.from_parent(parent, path=file_path)
    return None


class ProofFile(pytest.File):
    def collect(self):
        module = load_module(self.path)
        for derivation in derivations_in(module):
            for ob in derivation:
                yield ObligationItem.from_parent(self, name=f"{ob.id}:{ob.name}", obligation=ob)


class ObligationFailed(Exception):
    def __init__(self, verdict):
        super().__init__(verdict.obligation_id)
        self.verdict = verdict


class ObligationItem(pytest.Item):
    def __init__(self, *, obligation, **kwargs):
        super().__init__(**kwargs)
        self.obligation = obligation

    def runtest(self):
        opt = self.config.getoption
        settings = Settings(
            seed=opt("symderiv_seed"), samples=opt("symderiv_samples"), time_limit=opt("symderiv_time_limit")
        )
        verdict = check(self.obligation, settings, VerdictCache() if opt("symderiv_cache") else None)
        self.user_properties.append(("verdict", str(verdict.status)))
        if not verdict.as_expected:
            raise ObligationFailed(verdict)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ObligationFailed):
            v = excinfo.value.verdict
            lines = [
                f"{v.obligation_id} {v.name}: verdict {v.status}, expected {v.expected}",
                f"claim: {self.obligation.latex}",
            ]
            for e in v.evidence:
                lines.append(f"  size {e.size or '-'}: {e.status} {e.strategy}".rstrip())
            lines += report.details(v)
            return "\n".join(lines)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, f"{self.obligation.id} {self.obligation.name}"
