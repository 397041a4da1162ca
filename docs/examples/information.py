"""Entropy and KL divergence of distributions over three outcomes: a derivation that speaks a
vocabulary of its own (docs/probability.md), and none of symderiv.rl."""

import sympy as sp

from symderiv import Definition, Derivation, Equal, Simplex, Vocabulary

#: p(i), q(i): two distributions over the outcomes 0, 1, 2; u(i) one over pairs of them.
PROBABILITY = Vocabulary("probability", {"p": "p({0})", "q": "q({0})", "pp": "p'({0})", "qq": "q'({0})"})

information = Derivation("Entropy and KL divergence", steps=["IT1", "IT2", "IT3"], vocabularies=[PROBABILITY])

N = 3


def distribution(name: str) -> list[sp.Symbol]:
    """A distribution over N outcomes, its entries positive (the simplex's interior)."""
    return [sp.Symbol(f"{name}_{i}", positive=True) for i in range(N)]


p, q, pp, qq = (distribution(name) for name in ("p", "q", "pp", "qq"))
#: The named quantities, printed as the source writes them and unfolded for checking.
entropy = Definition("H", r"H(p)", lambda: -sum(x * sp.log(x) for x in p))
cross_entropy = Definition("Hpq", r"H(p, q)", lambda: -sum(x * sp.log(y) for x, y in zip(p, q)))
kl = Definition("KL", r"D_{\mathrm{KL}}(p \Vert q)", lambda: sum(x * sp.log(x / y) for x, y in zip(p, q)))


@information.claim("IT1", r"D_{\mathrm{KL}}(p \Vert q) = H(p, q) - H(p)")
def kl_is_cross_entropy_minus_entropy():
    return Equal(kl(), cross_entropy() - entropy(), [Simplex(p), Simplex(q)])


@information.claim("IT2", r"H(u) = \ln n \text{ for the uniform } u")
def entropy_of_the_uniform_distribution():
    uniform = [sp.Rational(1, N)] * N
    return Equal(-sum(x * sp.log(x) for x in uniform), sp.log(N), [])


@information.claim(
    "IT3",
    r"D_{\mathrm{KL}}(p \otimes p' \Vert q \otimes q') = D_{\mathrm{KL}}(p \Vert q) + D_{\mathrm{KL}}(p' \Vert q')",
)
def kl_of_independent_pairs_adds():
    """The product distributions weigh the pair (i, j) by p(i) p'(j) and q(i) q'(j)."""
    product = sum(p[i] * pp[j] * sp.log(p[i] * pp[j] / (q[i] * qq[j])) for i in range(N) for j in range(N))
    second = sum(x * sp.log(x / y) for x, y in zip(pp, qq))
    return Equal(product, kl() + second, [Simplex(p), Simplex(q), Simplex(pp), Simplex(qq)])
