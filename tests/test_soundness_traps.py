"""No false proofs: identities that an unsound rewrite would "prove".

Each trap is false somewhere in its stated domain.  Every symbolic strategy is run on it
alone, with the domain's constraints as the checker passes them, and none may reduce it
to zero; the checker as a whole must refute it with a counterexample from the domain.
Beside them, the same identities on domains where they do hold are proved, so the traps
are not passing because the engine proves nothing.
"""

import numpy as np
import pytest
import sympy as sp

from symderiv import Derivation, Equal, NonNegative, Positive, Real, Settings, Simplex, Status, check
from symderiv.domain import Domains, SmoothFunctions
from symderiv.symbolic import DEFAULT_STRATEGIES, prove_zero

u, v = sp.symbols("u v", real=True)
x, y = sp.symbols("x y", positive=True)
p = sp.symbols("p0:3", positive=True)
on_simplex = sum(p)  # equal to 1 on the domain, but not as an expression

U, UV, X, XY = [Real(u)], [Real(u, v)], [Positive(x)], [Positive(x, y)]
SIMPLEX = [Real(u), Simplex(p)]

#: name -> (lhs, rhs, domain), each false somewhere in its domain.
TRAPS = {
    # logs of products and powers split without knowing the signs
    "log(uv) = log u + log v": (sp.log(u * v), sp.log(u) + sp.log(v), UV),
    "log(u/v) = log u - log v": (sp.log(u / v), sp.log(u) - sp.log(v), UV),
    "log(u^2) = 2 log u": (sp.log(u**2), 2 * sp.log(u), U),
    "log(1/u) = -log u": (sp.log(1 / u), -sp.log(u), U),
    # powers combined across a branch cut
    "sqrt(u^2) = u": (sp.sqrt(u**2), u, U),
    "sqrt(uv) = sqrt(u) sqrt(v)": (sp.sqrt(u * v), sp.sqrt(u) * sp.sqrt(v), UV),
    "(u^3)^(1/3) = u": ((u**3) ** sp.Rational(1, 3), u, U),
    "(u^2)^(3/2) = u^3": ((u**2) ** sp.Rational(3, 2), u**3, U),
    "(u^2)^x = u^(2x)": ((u**2) ** x, u ** (2 * x), [Real(u), Positive(x)]),
    "|uv| = uv": (sp.Abs(u * v), u * v, UV),
    # principal branches: exp and log, inverse trigonometric functions
    "log(exp(iu)) = iu": (sp.log(sp.exp(sp.I * u)), sp.I * u, U),
    "asin(sin u) = u": (sp.asin(sp.sin(u)), u, U),
    "acos(cos u) = u": (sp.acos(sp.cos(u)), u, U),
    "atan(tan u) = u": (sp.atan(sp.tan(u)), u, U),
    # a factor that may be zero (or negative), divided out
    "u/|u| = 1": (u / sp.Abs(u), sp.S.One, U),
    "(u + |u|) v / (2u) = v": ((u + sp.Abs(u)) * v / (2 * u), v, UV),
    # a factor that the domain's constraint makes zero everywhere: the claim is 0/0
    "(Σp − 1) u / (2Σp − 2) = u/2 on the simplex": ((on_simplex - 1) * u / (2 * on_simplex - 2), u / 2, SIMPLEX),
    "log(Σp) u / log(Σp^3) = u/3 on the simplex": (sp.log(on_simplex) * u / sp.log(on_simplex**3), u / 3, SIMPLEX),
}

#: The same kinds of identity where they hold: the engine must prove these.
CONTROLS = {
    "log(xy) = log x + log y": (sp.log(x * y), sp.log(x) + sp.log(y), XY),
    "log(x/y) = log x - log y": (sp.log(x / y), sp.log(x) - sp.log(y), XY),
    "log(x^2) = 2 log x": (sp.log(x**2), 2 * sp.log(x), X),
    "sqrt(x^2) = x": (sp.sqrt(x**2), x, X),
    "sqrt(xy) = sqrt(x) sqrt(y)": (sp.sqrt(x * y), sp.sqrt(x) * sp.sqrt(y), XY),
    "(x^2)^y = x^(2y)": ((x**2) ** y, x ** (2 * y), XY),
    "log(exp(u)) = u": (sp.log(sp.exp(u)), u, U),
    "(Σp) u / 2 = u/2 on the simplex": (on_simplex * u / 2, u / 2, SIMPLEX),
}


