"""The numeric engine: compiled comparisons and what they sample."""

import inspect
from fractions import Fraction

import numpy as np
import sympy as sp

from symderiv import numeric
from symderiv.domain import Domains, Positive, Real, Simplex, SmoothFunctions
from symderiv.numeric import Comparison, Outcome, check, exact_point, judge, shrink

x, y = sp.symbols("x y", positive=True)
u = sp.Symbol("u", real=True)


def test_lhs_rhs_and_scale_share_common_subexpressions_when_compiled():
    shared = sp.exp(x / y)
    cmp = Comparison([((0,), shared + 1, 1 + shared), ((1,), 2 * shared, shared * 2)], "==", Domains([Positive(x, y)]))
    source = inspect.getsource(cmp._np)
    assert source.count("exp(") == 1, source
    lhs, rhs, scale = cmp.evaluate({x: np.array([1.0, 2.0]), y: np.array([1.0, 4.0])}, 2)
    assert np.allclose(lhs, [[np.e + 1, np.exp(0.5) + 1], [2 * np.e, 2 * np.exp(0.5)]])
    assert np.array_equal(lhs, rhs) and np.all(scale >= np.abs(lhs))


def test_constant_elements_are_broadcast_to_every_instance():
    cmp = Comparison([((0,), sp.Integer(3), sp.Integer(3)), ((1,), x, x)], "==", Domains([Positive(x)]))
    lhs, _, _ = cmp.evaluate({x: np.array([1.0, 2.0, 5.0])}, 3)
    assert lhs.shape == (2, 3) and np.all(lhs[0] == 3.0)


def test_evaluating_in_chunks_gives_the_values_of_one_evaluation(monkeypatch):
    cmp = Comparison(
        [((0,), sp.Integer(3), sp.Integer(3)), ((1,), sp.exp(x / y) * sp.log(x), x)], "==", Domains([Positive(x, y)])
    )
    values = cmp.domains.sample(np.random.default_rng(0), 20)
    whole = cmp.evaluate(values, 20)
    monkeypatch.setattr(numeric, "EVALUATED_AT_ONCE", 7)  # chunks of 7, 7 and 6 instances
    chunked = cmp.evaluate(values, 20)
    for a, b in zip(whole, chunked):
        assert np.array_equal(a, b, equal_nan=True)
    assert np.all(chunked[0][0] == 3.0)


def test_only_the_symbols_a_comparison_uses_are_sampled_unless_asked():
    domains = Domains([Positive(x, y), Real(u)])
    assert Comparison([((), x, x)], "==", domains).domains.sampled_symbols() == {x, y}
    # For a reference, which reads every symbol, the rest is drawn for the instances it is compared on.
    with_reference = Comparison([((), x, x)], "==", domains, sample_all=True)
    assert with_reference.domains.sampled_symbols() == {x, y} and with_reference.rest.sampled_symbols() == {u}
    seen = []
    result = check(
        with_reference,
        np.random.default_rng(0),
        1000,
        1e-9,
        reference=lambda inst: seen.append(inst) or inst[x],
        reference_samples=5,
    )
    assert result.agreed and len(seen) == 5 and all(set(inst) == {x, y, u} for inst in seen)
    result = check(
        Comparison([((), sp.log(x * y), sp.log(x) + sp.log(y))], "==", domains), np.random.default_rng(0), 1000, 1e-9
    )
    assert result.agreed and result.instances == 1000


