"""Reference builders for the model zoo, in plain ``torch.nn`` (test-only, independent of drill).

Each model is written out module by module the way its reference implementation constructs it
(torchvision's ``torchvision/models/{alexnet,vgg,resnet,mobilenetv2,densenet,googlenet}.py``,
Hugging Face transformers' ``models/{gpt2,bert,llama}/modeling_*.py``), so every figure here is
torch's own ``numel()`` of real modules, never a formula. Builders run on the ``meta`` device:
a 7B-parameter model costs no memory and no time.

- ``build(name) -> nn.Module``; ``NAMES`` lists the names.
- ``params(module)``: learnable parameters, each shared (tied) tensor counted once.
- ``output_shape(name)``: a meta-device forward of one example at the model's usual input.
- ``macs(name)``: multiply-accumulates of the Conv2d/Linear layers, counted with forward hooks
  (conv: output elements x in_channels/groups x kernel elements; linear: output elements x in_features).
- ``llama_decoder(...)``: a Llama-style decoder (GQA attention, SwiGLU MLP, RMSNorm) in plain torch.
- ``hf_param_count(config)``: a decoder's parameters from a Hugging Face config dict: transformers'
  own class (Llama, Qwen2, GPT-2) on the meta device when installed, else the plain-torch ``decoder``
  (also for mixes no class builds: SwiGLU/GELU, RMSNorm/LayerNorm, biases none/qkv/all, RoPE/learned).

torch is imported by the caller's ``pytest.importorskip`` first; this module imports it directly.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

# --- helpers ------------------------------------------------------------------------------


def params(module: nn.Module) -> int:
    """What ``model.parameters()`` holds: shared parameters (a tied head) appear once."""
    return sum(p.numel() for p in module.parameters())


def _meta(fn):
    """Build on the meta device: shapes and parameter counts without memory."""

    def wrapped(*args, **kwargs):
        with torch.device("meta"):
            return fn(*args, **kwargs)

    wrapped.__name__ = fn.__name__
    wrapped.__doc__ = fn.__doc__
    return wrapped


def embedding(num_embeddings: int, embedding_dim: int, **kw) -> nn.Embedding:
    """nn.Embedding with its (num, dim) weight given uninitialised: the same parameter, but no
    ``normal_`` init, which on the meta device costs a one-off multi-second import in torch."""
    return nn.Embedding(num_embeddings, embedding_dim, _weight=torch.empty(num_embeddings, embedding_dim), **kw)


class Concat(nn.Module):
    """Runs each branch on the same input and concatenates their outputs along channels."""

    def __init__(self, *branches: nn.Module):
        super().__init__()
        self.branches = nn.ModuleList(branches)

    def forward(self, x):
        return torch.cat([b(x) for b in self.branches], dim=1)


# --- LeNet-5 ------------------------------------------------------------------------------


def lenet5() -> nn.Module:
    """The common modern LeNet-5 that has 61,706 parameters (e.g. the d2l.ai / PyTorch-tutorial form):

    1x32x32 input (or 28x28 with padding=2 on C1: same count), C1 Conv2d(1, 6, 5), parameter-free
    2x2 pooling, C3 Conv2d(6, 16, 5) with FULL connectivity (LeCun et al. 1998 connect C3 to S2 by
    a sparse table: 1,516 weights instead of 2,416), parameter-free pooling (the paper's S2/S4 have a
    trainable coefficient and bias per map), then Linear 400->120->84->10 (the paper's C5 is a 5x5
    conv with the same 48,120 parameters, and its output is an RBF layer, not a Linear(84, 10)).
    156 + 2,416 + 48,120 + 10,164 + 850 = 61,706.
    """
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), nn.Tanh(), nn.AvgPool2d(2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Tanh(), nn.AvgPool2d(2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Tanh(),
        nn.Linear(120, 84), nn.Tanh(),
        nn.Linear(84, 10),
    )


# --- AlexNet (torchvision, "one weird trick" variant) and the paper's conv1 ---------------


def alexnet(num_classes: int = 1000) -> nn.Module:
    """torchvision.models.alexnet: 64-192-384-256-256 convs, AdaptiveAvgPool2d(6), 9216->4096->4096->1000."""
    features = nn.Sequential(
        nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
        nn.MaxPool2d(kernel_size=3, stride=2),
    )
    classifier = nn.Sequential(
        nn.Dropout(0.5), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
        nn.Dropout(0.5), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
        nn.Linear(4096, num_classes),
    )
    return nn.Sequential(features, nn.AdaptiveAvgPool2d((6, 6)), nn.Flatten(), classifier)


def alexnet_paper_conv1() -> nn.Module:
    """Krizhevsky et al. 2012, conv1: 96 kernels of 11x11x3, stride 4, on a 227x227 input (-> 96x55x55)."""
    return nn.Conv2d(3, 96, kernel_size=11, stride=4)


# --- VGG (configurations A, B, D, E of Simonyan & Zisserman, Table 1) -------------------------

VGG_CFGS = {
    11: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    13: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    16: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    19: [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


def vgg(depth: int = 16, num_classes: int = 1000) -> nn.Module:
    """torchvision.models.vgg{11,13,16,19}: biased 3x3 convs (padding 1), 5 max pools, AdaptiveAvgPool2d(7), 3 FCs."""
    layers: list[nn.Module] = []
    c = 3
    for v in VGG_CFGS[depth]:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers += [nn.Conv2d(c, v, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
            c = v
    classifier = nn.Sequential(
        nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(),
        nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(),
        nn.Linear(4096, num_classes),
    )
    return nn.Sequential(nn.Sequential(*layers), nn.AdaptiveAvgPool2d((7, 7)), nn.Flatten(), classifier)


# --- ResNet-18 / ResNet-50 ------------------------------------------------------------------


class BasicBlock(nn.Module):
    """Two 3x3 conv-BN (no conv bias); a 1x1 conv + BN projection when stride or width changes."""

    expansion = 1

    def __init__(self, cin: int, planes: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        out = planes * self.expansion
        self.downsample = (
            nn.Sequential(nn.Conv2d(cin, out, 1, stride=stride, bias=False), nn.BatchNorm2d(out))
            if stride != 1 or cin != out
            else None
        )

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class Bottleneck(nn.Module):
    """1x1 reduce, 3x3 (carries the stride, torchvision's "ResNet v1.5"), 1x1 expand x4; projection as above."""

    expansion = 4

    def __init__(self, cin: int, planes: int, stride: int = 1):
        super().__init__()
        out = planes * self.expansion
        self.conv1 = nn.Conv2d(cin, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out)
        self.downsample = (
            nn.Sequential(nn.Conv2d(cin, out, 1, stride=stride, bias=False), nn.BatchNorm2d(out))
            if stride != 1 or cin != out
            else None
        )

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


def resnet_stage(block, cin: int, planes: int, blocks: int, stride: int) -> nn.Sequential:
    """One of layer1..layer4: the first block carries the stride (and any projection)."""
    mods = [block(cin, planes, stride)]
    mods += [block(planes * block.expansion, planes) for _ in range(1, blocks)]
    return nn.Sequential(*mods)


def resnet(block, depths: tuple[int, int, int, int], num_classes: int = 1000, width: int = 64) -> nn.Module:
    """torchvision.models.ResNet: 7x7/2 stem conv (no bias) + BN + 3x3/2 max pool, 4 stages, avg pool, fc.

    Children: [0] stem, [1]..[4] layer1..layer4, then pool, flatten, fc. ``width`` scales every stage
    (stem and layer1 ``width``, then 2x, 4x, 8x); torchvision's is 64.
    """
    stem = nn.Sequential(
        nn.Conv2d(3, width, 7, stride=2, padding=3, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace=True),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
    )
    stages, cin = [], width
    for i, (planes, n) in enumerate(zip((width, 2 * width, 4 * width, 8 * width), depths)):
        stages.append(resnet_stage(block, cin, planes, n, 1 if i == 0 else 2))
        cin = planes * block.expansion
    return nn.Sequential(stem, *stages, nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(cin, num_classes))


# --- MobileNetV2 ----------------------------------------------------------------------------


def make_divisible(v: float, divisor: int = 8) -> int:
    """torchvision's ``_make_divisible`` (from the TF reference): nearest multiple, never 10 % below v."""
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def conv_bn_relu6(cin: int, cout: int, kernel: int = 3, stride: int = 1, groups: int = 1) -> nn.Sequential:
    """torchvision's ConvNormActivation with BatchNorm2d and ReLU6: the conv has no bias, 'same'-style padding."""
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout), nn.ReLU6(inplace=True),
    )


