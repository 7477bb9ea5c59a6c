#!/usr/bin/env python3
"""Reference for `bitnut bench pretrain`: the same BitNet b1.58 model and training step in PyTorch eager.

Follows shared notes bitnet-spec.md §8.1-8.2 exactly like bitnut.model.BitNetModel (HF BitNetForCausalLM
layout, BitLinear with absmean ternary weights + absmax int8 activations, STE via detach), fp32, torch
AdamW (betas 0.9/0.95, eps 1e-8, decay on BitLinear + untied lm_head only), global-norm clip 1.0.
Prints one JSON line with seconds and CPU seconds per step and tokens/s.

Debian's python3-torch is built with BLAS_INFO=generic: install an optimised BLAS first
(`apt-get install libopenblas0-pthread`), or the reference libblas makes PyTorch ~10x slower than it is.

usage: python3 bench/pretrain/bitnet_torch_bench.py models/bitnut-tiny.json --batch 8 --seq 256 --steps 5 --threads 2
"""
import argparse, json, math, time
import torch
import torch.nn as nn
import torch.nn.functional as F

EPS = 1e-5


def act_quant(x):
    s = 127.0 / x.abs().max(dim=-1, keepdim=True).values.clamp(min=EPS)
    return (x * s).round().clamp(-128, 127) / s


def weight_quant(w):
    m = w.abs().mean().clamp(min=EPS)
    return (w / m).round().clamp(-1, 1) * m


class BitLinear(nn.Linear):
    def __init__(self, i, o, ternary):
        super().__init__(i, o, bias=False)
        self.ternary = ternary

    def forward(self, x):
        if not self.ternary:
            return F.linear(x, self.weight)
        xh = x + (act_quant(x) - x).detach()
        wh = self.weight + (weight_quant(self.weight) - self.weight).detach()
        return F.linear(xh, wh)


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(T, hd, theta):
    inv = theta ** (-(torch.arange(0, hd, 2, dtype=torch.float32) / hd))
    ang = torch.outer(torch.arange(T, dtype=torch.float32), inv)
    return torch.cat([ang.cos(), ang.cos()], -1), torch.cat([ang.sin(), ang.sin()], -1)


def rope(x, c, s):
    h = x.shape[-1] // 2
    return x * c + torch.cat([-x[..., h:], x[..., :h]], -1) * s


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        H, I, t = c["hidden_size"], c["intermediate_size"], c["ternary"]
        self.nh, self.nkv = c["num_attention_heads"], c["num_key_value_heads"]
        self.hd = H // self.nh
        self.input_layernorm = RMSNorm(H, c["rms_norm_eps"])
        self.q = BitLinear(H, self.nh * self.hd, t)
        self.k = BitLinear(H, self.nkv * self.hd, t)
        self.v = BitLinear(H, self.nkv * self.hd, t)
        self.attn_sub_norm = RMSNorm(H, c["rms_norm_eps"])
        self.o = BitLinear(H, H, t)
        self.post_attention_layernorm = RMSNorm(H, c["rms_norm_eps"])
        self.gate = BitLinear(H, I, t)
        self.up = BitLinear(H, I, t)
        self.ffn_sub_norm = RMSNorm(I, c["rms_norm_eps"])
        self.down = BitLinear(I, H, t)

    def forward(self, h, cos, sin, mask):
        B, T, H = h.shape
        x = self.input_layernorm(h)
        q = self.q(x).view(B, T, self.nh, self.hd).transpose(1, 2)
        k = self.k(x).view(B, T, self.nkv, self.hd).transpose(1, 2)
        v = self.v(x).view(B, T, self.nkv, self.hd).transpose(1, 2)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        rep = self.nh // self.nkv
        k, v = k.repeat_interleave(rep, 1), v.repeat_interleave(rep, 1)
        att = (q @ k.transpose(-1, -2)) * self.hd ** -0.5 + mask
        y = att.softmax(-1) @ v
        y = self.attn_sub_norm(y.transpose(1, 2).reshape(B, T, H))
        h = h + self.o(y)
        x = self.post_attention_layernorm(h)
        m = self.ffn_sub_norm(F.relu(self.gate(x)).square() * self.up(x))
        return h + self.down(m)


class Model(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList(Layer(c) for _ in range(c["num_hidden_layers"]))
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.lm_head = None if c["tie_word_embeddings"] else nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)
        for mod in self.modules():
            if isinstance(mod, (nn.Linear, nn.Embedding)):
                nn.init.normal_(mod.weight, 0.0, c["initializer_range"])

    def forward(self, ids, targets):
        B, T = ids.shape
        cos, sin = rope_tables(T, self.c["hidden_size"] // self.c["num_attention_heads"], self.c["rope_theta"])
        mask = torch.full((T, T), float("-inf")).triu(1)
        h = self.embed(ids)
        for layer in self.layers:
            h = layer(h, cos, sin, mask)
        h = self.norm(h)
        logits = F.linear(h, self.embed.weight if self.lm_head is None else self.lm_head.weight)
        return F.cross_entropy(logits.reshape(B * T, -1), targets.reshape(-1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("config")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--vocab", type=int, default=0)
    ap.add_argument("--precision", default="ternary")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    c = json.load(open(a.config))
    if a.vocab:
        c["vocab_size"] = a.vocab
    c["ternary"] = a.precision == "ternary"
    model = Model(c)
    decay = [p for n, p in model.named_parameters() if isinstance(dict(model.named_modules())[n.rsplit(".", 1)[0]], nn.Linear)]
    ids_decay = {id(p) for p in decay}
    rest = [p for p in model.parameters() if id(p) not in ids_decay]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}],
                            lr=1e-3, betas=(0.9, 0.95), eps=1e-8)
    V = c["vocab_size"]
    times, cpus = [], []
    for step in range(a.warmup + a.steps):
        ids = torch.randint(0, V, (a.batch, a.seq + 1))
        t0, c0 = time.perf_counter(), time.process_time()
        loss = model(ids[:, :-1], ids[:, 1:])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=False)
        if step >= a.warmup:
            times.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
    s = sorted(times)[len(times) // 2]
    print(json.dumps({"engine": "pytorch " + torch.__version__, "threads": a.threads, "params": sum(p.numel() for p in model.parameters()),
                      "batch": a.batch, "seq": a.seq, "s_per_step_median": s, "cpu_s_per_step": sum(cpus) / len(cpus),
                      "tokens_per_s": a.batch * a.seq / s, "loss": loss.item()}))


if __name__ == "__main__":
    main()