def test_a_reference_mismatch_counts_only_if_the_encoding_keeps_it_at_high_precision():
    tiny = sp.Symbol("tiny", positive=True)
    domains = Domains([Positive(tiny, low=1e-20, high=1e-17)])
    cmp = Comparison([((), sp.log(1 + tiny), sp.log(1 + tiny))], "==", domains, sample_all=True)
    # In floats log(1 + tiny) is 0; np.log1p keeps the digits, and so does ball arithmetic.
    right = check(cmp, np.random.default_rng(0), 50, 1e-9, reference=lambda inst: np.log1p(inst[tiny]))
    assert right.agreed and right.mismatch is None
    wrong = check(cmp, np.random.default_rng(0), 50, 1e-9, reference=lambda inst: 2 * np.log1p(inst[tiny]))
    assert not wrong.agreed and "NumPy reference" in wrong.mismatch.note
    assert np.isclose(wrong.mismatch.lhs, np.log1p(wrong.mismatch.values[tiny]), rtol=1e-12)


def test_a_true_claim_whose_value_is_lost_to_cancellation_at_first_precision_is_not_refuted():
    """y(ln(e^x (1 + e^-118 y)) − x) = y ln(1 + e^-118 y) ≈ 1e-51: at 128 bits the left side's ball
    is wider than its value, so the precision is raised until it agrees.  Its first-order
    approximation y² e^-118 differs by a relative 1e-51, and that is certified too."""
    from symderiv.numeric import Outcome, exact_point, judge

    lhs = y * (sp.log(sp.exp(x) * (1 + sp.exp(-118) * y)) - x)
    domains = Domains([Positive(x, y)])
    point = exact_point(domains, {x: 3.0, y: 1.5})
    true = Comparison([((), lhs, y * sp.log(1 + sp.exp(-118) * y))], "==", domains)
    assert judge(true, point).outcome is Outcome.AGREES
    approximation = Comparison([((), lhs, y**2 * sp.exp(-118))], "==", domains)
    assert judge(approximation, point).outcome is Outcome.FAILS


def test_float_failures_are_settled_in_extended_precision_before_ball_arithmetic():
    """z((x + 1)² − 1 − 2x) = z x²: the left side cancels terms of order one to leave x² ≈ 1e-8,
    so in floats it is off by about 1e-16/1e-8 relative to its terms, but not in long double."""
    from symderiv import numeric

    z = sp.Symbol("z", positive=True)
    domains = Domains([Positive(x, low=1e-4, high=2e-4), Positive(z)])
    lhs = z * ((x + 1) ** 2 - 1 - 2 * x)
    true = check(Comparison([((), lhs, z * x**2)], "==", domains), np.random.default_rng(0), 2000, 1e-9)
    assert true.agreed
    if numeric.EXTENDED is not None:
        assert true.rechecked < 20 + numeric.HIGH_PRECISION_SUBSAMPLE and "in extended precision" in true.message
    # Extended precision settles only what agrees: a wrong right side is still refuted in balls.
    wrong = check(
        Comparison([((), lhs, z * x**2 * (1 + sp.Rational(1, 10**6)))], "==", domains),
        np.random.default_rng(0),
        2000,
        1e-9,
    )
    assert not wrong.agreed and wrong.mismatch is not None


def test_a_claim_failing_everywhere_is_refuted_by_its_worst_instances_alone(monkeypatch):
    """More float failures than the balls may judge: the worst few are judged first, and the first
    they certify is the counterexample, before any instance is evaluated again in extended precision."""
    settled = []
    monkeypatch.setattr(numeric, "_settle_in_extended_precision", lambda *args: settled.append(args) or (0, args[2]))
    domains = Domains([Positive(x)])
    wrong = check(Comparison([((), x + 1, x)], "==", domains), np.random.default_rng(0), 2000, 1e-9)
    assert wrong.mismatch is not None and not settled
    assert wrong.rechecked <= numeric.FIRST_JUDGED
    # A true claim with as many float failures goes on to extended precision once those few agree.
    z = sp.Symbol("z", positive=True)
    tiny = Domains([Positive(x, low=1e-4, high=2e-4), Positive(z)])
    lhs = z * ((x + 1) ** 2 - 1 - 2 * x)
    true = check(Comparison([((), lhs, z * x**2)], "==", tiny), np.random.default_rng(0), 2000, 1e-9)
    assert settled and true.mismatch is None