class InvertedResidual(nn.Module):
    """1x1 expand (skipped when t = 1), 3x3 depthwise, 1x1 linear projection + BN; residual if shapes match."""

    def __init__(self, cin: int, cout: int, stride: int, t: int):
        super().__init__()
        hidden = int(round(cin * t))
        mods = [conv_bn_relu6(cin, hidden, kernel=1)] if t != 1 else []
        mods += [
            conv_bn_relu6(hidden, hidden, stride=stride, groups=hidden),
            nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout),
        ]
        self.conv = nn.Sequential(*mods)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        return x + self.conv(x) if self.residual else self.conv(x)


MOBILENETV2_SETTING = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


def mobilenet_v2(width_mult: float = 1.0, num_classes: int = 1000) -> nn.Module:
    """torchvision.models.mobilenet_v2: stem 3x3/2 to 32, 17 inverted residuals (t, c, n, s), 1x1 to 1280, fc."""
    cin = make_divisible(32 * width_mult)
    last = make_divisible(1280 * max(1.0, width_mult))
    feats: list[nn.Module] = [conv_bn_relu6(3, cin, stride=2)]
    for t, c, n, s in MOBILENETV2_SETTING:
        cout = make_divisible(c * width_mult)
        for i in range(n):
            feats.append(InvertedResidual(cin, cout, s if i == 0 else 1, t))
            cin = cout
    feats.append(conv_bn_relu6(cin, last, kernel=1))
    return nn.Sequential(
        nn.Sequential(*feats), nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
        nn.Sequential(nn.Dropout(0.2), nn.Linear(last, num_classes)),
    )


