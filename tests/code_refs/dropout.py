

def dropout(x, mask, p):
    return mask * x / (1 - p)


def no_rescale(x, mask, p):
    return mask * x


def by_p(x, mask, p):
    return mask * x / p


def times_keep(x, mask, p):
    return mask * x * (1 - p)


def backwards_mask(x, mask, p):
    return (1 - mask) * x / (1 - p)


MISTAKES = {
    "no_rescale": "forgot to rescale the kept units",
    "by_p": "scaled the kept units by 1/p",
    "times_keep": "multiplied the kept units by 1 − p (classic dropout's test-time rule)",
    "backwards_mask": "read the mask backwards (0 = kept)",
}