def test_high_precision_values_lie_on_the_simplex_even_with_a_tiny_entry():
    from symderiv.domain import Simplex
    from symderiv.numeric import exact_point, extended_values

    p = sp.symbols("p0:3", positive=True)
    domains = Domains([Simplex(p)])
    # Dirichlet draws with a small concentration give entries of 1e-20; recomputing that one as
    # 1 − (the others) would leave the simplex.
    values = {p[0]: 0.7, p[1]: 0.3, p[2]: 1e-20}
    exact = exact_point(domains, values)
    assert sum(exact[s] for s in p) == 1 and all(exact[s] > 0 for s in p)
    ext = extended_values(domains, {s: np.array([v]) for s, v in values.items()}, np.array([0]))
    assert all(ext[s][0] > 0 for s in p) and ext[p[2]][0] == np.longdouble(1e-20)


def test_a_claim_that_cannot_be_evaluated_in_extended_precision_leaves_its_failures_to_ball_arithmetic(monkeypatch):
    z = sp.Symbol("z", positive=True)
    domains = Domains([Positive(x, low=1e-4, high=2e-4), Positive(z)])
    cmp = Comparison([((), z * ((x + 1) ** 2 - 1 - 2 * x), z * x**2)], "==", domains)
    in_floats = cmp.evaluate

    def floats_only(values, n, dtype=float):
        if dtype is not float:
            raise TypeError("this claim's functions take float64 only")
        return in_floats(values, n)

    monkeypatch.setattr(cmp, "evaluate", floats_only)
    result = check(cmp, np.random.default_rng(0), 300, 1e-9)
    assert result.agreed and result.rechecked > 0 and "in extended precision" not in result.message
    assert "in ball arithmetic" in result.message


def test_a_reference_is_compared_on_typical_instances_where_floats_keep_their_digits():
    # A float reference loses its digits at a domain's extremes (here: it is simply wrong above
    # 10³); the claim itself is judged there, the reference only on typical instances.
    cmp = Comparison([((), x, x)], "==", Domains([Positive(x)]), sample_all=True)
    seen = []

    def reference(inst):
        seen.append(inst[x])
        return inst[x] if inst[x] < 1e3 else 2 * inst[x]

    result = check(cmp, np.random.default_rng(0), 2000, 1e-9, reference=reference, reference_samples=200)
    assert result.agreed and len(seen) == 200 and max(seen) <= 20


def test_shrinking_on_three_actions_ends_when_no_candidate_changes_the_point(monkeypatch):
    """The uniform distribution over three actions is not exact in binary: made to sum to one, it
    gives back the point it was judged at.  Shrinking moves on instead of judging that point again
    until its budget runs out."""
    q = sp.symbols("q0:3", positive=True)
    cmp = Comparison([((), q[0] * q[1] + 1, q[2])], "==", Domains([Simplex(q)]))
    drawn = {q[0]: 0.27182818284590452, q[1]: 0.12345678901234567}  # as long as a sampled value
    point = exact_point(cmp.domains, {**drawn, q[2]: 1 - drawn[q[0]] - drawn[q[1]]})
    failure = judge(cmp, point)
    assert failure.outcome is Outcome.FAILS
    judged = []
    monkeypatch.setattr(numeric, "judge", lambda *args: judged.append(args[1]) or judge(*args))
    small, failure = shrink(cmp, point, failure, budget=300)
    assert failure.outcome is Outcome.FAILS and cmp.domains.contains_exact(small)
    assert len(judged) == len({tuple(sorted(p.items(), key=str)) for p in judged}) < 20


