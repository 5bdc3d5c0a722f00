def sgd_step(w, grad, lr):
    return w - lr * grad


def uphill(w, grad, lr):
    return w + lr * grad


def no_lr(w, grad, lr):
    return w - grad


def step_only(w, grad, lr):
    return -lr * grad


def in_place(w, grad, lr):
    w -= lr * grad
    return w


MISTAKES = {
    "uphill": "added the gradient (w + α·g moves uphill)",
    "no_lr": "forgot the learning rate (w − g)",
    "step_only": "reported the step −α·g instead of the new weights",
}