# --- DenseNet-121 ---------------------------------------------------------------------------


class DenseLayer(nn.Module):
    """BN-ReLU-Conv1x1 to bn_size*k, BN-ReLU-Conv3x3 to k (no conv biases); its k maps are concatenated on."""

    def __init__(self, cin: int, growth: int, bn_size: int):
        super().__init__()
        mid = bn_size * growth
        self.f = nn.Sequential(
            nn.BatchNorm2d(cin), nn.ReLU(inplace=True), nn.Conv2d(cin, mid, 1, bias=False),
            nn.BatchNorm2d(mid), nn.ReLU(inplace=True),
            nn.Conv2d(mid, growth, 3, padding=1, bias=False),
        )

    def forward(self, x):
        return torch.cat([x, self.f(x)], dim=1)


def dense_block(num_layers: int = 6, cin: int = 64, growth: int = 32, bn_size: int = 4) -> nn.Sequential:
    """torchvision's _DenseBlock: layer i sees cin + i*growth channels; the block outputs cin + L*growth."""
    return nn.Sequential(*(DenseLayer(cin + i * growth, growth, bn_size) for i in range(num_layers)))


def densenet121(num_classes: int = 1000) -> nn.Module:
    """torchvision.models.densenet121: k = 32, blocks (6, 12, 24, 16), 64 stem maps, transitions halve channels."""
    feats: list[nn.Module] = [
        nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True),
        nn.MaxPool2d(3, stride=2, padding=1),
    ]
    c = 64
    for i, n in enumerate((6, 12, 24, 16)):
        feats.append(dense_block(n, c, 32, 4))
        c += n * 32
        if i != 3:
            feats.append(nn.Sequential(
                nn.BatchNorm2d(c), nn.ReLU(inplace=True), nn.Conv2d(c, c // 2, 1, bias=False), nn.AvgPool2d(2, stride=2)
            ))
            c //= 2
    feats += [nn.BatchNorm2d(c), nn.ReLU()]
    return nn.Sequential(*feats, nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(c, num_classes))


# --- GoogLeNet (Inception v1) ---------------------------------------------------------------


def basic_conv(cin: int, cout: int, **kw) -> nn.Sequential:
    """torchvision's BasicConv2d: Conv2d without bias, BatchNorm2d(eps=0.001), ReLU."""
    return nn.Sequential(nn.Conv2d(cin, cout, bias=False, **kw), nn.BatchNorm2d(cout, eps=0.001), nn.ReLU(inplace=True))


def inception(cin: int, c1: int, c3r: int, c3: int, c5r: int, c5: int, pool: int, paper: bool = False) -> Concat:
    """An Inception module: 1x1 | 1x1->3x3 | 1x1->5x5 | 3x3 max pool->1x1, concatenated on channels.

    ``paper=False``: torchvision's module (BasicConv2d everywhere, and its 5x5 branch built with a 3x3
    kernel: the known pytorch/vision#906 quirk kept for its weights). ``paper=True``: Szegedy et al.
    2014 Table 1 (plain biased convs + ReLU, a true 5x5, no BatchNorm).
    """
    if paper:
        def cv(a, b, k):
            return nn.Sequential(nn.Conv2d(a, b, k, padding=k // 2), nn.ReLU(inplace=True))
        k5 = 5
    else:
        def cv(a, b, k):
            return basic_conv(a, b, kernel_size=k, padding=k // 2)
        k5 = 3
    return Concat(
        cv(cin, c1, 1),
        nn.Sequential(cv(cin, c3r, 1), cv(c3r, c3, 3)),
        nn.Sequential(cv(cin, c5r, 1), cv(c5r, c5, k5)),
        nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True), cv(cin, pool, 1)),
    )


INCEPTION3A = (192, 64, 96, 128, 16, 32, 32)


def googlenet(num_classes: int = 1000) -> nn.Module:
    """torchvision.models.googlenet as its weights are published: no auxiliary classifiers."""
    return nn.Sequential(
        basic_conv(3, 64, kernel_size=7, stride=2, padding=3), nn.MaxPool2d(3, stride=2, ceil_mode=True),
        basic_conv(64, 64, kernel_size=1), basic_conv(64, 192, kernel_size=3, padding=1),
        nn.MaxPool2d(3, stride=2, ceil_mode=True),
        inception(*INCEPTION3A), inception(256, 128, 128, 192, 32, 96, 64),
        nn.MaxPool2d(3, stride=2, ceil_mode=True),
        inception(480, 192, 96, 208, 16, 48, 64), inception(512, 160, 112, 224, 24, 64, 64),
        inception(512, 128, 128, 256, 24, 64, 64), inception(512, 112, 144, 288, 32, 64, 64),
        inception(528, 256, 160, 320, 32, 128, 128),
        nn.MaxPool2d(2, stride=2, ceil_mode=True),
        inception(832, 256, 160, 320, 32, 128, 128), inception(832, 384, 192, 384, 48, 128, 128),
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Dropout(0.2), nn.Linear(1024, num_classes),
    )


# --- transformers: GPT-2, BERT, Llama -------------------------------------------------------


def _attend(q, k, v, heads: int, kv_heads: int, causal: bool):
    """Split heads (repeating K/V heads for grouped-query attention), attend, merge heads."""
    b, t, _ = q.shape
    q = q.view(b, t, heads, -1).transpose(1, 2)
    k = k.view(b, t, kv_heads, -1).transpose(1, 2).repeat_interleave(heads // kv_heads, dim=1)
    v = v.view(b, t, kv_heads, -1).transpose(1, 2).repeat_interleave(heads // kv_heads, dim=1)
    return F.scaled_dot_product_attention(q, k, v, is_causal=causal).transpose(1, 2).reshape(b, t, -1)


class GPT2Block(nn.Module):
    """Pre-LN block: ln_1, c_attn (d -> 3d, biased; HF's Conv1D has Linear's shapes transposed, same count),
    c_proj (d -> d), ln_2, MLP d -> 4d -> d (biased)."""

    def __init__(self, d: int, heads: int, inner: int):
        super().__init__()
        self.heads = heads
        self.ln_1, self.ln_2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.c_attn, self.c_proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.mlp = nn.Sequential(nn.Linear(d, inner), nn.GELU(approximate="tanh"), nn.Linear(inner, d))

    def forward(self, x):
        q, k, v = self.c_attn(self.ln_1(x)).chunk(3, dim=-1)
        x = x + self.c_proj(_attend(q, k, v, self.heads, self.heads, causal=True))
        return x + self.mlp(self.ln_2(x))


class GPT2LM(nn.Module):
    """transformers' GPT2LMHeadModel: wte + wpe (added), n_layer blocks, ln_f, lm_head tied to wte."""

    def __init__(self, vocab=50257, n_positions=1024, d=768, layers=12, heads=12, inner=None, tie=True):
        super().__init__()
        self.wte, self.wpe = embedding(vocab, d), embedding(n_positions, d)
        self.h = nn.ModuleList(GPT2Block(d, heads, inner or 4 * d) for _ in range(layers))
        self.ln_f = nn.LayerNorm(d)
        self.lm_head = nn.Linear(d, vocab, bias=False)
        if tie:
            self.lm_head.weight = self.wte.weight

    def forward(self, ids):
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1], device=ids.device))
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))