def _eliminations(domain):
    return Domains(list(domain)).eliminations()


@pytest.mark.parametrize("strategy", DEFAULT_STRATEGIES, ids=lambda s: s.name)
@pytest.mark.parametrize("trap", TRAPS, ids=str)
def test_no_strategy_proves_a_trap(trap, strategy):
    lhs, rhs, domain = TRAPS[trap]
    result = prove_zero([lhs - rhs], eliminations=_eliminations(domain), strategies=(strategy,), time_limit=5)
    assert not result.zero, f"{strategy.name} proved the false identity {trap}"


def _obligation(name, lhs, rhs, domain):
    d = Derivation("traps")
    d.claim("T", name)(lambda: Equal(lhs, rhs, domain))
    return d.obligations[0]


@pytest.mark.parametrize("trap", TRAPS, ids=str)
def test_the_checker_refutes_a_trap_inside_its_domain(trap):
    lhs, rhs, domain = TRAPS[trap]
    verdict = check(_obligation(trap, lhs, rhs, domain), Settings(samples=500))
    assert verdict.status is Status.REFUTED, f"{trap}: {verdict.status} {verdict.message}"
    by_name = {s.name: s for s in lhs.free_symbols | rhs.free_symbols}
    values = {by_name[k]: np.array([val]) for k, val in verdict.counterexample.values.items()}
    assert Domains(list(domain)).contains(values), verdict.counterexample


@pytest.mark.parametrize("control", CONTROLS, ids=str)
def test_the_true_counterparts_are_proved(control):
    lhs, rhs, domain = CONTROLS[control]
    verdict = check(_obligation(control, lhs, rhs, domain), Settings(samples=500))
    assert verdict.status is Status.PROVED, f"{control}: {verdict.status} {verdict.message}"


class NudgedSimplex(Simplex):
    """A simplex sampler whose entries sum to 1 + 1e-12: inside the domain's tolerance, as
    rounding may leave them, so that Σp − 1 is never exactly zero in floating point."""

    def sample(self, rng, n):
        out = super().sample(rng, n)
        out[self.symbols[0]] = out[self.symbols[0]] + 1e-12
        return out


def test_float_agreement_that_rounding_alone_produces_is_not_a_proof():
    # In floats (Σp − 1)/(2Σp − 2) is tiny/(2·tiny) = 1/2 on every instance; on the domain it is 0/0.
    lhs, rhs, _ = TRAPS["(Σp − 1) u / (2Σp − 2) = u/2 on the simplex"]
    verdict = check(_obligation("nudged", lhs, rhs, [Real(u), NudgedSimplex(p)]), Settings(samples=300))
    assert verdict.status is Status.REFUTED, verdict.message


def test_a_convexity_certificate_needs_its_point_inside_the_domain():
    # f(-1) = f'(-1) = 0 and f'' = x >= 0 for x > 0, yet f(1/2) < 0: the point -1 is not in (0, ∞).
    f = x**3 / 6 - x / 2 - sp.Rational(1, 3)
    with pytest.raises(ValueError, match="outside"):
        NonNegative(f, [Positive(x)], convex_in=(x, -1))
    d = Derivation("convexity")
    d.claim("C", r"f \ge 0")(lambda: NonNegative(f, [Positive(x)], convex_in=(x, -1)))
    verdict = check(d.obligations[0], Settings(samples=300))
    assert verdict.status is Status.ERROR and "outside" in verdict.message


# Unknown functions declared with assumptions that their sampler, a·tanh(b·θ + c) + d·sin(e·θ) + g·θ²,
# does not honour: SymPy folds |f| to f or sin(πf) to 0, and the numbers of such a member disagree.
theta = sp.Symbol("theta", real=True)


