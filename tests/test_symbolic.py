import gc
import signal
import time

import pytest
import sympy as sp
from sympy.core.random import _assumptions_rng

from symderiv import Domains, symbolic
from symderiv.limits import TIMER_SIGNAL, TimeLimitExceeded, cpu_time_limit
from symderiv.outcome import Outcome
from symderiv.rl import SymbolicMDP
from symderiv.symbolic import (
    DEFAULT_STRATEGIES,
    Strategy,
    UnsettledDenominator,
    _denominators,
    _in_worker,
    _nonzero_somewhere,
    _unsettled_denominator,
    in_this_process,
    is_nonnegative,
    prove_zero,
)

x, y = sp.symbols("x y", positive=True)
u, v = sp.symbols("u v", real=True)


def test_true_identity_is_proved_and_names_its_strategy():
    result = prove_zero([sp.log(x * y) - sp.log(x) - sp.log(y)])
    assert result.zero and result.strategy == "generalise+cancel"
    f = sp.Function("f")
    result = prove_zero([f(x * (y + 1)) - f(x * y + x)])  # generalising keeps f's argument as it is
    assert result.zero and result.strategy == "expand"
    result = prove_zero([(x**2 - y**2) / (x - y) - (x + y)])
    assert result.zero and "cancel" in result.strategy


def test_log_of_product_with_unknown_signs_is_not_proved():
    result = prove_zero([sp.log(u * v) - sp.log(u) - sp.log(v)])
    assert not result.zero
    assert result.residual


def test_constraint_is_used_only_through_the_eliminations():
    p, q = sp.symbols("p q", positive=True)
    diff = p + q - 1
    assert not prove_zero([diff]).zero
    assert prove_zero([diff], eliminations={q: 1 - p}).zero


def _spin(expr):
    while True:
        pass


def test_a_runaway_rewrite_is_stopped_by_the_time_limit():
    t0 = time.perf_counter()
    result = prove_zero([u - v], strategies=(Strategy("forever", _spin),), time_limit=0.3)
    assert not result.zero
    (stopped,) = [a for a in result.attempts if a.strategy == "forever"]
    assert stopped.outcome is Outcome.TIMED_OUT and stopped.cpu_seconds > 0.25  # the timer ticks in jiffies
    assert result.timed_out and result.machine_dependent
    assert time.perf_counter() - t0 < 5


def _spin_ignoring_alarm(expr):
    signal.pthread_sigmask(signal.SIG_BLOCK, [TIMER_SIGNAL])
    while True:
        pass


def test_a_rewrite_that_blocks_the_timer_is_killed(monkeypatch):
    # The worker spins until it is killed: a grace of one second, not five, is enough to fork it.
    monkeypatch.setattr(symbolic, "WALL_CLOCK_GRACE", 1.0)
    t0 = time.perf_counter()
    result = prove_zero([u - v], strategies=(Strategy("deaf", _spin_ignoring_alarm),), time_limit=0.2)
    assert not result.zero
    assert [a.outcome for a in result.attempts] == [Outcome.KILLED]
    assert result.timed_out and result.machine_dependent
    assert time.perf_counter() - t0 < 15


def test_a_rewrite_that_raises_is_recorded_and_the_next_one_runs():
    def boom(e):
        raise RuntimeError("no")

    result = prove_zero(
        [sp.expand((u + v) ** 2) - (u + v) ** 2], strategies=(Strategy("boom", boom), DEFAULT_STRATEGIES[0])
    )
    assert result.zero
    boom_attempt = next(a for a in result.attempts if a.strategy == "boom")
    assert (boom_attempt.outcome, boom_attempt.detail) == (Outcome.ERROR, "RuntimeError")
    assert not result.machine_dependent


def test_sign_facts_follow_from_assumptions_only():
    assert is_nonnegative([x * sp.exp(u) / (x + y)]).zero
    assert not is_nonnegative([u * x]).zero


def test_the_strategy_that_proved_one_element_is_tried_first_on_the_next():
    f = sp.Function("f")
    by_expand = f(x * (y + 1)) - f(x * y + x)
    result = prove_zero([by_expand, by_expand.subs(x, 2 * x)])
    assert result.zero
    rewrites = [a for a in result.attempts if a.outcome is not Outcome.DEFINED]  # not the denominator checks
    first_element_ends = next(i for i, a in enumerate(rewrites) if a.outcome is Outcome.PROVED)
    assert first_element_ends > 0, "the first strategy should not be the one that proves it"
    winner = rewrites[first_element_ends].strategy
    assert (rewrites[first_element_ends + 1].strategy, rewrites[first_element_ends + 1].outcome) == (
        winner,
        Outcome.PROVED,
    )
    assert len(rewrites) == first_element_ends + 2


