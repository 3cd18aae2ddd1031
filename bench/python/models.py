"""PyTorch eager references of the three benchmarked rankrepro models, written as a researcher would.

Each mirrors the DJL model of tasks/src/main/java/io/rankrepro/tasks/{toy,model}/ exactly (same
parameter names and layouts, so the weights rankrepro exports load as they are):

* DiagonalHead   -- paper B's toy head, f(X) = softmax(X diag(wK*wQ) X^T) X diag(wV*wO), float64
* ViT            -- patch embedding, CLS token, learned positions, pre-LN blocks, CLS pooling
* GPT            -- token + position embeddings, causal pre-LN blocks, tied output

Blocks: x + MHA(LN(x)), then x + MLP(LN(x)); attention weights [d, d] used as x @ W (heads in
columns), output x @ Wo^T; MLP Linear -> GELU (erf) -> Linear; LayerNorm eps 1e-5.

`fused=True` writes the same functions with the fusions rankrepro's models use (one x @ [Wq/sqrt(dh) | Wk | Wv]
product instead of three and no scaling of the scores; F.linear (addmm) for every layer with a bias), so
the benchmark can also compare the two at equal effort. The plain form is the reference: it is what a
researcher would write.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

WIDTH, HEADS, LAYERS, MLP_RATIO, BATCH = 64, 8, 5, 4, 32
IMAGE, CHANNELS, PATCH, CLASSES = 8, 1, 2, 10
VOCAB, CONTEXT = 256, 48
BLOCKED = -1e9


class DiagonalHead(nn.Module):
    def __init__(self, d, dtype=torch.float64):
        super().__init__()
        self.w_k = nn.Parameter(torch.zeros(d, dtype=dtype))
        self.w_q = nn.Parameter(torch.zeros(d, dtype=dtype))
        self.w_v = nn.Parameter(torch.zeros(d, dtype=dtype))
        self.w_o = nn.Parameter(torch.zeros(d, dtype=dtype))

    def forward(self, x):
        scores = (x * (self.w_k * self.w_q)) @ x.transpose(1, 2)
        return (scores.softmax(-1) @ x) * (self.w_v * self.w_o)

    def loss(self, x, y):
        return (self(x) - y).square().sum() / (2.0 * x.shape[0])


def affine(x, w, b, fused):
    """x @ w + b: one addmm when fused, else a product and an add."""
    return F.linear(x, w.t(), b) if fused else x @ w + b


class Block(nn.Module):
    def __init__(self, d, heads, ratio, dtype, fused=False):
        super().__init__()
        self.heads, self.dh, self.fused = heads, d // heads, fused
        p = lambda *s: nn.Parameter(torch.empty(*s, dtype=dtype))
        self.ln1_w, self.ln1_b = p(d), p(d)
        self.w_q, self.w_k, self.w_v, self.w_o = p(d, d), p(d, d), p(d, d), p(d, d)
        self.ln2_w, self.ln2_b = p(d), p(d)
        self.fc1_w, self.fc1_b = p(d, ratio * d), p(ratio * d)
        self.fc2_w, self.fc2_b = p(ratio * d, d), p(d)

    def attention(self, x, mask):
        b, t, d = x.shape
        split = lambda y: y.view(b, t, self.heads, self.dh).transpose(1, 2)
        if self.fused:
            qkv = x @ torch.cat([self.w_q * (1.0 / math.sqrt(self.dh)), self.w_k, self.w_v], dim=1)
            q, k, v = (split(y) for y in qkv.split(d, dim=2))
            scores = q @ k.transpose(-1, -2)
        else:
            q, k, v = split(x @ self.w_q), split(x @ self.w_k), split(x @ self.w_v)
            scores = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(self.dh))
        if mask is not None:
            scores = scores + mask
        z = scores.softmax(-1) @ v
        return z.transpose(1, 2).reshape(b, t, d) @ self.w_o.t()

    def forward(self, x, mask):
        d = x.shape[-1]
        h = x + self.attention(F.layer_norm(x, (d,), self.ln1_w, self.ln1_b, 1e-5), mask)
        m = F.layer_norm(h, (d,), self.ln2_w, self.ln2_b, 1e-5)
        return h + affine(F.gelu(affine(m, self.fc1_w, self.fc1_b, self.fused)), self.fc2_w, self.fc2_b, self.fused)


class Stack(nn.Module):
    def __init__(self, d, heads, layers, ratio, dtype, fused=False):
        super().__init__()
        self.blocks = nn.ModuleList(Block(d, heads, ratio, dtype, fused) for _ in range(layers))
        self.lnf_w = nn.Parameter(torch.empty(d, dtype=dtype))
        self.lnf_b = nn.Parameter(torch.empty(d, dtype=dtype))

    def forward(self, x, mask=None):
        for block in self.blocks:
            x = block(x, mask)
        return F.layer_norm(x, (x.shape[-1],), self.lnf_w, self.lnf_b, 1e-5)

    def rankrepro_names(self):
        """rankrepro parameter name -> parameter (ModelParameters' names)."""
        out = {}
        for l, b in enumerate(self.blocks):
            pre = f"blocks.{l}."
            out.update({pre + "ln1.weight": b.ln1_w, pre + "ln1.bias": b.ln1_b,
                        pre + "attn.w_q": b.w_q, pre + "attn.w_k": b.w_k, pre + "attn.w_v": b.w_v, pre + "attn.w_o": b.w_o,
                        pre + "ln2.weight": b.ln2_w, pre + "ln2.bias": b.ln2_b,
                        pre + "mlp.fc1.weight": b.fc1_w, pre + "mlp.fc1.bias": b.fc1_b,
                        pre + "mlp.fc2.weight": b.fc2_w, pre + "mlp.fc2.bias": b.fc2_b})
        out.update({"ln_f.weight": self.lnf_w, "ln_f.bias": self.lnf_b})
        return out


class ViT(nn.Module):
    def __init__(self, dtype=torch.float32, fused=False):
        super().__init__()
        self.fused = fused
        d, n = WIDTH, IMAGE // PATCH
        p = lambda *s: nn.Parameter(torch.empty(*s, dtype=dtype))
        self.patch_w, self.patch_b = p(PATCH * PATCH * CHANNELS, d), p(d)
        self.cls, self.pos = p(1, d), p(n * n + 1, d)
        self.stack = Stack(d, HEADS, LAYERS, MLP_RATIO, dtype, fused)
        self.head_w, self.head_b = p(d, CLASSES), p(CLASSES)

    def logits(self, images):
        b, n, p, c = images.shape[0], IMAGE // PATCH, PATCH, CHANNELS
        patches = images.reshape(b, c, n, p, n, p).permute(0, 2, 4, 3, 5, 1).reshape(b, n * n, p * p * c)
        x = affine(patches, self.patch_w, self.patch_b, self.fused)
        x = torch.cat([self.cls.expand(b, 1, -1), x], dim=1) + self.pos
        return affine(self.stack(x)[:, 0], self.head_w, self.head_b, self.fused)

    def loss(self, images, labels):
        return F.cross_entropy(self.logits(images), labels)

    def rankrepro_names(self):
        out = {"patch_embed.weight": self.patch_w, "patch_embed.bias": self.patch_b,
               "cls_token": self.cls, "pos_embed": self.pos}
        out.update(self.stack.rankrepro_names())
        out.update({"head.weight": self.head_w, "head.bias": self.head_b})
        return out


class GPT(nn.Module):
    def __init__(self, dtype=torch.float32, fused=False):
        super().__init__()
        p = lambda *s: nn.Parameter(torch.empty(*s, dtype=dtype))
        self.tok, self.pos = p(VOCAB, WIDTH), p(CONTEXT, WIDTH)
        self.stack = Stack(WIDTH, HEADS, LAYERS, MLP_RATIO, dtype, fused)
        t = CONTEXT
        self.register_buffer("mask", torch.triu(torch.full((t, t), BLOCKED, dtype=dtype), diagonal=1))

    def logits(self, ids):
        t = ids.shape[1]
        x = F.embedding(ids, self.tok) + self.pos[:t]
        return self.stack(x, self.mask[:t, :t]) @ self.tok.t()

    def loss(self, ids, unused=None):
        logits = self.logits(ids[:, :-1])
        return F.cross_entropy(logits.reshape(-1, VOCAB), ids[:, 1:].reshape(-1))

    def rankrepro_names(self):
        out = {"tok_embed": self.tok, "pos_embed": self.pos}
        out.update(self.stack.rankrepro_names())
        return out


def load(model, tensors):
    """Copies rankrepro's exported weights (name -> numpy array) into the model's parameters."""
    names = model.rankrepro_names()
    missing = set(names) - set(tensors)
    extra = {k for k in tensors if not k.startswith("__")} - set(names)
    if missing or extra:
        raise ValueError(f"weights do not match: missing {sorted(missing)}, unexpected {sorted(extra)}")
    with torch.no_grad():
        for name, param in names.items():
            param.copy_(torch.from_numpy(tensors[name]).to(param.dtype).reshape(param.shape))
    return model


def make(kind, dtype, fused=False):
    return {"vit": ViT, "gpt": GPT}[kind](dtype, fused)


def random_batch(kind, g):
    """A fresh random batch as the bench steps draw it: (images, labels) for vit, (token windows, None) for gpt."""
    if kind == "vit":
        x = torch.randint(0, 17, (BATCH, CHANNELS, IMAGE, IMAGE), generator=g).float() / 16
        return x, torch.randint(0, CLASSES, (BATCH,), generator=g)
    return torch.randint(0, VOCAB, (BATCH, CONTEXT + 1), generator=g), None


def batch_from(kind, tensors, dtype):
    x, y = tensors["__x"], tensors["__y"]
    if kind == "vit":
        return torch.from_numpy(x).to(dtype), torch.from_numpy(y).long()
    return torch.from_numpy(x).long(), None