def _declared(**assumptions):
    return sp.Function("f", **assumptions)(theta)


#: name -> (lhs, rhs) as functions of f declared with the assumptions, and those assumptions;
#: each is "proved" from an assumption the sampler breaks.
FUNCTION_TRAPS = {
    "|f| = f, f declared positive": (lambda f: (sp.Abs(f), f), {"positive": True}),
    "|f| = −f, f declared negative": (lambda f: (sp.Abs(f), -f), {"negative": True}),
    "|f| = f, f declared prime": (lambda f: (sp.Abs(f), f), {"prime": True}),
    "sin(πf) = 0, f declared integer": (lambda f: (sp.sin(sp.pi * f), sp.S.Zero), {"integer": True}),
    "⌊f⌋ = f, f declared integer": (lambda f: (sp.floor(f), f), {"integer": True}),
    "cos(πf) = 1, f declared even": (lambda f: (sp.cos(sp.pi * f), sp.S.One), {"even": True}),
    "cos(πf) = −1, f declared odd": (lambda f: (sp.cos(sp.pi * f), -sp.S.One), {"odd": True}),
    "|f| = f, f declared nonnegative": (lambda f: (sp.Abs(f), f), {"nonnegative": True}),
    "max(f, 0) = 0, f declared nonpositive": (lambda f: (sp.Max(f, 0), sp.S.Zero), {"nonpositive": True}),
}


@pytest.mark.parametrize("trap", FUNCTION_TRAPS, ids=str)
def test_a_function_declared_with_assumptions_its_sampler_breaks_is_refused(trap):
    sides, assumptions = FUNCTION_TRAPS[trap]
    f = _declared(**assumptions)
    lhs, rhs = sides(f)
    verdict = check(_obligation(trap, lhs, rhs, [SmoothFunctions([f], theta)]), Settings(samples=300))
    assert verdict.status is Status.ERROR, f"{trap}: {verdict.status} {verdict.message}"
    assert "function f(theta) is declared with" in verdict.message
    assert "sp.Function('f', real=True)" in verdict.message
    # Declared as the message says, the claim is checked, and refuted.
    f = _declared(real=True)
    lhs, rhs = sides(f)
    verdict = check(_obligation(trap, lhs, rhs, [SmoothFunctions([f], theta)]), Settings(samples=300))
    assert verdict.status is Status.REFUTED, f"{trap} for a real f: {verdict.status} {verdict.message}"


g = sp.Function("g", real=True)(theta)


def _derivative_at(k, at):
    """f⁽ᵏ⁾ at `at`, as SymPy writes it: Subs(Derivative(f(θ), (θ, k)), θ, at)."""
    return sp.diff(_declared(real=True), theta, k).subs(theta, at)


#: name -> (lhs, rhs, holds): the chain rule through an unknown function, which SymPy writes with
#: Subs and with derivatives in g(θ), and derivatives in f(θ) itself; each false one is the rule
#: with a factor or a term left out.
CHAIN_RULE = {
    "d/dθ f(2θ) = 2 f'(2θ)": (
        sp.diff(_declared(real=True).func(2 * theta), theta),
        2 * _derivative_at(1, 2 * theta),
        True,
    ),
    "d/dθ f(2θ) = f'(2θ)": (sp.diff(_declared(real=True).func(2 * theta), theta), _derivative_at(1, 2 * theta), False),
    "f''(0) = f''(θ)": (_derivative_at(2, 0), sp.diff(_declared(real=True), theta, 2), False),
    "d/dθ f(g) = f'(g) g'": (
        sp.diff(_declared(real=True).func(g), theta),
        _derivative_at(1, g) * sp.diff(g, theta),
        True,
    ),
    "d/dθ f(g) = f'(θ) g'": (
        sp.diff(_declared(real=True).func(g), theta),
        sp.diff(_declared(real=True), theta) * sp.diff(g, theta),
        False,
    ),
    "d²/dθ² f(g) = f''(g) g'²": (
        sp.diff(_declared(real=True).func(g), theta, 2),
        _derivative_at(2, g) * sp.diff(g, theta) ** 2,
        False,
    ),
    # In g(θ), then in θ: the chain rule for the derivative in g.
    "∂²f(g)/∂g∂θ = f''(g) g'": (
        sp.Derivative(_declared(real=True).func(g), g, theta),
        _derivative_at(2, g) * sp.diff(g, theta),
        True,
    ),
    "∂²f(g)/∂g∂θ = 0": (sp.Derivative(_declared(real=True).func(g), g, theta), sp.S.Zero, False),
    # In f(θ) itself, as SymPy reads it: f'(θ) does not vary with f(θ).
    "∂(f f')/∂f = f'": (
        sp.Derivative(_declared(real=True) * sp.diff(_declared(real=True), theta), _declared(real=True)),
        sp.diff(_declared(real=True), theta),
        True,
    ),
    "∂(f f')/∂f = 0": (
        sp.Derivative(_declared(real=True) * sp.diff(_declared(real=True), theta), _declared(real=True)),
        sp.S.Zero,
        False,
    ),
}