def test_generalise_and_cancel_proves_a_gradient_through_a_matrix_inverse():
    # (M⁻¹)′ = −M⁻¹ M′ M⁻¹ for a matrix of exps and unknown functions: a rational identity in
    # f, exp(f), g and their derivatives taken as independent symbols.
    t = sp.Symbol("t", real=True)
    f, g = sp.Function("f", real=True)(t), sp.Function("g", real=True)(t)
    M = sp.Matrix([[1 + sp.exp(f), g], [f * g, 2 + sp.exp(-f)]])
    inverse = M.inv()
    strategy = next(s for s in DEFAULT_STRATEGIES if s.name == "generalise+cancel")
    result = prove_zero(list(sp.diff(inverse, t) + inverse * sp.diff(M, t) * inverse), strategies=(strategy,))
    assert result.zero and result.strategy == "generalise+cancel"


def test_generalise_and_cancel_keeps_only_relations_that_hold_everywhere():
    strategy = next(s for s in DEFAULT_STRATEGIES if s.name == "generalise+cancel")
    # exp(2u − v) = exp(u)²/exp(v) everywhere, and log(xy) splits for positive x, y ...
    identities = [sp.exp(2 * u - v) * sp.exp(v) - sp.exp(u) ** 2, sp.log(x * y) - sp.log(x) - sp.log(y)]
    assert prove_zero(identities, strategies=(strategy,)).zero
    # ... but relations between the generalised sub-expressions are lost (sin² + cos² = 1),
    # and log(uv) is never split for real u, v.
    assert not prove_zero([sp.sin(u) ** 2 + sp.cos(u) ** 2 - 1], strategies=(strategy,)).zero
    assert not prove_zero([sp.log(u * v) - sp.log(u) - sp.log(v)], strategies=(strategy,)).zero


def test_generalise_and_cancel_uses_the_constraints_where_a_symbol_occurs_rationally():
    p, q = sp.symbols("p q", positive=True)
    generalise = next(st for st in DEFAULT_STRATEGIES if st.name == "generalise+cancel")
    claim = (p + q - 1) * sp.log(q) + p * sp.exp(u) + q * sp.exp(u) - sp.exp(u)
    assert not prove_zero([claim], strategies=(generalise,)).zero
    result = prove_zero([claim], eliminations={q: 1 - p}, strategies=(generalise,))
    assert result.zero and result.strategy == "generalise+cancel+constraints"


def test_large_denominators_are_shown_nonzero_at_a_point_instead_of_expanded():
    # The soft value of a 3x3 policy: expanding the denominators of its solved system, with the
    # simplex constraints substituted, takes minutes; one rational point shows each is not zero,
    # so the check never reaches the expansion.
    m = SymbolicMDP((3, 3))
    V = m.soft_value_of_policy(m.pi)
    eliminations = Domains(m.domain()).eliminations()
    denominators = _denominators(sum(V))
    assert denominators and all(_nonzero_somewhere([d.xreplace(eliminations) for d in denominators]))
    assert _unsettled_denominator(sum(V), eliminations) == 0
    # A denominator that the constraint makes zero everywhere is still found.
    p, q = sp.symbols("p q", positive=True)
    assert _unsettled_denominator((p + q - 1) * u / (2 * p + 2 * q - 2), {q: 1 - p}) != 0
    assert not prove_zero([(p + q - 1) * u / (2 * p + 2 * q - 2) - u / 2], eliminations={q: 1 - p}).zero


def test_denominators_with_exps_and_logs_are_certified_nonzero_by_a_ball_at_a_point():
    # Like the improved policy of SPI1: an exp of a solved value, whose exact value at a rational
    # point SymPy would expand into huge powers; a ball enclosure excludes zero.
    g = sp.Symbol("g", positive=True)
    weight = sp.exp((x - y) / (1 - g * x) + sp.log(y) / 3)
    assert _nonzero_somewhere([y * weight + 1 - y]) == [True]
    assert _unsettled_denominator(u / (y * weight + 1 - y), {}) == 0
    # A zero function's enclosure contains zero: never certified, and expansion still finds it.
    vanishing = sp.log(x * y) - sp.log(x) - sp.log(y)
    assert _nonzero_somewhere([vanishing]) == [False]
    assert _unsettled_denominator(u / vanishing, {}) == UnsettledDenominator(vanishing, everywhere=True)
    assert not prove_zero([vanishing * u / (2 * vanishing) - u / 2]).zero  # 0/0 everywhere


