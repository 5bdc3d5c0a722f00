"""Weight initialization: Xavier/Glorot and He/Kaiming scales, and the variance they give a layer's output.

Fans of a weight (as torch.nn.init._calculate_fan_in_and_fan_out, groups = 1)::

    Linear(in, out)            fan_in = in,              fan_out = out
    Conv2d(C_in, C_out, k×k)   fan_in = C_in·k_h·k_w,    fan_out = C_out·k_h·k_w

Scales (gain as torch.nn.init.calculate_gain: 1 for linear, √2 for relu, √(2/(1 + a²)) for leaky_relu)::

    xavier_normal_   std   = gain·√(2/(fan_in + fan_out))     xavier_uniform_  bound = gain·√(6/(fan_in + fan_out))
    kaiming_normal_  std   = gain/√fan                         kaiming_uniform_ bound = gain·√(3/fan)

with fan = fan_in or fan_out by ``mode``; a uniform U(−b, b) has std b/√3.

Output variance of y = Σ_i w_i·x_i (n = fan_in terms, w_i i.i.d. zero-mean and independent of
the i.i.d. x_i, no bias): Var(y) = n·Var(w)·E[x²]. For x = ReLU(z) with z zero-mean and symmetric,
E[x²] = Var(z)/2.
"""

from __future__ import annotations

import math

from . import Formula, InvalidParams, Solution, formula, solver
from ._params import Int, Num, Text, LAYER
from ._fmt import fmt
from ._layers import layer_repr
from .layer_types import conv_args


def fans(layer: dict) -> tuple[int, int, str]:
    """(fan_in, fan_out, how) of a Linear or Conv2d weight."""
    kind = layer.get("type")
    if kind == "Linear":
        i, o = int(layer["in_features"]), int(layer["out_features"])
        return i, o, f"Linear: fan_in = in_features = {i}, fan_out = out_features = {o}"
    if kind == "Conv2d":
        cin, cout, g, kh, kw, _ = conv_args(layer)
        if g != 1:
            raise InvalidParams("fans are stated for groups = 1 only")
        rf = kh * kw
        return cin * rf, cout * rf, (f"Conv2d: fan_in = in_channels·k_h·k_w = {cin}·{kh}·{kw} = {cin * rf}, "
                                     f"fan_out = out_channels·k_h·k_w = {cout}·{kh}·{kw} = {cout * rf}")
    raise InvalidParams(f"fans need a Linear or Conv2d layer, got {kind!r}")


def _channel_fans(layer: dict) -> tuple[int, int] | None:
    """The fans a learner gets by leaving out the kernel's k_h·k_w (None for Linear)."""
    if layer.get("type") != "Conv2d":
        return None
    return int(layer["in_channels"]), int(layer["out_channels"])


def gain(nonlinearity: str, a: float = 0.0) -> tuple[float, str]:
    """calculate_gain for the nonlinearities the bank uses, and how it is written."""
    if nonlinearity == "linear":
        return 1.0, "gain = 1 (linear)"
    if nonlinearity == "relu":
        return math.sqrt(2.0), "gain = √2 (ReLU)"
    if nonlinearity == "leaky_relu":
        return math.sqrt(2.0 / (1 + a * a)), f"gain = √(2/(1 + a²)) = √(2/(1 + {fmt(a)}²)) = {fmt(math.sqrt(2.0 / (1 + a * a)))} (leaky ReLU, slope a = {fmt(a)})"
    raise InvalidParams(f"nonlinearity must be linear, relu or leaky_relu, got {nonlinearity!r}")


def _fan_symbols(layer: dict, fi: int, fo: int) -> dict:
    """fan_in and fan_out as symbols, their meaning saying how this layer's weight gives them."""
    if layer.get("type") == "Conv2d":
        return {"fan_in": ("fan_in = in_channels·k_h·k_w of the Conv2d weight", fi),
                "fan_out": ("fan_out = out_channels·k_h·k_w of the Conv2d weight", fo)}
    return {"fan_in": ("fan_in = in_features of the Linear weight", fi), "fan_out": ("fan_out = out_features of the Linear weight", fo)}


def _scale_formula(scheme: str, layer: dict, fi: int, fo: int, g: float, p: dict) -> Formula:
    """The std or bound formula of ``scheme``, with the gain written as the nonlinearity gives it."""
    fan = _fan_symbols(layer, fi, fo)
    uniform = scheme.endswith("uniform")
    name = "bound" if uniform else "std"
    if scheme.startswith("xavier"):
        core = f"sqrt({6 if uniform else 2}/(fan_in + fan_out))"
        if g == 1.0:
            return formula(core, name=name, **fan)
        return formula(f"gain*{core}", name=name, gain=("the gain", g), **fan)
    mode = p["mode"]
    nl = p["nonlinearity"]
    gexpr, extra = {"linear": ("1", {}), "relu": ("sqrt(2)", {}),
                    "leaky_relu": ("sqrt(2/(1 + a**2))", {"a": ("the leaky ReLU's negative slope", float(p.get("a", 0.0)))})}[nl]
    if uniform:
        expr = f"sqrt(3/{mode})" if nl == "linear" else f"{gexpr}*sqrt(3/{mode})"
    else:
        expr = f"{gexpr}/sqrt({mode})"
    return formula(expr, name=name, **{mode: fan[mode]}, **extra)