@pytest.mark.parametrize("name", CHAIN_RULE, ids=str)
def test_the_chain_rule_through_an_unknown_function_is_checked_at_its_members(name):
    lhs, rhs, holds = CHAIN_RULE[name]
    domain = [SmoothFunctions([_declared(real=True), g], theta)]
    verdict = check(_obligation(name, lhs, rhs, domain), Settings(samples=300))
    assert verdict.status is (Status.PROVED if holds else Status.REFUTED), f"{name}: {verdict.status} {verdict.message}"


def test_an_unknown_function_at_an_expression_is_no_denominator_to_cancel():
    # f(max(|θ − 3|, ε)) − f(ε) is zero for |θ − 3| < ε, whatever f is: the left side is 0/0 there.
    f = _declared(real=True)
    eps = sp.Rational(1, 10**6)
    d = f.func(sp.Max(sp.Abs(theta - 3), eps)) - f.func(eps)
    claim = _obligation(
        "0/0 on a window", (theta * d + d**2) / (d + d**2), (theta + d) / (1 + d), [SmoothFunctions([f], theta)]
    )
    assert check(claim, Settings(samples=300)).status is not Status.PROVED


def test_an_euler_lagrange_equation_is_checked_at_its_members():
    # L = e^f f'²/2: d/dθ ∂L/∂f' − ∂L/∂f = e^f (f'' + f'²/2), where f' does not vary with f.
    f = _declared(real=True)
    slope = sp.diff(f, theta)
    lagrangian = sp.exp(f) * slope**2 / 2
    euler_lagrange = sp.Derivative(sp.Derivative(lagrangian, slope), theta) - sp.Derivative(lagrangian, f)
    domain = [SmoothFunctions([f], theta)]
    right = sp.exp(f) * (sp.diff(f, theta, 2) + slope**2 / 2)
    verdict = check(_obligation("Euler-Lagrange", euler_lagrange, right, domain), Settings(samples=300))
    assert verdict.status in (Status.PROVED, Status.NUMERIC), f"{verdict.status} {verdict.message}"
    # Without −∂L/∂f, the right side is d/dθ ∂L/∂f' alone.
    alone = sp.exp(f) * (sp.diff(f, theta, 2) + slope**2)
    verdict = check(_obligation("Euler-Lagrange without ∂L/∂f", euler_lagrange, alone, domain), Settings(samples=300))
    assert verdict.status is Status.REFUTED, f"{verdict.status} {verdict.message}"


def _odd_part(scale):
    f = _declared(real=True)
    return f.subs(theta, scale * theta) - f.subs(theta, -scale * theta)