class BertLayer(nn.Module):
    """Post-LN encoder layer: query/key/value/output dense (biased), LayerNorm, intermediate d -> 4d, output, LayerNorm."""

    def __init__(self, d: int, heads: int, inner: int):
        super().__init__()
        self.heads = heads
        self.query, self.key, self.value, self.attn_out = (nn.Linear(d, d) for _ in range(4))
        self.ln_attn = nn.LayerNorm(d, eps=1e-12)
        self.intermediate, self.output = nn.Linear(d, inner), nn.Linear(inner, d)
        self.ln_out = nn.LayerNorm(d, eps=1e-12)

    def forward(self, x):
        a = _attend(self.query(x), self.key(x), self.value(x), self.heads, self.heads, causal=False)
        x = self.ln_attn(x + self.attn_out(a))
        return self.ln_out(x + self.output(F.gelu(self.intermediate(x))))


class Bert(nn.Module):
    """transformers' BertModel (add_pooling_layer=True, its default): word + position + token-type
    embeddings, an embedding LayerNorm, L layers, and the pooler (dense d -> d + tanh on [CLS])."""

    def __init__(self, vocab=30522, max_positions=512, type_vocab=2, d=768, layers=12, heads=12, inner=3072, pooler=True):
        super().__init__()
        self.word, self.position, self.token_type = embedding(vocab, d), embedding(max_positions, d), embedding(type_vocab, d)
        self.ln_emb = nn.LayerNorm(d, eps=1e-12)
        self.layers = nn.ModuleList(BertLayer(d, heads, inner) for _ in range(layers))
        self.pooler = nn.Linear(d, d) if pooler else None

    def forward(self, ids):
        pos = torch.arange(ids.shape[1], device=ids.device)
        x = self.ln_emb(self.word(ids) + self.position(pos) + self.token_type(torch.zeros_like(ids)))
        for layer in self.layers:
            x = layer(x)
        return x if self.pooler is None else torch.tanh(self.pooler(x[:, 0]))


