"""How the symbols of `SymbolicMDP` print: the notation of RL papers."""

#: base name -> template; {0}, {1}, ... are the indices of the symbol, in order.
NOTATION: dict[str, str] = {
    "pitilde": r"\tilde\pi({1}\vert {0})",  # π̃(a|s)
    "pi": r"\pi({1}\vert {0})",  # π(a|s)
    "P": r"p({2}\vert {0},{1})",  # p(s'|s,a)
    "p0": r"p_0({0})",  # p0(s)
    "Q": r"Q({0},{1})",
    "Qb": r"Q_2({0},{1})",  # a second Q table beside Q (Q₁ = Q, Q₂)
    "pib": r"\pi^\prime({1}\vert {0})",  # another policy π′(a|s)
    "p": r"p({0})",  # a state distribution p(s), not the start distribution p₀(s)
    "V": r"V({0})",
    "r": r"r({0},{1})",
    "q": r"Q({0},{1};{2})",  # the unknown function q_s_a(θ): Q(s,a;θ)
}
