"""A symbolic MDP of any small size, and the quantities built from it.

The note's quantities (V_Q(s), π_Q(a|s), D_KL(s), (TQ)(s,a), Q̂(s,a), p_γ(s), V_π(s)) are
named (`symderiv.definitions`): a claim holds V_Q(0) where the source writes it, prints it so,
and the checker unfolds it.  A quantity is named only when the table or policy it is built
from has a name the model knows (Q, π, π̃, Q_θ, π_Q, ...; `name` adds one); otherwise it is
built expanded, as a reader could not tell which V it is.

Every entry is a SymPy symbol carrying the assumptions its domain guarantees:
rewards and Q-values are real, probabilities are positive (the interior of the
simplex), α and γ are positive.  Constraints such as Σ_a π(a|s) = 1 live in the
domains returned by `domain()`.  The derived quantities take their inputs as
arguments (a Q table, a policy) so that the same construction serves a tabular Q,
two Q tables at once, or unknown functions Q(s, a; θ).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp
from sympy.matrices import dotprodsimp

from ..definitions import Definition, unfold
from ..domain import OpenInterval, Positive, Real, Simplex, SmoothFunctions
from ..obligation import Size
from . import reference


def _product(left: sp.Matrix, right: sp.Matrix) -> sp.Matrix:
    """left·right, each entry Σ_k left[i,k]·right[k,j]: SymPy's own product first multiplies every
    entry by zero to find an infinite one (0·∞ is NaN), a query that walks each Boltzmann entry
    through the assumptions (a fifth of building the note's claims).  A model's entries are
    finite, and a product with a structural zero is left out, as SymPy leaves it."""
    if left.cols != right.rows:
        raise ValueError(f"cannot multiply a {left.shape} matrix by a {right.shape} one")
    return sp.Matrix(
        left.rows,
        right.cols,
        lambda i, j: sp.Add(
            *(left[i, k] * right[k, j] for k in range(left.cols) if left[i, k] != 0 and right[k, j] != 0)
        ),
    )


def _table(name: str, rows: int, cols: int, **assumptions: bool) -> sp.Matrix:
    return sp.Matrix(rows, cols, lambda s, a: sp.Symbol(f"{name}_{s}_{a}", **assumptions))


#: The axes of an MDP's size, in the order it is written: 2x3 is two states and three actions.
AXES = ("states", "actions")


def mdp_size(states: int, actions: int) -> Size:
    """The size of an MDP with `states` states and `actions` actions, written `{states}x{actions}`."""
    return Size.of(states=states, actions=actions)


def sizes(states: Sequence[int], actions: Sequence[int]) -> tuple[Size, ...]:
    """Every combination of the given numbers of states and actions: `sizes([1, 2], [2, 3])` is
    1x2, 1x3, 2x2 and 2x3 (`symderiv.sizes`, for proof files)."""
    return Size.grid(states=states, actions=actions)


class SymbolicMDP:
    """|S| states and |A| actions: r(s,a), p(s'|s,a), p0(s), π(a|s), π̃(a|s), Q(s,a), α, γ."""

    def __init__(self, size: Size | tuple[int, int]):
        self.size = size.named(AXES) if isinstance(size, Size) else mdp_size(*size)
        S, A = self.n_states, self.n_actions = self.size["states"], self.size["actions"]
        self.alpha = sp.Symbol("alpha", positive=True)
        self.gamma = sp.Symbol("gamma", positive=True)
        self.r = _table("r", S, A, real=True)
        self.Q = _table("Q", S, A, real=True)
        self.pi = _table("pi", S, A, positive=True)
        self.prior = _table("pitilde", S, A, positive=True)
        self.p0 = sp.Matrix(S, 1, lambda s, _: sp.Symbol(f"p0_{s}", positive=True))
        #: transition[s][a] is the column (p(s'|s,a))_{s'}.
        self.transition = [
            [sp.Matrix(S, 1, lambda s2, _, s=s, a=a: sp.Symbol(f"P_{s}_{a}_{s2}", positive=True)) for a in range(A)]
            for s in range(S)
        ]
        #: LaTeX names of the tables and policies the model knows, keyed by the table.
        self._names: dict[sp.ImmutableMatrix, str] = {}
        self._definitions: dict[tuple[str, sp.ImmutableMatrix], Definition] = {}
        self.name(self.Q, "Q")
        self.name(self.pi, r"\pi")
        self.name(self.prior, r"\tilde\pi")

    def __getstate__(self) -> dict[str, Size]:
        """The size defines the model; its names and named quantities are caches of what has been
        built (and the verdict cache keys a model by this state)."""
        return {"size": self.size}

    def __setstate__(self, state: dict[str, Size]) -> None:
        self.__init__(state["size"])  # type: ignore[misc]

    # -- names -----------------------------------------------------------------

    def name(self, table: sp.Matrix, latex: str) -> sp.Matrix:
        """Call `table` by `latex` (e.g. `Q_2`, `\\pi'`), so quantities built from it are named."""
        self._names[sp.ImmutableMatrix(table)] = latex
        return table

    def name_of(self, table: sp.Matrix) -> str | None:
        return self._names.get(sp.ImmutableMatrix(table))

    def _named(
        self, kind: str, table: sp.Matrix, latex: str, shape: tuple[int, int], body: Callable[..., sp.Expr]
    ) -> sp.Matrix:
        """The |shape| matrix of quantity `kind` of `table`: named applications if the table has a
        name (`latex` has {name} for it and {0}, {1} for the indices), else `body` expanded."""
        label = self.name_of(table)
        if label is None:
            return sp.Matrix(*shape, body)
        key = (kind, sp.ImmutableMatrix(table))
        if key not in self._definitions:
            name = f"{kind}[{label}]"
            self._definitions[key] = Definition(name, latex.replace("{name}", label), body)
        quantity = self._definitions[key]
        if shape[1] == 1:
            return sp.Matrix(shape[0], 1, lambda s, _: quantity(sp.Integer(s)))
        return sp.Matrix(*shape, lambda s, a: quantity(sp.Integer(s), sp.Integer(a)))

    def _column(self, kind: str, table: sp.Matrix, latex: str, body: Callable[[int], sp.Expr]) -> sp.Matrix:
        """A per-state quantity of `table`: body(s), named if the table is."""
        if self.name_of(table) is None:
            return sp.Matrix(self.n_states, 1, lambda s, _: body(s))
        return self._named(kind, table, latex, (self.n_states, 1), lambda s, *_: body(int(s)))

    def _table(self, kind: str, table: sp.Matrix, latex: str, body: Callable[[int, int], sp.Expr]) -> sp.Matrix:
        """A per-pair quantity of `table`: body(s, a), named if the table is."""
        if self.name_of(table) is None:
            return sp.Matrix(self.n_states, self.n_actions, body)
        return self._named(kind, table, latex, (self.n_states, self.n_actions), lambda s, a: body(int(s), int(a)))

    # -- domains ---------------------------------------------------------------

    def domain(self) -> list:
        """Where every symbol of the model lives; extend the list with your own symbols."""
        S = self.n_states
        parts = [
            Positive(self.alpha),
            OpenInterval(self.gamma, low=0.0, high=1.0),
            Real(self.r),
            Real(self.Q),
            Simplex(self.p0),
        ]
        for s in range(S):
            parts.append(Simplex(self.pi.row(s)))
            parts.append(Simplex(self.prior.row(s)))
            for a in range(self.n_actions):
                parts.append(Simplex(self.transition[s][a]))
        return parts

    # -- building blocks -------------------------------------------------------

    def q_functions(self, theta: sp.Symbol) -> sp.Matrix:
        """Q(s,a;θ) for an arbitrary parameterisation: an unknown real function q_s_a of θ per pair.
        Called with a second symbol θ′ it gives the same functions at θ′ (a stop-gradient target)."""
        table = sp.Matrix(self.n_states, self.n_actions, lambda s, a: sp.Function(f"q_{s}_{a}", real=True)(theta))
        return self.name(table, f"Q_{{{sp.latex(theta)}}}")

    def logits(self, theta: sp.Symbol) -> sp.Matrix:
        """f(s,a;θ): an unknown real function f_s_a of θ per pair, the logits of `softmax`."""
        return sp.Matrix(self.n_states, self.n_actions, lambda s, a: sp.Function(f"f_{s}_{a}", real=True)(theta))

    def softmax(self, logits: sp.Matrix) -> sp.Matrix:
        """π(a|s) = exp f(s,a) / Σ_b exp f(s,b): on the simplex by construction.  With unknown
        logits f(s,a;θ) it is an arbitrary smooth parameterisation of the interior policies."""
        A = self.n_actions
        weights = logits.applyfunc(sp.exp)
        return sp.Matrix(self.n_states, A, lambda s, a: weights[s, a] / sum(weights[s, b] for b in range(A)))

    def p(self, s: int, a: int, s2: int) -> sp.Symbol:
        return self.transition[s][a][s2]

    def kl(self, policy: sp.Matrix, reference: sp.Matrix | None = None) -> sp.Matrix:
        """D_KL(π(·|s) ‖ π̃(·|s)) for every state, as an |S|×1 column."""
        A = range(self.n_actions)
        if reference is not None and reference != self.prior:
            return sp.Matrix(
                self.n_states, 1, lambda s, _: sum(policy[s, a] * sp.log(policy[s, a] / reference[s, a]) for a in A)
            )
        return self._column(
            "KL",
            policy,
            r"D_{\mathrm{KL}}({name}(\cdot\vert {0}) \Vert \tilde\pi(\cdot\vert {0}))",
            lambda s: sum(policy[s, a] * sp.log(policy[s, a] / self.prior[s, a]) for a in A),
        )

    def _kl(self, policy: sp.Matrix) -> sp.Matrix:
        """D_KL per state, expanded: for the model's own constructions (a solved system, an
        operator), which would otherwise carry the named quantity and its expansion through every
        rewrite of the larger expression."""
        return sp.Matrix(unfold(self.kl(policy)))

    def log_ratio(self, policy: sp.Matrix) -> sp.Matrix:
        """ln(π(a|s)/π̃(a|s)) for every (s, a)."""
        return sp.Matrix(self.n_states, self.n_actions, lambda s, a: sp.log(policy[s, a] / self.prior[s, a]))

    def soft_value(self, Q: sp.Matrix) -> sp.Matrix:
        """V_Q(s) = α ln Σ_a π̃(a|s) exp(Q(s,a)/α)."""
        A = range(self.n_actions)
        return self._column(
            "V",
            Q,
            "V_{{name}}({0})",
            lambda s: self.alpha * sp.log(sum(self.prior[s, a] * sp.exp(Q[s, a] / self.alpha) for a in A)),
        )

    def boltzmann(self, Q: sp.Matrix) -> sp.Matrix:
        """π_Q(a|s) = π̃(a|s) exp(Q(s,a)/α) / Σ_a' π̃(a'|s) exp(Q(s,a')/α)."""
        A = range(self.n_actions)

        def weight(s: int, a: int) -> sp.Expr:
            return self.prior[s, a] * sp.exp(Q[s, a] / self.alpha)

        policy = self._table(
            "pi", Q, r"\pi_{{name}}({1}\vert {0})", lambda s, a: weight(s, a) / sum(weight(s, b) for b in A)
        )
        label = self.name_of(Q)
        return policy if label is None else self.name(policy, rf"\pi_{{{label}}}")

    def expected_next(self, V: sp.Matrix) -> sp.Matrix:
        """Σ_{s'} p(s'|s,a) V(s') for every (s, a), as an |S|×|A| table."""
        S = self.n_states
        return sp.Matrix(S, self.n_actions, lambda s, a: sum(self.p(s, a, s2) * V[s2] for s2 in range(S)))

    def average(self, table: sp.Matrix, policy: sp.Matrix) -> sp.Matrix:
        """Σ_a π(a|s) table(s, a) for every state, as an |S|×1 column."""
        return sp.Matrix(self.n_states, 1, lambda s, _: sum(policy[s, a] * table[s, a] for a in range(self.n_actions)))

    def state_transition(self, policy: sp.Matrix) -> sp.Matrix:
        """P^π(s, s') = Σ_a π(a|s) p(s'|s,a)."""
        S, A = self.n_states, self.n_actions
        return sp.Matrix(S, S, lambda s, s2: sum(policy[s, a] * self.p(s, a, s2) for a in range(A)))

    def policy_transition(self, policy: sp.Matrix) -> sp.Matrix:
        """P_π((s,a), (s',a')) = p(s'|s,a) π(a'|s'), indexed by pairs in row-major order."""
        S, A = self.n_states, self.n_actions
        return sp.Matrix(S * A, S * A, lambda i, j: self.p(i // A, i % A, j // A) * policy[j // A, j % A])

    def flatten(self, table: sp.Matrix) -> sp.Matrix:
        """An |S|×|A| table as a column indexed by (s, a) pairs in row-major order."""
        return table.reshape(self.n_states * self.n_actions, 1)

    def unflatten(self, column: sp.Matrix) -> sp.Matrix:
        return column.reshape(self.n_states, self.n_actions)

    def per_pair(self, column: sp.Matrix) -> sp.Matrix:
        """A per-state column repeated for every action: (s, a) -> v(s)."""
        return sp.Matrix(self.n_states, self.n_actions, lambda s, a: column[s])

    # -- values of a policy ----------------------------------------------------

    def solve_linear(self, matrix: sp.Matrix, rhs: sp.Matrix) -> sp.Matrix:
        """x with matrix·x = rhs, by Cramer's rule: adj(matrix)·rhs / det(matrix).  Every entry is a
        fraction over the one determinant; elimination nests a new denominator at each pivot.  The
        determinant and adjugate are left as SymPy builds them from the entries, unexpanded and
        with SymPy's per-product `cancel` (dotprodsimp) switched off: with a Boltzmann policy in
        the entries, that cancelling took 27 s at 3×2 and tens of gigabytes at 3×3, and the
        engines need neither (the rational engine puts the entries over their factors itself)."""
        with dotprodsimp(False):
            determinant = matrix.det(method="berkowitz")
            return _product(matrix.adjugate(method="berkowitz"), rhs) / determinant

    def discounted_visitation(self, policy: sp.Matrix) -> sp.Matrix:
        """p_γ(s; π) = (1-γ) Σ_t γ^t Pr(s_t = s), s_0 ~ p0: a probability vector over states."""
        S = self.n_states

        @functools.cache
        def solved() -> sp.Matrix:
            M = sp.eye(S) - self.gamma * self.state_transition(policy).T
            return (1 - self.gamma) * self.solve_linear(M, self.p0)

        return self._column("p_gamma", policy, r"p_\gamma({0}; {name})", lambda s: solved()[s])

    def soft_value_of_policy(self, policy: sp.Matrix) -> sp.Matrix:
        """V_π(s) = E[Σ_{t≥0} γ^t (r_t − α KL(s_t)) | s_0=s], the same under both definitions, from the
        |S|×|S| system V = Σ_a π (r − α ln(π/π̃)) + γ P^π V (smaller than solving for Q_π)."""
        reward = self.average(self.r, policy) - self.alpha * self._kl(policy)
        return self.solve_linear(sp.eye(self.n_states) - self.gamma * self.state_transition(policy), reward)

    def regularised_objective(self, policy: sp.Matrix) -> sp.Expr:
        """ρ(π) = E_{s~p_γ(·;π)}[Σ_a π(a|s) r(s,a) − α D_KL(π(·|s) ‖ π̃(·|s))]."""
        visitation = unfold(self.discounted_visitation(policy))
        reward = self.average(self.r, policy) - self.alpha * self._kl(policy)
        return sum(visitation[s] * reward[s] for s in range(self.n_states))

    def value_of_policy(self, policy: sp.Matrix) -> sp.Matrix:
        """V^π(s) = E[Σ_{t≥0} γ^t r_t | s_0=s], without regularisation: V = Σ_a π r + γ P^π V."""
        S = self.n_states
        return self.solve_linear(sp.eye(S) - self.gamma * self.state_transition(policy), self.average(self.r, policy))

    def q_of_policy(self, policy: sp.Matrix) -> sp.Matrix:
        """Q^π(s,a) = r(s,a) + γ Σ_{s'} p(s'|s,a) V^π(s'), without regularisation."""
        return self.r + self.gamma * self.expected_next(self.value_of_policy(policy))

    def objective(self, policy: sp.Matrix) -> sp.Expr:
        """ρ(π) = E_{s~p_γ(·;π), a~π}[r(s,a)], without regularisation (the note's N1)."""
        visitation = unfold(self.discounted_visitation(policy))
        reward = self.average(self.r, policy)
        return sum(visitation[s] * reward[s] for s in range(self.n_states))

    def q_kl_from_start(self, policy: sp.Matrix) -> sp.Matrix:
        """First definition: Q_π(s,a) = E[Σ_{t≥0} γ^t (r_t − α KL(s_t)) | s_0=s, a_0=a].

        The |S||A| system (I − γ P_π) Q = c, c = R − α KL, is solved through the |S| system of the
        state values: P_π = P Π with Π P = P^π, so (I − γ P Π)⁻¹ c = c + γ P (I − γ P^π)⁻¹ Π c, that
        is Q = c + γ P V with V = Σ_a π c + γ P^π V.  The pair system itself gives expressions too
        large to check beyond 2 states and 2 actions; note step N4 proves that this Q solves it."""
        reward = self.r - self.alpha * self.per_pair(self._kl(policy))
        kernel = self.state_transition(policy)
        V = self.solve_linear(sp.eye(self.n_states) - self.gamma * kernel, self.average(reward, policy))
        return reward + self.gamma * self.expected_next(V)

    def q_kl_from_next(self, policy: sp.Matrix) -> sp.Matrix:
        """Second definition: Q_π(s,a) = E[r_0 + Σ_{t≥1} γ^t (r_t − α KL(s_t)) | s_0=s, a_0=a]."""
        kl = self.per_pair(self._kl(policy))
        return self.q_kl_from_start(policy) + self.alpha * kl

    # -- operators -------------------------------------------------------------

    def bellman_kl_from_start(self, Q: sp.Matrix, policy: sp.Matrix) -> sp.Matrix:
        """(T_π Q) = R − α D_KL(π‖π̃) + γ P_π Q, the first definition's operator."""
        kl = self.per_pair(self._kl(policy))
        following = _product(self.policy_transition(policy), self.flatten(Q))
        return self.r - self.alpha * kl + self.gamma * self.unflatten(following)

    def bellman_kl_from_next(self, Q: sp.Matrix, policy: sp.Matrix) -> sp.Matrix:
        """(T_π Q) = R + γ P_π (Q − α D_KL(π‖π̃)), the second definition's operator."""
        kl = self.per_pair(self._kl(policy))
        following = _product(self.policy_transition(policy), self.flatten(Q - self.alpha * kl))
        return self.r + self.gamma * self.unflatten(following)

    def soft_bellman_optimal(self, Q: sp.Matrix) -> sp.Matrix:
        """(TQ)(s,a) = r(s,a) + γ Σ_{s'} p(s'|s,a) V_Q(s')."""
        V = self.soft_value(Q)
        return self._table(
            "T", Q, "(T{name})({0},{1})", lambda s, a: self.r[s, a] + self.gamma * self.expected_next(V)[s, a]
        )

    def q_hat(self, V: sp.Matrix, policy: sp.Matrix) -> sp.Matrix:
        """Q̂(s,a) = r(s,a) + γ Σ_{s'} p(s'|s,a) V(s') − α ln(π(a|s)/π̃(a|s)): the note's N17."""
        return self.r + self.gamma * self.expected_next(V) - self.alpha * self.log_ratio(policy)

    # -- numeric view ----------------------------------------------------------

    def objective_gradient_reference(
        self, logits: sp.Matrix, functions: SmoothFunctions, theta: sp.Symbol, regularised: bool = True
    ) -> Callable[[dict], complex]:
        """NumPy reference for ∇_θ ρ(π_θ), π_θ = softmax(logits): a complex step through
        `reference.regularised_objective` (with α = 0 unless `regularised`) evaluating the logits'
        concrete functions, so that neither SymPy's derivative nor its algebra is used."""
        coefficients = functions.coefficient_symbols()
        concrete = sp.lambdify([theta, *coefficients], [functions.concrete(f) for f in logits], modules="numpy")

        def gradient(values: dict) -> complex:
            x = self.arrays(values)
            c = [values[k] for k in coefficients]
            alpha = x.alpha if regularised else 0.0

            def rho(t: complex) -> complex:
                f = np.array(concrete(t, *c), dtype=complex).reshape(self.n_states, self.n_actions)
                return reference.regularised_objective(
                    reference.softmax_policy(f), x.r, x.P, x.p0, x.prior, alpha, x.gamma
                )

            return reference.complex_step_derivative(rho, values[theta])

        return gradient

    @functools.cached_property
    def _array_symbols(self) -> dict[str, tuple[list[sp.Symbol], tuple[int, ...]]]:
        """The symbols of each array `arrays` fills, flat, with its shape: read out of the SymPy
        matrices once, since a reference asks for the arrays at every instance it compares."""
        S, A = self.n_states, self.n_actions

        def table(m: sp.Matrix) -> tuple[list[sp.Symbol], tuple[int, ...]]:
            return [m[s, a] for s in range(S) for a in range(A)], (S, A)

        kernel = [self.p(s, a, s2) for s in range(S) for a in range(A) for s2 in range(S)]
        return {
            "r": table(self.r),
            "P": (kernel, (S, A, S)),
            "p0": (list(self.p0), (S,)),
            "pi": table(self.pi),
            "prior": table(self.prior),
            "Q": table(self.Q),
        }

    def arrays(self, values: dict) -> MDPArrays:
        """The model's NumPy arrays at one sampled instance (symbol -> float)."""
        filled = {
            name: np.array([values[x] for x in symbols], dtype=float).reshape(shape)
            for name, (symbols, shape) in self._array_symbols.items()
        }
        return MDPArrays(**filled, alpha=float(values[self.alpha]), gamma=float(values[self.gamma]))


@dataclass
class MDPArrays:
    """One numeric instance of a SymbolicMDP; P[s, a, s'] = p(s'|s,a)."""

    r: np.ndarray
    P: np.ndarray
    p0: np.ndarray
    pi: np.ndarray
    prior: np.ndarray
    Q: np.ndarray
    alpha: float
    gamma: float