def test_shrinking_judges_candidates_up_to_the_precision_that_certified_the_failure(monkeypatch):
    """A gross failure is certified at the lowest precision, and so is every candidate judged in
    shrinking it: x = 1, where 1/(x − c) is not finite at 128 bits (c is 1 + 2^-200), is
    rejected there, not judged again at 256 bits and above."""
    c = 1 + sp.Rational(1, 2**200)
    cmp = Comparison([((), 1 / (x - c), 1 / (x - c) + 1)], "==", Domains([Positive(x)]))
    point = exact_point(cmp.domains, {x: 12.3456789})
    failure = judge(cmp, point)
    assert failure.outcome is Outcome.FAILS
    precisions = []
    balls = Comparison.balls
    monkeypatch.setattr(
        Comparison, "balls", lambda self, p, bits, c=False: precisions.append(bits) or balls(self, p, bits, c)
    )
    small, shrunk = shrink(cmp, point, failure)
    assert shrunk.outcome is Outcome.FAILS and small[x] != point[x] and cmp.domains.contains_exact(small)
    assert precisions and set(precisions) == {numeric.PRECISIONS[0]}


def test_a_candidate_point_is_made_exact_again_only_where_it_changes_and_as_a_whole_point_would_be():
    """Shrinking's candidates change a few values of a point with hundreds: the domains they touch
    are made exact again, and the result is the exact point of the whole instance."""
    q = sp.symbols("q0:3", positive=True)
    w, t = sp.Symbol("w", real=True), sp.Symbol("t", real=True)
    f = sp.Function("f", real=True)(t)  # drawn as a family's coefficients, symbols of no claim
    domains = Domains([Simplex(q), Positive(x), Real(w), SmoothFunctions([f], t)])
    rng = np.random.default_rng(3)
    tried = 0
    for _ in range(20):
        drawn = {s: float(v[0]) for s, v in domains.sample(rng, 1).items()}
        point = exact_point(domains, drawn)
        floats = {s: float(v) for s, v in point.items()}
        for candidate in domains.simpler(floats):
            made = exact_point(domains, candidate, within=point)
            assert made == exact_point(domains, {**floats, **candidate})
            # Exact values: a drawn float as it is, a Fraction where a constraint made one.
            assert made is None or all(type(v) in (float, Fraction) for v in made.values())
            tried += 1
    assert tried > 100


def test_compiling_a_claim_leaves_sympy_s_cache_as_it_is(monkeypatch):
    """SymPy empties its whole cache whenever its global `evaluate` setting changes: compiling
    must build its unevaluated pieces without that setting, or every claim built next is built cold."""
    import sympy.core.parameters

    emptied = []
    monkeypatch.setattr(sympy.core.parameters, "clear_cache", lambda: emptied.append(True))
    c = sp.Dummy("c", positive=True)  # an argument renamed before compiling, as a concretised function's coefficient
    shared = sp.exp(x / c)
    cmp = Comparison([((), shared * (shared + 1), shared**2 + shared)], "==", Domains([Positive(x, c)]))
    cmp.evaluate({x: np.array([1.0]), c: np.array([2.0])}, 1)
    lhs, rhs, _ = cmp.balls({x: 1, c: 2}, 128)
    assert lhs[0].overlaps(rhs[0]) and not emptied


def test_the_rounding_scale_counts_a_concretised_familys_terms_as_the_sides_own():
    """Families replace unknown functions unevaluated; the terms the scale adds up are those the
    evaluated side would have (a number times the family distributed over its terms)."""
    t = sp.Symbol("theta", real=True)
    q, r = sp.Function("q", real=True)(t), sp.Symbol("r", real=True)
    d = SmoothFunctions([q], t)
    side = d.concretise(2 * q + r)
    evaluated = sp.Add.make_args(d.concrete(q) * 2 + r)
    assert sorted(map(str, (sp.sympify(str(x)) for x in numeric._terms(side)))) == sorted(map(str, evaluated))


