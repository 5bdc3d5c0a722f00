import math


def warmup_cosine_lr(step, peak, min_lr, warmup, total):
    if step < warmup:
        return peak * step / warmup
    f = (step - warmup) / (total - warmup)
    return min_lr + (peak - min_lr) * (1 + math.cos(math.pi * f)) / 2


def no_warmup_shift(step, peak, min_lr, warmup, total):
    if step < warmup:
        return peak * step / warmup
    f = step / total
    return min_lr + (peak - min_lr) * (1 + math.cos(math.pi * f)) / 2


def half_shift(step, peak, min_lr, warmup, total):
    if step < warmup:
        return peak * step / warmup
    f = (step - warmup) / total
    return min_lr + (peak - min_lr) * (1 + math.cos(math.pi * f)) / 2


def to_zero(step, peak, min_lr, warmup, total):
    return warmup_cosine_lr(step, peak, 0.0, warmup, total)


MISTAKES = {
    "no_warmup_shift": "did not subtract the warmup: progress t/T",
    "half_shift": "subtracted the warmup from t but not from T: (t − W)/T",
    "to_zero": "annealed to 0: left out the minimum",
}