class LlamaLayer(nn.Module):
    """input RMSNorm, q/k/v/o projections without bias (k, v are kv_heads*head_dim wide: GQA),
    post-attention RMSNorm, SwiGLU MLP: down(silu(gate(x)) * up(x)), no biases."""

    def __init__(self, d: int, heads: int, kv_heads: int, inner: int, head_dim: int | None = None,
                 attention_bias: bool = False, mlp_bias: bool = False):
        super().__init__()
        hd = head_dim or d // heads
        self.heads, self.kv_heads = heads, kv_heads
        self.input_layernorm, self.post_attention_layernorm = nn.RMSNorm(d), nn.RMSNorm(d)
        self.q_proj = nn.Linear(d, heads * hd, bias=attention_bias)
        self.k_proj = nn.Linear(d, kv_heads * hd, bias=attention_bias)
        self.v_proj = nn.Linear(d, kv_heads * hd, bias=attention_bias)
        self.o_proj = nn.Linear(heads * hd, d, bias=attention_bias)
        self.gate_proj = nn.Linear(d, inner, bias=mlp_bias)
        self.up_proj = nn.Linear(d, inner, bias=mlp_bias)
        self.down_proj = nn.Linear(inner, d, bias=mlp_bias)

    def forward(self, x):
        h = self.input_layernorm(x)
        x = x + self.o_proj(_attend(self.q_proj(h), self.k_proj(h), self.v_proj(h), self.heads, self.kv_heads, causal=True))
        h = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h))


class LlamaDecoder(nn.Module):
    """transformers' LlamaForCausalLM: embed_tokens, L layers, final RMSNorm, lm_head (untied unless tie)."""

    def __init__(self, vocab: int, d: int, layers: int, heads: int, kv_heads: int, inner: int, tie: bool = False,
                 head_dim: int | None = None, attention_bias: bool = False, mlp_bias: bool = False):
        super().__init__()
        self.embed_tokens = embedding(vocab, d)
        self.layers = nn.ModuleList(LlamaLayer(d, heads, kv_heads, inner, head_dim, attention_bias, mlp_bias) for _ in range(layers))
        self.norm = nn.RMSNorm(d)
        self.lm_head = nn.Linear(d, vocab, bias=False)
        if tie:
            self.lm_head.weight = self.embed_tokens.weight

    def forward(self, ids):
        x = self.embed_tokens(ids)
        for layer in self.layers:
            x = layer(x)
        return self.lm_head(self.norm(x))


