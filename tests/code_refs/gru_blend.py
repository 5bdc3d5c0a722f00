def gru_blend(z, h_prev, h_cand):
    return z * h_prev + (1 - z) * h_cand


def textbook(z, h_prev, h_cand):
    return (1 - z) * h_prev + z * h_cand


def no_one_minus(z, h_prev, h_cand):
    return z * h_prev + h_cand


def no_candidate(z, h_prev, h_cand):
    return z * h_prev


MISTAKES = {
    "textbook": "used the swapped (textbook) convention (1 − z)·h_(t−1) + z·h̃",
    "no_one_minus": "forgot the (1 − z) on the candidate (z·h_(t−1) + h̃)",
    "no_candidate": "gated only the old state and dropped the candidate (z·h_(t−1))",
}