def test_a_bound_false_only_for_large_functions_is_refuted_at_the_extremes():
    """|f| stays below 12 with coefficients in [−2, 2]; the extremes scale them by up to 10."""
    t = sp.Symbol("theta", real=True)
    f = sp.Function("f", real=True)(t)
    cmp = Comparison([((), f**2, sp.Integer(400))], "<=", Domains([SmoothFunctions([f], t)]))
    result = check(cmp, np.random.default_rng(0), 10_000, 1e-9)
    assert result.mismatch is not None and result.mismatch.lhs > 400


def test_an_exact_point_keeps_drawn_floats_and_gives_a_users_domain_fractions():
    """A float is an exact binary rational: symderiv's own domains keep it (ball arithmetic takes it
    as it is); a domain of the user's reads Fractions in `make_exact` and `contains_exact`."""
    seen = []

    class Mine(Real):
        def make_exact(self, point):
            seen.extend(type(v) for v in point.values())
            return {}  # changes nothing: the point still holds its Fractions

        def contains_exact(self, point):
            seen.extend(type(point[s]) for s in self.symbols)
            return True

    q = sp.symbols("q0:3", positive=True)
    w = sp.Symbol("w", real=True)
    domains = Domains([Simplex(q), Positive(x), Mine(w)])
    point = exact_point(domains, {q[0]: 0.25, q[1]: 0.5, q[2]: 0.25, x: 0.1, w: -2.5})
    assert seen == [Fraction, Fraction] and point[w] == Fraction(-5, 2) and type(point[w]) is Fraction
    assert type(point[x]) is float and point[x] == 0.1
    assert type(point[q[1]]) is Fraction and sum(Fraction(point[s]) for s in q) == 1


def test_a_constant_without_a_float_evaluates_to_nan_throughout():
    cmp = Comparison([((), x + 10**2000, x + 10**2000), ((), x, x)], "==", Domains([Positive(x)]))
    lhs, rhs, scale = cmp.evaluate({x: np.array([1.0, 2.0, 3.0])}, 3)
    assert np.isnan(lhs).all() and np.isnan(rhs).all() and np.isnan(scale).all()


def test_a_users_domain_reads_fractions_for_everything_it_draws():
    """A subclass of `SmoothFunctions` is a domain of the user's: its functions' coefficients, drawn
    beside its parameter, are Fractions too."""
    seen = {}

    class MySmooth(SmoothFunctions):
        def contains_exact(self, point):
            seen.update({s: type(point[s]) for s in self.drawn()})
            return True

    t = sp.Symbol("t", real=True)
    d = MySmooth([sp.Function("f", real=True)(t)], t)
    drawn = {s: float(v[0]) for s, v in Domains([d]).sample(np.random.default_rng(0), 1).items()}
    assert exact_point(Domains([d]), drawn) is not None
    assert len(seen) == 7 and set(seen.values()) == {Fraction}


def test_a_value_that_is_not_finite_makes_no_exact_point():
    domains = Domains([Positive(x), Real(sp.Symbol("w", real=True))])
    for bad in (float("inf"), float("-inf"), float("nan")):
        assert exact_point(domains, {x: 1.0, sp.Symbol("w", real=True): bad}) is None


def test_float_failures_that_no_precision_decides_are_no_agreement():
    """atan2 of two reals is outside ball arithmetic: a claim that it differs from itself by 1
    fails in floats and in extended precision at every instance, and no ball decides it; that is
    no counterexample, and no agreement either (it was `numeric`).  In a true claim it agrees."""
    w = sp.Symbol("w", real=True)
    domains = Domains([Real(u, w)])
    false = check(
        Comparison([((), sp.atan2(u, w), sp.atan2(u, w) + 1)], "==", domains), np.random.default_rng(0), 200, 1e-9
    )
    assert not false.agreed and false.mismatch is None and "do not agree" in false.message
    true = check(
        Comparison([((), sp.atan2(u, w), sp.atan2(3 * u, 3 * w))], "==", domains), np.random.default_rng(0), 200, 1e-9
    )
    assert true.agreed
    # Rounding where balls cannot look: 1 as (u² + 1)² − u⁴ − 2u² cancels 10²⁴ in floats and in long
    # double alike at the extremes, and is 1 to 60 digits in mpmath: not counted, no disagreement.
    one = (u**2 + 1) ** 2 - u**4 - 2 * u**2
    rounding = check(
        Comparison([((), one * sp.atan2(w, u), sp.atan2(w, u))], "==", domains), np.random.default_rng(0), 10_000, 1e-9
    )
    assert rounding.agreed and "not counted" in rounding.message