@_meta
def llama_decoder(vocab_size: int, hidden_size: int, num_hidden_layers: int, num_attention_heads: int,
                  intermediate_size: int, num_key_value_heads: int | None = None,
                  tie_word_embeddings: bool = False, head_dim: int | None = None,
                  attention_bias: bool = False, mlp_bias: bool = False) -> LlamaDecoder:
    """A Llama-style decoder on the meta device, named by Hugging Face config fields
    (LlamaConfig's defaults: K/V heads = attention heads, untied head, no biases)."""
    return LlamaDecoder(vocab_size, hidden_size, num_hidden_layers, num_attention_heads,
                        num_key_value_heads or num_attention_heads, intermediate_size, tie_word_embeddings, head_dim,
                        attention_bias, mlp_bias)


# Published configs (Hugging Face config.json of each model repository).
LLAMA2_7B = dict(vocab_size=32000, hidden_size=4096, num_hidden_layers=32, num_attention_heads=32,
                 num_key_value_heads=32, intermediate_size=11008, tie_word_embeddings=False)
TINYLLAMA_1_1B = dict(vocab_size=32000, hidden_size=2048, num_hidden_layers=22, num_attention_heads=32,
                      num_key_value_heads=4, intermediate_size=5632, tie_word_embeddings=False)
MISTRAL_7B = dict(vocab_size=32000, hidden_size=4096, num_hidden_layers=32, num_attention_heads=32,
                  num_key_value_heads=8, intermediate_size=14336, tie_word_embeddings=False)


def have_transformers() -> bool:
    try:
        import transformers  # noqa: F401
    except Exception:
        return False
    return True


def decoder_arch(config: dict) -> dict:
    """A decoder config in one vocabulary, from Hugging Face field names.

    Llama-style by default (``mlp: swiglu``, ``norm: rmsnorm``, ``bias: none``, ``position_embedding:
    rope``, untied head; ``attention_bias`` / ``mlp_bias`` as LlamaConfig has them). ``model_type:
    gpt2`` reads GPT2Config's names (n_embd, n_layer, n_head, n_positions, n_inner; tied, biases
    everywhere, LayerNorm, GELU MLP, learned positions). ``bias`` may also be ``qkv`` (Qwen2) or ``all``.
    """
    if config.get("model_type") == "gpt2":
        d = config.get("n_embd", 768)
        return dict(vocab=config.get("vocab_size", 50257), d=d, layers=config.get("n_layer", 12),
                    heads=config.get("n_head", 12), kv=config.get("n_head", 12), ff=config.get("n_inner") or 4 * d,
                    tie=config.get("tie_word_embeddings", True), head_dim=None, mlp="gelu", norm="layernorm",
                    qkv_bias=True, o_bias=True, mlp_bias=True, positions=config.get("n_positions", 1024))
    bias = config.get("bias")
    if bias is None:
        qkv_bias = o_bias = bool(config.get("attention_bias", False))
        mlp_bias = bool(config.get("mlp_bias", False))
    else:
        if bias not in ("none", "qkv", "all"):
            raise ValueError(f"bias must be none, qkv or all, not {bias!r}")
        qkv_bias, o_bias, mlp_bias = bias != "none", bias == "all", bias == "all"
    heads = config["num_attention_heads"]
    learned = config.get("position_embedding", "rope") == "learned"
    return dict(vocab=config["vocab_size"], d=config["hidden_size"], layers=config["num_hidden_layers"], heads=heads,
                kv=config.get("num_key_value_heads") or heads, ff=config["intermediate_size"],
                tie=bool(config.get("tie_word_embeddings", False)), head_dim=config.get("head_dim"),
                mlp=config.get("mlp", "swiglu"), norm=config.get("norm", "rmsnorm"),
                qkv_bias=qkv_bias, o_bias=o_bias, mlp_bias=mlp_bias,
                positions=config["max_position_embeddings"] if learned else None)