def _xavier(fi: int, fo: int, g: float, uniform: bool) -> float:
    return g * math.sqrt((6.0 if uniform else 2.0) / (fi + fo))


def _kaiming(fan: int, g: float, uniform: bool) -> float:
    return g * math.sqrt((3.0 if uniform else 1.0) / fan)


@solver("init-scale", params={
    "scheme": Text("the initializer", choices=("xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal")),
    "layer": LAYER,
    "mode": Text("Kaiming's fan", choices=("fan_in", "fan_out"), optional=True),
    "nonlinearity": Text("the nonlinearity Kaiming's gain is for", choices=("linear", "relu", "leaky_relu"), optional=True),
    "a": Num("leaky_relu's negative slope (Kaiming's a)", optional=True),
    "gain": Num("Xavier's gain", lo=0, optional=True),
})
def init_scale(p: dict) -> Solution:
    """std (normal) or bound (uniform) of ``scheme`` = xavier_uniform | xavier_normal | kaiming_uniform | kaiming_normal."""
    layer, scheme = p["layer"], p["scheme"]
    fi, fo, how = fans(layer)
    uniform = scheme.endswith("uniform")
    what = "bound" if uniform else "std"
    ch = _channel_fans(layer)
    mistakes: dict[str, float] = {}
    if scheme.startswith("xavier"):
        g = float(p.get("gain", 1.0))
        ans = _xavier(fi, fo, g, uniform)
        c = 6 if uniform else 2
        steps = [how, f"{scheme}_: {what} = gain·√({c}/(fan_in + fan_out)) = {fmt(g)}·√({c}/{fi + fo}) = {fmt(ans)}"]
        mistakes["used fan_in alone in place of fan_in + fan_out"] = g * math.sqrt(c / fi)
        mistakes["forgot the square root"] = g * c / (fi + fo)
        if uniform:
            mistakes["gave the std gain·√(2/(fan_in + fan_out)), not the uniform bound"] = _xavier(fi, fo, g, False)
        else:
            mistakes["gave the uniform bound gain·√(6/(fan_in + fan_out)), not the std"] = _xavier(fi, fo, g, True)
        if ch:
            mistakes["left the kernel's k_h·k_w out of the fans"] = _xavier(*ch, g, uniform)
    elif scheme.startswith("kaiming"):
        mode = p["mode"]
        if mode not in ("fan_in", "fan_out"):
            raise InvalidParams(f"mode must be fan_in or fan_out, got {mode!r}")
        nl, a = p["nonlinearity"], float(p.get("a", 0.0))
        g, gtext = gain(nl, a)
        fan, other = (fi, fo) if mode == "fan_in" else (fo, fi)
        ans = _kaiming(fan, g, uniform)
        rule = f"gain·√(3/{mode})" if uniform else f"gain/√{mode}"
        steps = [how, gtext, f"{scheme}_ (mode {mode}): {what} = {rule} = {fmt(g)}·√({3 if uniform else 1}/{fan}) = {fmt(ans)}"]
        mistakes[f"used the other mode ({'fan_out' if mode == 'fan_in' else 'fan_in'})"] = _kaiming(other, g, uniform)
        mistakes["forgot the gain (used gain 1)"] = _kaiming(fan, 1.0, uniform)
        if nl == "leaky_relu":
            mistakes["used ReLU's gain √2, ignoring the slope a"] = _kaiming(fan, math.sqrt(2), uniform)
        if uniform:
            mistakes["gave the std gain/√fan, not the uniform bound"] = _kaiming(fan, g, False)
        else:
            mistakes["gave the variance gain²/fan, not the std"] = g * g / fan
        if ch:
            mistakes["left the kernel's k_h·k_w out of the fans"] = _kaiming(ch[0] if mode == "fan_in" else ch[1], g, uniform)
    else:
        raise InvalidParams(f"unknown scheme {scheme!r}")
    context = {"_layer": layer_repr(layer)}
    if scheme.startswith("kaiming"):
        context["_nonlin"] = ("ReLU, gain √2" if nl == "relu" else "linear, gain 1" if nl == "linear"
                              else f"leaky ReLU with negative slope a = {fmt(a)}, gain √(2/(1 + a²))")
        slope = f"a={fmt(a)}, " if nl == "leaky_relu" else ""  # the call as written builds this gain
        context["_call"] = f'torch.nn.init.{scheme}_(weight, {slope}mode="{mode}", nonlinearity="{nl}")'
    return Solution(ans, steps, mistakes, context=context, formulas=[_scale_formula(scheme, layer, fi, fo, g, p)])


