"""The checker end to end on small derivations: verdicts, counterexamples, errors."""

import zlib

import numpy as np
import pytest
import sympy as sp

from symderiv import (
    Derivation,
    Equal,
    Inequality,
    NonNegative,
    Positive,
    Real,
    Settings,
    Size,
    SmoothFunctions,
    Status,
    check,
    check_all,
    numeric,
    sizes,
)
from symderiv.checker import OwnSizes, axis_at_one, instance_seed, keeps_own_sizes, one_extent, sizes_for
from symderiv.outcome import Outcome
from symderiv.rl import SymbolicMDP
from symderiv.symbolic import DEFAULT_STRATEGIES, Strategy
from symderiv.verdict import worst

x, y = sp.symbols("x y", positive=True)
u = sp.Symbol("u", real=True)
FAST = Settings(samples=500, time_limit=5)

d = Derivation("engine tests")


@d.claim("T1", r"\ln(xy) = \ln x + \ln y")
def log_of_product():
    return Equal(sp.log(x * y), sp.log(x) + sp.log(y), [Positive(x, y)])


@d.claim("T2", r"(x + y)^2 = x^2 + y^2", expect="refuted")
def square_of_sum_wrong():
    return Equal((x + y) ** 2, x**2 + y**2, [Positive(x, y)])


@d.claim("T3", r"broken")
def raises_while_building():
    raise KeyError("no such symbol")


@d.claim("T4", r"V_Q = \sum_a \pi_Q Q - \alpha KL", sizes=sizes([1], [2, 3]), model=SymbolicMDP)
def soft_value(m):
    pq = m.boltzmann(m.Q)
    return Equal(m.soft_value(m.Q), m.average(m.Q, pq) - m.alpha * m.kl(pq), m.domain())


def by_id(verdicts):
    return {v.obligation_id: v for v in verdicts}


@pytest.mark.parametrize(
    "given",
    [{"samples": 0}, {"samples": -5}, {"samples": 2.5}, {"seed": -1}, {"time_limit": 0}, {"rtol": float("nan")}],
    ids=str,
)
def test_settings_no_check_can_run_with_are_refused_naming_the_value(given):
    ((name, value),) = given.items()
    with pytest.raises(ValueError, match=f"Settings.{name} must be .*, got {value!r}"):
        Settings(**given)


def test_verdicts_of_a_small_derivation():
    v = by_id(check_all(d, FAST))
    assert v["T1"].status is Status.PROVED and v["T1"].strategy
    assert v["T2"].status is Status.REFUTED and v["T2"].as_expected
    assert v["T3"].status is Status.ERROR and "KeyError" in v["T3"].message
    assert v["T4"].status is Status.PROVED and len(v["T4"].evidence) == 2


def test_a_counterexample_fails_when_evaluated_independently():
    verdict = check(d.obligations[1], FAST)
    ce = verdict.counterexample
    values = {sp.Symbol(k, positive=True): sp.Float(val, 30) for k, val in ce.values.items()}
    lhs, rhs = ((x + y) ** 2).subs(values).evalf(30), (x**2 + y**2).subs(values).evalf(30)
    assert abs(lhs - rhs) > 1e-6 * abs(lhs)
    assert abs(float(lhs) - ce.lhs) < 1e-9 * abs(ce.lhs)


def test_counterexamples_are_shrunk_to_round_values():
    ce = check(d.obligations[1], FAST).counterexample
    assert all(len(repr(v)) <= 4 for v in ce.values.values()), ce.values


def test_same_seed_same_verdicts_and_counterexample():
    a, b = check(d.obligations[1], FAST), check(d.obligations[1], FAST)
    assert a.counterexample == b.counterexample


def _spin(expr):
    while True:
        pass


def test_a_hanging_simplification_ends_as_numeric():
    slow = Settings(samples=200, time_limit=0.2, strategies=(Strategy("forever", _spin),))
    verdict = check(d.obligations[0], slow)
    assert verdict.status is Status.NUMERIC
    assert any(a.outcome is Outcome.TIMED_OUT for a in verdict.evidence[0].attempts)
    assert verdict.evidence[0].machine_dependent


def test_symbols_without_a_domain_are_an_error_that_names_them():
    e = Derivation("missing")

    @e.claim("M1", "u = u + 0")
    def uncovered():
        return Equal(u + x, x + u, [Positive(x)])

    verdict = check(e.obligations[0], FAST)
    assert verdict.status is Status.ERROR
    assert "u" in verdict.message and "declare" in verdict.message