@_meta
def decoder(a: dict) -> nn.Module:
    """A decoder's modules in plain torch from ``decoder_arch``'s dict (for counting: no forward):
    token embedding (+ learned positions), per layer two norms, q/k/v/o (k, v kv_heads*head_dim wide),
    a SwiGLU (gate, up, down) or GELU (up, down) MLP; a final norm; the LM head, tied or not."""
    d, hd = a["d"], a["head_dim"] or a["d"] // a["heads"]

    def norm():
        return nn.RMSNorm(d) if a["norm"] == "rmsnorm" else nn.LayerNorm(d)

    def layer():
        mods = dict(norm1=norm(), norm2=norm(),
                    q=nn.Linear(d, a["heads"] * hd, bias=a["qkv_bias"]), k=nn.Linear(d, a["kv"] * hd, bias=a["qkv_bias"]),
                    v=nn.Linear(d, a["kv"] * hd, bias=a["qkv_bias"]), o=nn.Linear(a["heads"] * hd, d, bias=a["o_bias"]),
                    up=nn.Linear(d, a["ff"], bias=a["mlp_bias"]), down=nn.Linear(a["ff"], d, bias=a["mlp_bias"]))
        if a["mlp"] == "swiglu":
            mods["gate"] = nn.Linear(d, a["ff"], bias=a["mlp_bias"])
        elif a["mlp"] != "gelu":
            raise ValueError(f"mlp must be swiglu or gelu, not {a['mlp']!r}")
        return nn.ModuleDict(mods)

    m = nn.Module()
    m.embed = embedding(a["vocab"], d)
    if a["positions"]:
        m.positions = embedding(a["positions"], d)
    m.layers = nn.ModuleList(layer() for _ in range(a["layers"]))
    m.norm = norm()
    m.head = nn.Linear(d, a["vocab"], bias=False)
    if a["tie"]:
        m.head.weight = m.embed.weight
    return m