def test_a_denominator_not_shown_non_zero_almost_everywhere_is_never_cancelled():
    # sin²u + cos²u − 1 is the zero function though its expansion is not 0, and no ball excludes
    # zero; max(|u − 3| − 10⁻⁶, 0) is non-zero at a point but zero on a window, being no analytic
    # function.  Cancelling either would prove a claim that is 0/0 on a set of positive measure.
    zero = sp.sin(u) ** 2 + sp.cos(u) ** 2 - 1
    window = sp.Max(sp.Abs(u - 3) - sp.Rational(1, 10**6), 0)
    for lhs, rhs in [
        (v * zero / (2 * zero), v / 2),
        ((v * window + window**2) / (window + window**2), (v + window) / (1 + window)),
    ]:
        result = prove_zero([lhs - rhs])
        assert not result.zero
        assert Outcome.UNSETTLED in [a.outcome for a in result.attempts]
    unsettled = _unsettled_denominator(v / zero, {})
    assert isinstance(unsettled, UnsettledDenominator) and not unsettled.everywhere
    # csc(w) and cot(w) divide by sin(w), though no negative power shows it.
    assert _denominators(v * sp.csc(u) + sp.tan(v)) == [sp.sin(u), sp.cos(v)]
    assert not prove_zero([v * sp.sin(window) * sp.csc(window) - v]).zero


def test_a_denominator_proved_non_zero_once_is_not_evaluated_again(monkeypatch):
    # The elements of a claim, and the claims at one size, share their normalisers: each is put in
    # balls once per process.  A zero denominator is never kept, so it is found every time.
    import symderiv.symbolic as symbolic

    monkeypatch.setattr(symbolic, "_NONZERO_DENOMINATORS", set())
    evaluated = []
    real = symbolic._nonzero_somewhere
    monkeypatch.setattr(symbolic, "_nonzero_somewhere", lambda exprs: evaluated.extend(exprs) or real(exprs))
    normaliser = x * sp.exp(y) + 1 - x
    vanishing = sp.log(x * y) - sp.log(x) - sp.log(y)
    assert _unsettled_denominator(u / normaliser + y / (vanishing + normaliser), {}) == 0
    assert evaluated == [normaliser, vanishing + normaliser]
    assert _unsettled_denominator(y / normaliser, {}) == 0
    assert _unsettled_denominator(u / vanishing + y / normaliser, {}) == UnsettledDenominator(
        vanishing, everywhere=True
    )
    assert _unsettled_denominator(u / vanishing, {}) == UnsettledDenominator(vanishing, everywhere=True)
    assert evaluated == [normaliser, vanishing + normaliser, vanishing, vanishing]


def test_the_values_and_derivatives_of_unknown_functions_are_free_at_the_point():
    # q(θ)² + q'(θ)² + 1 is never zero, whatever q is: certified at a point, not expanded.
    t = sp.Symbol("t", real=True)
    q = sp.Function("q")(t)
    assert _nonzero_somewhere([q**2 + sp.diff(q, t) ** 2 + 1, q - q * sp.exp(0)]) == [True, False]


def test_a_rewrite_that_outgrows_the_memory_limit_fails_and_the_next_one_runs(monkeypatch):
    from symderiv import symbolic

    monkeypatch.setattr(symbolic, "MEMORY_LIMIT", 300 << 20)
    hog = Strategy("hog", lambda e: bytearray(2 << 30) and e)
    result = prove_zero([(x + 1) ** 2 - x**2 - 2 * x - 1], strategies=(hog, Strategy("expand", sp.expand)))
    assert result.zero and result.strategy == "expand"
    assert any(a.strategy == "hog" and a.outcome is Outcome.OUT_OF_MEMORY for a in result.attempts), result.attempts


def test_a_rewrite_is_not_tried_on_a_tree_larger_than_its_work_budget():
    from symderiv.symbolic import tree_size

    shared = (x + y) ** 2
    expr = sp.log(shared) + sp.exp(shared) + shared  # the graph shares (x + y)²; the tree repeats it
    assert tree_size(expr, 10**6) == 1 + 3 * 5 + 2
    assert tree_size(expr, 3) == 4  # counting stops just past the limit
    small = Strategy("expand", sp.expand, max_nodes=5)
    result = prove_zero([expr - sp.expand(expr)], strategies=(small,), time_limit=5)
    assert not result.zero and not result.timed_out
    assert any(a.outcome is Outcome.BUDGET_EXCEEDED for a in result.attempts), result.attempts
    assert not result.machine_dependent


def _findings(result):
    """What a zero test found, without its timings."""
    return (
        result.zero,
        result.strategy,
        result.residual,
        result.error,
        [(a.strategy, a.outcome, a.elements, a.zeros, a.detail, a.part) for a in result.attempts],
    )


FIRST = DEFAULT_STRATEGIES[:1]