def test_unknown_functions_without_a_domain_are_an_error_that_names_them():
    t = sp.Symbol("theta", real=True)
    k, f = sp.Function("k"), sp.Function("f", real=True)
    e = Derivation("missing functions")
    # k is declared nowhere; f is declared as a function of one parameter, not of two.
    e.claim("F1", "|k|^2 = k^2")(lambda: Equal(sp.Abs(k(u)) ** 2, k(u) ** 2, [Real(u)]))
    e.claim("F2", "k' = k'")(lambda: Equal(sp.diff(k(u), u), sp.diff(k(u), u) + u - u, [Real(u)]))
    e.claim("F3", "f(θ, u) = f(θ)")(lambda: Equal(f(t, u), f(t), [Real(u), SmoothFunctions([f(t)], t)]))
    # An f declared positive is another function than the real f the domain declares.
    positive_f = sp.Function("f", positive=True)(t)
    e.claim("F4", "|f| = f")(lambda: Equal(sp.Abs(positive_f), positive_f + f(t) - f(t), [SmoothFunctions([f(t)], t)]))
    for ob, named in zip(e.obligations, ["k(u)", "k(u)", "f(theta, u)", "f(theta)"]):
        verdict = check(ob, FAST)
        assert verdict.status is Status.ERROR, (ob.id, verdict.status)
        assert f"no domain covers function(s) {named}" in verdict.message and "SmoothFunctions" in verdict.message


def test_nan_in_the_domain_is_a_failure_not_a_pass():
    e = Derivation("nan")

    @e.claim("NaN1", r"\ln(u) = \ln(u)", expect="refuted")
    def log_of_real():
        return Equal(sp.log(u) - sp.log(u) + sp.sqrt(u), sp.sqrt(u), [Real(u)])

    verdict = check(e.obligations[0], FAST)
    assert verdict.status is Status.REFUTED
    assert not np.isfinite(verdict.counterexample.lhs)


def test_large_terms_are_compared_relative_to_their_size():
    e = Derivation("scale")
    big = sp.Symbol("big", positive=True)

    @e.claim("S1", "big cancellation")
    def cancellation():
        return Equal(
            sp.exp(big) * (1 + x) - sp.exp(big) * x, sp.exp(big), [Positive(x), Positive(big, low=20, high=30)]
        )

    assert check(e.obligations[0], FAST).status is Status.PROVED


def test_a_prose_certificate_is_argued_and_can_be_expected_so():
    """Its parts are proved and the numbers agree, but nobody checked that they imply the claim."""
    e = Derivation("prose")

    @e.claim("A1", r"\ln x \le x", expect="argued")
    def log_below_identity():
        return Inequality(sp.log(x), x, [Positive(x, y)], [NonNegative(x, [Positive(x, y)])], because="ln x < x")

    verdict = check(e.obligations[0], FAST)
    assert verdict.status is Status.ARGUED and verdict.as_expected
    assert verdict.strategy.startswith("argued(")


def test_argued_lies_between_proved_and_numeric():
    assert worst([Status.PROVED, Status.ARGUED]) is Status.ARGUED
    assert worst([Status.ARGUED, Status.NUMERIC]) is Status.NUMERIC
    assert list(Status)[:3] == [Status.PROVED, Status.ARGUED, Status.NUMERIC]


def test_the_convexity_rule_uses_the_strategies_the_settings_name():
    x = sp.Symbol("x", real=True)
    one = sp.sin(1) ** 2 + sp.cos(1) ** 2  # 1, which only a trigonometric rewrite sees
    d = Derivation("convexity")
    d.claim("C1", r"(x - 1)^2 \ge 0")(lambda: NonNegative((x - 1) ** 2, [Real(x)], convex_in=(x, one)))

    def recording(e):
        return sp.simplify(e)

    verdict = check(d.obligations[0], Settings(samples=100, strategies=(Strategy("recording", recording),)))
    assert verdict.status is Status.PROVED and "recording" in verdict.strategy


def _sized(axes_sizes: dict) -> Derivation:
    """A claim per entry: id -> its sizes (None: size-free), built from the size itself."""
    e = Derivation("sizes")
    for ob_id, declared in axes_sizes.items():
        if declared is None:
            e.claim(ob_id, "x = x")(lambda: Equal(x, x, [Positive(x)]))
        else:
            e.claim(ob_id, "x = x", sizes=declared, model=lambda size: size)(lambda _: Equal(x, x, [Positive(x)]))
    return e