#: name -> expression ≥ 0 claimed for every smooth f, each true of too narrow a family of members
#: (a family whose odd part is a sigmoid's, or whose derivatives are large only near one θ): the
#: sampler's members must be varied enough to refute them.
NARROW_FAMILY_TRAPS = {
    "the odd part keeps its sign": _odd_part(1) * _odd_part(2),
    "the odd part grows with |θ|": _odd_part(2) ** 2 - _odd_part(1) ** 2,
    "f″ ≤ 300": 300 - sp.diff(_declared(real=True), theta, 2),
    "f′(0) f⁽⁵⁾(0) ≤ 4 f‴(0)²": 4 * _derivative_at(3, 0) ** 2 - _derivative_at(1, 0) * _derivative_at(5, 0),
}


@pytest.mark.parametrize("name", NARROW_FAMILY_TRAPS, ids=str)
def test_a_claim_true_only_of_a_narrower_family_of_functions_is_refuted(name):
    d = Derivation("traps")
    d.claim("T", name)(lambda: NonNegative(NARROW_FAMILY_TRAPS[name], [SmoothFunctions([_declared(real=True)], theta)]))
    verdict = check(d.obligations[0], Settings(samples=10_000))
    assert verdict.status is Status.REFUTED, f"{name}: {verdict.status} {verdict.message}"


def test_a_symbol_named_like_a_samplers_coefficient_is_not_tied_to_it():
    # f(0) = a·tanh(c) for the sampler's own a and c, but f is any smooth function: with the user's
    # symbols drawn apart from the coefficients it is refuted, and the counterexample shows all four,
    # whether the user's names are those of the coefficients or those they print as.
    f = _declared(real=True)
    for a_name, c_name in [("f__c0", "f__c2"), ("_f__c0", "_f__c2")]:
        a, c = sp.Symbol(a_name, real=True), sp.Symbol(c_name, real=True)
        domain = [Real(a, c), SmoothFunctions([f], theta)]
        claim = _obligation(f"f(0) = {a} tanh({c})", f.subs(theta, 0), a * sp.tanh(c), domain)
        verdict = check(claim, Settings(samples=300))
        assert verdict.status is Status.REFUTED, f"{a_name}: {verdict.status} {verdict.message}"
        values = verdict.counterexample.values
        assert {a_name, c_name} < set(values) and len(values) == 4, values  # f(0) uses two coefficients


# The convexity rule (f(x0) = f'(x0) = 0 and f'' >= 0 give f >= 0) needs a C² function.  SymPy
# differentiates a Piecewise branch by branch, so each of these passes the rule's tests although
# it dips below zero on a window too narrow for the samples to find.
r = sp.Symbol("r", real=True)
narrow = sp.Rational(1, 10**6)
dip = (r > 3) & (r < 3 + narrow)
CONVEXITY_TRAPS = {
    "(r − 1)² − 100 on a window": (r - 1) ** 2 - sp.Piecewise((100, dip), (0, True)),
    "(r − 1)², shifted down on a window": sp.Piecewise(((r - 1) ** 2 - 100, dip), ((r - 1) ** 2, True)),
    "(r − 1)² minus a tent 10⁸·max(0, ε − |r − 3|), written out": (r - 1) ** 2
    - 10**8
    * sp.Piecewise(
        (narrow - (r - 3), (r >= 3) & (r < 3 + narrow)), (narrow + (r - 3), (r < 3) & (r > 3 - narrow)), (0, True)
    ),
    "(r − 1)² minus a step, as Heaviside's Piecewise": (r - 1) ** 2
    - 100 * (sp.Heaviside(r - 3) - sp.Heaviside(r - 3 - narrow)).rewrite(sp.Piecewise),
}


@pytest.mark.parametrize("trap", CONVEXITY_TRAPS, ids=str)
def test_the_convexity_rule_proves_no_function_that_is_not_twice_differentiable(trap):
    d = Derivation("convexity traps")
    d.claim("C", trap)(lambda: NonNegative(CONVEXITY_TRAPS[trap], [Real(r)], convex_in=(r, 1)))
    verdict = check(d.obligations[0], Settings(samples=300))
    assert verdict.status in (Status.NUMERIC, Status.REFUTED), f"{trap}: {verdict.status}"
    if verdict.status is Status.NUMERIC:
        assert "convexity rule not applied" in verdict.message and "Piecewise" in verdict.message