@pytest.mark.parametrize(
    "diffs, eliminations",
    [
        ([sp.log(x * y) - sp.log(x) - sp.log(y), sp.exp(u) ** 2 - sp.exp(2 * u)], {}),
        ([sp.log(u * v) - sp.log(u) - sp.log(v)], {}),  # not proved: logs of reals do not split
    ],
)
def test_a_zero_test_run_in_this_process_finds_what_a_worker_finds(diffs, eliminations):
    here = in_this_process(diffs, eliminations, FIRST, 10.0)
    assert here is not None
    assert _findings(here) == _findings(_in_worker(diffs, eliminations, FIRST, 10.0))


def test_a_test_with_an_attempt_that_ends_in_an_error_is_run_by_a_worker():
    # 1/(x + y − 1) with y = 1 − x: the engine cannot invert the zero polynomial.  An error may depend
    # on the process (a RecursionError on its stack), so the worker's is the one reported.
    diffs, eliminations = [x + y - 1, 1 / (x + y - 1)], {y: 1 - x}
    assert in_this_process(diffs, eliminations, FIRST, 10.0) is None
    worker = _in_worker(diffs, eliminations, FIRST, 10.0)
    assert Outcome.ERROR in [a.outcome for a in worker.attempts]
    assert _findings(prove_zero(diffs, eliminations=eliminations, strategies=FIRST)) == _findings(worker)


def test_only_strategies_that_may_run_here_do_and_sympys_shuffles_are_left_alone():
    assert all(st.in_process for st in FIRST) and not any(st.in_process for st in DEFAULT_STRATEGIES[1:])
    assert in_this_process([u - v], {}, DEFAULT_STRATEGIES, 10.0) is None
    # Symbols no earlier test has asked about: splitting the log asks whether a + b is positive, and
    # SymPy shuffles the facts it tries for that with its own generator.
    a, b = sp.symbols("a_fresh b_fresh", positive=True)
    diff = sp.log((a + b) * a, evaluate=False) - sp.log(a + b, evaluate=False) - sp.log(a)
    state = _assumptions_rng.getstate()
    assert in_this_process([diff], {}, FIRST, 10.0) is not None
    assert _assumptions_rng.getstate() == state
    assert (a * b + 1).is_positive  # such a query moves the generator
    assert _assumptions_rng.getstate() != state


def test_a_polynomial_operation_above_the_bound_hands_the_test_to_a_worker(monkeypatch):
    s = sp.symbols("s0:6", positive=True)
    diff = sp.Add(*s) ** 5 - sp.expand(sp.Add(*s) ** 5)  # (s0 + ... + s5)^5 has 252 terms
    assert in_this_process([diff], {}, FIRST, 10.0) is not None
    monkeypatch.setattr(symbolic, "IN_PROCESS_TERMS", 100)
    assert in_this_process([diff], {}, FIRST, 10.0) is None
    result = prove_zero([diff], strategies=FIRST)
    assert result.zero and result.strategy == "generalise+cancel"


def _spin_here(expr):
    while True:
        pass


def test_a_test_that_outgrows_the_budget_is_run_by_a_worker_from_the_start(monkeypatch):
    monkeypatch.setattr(symbolic, "IN_PROCESS_SECONDS", 0.1)
    spin = (Strategy("forever", _spin_here, in_process=True),)
    assert in_this_process([u - v], {}, spin, 0.6) is None
    result = prove_zero([u - v], strategies=spin, time_limit=0.6)
    (stopped,) = [a for a in result.attempts if a.strategy == "forever"]
    # Stopped by its own limit, in a worker: the budget here would have ended it at 0.1 s.
    assert stopped.outcome is Outcome.TIMED_OUT and stopped.cpu_seconds > 0.5


def test_a_limit_around_a_test_run_here_ends_it():
    spin = (Strategy("forever", _spin_here, in_process=True),)
    t0 = time.process_time()
    with pytest.raises(TimeLimitExceeded):
        with cpu_time_limit(0.2):
            prove_zero([u - v], strategies=spin, time_limit=30)
    assert time.process_time() - t0 < 0.9  # neither the budget (a second) nor the attempt (thirty) ended it


def _zero_if_frozen(expr):
    return sp.S.Zero if gc.get_freeze_count() > 0 else expr


def test_a_worker_is_forked_with_this_process_s_objects_out_of_the_collector_s_reach():
    """A collection in the worker would write to every object's header and copy each page that holds one."""
    before = gc.get_freeze_count()
    result = _in_worker([u - v], {}, (Strategy("frozen", _zero_if_frozen),), 10.0)
    assert result.zero and result.strategy == "frozen"
    assert gc.get_freeze_count() == before