def test_given_sizes_replace_those_of_claims_except_size_free_ones_and_those_at_one_on_an_axis():
    e = _sized(
        {
            "N1": [Size.of(n=1)],  # declared at n = 1 only: the claim may hold only there
            "N2": [Size.of(n=1), Size.of(n=3)],
            "R1": sizes([1], [2, 3]),  # at one state only
            "R2": sizes([1, 2], [1]),  # at one action only
            "R3": sizes([1, 2], [2]),
            "F": None,
        }
    )
    ob = {o.id: o for o in e.obligations}
    assert all(keeps_own_sizes(o, Settings()) is None for o in e.obligations)  # no sizes given
    given = Settings(sizes=(Size.parse("2"),))
    assert keeps_own_sizes(ob["F"], given) is OwnSizes.SIZE_FREE
    assert keeps_own_sizes(ob["N1"], given) is OwnSizes.AT_ONE and axis_at_one(ob["N1"]) == "n"
    assert keeps_own_sizes(ob["N2"], given) is None and sizes_for(ob["N2"], given) == [Size.of(n=2)]
    assert sizes_for(ob["N1"], given) == [Size.of(n=1)] and sizes_for(ob["F"], given) == [None]
    assert [axis_at_one(ob[k]) for k in ("R1", "R2", "R3")] == ["states", "actions", None]
    assert [one_extent(a) for a in ("n", "states", "actions", "axes", "class")] == [
        "n = 1",
        "one state",
        "one action",
        "one axe",  # a simple rule: a name ending in s is a plural noun
        "class = 1",
    ]
    with pytest.raises(ValueError, match=r"R3: the size 2 \(unnamed\) is not one on states, actions"):
        sizes_for(ob["R3"], given)
    assert [str(s) for s in sizes_for(ob["R3"], Settings(sizes=(Size.parse("3x3"),)))] == ["3x3"]


def test_an_instance_seed_ends_with_the_extents_of_its_size_in_order():
    """The seeds of a run at a size (and so its verdicts) are those of the size's numbers alone."""
    crc = zlib.crc32(b"N11")
    assert instance_seed(7, "N11", Size.of(states=2, actions=3)) == [7, crc, 2, 3]
    assert instance_seed(7, "N11", Size.of(n=4)) == [7, crc, 4]
    assert instance_seed(7, "N11", None) == [7, crc]


def _strict_judgements(monkeypatch) -> list:
    """Record each strict judgement in ball arithmetic (of the typical instances) the checker makes."""
    made: list = []
    judge = numeric.judge

    def recording(cmp, point, tolerance=numeric.FLOAT_FAILURE):
        if tolerance is numeric.STRICT:
            made.append(point)
        return judge(cmp, point, tolerance)

    monkeypatch.setattr(numeric, "judge", recording)
    return made


def test_a_proved_claim_is_not_judged_strictly_since_a_proof_leaves_no_difference(monkeypatch):
    made = _strict_judgements(monkeypatch)
    assert check(d.obligations[0], FAST).status is Status.PROVED
    assert made == []


def test_a_claim_without_a_proof_is_judged_strictly_and_a_hidden_difference_refuted(monkeypatch):
    made = _strict_judgements(monkeypatch)
    e = Derivation("strict")
    e.claim("H", "hidden")(lambda: Equal(u + 10**30, u + 10**30 + 10**10, [Real(u)]))
    e.claim("N", "no proof")(lambda: Equal(sp.log(x * y), sp.log(x) + sp.log(y), [Positive(x, y)]))
    hidden, unproved = check_all(e.obligations, Settings(samples=500, strategies=()))
    assert hidden.status is Status.REFUTED and hidden.counterexample is not None
    assert unproved.status is Status.NUMERIC
    assert len(made) == 1 + numeric.HIGH_PRECISION_SUBSAMPLE  # the first refutes H; N's all agree


def test_an_argued_claim_is_judged_strictly(monkeypatch):
    made = _strict_judgements(monkeypatch)
    e = Derivation("prose")
    e.claim("A", r"\ln x \le x")(
        lambda: Inequality(sp.log(x), x, [Positive(x, y)], [NonNegative(x, [Positive(x, y)])], because="ln x < x")
    )
    assert check(e.obligations[0], FAST).status is Status.ARGUED
    assert len(made) == 2 * numeric.HIGH_PRECISION_SUBSAMPLE  # the claim and its part


