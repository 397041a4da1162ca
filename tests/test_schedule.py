"""The order workers take (obligation, size) pairs in: never measured first, then slowest first."""

import sympy as sp

from symderiv import Derivation, Equal, Positive, Settings, check_all, sizes
from symderiv.cache import VerdictCache
from symderiv.checker import sizes_for
from symderiv.obligation import Size
from symderiv.rl import SymbolicMDP
from symderiv.schedule import slowest_first, static_estimate

x, y = sp.symbols("x y", positive=True)
d = Derivation("schedule tests")


@d.claim("T1", r"\ln(xy) = \ln x + \ln y")
def log_of_product():
    return Equal(sp.log(x * y), sp.log(x) + sp.log(y), [Positive(x, y)])


@d.claim("T2", r"V_Q = V_Q", sizes=sizes([1, 2], [2]), model=SymbolicMDP)
def soft_value(m):
    return Equal(m.soft_value(m.Q), m.soft_value(m.Q), m.domain())


def _pairs():
    return [(ob, size) for ob in d for size in sizes_for(ob, Settings())]


def test_without_measurements_larger_models_go_first():
    pairs = _pairs()  # T1, T2 at 1x2, T2 at 2x2
    assert [static_estimate(s) for _, s in pairs] == [1, 2, 4]
    assert slowest_first(pairs) == [2, 1, 0]
    assert slowest_first(pairs, VerdictCache("/nonexistent/cache")) == [2, 1, 0]


def test_measured_pairs_go_by_their_last_time_after_those_never_measured(tmp_path):
    cache, pairs = VerdictCache(tmp_path), _pairs()
    cache.record_seconds("T1", "log_of_product", None, 9.0)
    cache.record_seconds("T2", "soft_value", Size.of(states=2, actions=2), 0.5)
    assert slowest_first(pairs, cache) == [1, 0, 2]  # T2 at 1x2 never measured, then 9 s, then 0.5 s
    assert cache.last_seconds("T2", "soft_value", Size.of(states=1, actions=2)) is None


def test_a_run_records_what_each_pair_took(tmp_path):
    cache = VerdictCache(tmp_path)
    check_all(d, Settings(samples=200, time_limit=5), cache=cache)
    for ob, size in _pairs():
        assert cache.last_seconds(ob.id, ob.name, size) > 0
