import numpy as np


def top_p_filter(probs, top_p):
    order = np.argsort(-probs, kind="stable")
    before = np.concatenate([[0.0], np.cumsum(probs[order])[:-1]])
    keep = order[before < top_p - 1e-9]
    out = np.zeros_like(probs)
    out[keep] = probs[keep]
    return out / out.sum()


def no_renormalize(probs, top_p):
    f = top_p_filter(probs, top_p)
    return np.where(f > 0, probs, 0.0)


def below_p(probs, top_p):
    order = np.argsort(-probs, kind="stable")
    csum = np.cumsum(probs[order])
    keep = order[csum < top_p]
    if len(keep) == 0:
        keep = order[:1]
    out = np.zeros_like(probs)
    out[keep] = probs[keep]
    return out / out.sum()


def token_order(probs, top_p):
    csum = np.cumsum(probs)
    n = int(np.searchsorted(csum, top_p)) + 1
    out = np.zeros_like(probs)
    out[:n] = probs[:n]
    return out / out.sum()


MISTAKES = {
    "no_renormalize": "did not renormalize the kept probabilities",
    "below_p": "left out the token that takes the sum past p (kept only sums below p)",
    "token_order": "accumulated in token-id order instead of sorting by probability first",
}