@solver("uniform-layer-variance", params={
    "fan_in": Int("inputs per unit n", lo=1, example=100),
    "bound": Num("weights are drawn from U(−a, a) with this a", lo=0, example=0.1),
    "x_mean": Num("the mean of each input", example=1.0),
    "x_var": Num("the variance of each input", lo=0, example=3.0),
})
def uniform_layer_variance(p: dict) -> Solution:
    """Var(y) = n·Var(w)·E[x²] for weights U(−a, a) (Var(w) = a²/3) and inputs of mean μ, variance σ²."""
    n, a, mu, s2 = int(p["fan_in"]), float(p["bound"]), float(p["x_mean"]), float(p["x_var"])
    if n < 1 or a <= 0 or s2 <= 0:
        raise InvalidParams("fan_in ≥ 1, bound > 0 and x_var > 0 are needed")
    var_w, ex2 = a * a / 3, s2 + mu * mu
    ans = n * var_w * ex2
    steps = [
        f"Var(w) of U(−a, a) = (2a)²/12 = a²/3 = {fmt(a)}²/3 = {fmt(var_w)}",
        f"E[x²] = Var(x) + E[x]² = {fmt(s2)} + {fmt(mu)}² = {fmt(ex2)}",
        f"Each term w_i·x_i has mean 0 and variance E[w²]·E[x²] = Var(w)·E[x²]; the {n} terms are independent",
        f"Var(y) = n·Var(w)·E[x²] = {n}·{fmt(var_w)}·{fmt(ex2)} = {fmt(ans)}",
    ]
    mistakes = {
        "used Var(x) in place of E[x²] (forgot the mean)": n * var_w * s2,
        "took Var(w) = a² for U(−a, a)": n * a * a * ex2,
        "took Var(w) = a²/12 (width a instead of 2a)": n * a * a / 12 * ex2,
        "forgot the sum over the fan_in terms": var_w * ex2,
    }
    declared = [formula("n*(a**2/3)*(sigma2 + mu**2)", name="Var(y)", n=("fan_in, the number of terms", n),
                        a=("the bound of the uniform U(−a, a) weights", a), mu=("the mean of the inputs x", mu),
                        sigma2=("the variance of the inputs x", s2))]
    return Solution(ans, steps, mistakes, formulas=declared)


@solver("relu-layer-variance", params={
    "layer": LAYER,
    "scheme": Text("the initializer", choices=("xavier_normal", "kaiming_normal"), example='xavier_normal'),
    "z_var": Num("the variance of the pre-activations z feeding the ReLU", lo=0, example=2.0),
})
def relu_layer_variance(p: dict) -> Solution:
    """Var(y) of a Linear layer on x = ReLU(z), z zero-mean symmetric with variance Var(z), weights by ``scheme``."""
    layer, scheme, vz = p["layer"], p["scheme"], float(p["z_var"])
    fi, fo, how = fans(layer)
    if vz <= 0:
        raise InvalidParams("z_var must be positive")
    if scheme == "xavier_normal":
        var_w = 2.0 / (fi + fo)
        wtext = f"xavier_normal_ (gain 1): Var(w) = 2/(fan_in + fan_out) = 2/{fi + fo} = {fmt(var_w)}"
    elif scheme == "kaiming_normal":
        var_w = 2.0 / fi
        wtext = f"kaiming_normal_ (ReLU gain √2, mode fan_in): Var(w) = 2/fan_in = 2/{fi} = {fmt(var_w)}"
    else:
        raise InvalidParams(f"scheme must be xavier_normal or kaiming_normal, got {scheme!r}")
    ex2 = vz / 2
    ans = fi * var_w * ex2
    steps = [
        how, wtext,
        f"z is symmetric about 0, so ReLU keeps half of E[z²]: E[x²] = Var(z)/2 = {fmt(vz)}/2 = {fmt(ex2)}",
        f"Var(y) = fan_in·Var(w)·E[x²] = {fi}·{fmt(var_w)}·{fmt(ex2)} = {fmt(ans)}",
    ]
    var_relu = vz * (0.5 - 1 / (2 * math.pi))  # Var(ReLU(z)) for a Gaussian z
    mistakes = {
        "ignored the ReLU: E[x²] = Var(z)": fi * var_w * vz,
        "used Var(x) = Var(ReLU(z)) (for a Gaussian z) in place of E[x²]": fi * var_w * var_relu,
        "forgot the sum over the fan_in terms": var_w * ex2,
        "used the std of the weights in place of their variance": fi * math.sqrt(var_w) * ex2,
    }
    note = "gain 1" if scheme == "xavier_normal" else 'mode "fan_in", nonlinearity "relu"'
    var_w_expr = "2/(fan_in + fan_out)" if scheme == "xavier_normal" else "2/fan_in"
    fan = _fan_symbols(layer, fi, fo)
    if scheme != "xavier_normal":
        del fan["fan_out"]
    declared = [formula(f"fan_in*({var_w_expr})*(var_z/2)", name="Var(y)", var_z=("the variance of the pre-activation z", vz), **fan)]
    return Solution(ans, steps, mistakes, context={"_layer": layer_repr(layer), "_scheme_note": note}, formulas=declared)
