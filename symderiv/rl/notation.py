"""How the symbols of `SymbolicMDP` print: the notation of RL papers."""

#: base name -> template; {0}, {1}, ... are the indices of the symbol, in order.
NOTATION: dict[str, str] = {
    "pitilde": r"\tilde\pi({1}\vert {0})",  # π̃(a|s)
    "pi": r"\pi({1}\vert {0})",  # π(a|s)
    "P": r"p({2}\vert {0},{1})",  # p(s'|s,a)
    "p0": r"p_0({0})",  # p0(s)
    "Q": r"Q({0},{1})",
    "r": r"r({0},{1})",
}
