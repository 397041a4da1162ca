"""The discounted visitation p_γ(·;π) is a probability distribution over states, and the
worked example of docs/adding-an-identity.md (which includes this file verbatim)."""

import sympy as sp

from symderiv import (
    Derivation,
    Equal,
    IndexDomain,
    IndexEqual,
    IndexLevel,
    IndexRange,
    OpenInterval,
    Table,
    ValueTable,
    sizes,
)
from symderiv.rl import VOCABULARY, SymbolicMDP

visitation = Derivation(
    "The discounted state visitation",
    steps=["DV1", "DV2"],
    vocabularies=[VOCABULARY],
)


@visitation.claim(
    "DV1",
    r"\sum_s p_\gamma(s;\pi) = 1,\quad p_\gamma(s;\pi) = (1-\gamma)\sum_{t\ge0}\gamma^t \Pr(s_t = s)",
    sizes=sizes([1, 2, 3], [2]),
    model=SymbolicMDP,
)
def discounted_visitation_sums_to_one(m):
    """The factor 1 − γ is what makes N1's ρ(π) an average of r over a distribution."""
    d = m.discounted_visitation(m.pi)
    return Equal(sum(d), 1, m.domain())


@visitation.claim(
    "DV1",
    r"\sum_s \sum_{t\ge0}\gamma^t \Pr(s_t = s) = 1",
    part="unnormalised",
    sizes=sizes([1, 2], [2]),
    model=SymbolicMDP,
    expect="refuted",
)
def unnormalised_visitation_sums_to_one(m):
    """Wrong: without the factor 1 − γ the total is 1/(1 − γ) (DV1 is the corrected claim)."""
    d = m.discounted_visitation(m.pi) / (1 - m.gamma)
    return Equal(sum(d), 1, m.domain())


@visitation.claim(
    "DV2",
    r"p_\gamma(s';\pi) = (1-\gamma)\,p_0(s') + \gamma\sum_s p_\gamma(s;\pi)\sum_a \pi(a|s)\,p(s'|s,a)",
    sizes=sizes([1, 2, 3], [2]),
    model=SymbolicMDP,
)
def discounted_visitation_satisfies_flow_equation(m):
    d = m.discounted_visitation(m.pi)
    inflow = sp.Matrix(
        m.n_states,
        1,
        lambda s2, _: sum(d[s] * m.pi[s, a] * m.p(s, a, s2) for s in range(m.n_states) for a in range(m.n_actions)),
    )
    return Equal(d, (1 - m.gamma) * m.p0 + m.gamma * inflow, m.domain())


STATES = IndexRange(sp.Symbol("S", integer=True, positive=True), "states", "|S|", largest=12)
ACTIONS = IndexRange(sp.Symbol("A", integer=True, positive=True), "actions", "|A|", largest=30)
s, s2, a = sp.symbols("s s2 a", integer=True)
gamma = sp.Symbol("gamma", positive=True)
start = sp.IndexedBase("p0", positive=True)
policy = sp.IndexedBase("pi", positive=True)
kernel = sp.IndexedBase("P", positive=True)
visits = sp.IndexedBase("pgamma", real=True)

#: DV2's right side at state s: p_γ is defined by its flow equation, not by a matrix inverse.
inflow = sp.Sum(visits[s2] * policy[s2, a] * kernel[s2, a, s], (s2, 1, STATES.size), (a, 1, ACTIONS.size))
VISITATION = IndexDomain(
    {s: STATES},
    [
        Table(start, (STATES,), "distribution"),
        Table(policy, (STATES, ACTIONS), "distribution"),
        Table(kernel, (STATES, ACTIONS, STATES), "distribution"),
        ValueTable(visits, STATES, s, (1 - gamma) * start[s] + gamma * inflow),
    ],
    [OpenInterval(gamma, low=0, high=1)],
)


@visitation.claim(
    "DV1",
    r"\sum_s p_\gamma(s;\pi) = 1",
    part="every_size",
    sizes=sizes([1, 2, 3], [2]),
    model=IndexLevel,
)
def discounted_visitation_sums_to_one_for_every_size(_: IndexLevel) -> IndexEqual:
    """The flow equation turns Σ_s p_γ(s) − 1 into γ (Σ_s p_γ(s) − 1), and γ ≠ 1."""
    return IndexEqual(sp.Sum(visits[s], (s, 1, STATES.size)), 1, VISITATION)