def test_a_claim_the_first_strategy_does_not_prove_is_judged_strictly_before_the_others_run():
    """A hidden difference is refuted without waiting for the slower rewrites (SymPy's simplify
    took 36 s on one); a true claim left unproved by the first still gets every strategy."""
    first, never_zero = DEFAULT_STRATEGIES[0], Strategy("never zero", lambda e: e + 1)
    settings = Settings(samples=500, strategies=(first, never_zero))
    e = Derivation("order")
    e.claim("H", "hidden")(lambda: Equal(u + 10**30, u + 10**30 + 10**10, [Real(u)]))
    e.claim("N", "no proof")(lambda: Equal(sp.sin(u) ** 2 + sp.cos(u) ** 2, 1, [Real(u)]))
    hidden, unproved = check_all(e.obligations, settings)
    assert hidden.status is Status.REFUTED
    assert not any(a.strategy == "never zero" for a in hidden.evidence[0].attempts)
    assert unproved.status is Status.NUMERIC
    assert any(a.strategy == "never zero" for a in unproved.evidence[0].attempts)


def test_a_sign_fact_the_first_strategy_does_not_show_is_not_shown_again_with_every_strategy(monkeypatch):
    """A NonNegative claim without the convexity rule is shown from the assumptions alone, the same
    whatever the strategies: one attempt, not a second with the whole list."""
    from symderiv import symbolic

    shown = []
    is_nonnegative = symbolic.is_nonnegative
    monkeypatch.setattr(symbolic, "is_nonnegative", lambda *a, **kw: shown.append(a) or is_nonnegative(*a, **kw))
    e = Derivation("sign")
    e.claim("S", r"x^2 - 2x + 1 \ge 0")(lambda: NonNegative(u**2 - 2 * u + 1, [Real(u)]))
    verdict = check(e.obligations[0], Settings(samples=500))
    assert verdict.status is Status.NUMERIC and len(shown) == 1


def test_a_hidden_difference_is_refuted_even_where_floats_fail_beyond_the_budget():
    """The numbers end without agreeing, so no proof follows: the strict judgement is made at once."""
    big = sp.Integer(10) ** 40
    lhs = ((u + big) ** 2 - big**2 - 2 * big * u + sp.Rational(1, 10**76)) * x
    e = Derivation("budget")
    e.claim("B", "hidden under float failures")(lambda: Equal(lhs, u**2 * x, [Real(u), Positive(x)]))
    assert check(e.obligations[0], Settings(samples=1200, time_limit=20)).status is Status.REFUTED


def test_an_instance_of_a_proof_for_every_size_is_judged_strictly(monkeypatch):
    """The proof for every size is another engine's; its instance still has the strict judgement
    (here that engine is replaced by one that proves anything)."""
    from symderiv import IndexDomain, IndexEqual, IndexLevel, IndexRange, Table, sums
    from symderiv.symbolic import SymbolicResult

    states = IndexRange(sp.Symbol("S", integer=True, positive=True), "states", "|S|", largest=4)
    actions = IndexRange(sp.Symbol("A", integer=True, positive=True), "actions", "|A|", largest=4)
    s, a, b = sp.symbols("s a b", integer=True)
    table = sp.IndexedBase("x", real=True)
    domain = IndexDomain({s: states, a: actions}, [Table(table, (states, actions))])
    monkeypatch.setattr(sums, "prove_every_size", lambda *args, **kw: SymbolicResult(True, strategy="anything"))
    e = Derivation("every size")

    @e.claim("H", "hidden", sizes=sizes([1], [2]), model=IndexLevel)
    def hidden(_):
        total = sp.Sum(table[s, b], (b, 1, actions.size))
        return IndexEqual(total + 10**30, total + 10**30 + 10**10, domain)

    verdict = check(e.obligations[0], Settings(samples=200, time_limit=20))
    assert next(ev for ev in verdict.evidence if ev.size == "1x2").status is Status.REFUTED


def test_a_hidden_difference_in_a_claim_is_refuted_though_a_later_part_of_its_certificate_raises():
    """As when each part was judged strictly at once: the claim's own judgement comes first."""

    def broken_reference(instance):
        raise ZeroDivisionError("a reference that fails")

    part = Equal(x, x, [Positive(x, y)], reference=broken_reference)
    e = Derivation("parts")
    e.claim("P", "hidden")(
        lambda: Inequality(u + 10**30 + 10**10, u + 10**30, [Real(u), Positive(x, y)], [part], because="a prose step")
    )
    verdict = check(e.obligations[0], FAST)
    assert verdict.status is Status.REFUTED, verdict.message