def hf_model(config: dict) -> nn.Module | None:
    """The transformers class that builds this decoder, on the meta device (never loads weights), or
    None when no class has this combination: LlamaForCausalLM (bias none/all), Qwen2ForCausalLM
    (q/k/v biases), GPT2LMHeadModel (GELU, LayerNorm, learned positions, biases, no GQA)."""
    import transformers as tf

    a = decoder_arch(config)
    common = dict(vocab_size=a["vocab"], hidden_size=a["d"], num_hidden_layers=a["layers"], num_attention_heads=a["heads"],
                  num_key_value_heads=a["kv"], intermediate_size=a["ff"], tie_word_embeddings=a["tie"])
    if a["head_dim"]:
        common["head_dim"] = a["head_dim"]
    llama_like = a["mlp"] == "swiglu" and a["norm"] == "rmsnorm" and not a["positions"]
    gpt2_like = (a["mlp"], a["norm"], a["kv"] == a["heads"], a["head_dim"] in (None, a["d"] // a["heads"])) == ("gelu", "layernorm", True, True) \
        and a["positions"] and a["qkv_bias"] and a["o_bias"] and a["mlp_bias"]
    if llama_like and a["qkv_bias"] == a["o_bias"]:
        cfg = tf.LlamaConfig(**common, attention_bias=a["qkv_bias"], mlp_bias=a["mlp_bias"])
        cls = tf.LlamaForCausalLM
    elif llama_like and a["qkv_bias"] and not a["o_bias"] and not a["mlp_bias"]:
        cfg, cls = tf.Qwen2Config(**common), tf.Qwen2ForCausalLM
    elif gpt2_like:
        cfg = tf.GPT2Config(vocab_size=a["vocab"], n_positions=a["positions"], n_embd=a["d"], n_layer=a["layers"],
                            n_head=a["heads"], n_inner=a["ff"], tie_word_embeddings=a["tie"])
        cls = tf.GPT2LMHeadModel
    else:
        return None
    with torch.device("meta"):
        return cls(cfg)


def hf_param_count(config: dict, use_transformers: bool | None = None) -> int:
    """Parameters of the decoder a Hugging Face config dict describes (see ``decoder_arch``).

    With transformers installed (or ``use_transformers=True``), transformers' own model class builds
    it on the meta device when one fits; otherwise (or ``use_transformers=False``) the plain-torch
    ``decoder``. Either way the figure is torch's ``numel()`` of real modules, tied weights once.
    """
    if use_transformers is None:
        use_transformers = have_transformers()
    if use_transformers:
        model = hf_model(config)
        if model is not None:
            return params(model)
    return params(decoder(decoder_arch(config)))


# --- the zoo: names, inputs, shapes, MACs -----------------------------------------------------

# name -> (builder, one example's input shape: C,H,W for images, (T,) token ids for text)
ZOO = {
    "lenet5": (lenet5, (1, 32, 32)),
    "alexnet": (alexnet, (3, 224, 224)),
    "alexnet-paper-conv1": (alexnet_paper_conv1, (3, 227, 227)),
    "vgg11": (lambda: vgg(11), (3, 224, 224)),
    "vgg13": (lambda: vgg(13), (3, 224, 224)),
    "vgg16": (lambda: vgg(16), (3, 224, 224)),
    "vgg19": (lambda: vgg(19), (3, 224, 224)),
    "resnet18": (lambda: resnet(BasicBlock, (2, 2, 2, 2)), (3, 224, 224)),
    "resnet34": (lambda: resnet(BasicBlock, (3, 4, 6, 3)), (3, 224, 224)),
    "resnet50": (lambda: resnet(Bottleneck, (3, 4, 6, 3)), (3, 224, 224)),
    "resnet101": (lambda: resnet(Bottleneck, (3, 4, 23, 3)), (3, 224, 224)),
    "resnet152": (lambda: resnet(Bottleneck, (3, 8, 36, 3)), (3, 224, 224)),
    "mobilenetv2": (mobilenet_v2, (3, 224, 224)),
    "densenet121": (densenet121, (3, 224, 224)),
    "densenet121-block1": (lambda: dense_block(6, 64, 32, 4), (64, 56, 56)),
    "googlenet": (googlenet, (3, 224, 224)),
    "inception3a": (lambda: inception(*INCEPTION3A), (192, 28, 28)),
    "inception3a-paper": (lambda: inception(*INCEPTION3A, paper=True), (192, 28, 28)),
    "gpt2-small": (GPT2LM, (1024,)),
    "bert-base": (Bert, (512,)),
    "llama2-7b": (lambda: LlamaDecoder(**_llama_args(LLAMA2_7B)), (16,)),
    "tinyllama-1.1b": (lambda: LlamaDecoder(**_llama_args(TINYLLAMA_1_1B)), (16,)),
    "mistral-7b": (lambda: LlamaDecoder(**_llama_args(MISTRAL_7B)), (16,)),
}
NAMES = tuple(ZOO)
TEXT = {"gpt2-small", "bert-base", "llama2-7b", "tinyllama-1.1b", "mistral-7b"}


def _llama_args(c: dict) -> dict:
    return dict(vocab=c["vocab_size"], d=c["hidden_size"], layers=c["num_hidden_layers"], heads=c["num_attention_heads"],
                kv_heads=c["num_key_value_heads"], inner=c["intermediate_size"], tie=c["tie_word_embeddings"])


@_meta
def build(name: str) -> nn.Module:
    """The named zoo model on the meta device, in eval mode."""
    return ZOO[name][0]().eval()


def example_input(name: str, batch: int = 1):
    shape = ZOO[name][1]
    with torch.device("meta"):
        if name in TEXT:
            return torch.zeros(batch, *shape, dtype=torch.long)
        return torch.zeros(batch, *shape)


def output_shape(name: str, input_shape: tuple[int, ...] | None = None, model: nn.Module | None = None) -> tuple[int, ...]:
    """Shape of one example's output (batch dimension dropped), by a meta-device forward."""
    model = model or build(name)
    if input_shape is None:
        x = example_input(name)
    else:
        dtype = torch.long if name in TEXT else torch.float32
        x = torch.zeros(1, *input_shape, dtype=dtype, device="meta")
    with torch.no_grad():
        return tuple(model(x).shape[1:])


def count_macs(model: nn.Module, x) -> int:
    """Multiply-accumulates of every Conv2d and Linear in one forward pass (batch of 1), by forward hooks."""
    total = 0

    def hook(m, inp, out):
        nonlocal total
        if isinstance(m, nn.Conv2d):
            total += out.numel() * (m.in_channels // m.groups) * math.prod(m.kernel_size)
        else:
            total += out.numel() * m.in_features

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
    return total


def macs(name: str, model: nn.Module | None = None) -> int:
    """Conv/linear MACs of the named model on its example input (one image / one sequence)."""
    return count_macs(model or build(name), example_input(name))