def test_a_claim_with_the_imaginary_unit_is_refuted_by_complex_balls_and_never_agreed_by_them():
    """Real balls cannot hold i; complex ones certify a failure (|sin(x + ib)| is about e^b/2, not
    e^b/(4|sin x|) or more), while a true claim's instances are settled elsewhere (found in review:
    both false claims ended in error, their failures undecided)."""
    x, b = sp.Symbol("x", real=True), sp.Symbol("b", positive=True)
    domains = Domains([Real(x), Positive(b, low=10.0, high=30.0)])
    wrong_order = Comparison([((), sp.exp(b) / (4 * sp.Abs(sp.sin(x))), sp.Abs(sp.sin(x + sp.I * b)))], "<=", domains)
    wrong_value = Comparison([((), sp.Abs(sp.sin(x + sp.I * b)), sp.exp(b) / 3)], "==", domains)
    for cmp in (wrong_order, wrong_value):
        result = check(cmp, np.random.default_rng(0), 2000, 1e-9)
        assert not result.agreed and result.mismatch is not None
    point = {x: 0.5, b: 12.0}
    assert judge(wrong_value, point).outcome is Outcome.FAILS
    true = Comparison([((), sp.Abs(sp.sin(x + sp.I * b)) ** 2, sp.sin(x) ** 2 + sp.sinh(b) ** 2)], "==", domains)
    assert judge(true, point).outcome is Outcome.UNDECIDED
    assert check(true, np.random.default_rng(0), 2000, 1e-9).agreed


def test_an_integer_term_beyond_two_to_the_63_keeps_the_scale_finite():
    """NumPy's abs of 10²⁰ written as an integer overflows int64: the whole chunk was NaN, and a
    true claim ended in error (found in review)."""
    p = sp.Symbol("p", positive=True)
    big = sp.Integer(10) ** 20
    cmp = Comparison(
        [((), big * sp.cosh(p) ** 2 - big * sp.sinh(p) ** 2 - big, sp.Integer(0))], "==", Domains([Positive(p)])
    )
    values = cmp.domains.sample(np.random.default_rng(0), 100, typical=True)
    assert np.isfinite(cmp.evaluate(values, 100)[2]).all()
    assert check(cmp, np.random.default_rng(0), 2000, 1e-9).agreed


def test_a_true_claim_with_the_imaginary_unit_and_floor_is_not_an_error():
    """Complex balls have no floor or Mod, and mpmath leaves an imaginary part of rounding in a
    claim holding i: neither is a difference (found in review: such claims ended in error)."""
    x, u = sp.Symbol("x", real=True), sp.Symbol("u", real=True)
    one = (u**2 + 1) ** 2 - u**4 - 2 * u**2  # cancels 10²⁴ in floats at |u| near 10⁶
    cos = (sp.exp(sp.I * x) + sp.exp(-sp.I * x)) / 2
    for rounding in (sp.floor(x), sp.Mod(x, 1)):
        cmp = Comparison([((), one * cos + rounding, sp.cos(x) + rounding)], "==", Domains([Real(x, u)]))
        result = check(cmp, np.random.default_rng(0), 3000, 1e-9)
        assert result.agreed, result.message
    false = Comparison([((), one * cos + sp.floor(x), sp.cos(x) + sp.floor(x) + x / 1000)], "==", Domains([Real(x, u)]))
    assert not check(false, np.random.default_rng(0), 3000, 1e-9).agreed
