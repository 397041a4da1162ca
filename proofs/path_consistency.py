"""Softmax path consistency (Nachum, Norouzi, Xu and Schuurmans 2017, "Bridging the gap between
value and policy based reinforcement learning"): for the optimal soft policy π* and its value V*,

    V*(s) − γ Σ_{s'} p(s'|s,a) V*(s') = r(s,a) − α ln(π*(a|s)/π̃(a|s))   for every s and every a,

which for deterministic transitions s' = next(s,a) is the one-step consistency
V*(s) − γV*(s') = r(s,a) − α ln(π*(a|s)/π̃(a|s)) that Schulman, Chen and Abbeel also state, and
telescopes along any path s_0, a_0, ..., s_k into its multi-step form.

Encoding.  The soft-optimal Q* is the fixed point of the optimal operator TQ = r + γPV_Q (N13),
unique because T is a γ-contraction (N7); π* = π_{Q*} (N8) and V* = V_{Q*} (N9).  Solving
Q* = TQ* for a given r has no closed form, so the claims are parameterised the other way: for
every real table Q, Q is the fixed point for the rewards r_Q = Q − γPV_Q, and every reward table
arises so (for a given r, take Q = Q*).  Quantifying over Q therefore quantifies over all MDPs.
V* is taken as the soft value of π*, solved from its Bellman equation, so that PC1 also shows
that the optimal soft policy attains V_{Q*}.
"""

import itertools

import sympy as sp

from symderiv import Derivation, Equal, sizes
from symderiv.rl import VOCABULARY, SymbolicMDP

consistency = Derivation(
    "Softmax path consistency",
    source="Nachum et al. (2017), arXiv:1702.08892",
    steps=["PC1", "PC2", "PC3", "PC4"],
    vocabularies=[VOCABULARY],
)

STOCHASTIC = sizes([1], [2, 3]) + sizes([2], [2, 3])
#: Every deterministic transition map of these sizes is checked: |S|^(|S||A|) of them.
DETERMINISTIC = sizes([1], [2, 3]) + sizes([2], [2])


class OptimalSoft:
    """r, π*, V* of the MDP whose soft-optimal Q is m.Q, for the model's transitions or for a
    deterministic map next[s][a]."""

    def __init__(self, m: SymbolicMDP, next_state=None):
        self.m = m
        S = m.n_states
        if next_state is None:
            self.transitions = {}
        else:
            self.transitions = {
                m.p(s, a, s2): sp.Integer(s2 == next_state[s][a])
                for s in range(S)
                for a in range(m.n_actions)
                for s2 in range(S)
            }
        self.V_Q = m.soft_value(m.Q)
        self.pi = m.boltzmann(m.Q)
        self.r = self.on_this_mdp(m.Q - m.gamma * m.expected_next(self.V_Q))
        self.V = self.on_this_mdp(m.soft_value_of_policy(self.pi))
        self.log_ratio = m.log_ratio(self.pi)

    def on_this_mdp(self, expr):
        """`expr` with this MDP's transitions and rewards in place of the model's symbols."""
        expr = expr.xreplace(self.transitions)
        rewards = getattr(self, "r", None)
        if rewards is None:
            return expr
        return expr.xreplace(dict(zip(self.m.r, rewards)))

    def expected_next(self, V):
        return self.on_this_mdp(self.m.expected_next(V))


def every_map(m):
    """Every deterministic transition map next[s][a] of the model's size."""
    S, A = m.n_states, m.n_actions
    for targets in itertools.product(range(S), repeat=S * A):
        yield [list(targets[s * A : (s + 1) * A]) for s in range(S)]


@consistency.claim(
    "PC1",
    r"V_{\pi^*}(s) = V^*(s) = \alpha\ln\sum_a\tilde\pi(a|s)\exp[Q^*(s,a)/\alpha]",
    sizes=STOCHASTIC,
    model=SymbolicMDP,
)
def optimal_soft_policy_attains_optimal_soft_value(m):
    """The soft value of π* = π_{Q*}, from its own Bellman equation, is V_{Q*}."""
    opt = OptimalSoft(m)
    return Equal(opt.V, opt.V_Q, m.domain())


@consistency.claim(
    "PC2",
    r"V^*(s) - \gamma\sum_{s'}p(s'|s,a)V^*(s') = r(s,a) - \alpha\ln\frac{\pi^*(a|s)}{\tilde\pi(a|s)}\quad\forall s, a",
    sizes=STOCHASTIC,
    model=SymbolicMDP,
)
def softmax_path_consistency_one_step(m):
    """For every action, not only the likely ones: π* > 0 everywhere."""
    opt = OptimalSoft(m)
    lhs = m.per_pair(opt.V) - m.gamma * opt.expected_next(opt.V)
    return Equal(lhs, opt.r - m.alpha * opt.log_ratio, m.domain())


@consistency.claim(
    "PC3",
    r"V^*(s) - \gamma V^*(s') = r(s,a) - \alpha\ln\frac{\pi^*(a|s)}{\tilde\pi(a|s)},\quad s' = \mathrm{next}(s,a)",
    sizes=DETERMINISTIC,
    model=SymbolicMDP,
)
def softmax_path_consistency_deterministic(m):
    """PC2 for deterministic transitions, for every transition map of the size at once."""
    lhs, rhs = [], []
    for next_state in every_map(m):
        opt = OptimalSoft(m, next_state)
        for s in range(m.n_states):
            for a in range(m.n_actions):
                lhs.append(opt.V[s] - m.gamma * opt.V[next_state[s][a]])
                rhs.append(opt.r[s, a] - m.alpha * opt.log_ratio[s, a])
    return Equal(sp.Matrix(lhs), sp.Matrix(rhs), m.domain())


def paths(m, next_state, length):
    """Every path (s_0, a_0, ..., s_length) of a deterministic map, as (states, actions)."""
    for start in range(m.n_states):
        for actions in itertools.product(range(m.n_actions), repeat=length):
            states = [start]
            for a in actions:
                states.append(next_state[states[-1]][a])
            yield states, actions


@consistency.claim(
    "PC4",
    r"V^*(s_0) - \gamma^k V^*(s_k) = \sum_{i=0}^{k-1}\gamma^i\Big[r(s_i,a_i)"
    r" - \alpha\ln\frac{\pi^*(a_i|s_i)}{\tilde\pi(a_i|s_i)}\Big],\quad s_{i+1} = \mathrm{next}(s_i,a_i)",
    sizes=DETERMINISTIC,
    model=SymbolicMDP,
)
def softmax_path_consistency_multi_step(m):
    """Along every path of length k = 2 and 3, whatever the actions, of two transition maps:
    next(s,a) = s + a and next(s,a) = a (mod |S|), which between them move, stay and reset
    (every map at 2 states, 384 paths, takes minutes; PC3 covers every map one step at a time)."""
    lhs, rhs = [], []
    gamma = m.gamma
    S, A = m.n_states, m.n_actions
    maps = [[[(s + a) % S for a in range(A)] for s in range(S)], [[a % S for a in range(A)] for s in range(S)]]
    for next_state in maps:
        opt = OptimalSoft(m, next_state)
        for k in (2, 3):
            for states, actions in paths(m, next_state, k):
                lhs.append(opt.V[states[0]] - gamma**k * opt.V[states[k]])
                rhs.append(
                    sum(
                        gamma**i * (opt.r[states[i], a] - m.alpha * opt.log_ratio[states[i], a])
                        for i, a in enumerate(actions)
                    )
                )
    return Equal(sp.Matrix(lhs), sp.Matrix(rhs), m.domain())
