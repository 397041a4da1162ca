"""The discounted visitation p_γ(·;π) is a probability distribution over states, and the
worked example of docs/adding-an-identity.md (which includes this file verbatim)."""

import sympy as sp

from symderiv import Derivation, Equal, sizes
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
