#!/usr/bin/python3
"""PyTorch reference of `sieve bench train`: the same training step on the CPU.

The step is sieve's (libs/train/src/bench-train.ts): the 4×256 model of libs/model
(RMSNorm, rotate-half RoPE with 1/√hd folded into q, causal attention, SwiGLU MLP, tied
embeddings, no biases), SFT loss (mean −log p over every position) on random tokens,
forward + backward + clipping to global norm 1 + AdamW (lr 1e-4, weight decay 0.01 on every
parameter except the norms). The parameter count is printed and must equal sieve's
(3,180,800 for the defaults). Output: one JSON line in the shape of
`sieve bench train --json` (one run per thread count, `workers` = torch threads).

Run with Debian's PyTorch:  /usr/bin/python3 bench/pytorch-train-step.py --threads 1,2 --steps 5

Debian's PyTorch is built against the generic libblas.so.3: with the reference BLAS (libblas3,
what this machine has installed) its GEMMs run ~15× slower than with OpenBLAS. The output names
the BLAS that was loaded; to compare with OpenBLAS without installing it system-wide, unpack
libopenblas0-pthread and put its openblas-pthread folder first on LD_LIBRARY_PATH. Each thread
count runs in its own process with OPENBLAS_NUM_THREADS and OMP_NUM_THREADS set (a generic-BLAS
PyTorch cannot change OpenBLAS's thread count after loading it).
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

import torch
import torch.nn.functional as F


class Block(torch.nn.Module):
    def __init__(self, dim, heads, mlp, eps):
        super().__init__()
        self.heads, self.eps = heads, eps
        self.attn_norm = torch.nn.Parameter(torch.ones(dim))
        self.wq = torch.nn.Linear(dim, dim, bias=False)
        self.wk = torch.nn.Linear(dim, dim, bias=False)
        self.wv = torch.nn.Linear(dim, dim, bias=False)
        self.wo = torch.nn.Linear(dim, dim, bias=False)
        self.mlp_norm = torch.nn.Parameter(torch.ones(dim))
        self.gate = torch.nn.Linear(dim, mlp, bias=False)
        self.up = torch.nn.Linear(dim, mlp, bias=False)
        self.down = torch.nn.Linear(mlp, dim, bias=False)

    def forward(self, x, cos, sin, mask):  # x [B, T, D]
        b, t, d = x.shape
        hd = d // self.heads
        h = rms_norm(x, self.attn_norm, self.eps)
        q = self.wq(h).view(b, t, self.heads, hd).transpose(1, 2)  # [B, H, T, hd]
        k = self.wk(h).view(b, t, self.heads, hd).transpose(1, 2)
        v = self.wv(h).view(b, t, self.heads, hd).transpose(1, 2)
        q = rope(q, cos, sin) / math.sqrt(hd)
        k = rope(k, cos, sin)
        probs = torch.softmax(q @ k.transpose(-1, -2) + mask, dim=-1)  # [B, H, T, T]
        o = (probs @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.wo(o)
        hn = rms_norm(x, self.mlp_norm, self.eps)
        return x + self.down(F.silu(self.gate(hn)) * self.up(hn))


def rms_norm(x, g, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * g


def rope(x, cos, sin):  # x [B, H, T, hd]; cos, sin [T, hd] (both halves)
    x1, x2 = x.chunk(2, dim=-1)
    return x * cos + torch.cat([-x2, x1], dim=-1) * sin


class Model(torch.nn.Module):
    def __init__(self, vocab, dim, layers, heads, mlp, seq, theta=10000.0, eps=1e-5):
        super().__init__()
        self.embed = torch.nn.Parameter(torch.randn(vocab, dim) * 0.02)
        self.layers = torch.nn.ModuleList(Block(dim, heads, mlp, eps) for _ in range(layers))
        self.final_norm = torch.nn.Parameter(torch.ones(dim))
        self.eps = eps
        hd = dim // heads
        inv = theta ** (-torch.arange(0, hd, 2, dtype=torch.float32) / hd)  # [hd/2]
        ang = torch.arange(seq, dtype=torch.float32)[:, None] * torch.cat([inv, inv])[None, :]  # [T, hd]
        self.register_buffer('cos', ang.cos())
        self.register_buffer('sin', ang.sin())
        self.register_buffer('mask', torch.triu(torch.full((seq, seq), -1e9), diagonal=1))

    def forward(self, tokens):  # [B, T] → logits [B, T, V]
        x = F.embedding(tokens, self.embed)
        for layer in self.layers:
            x = layer(x, self.cos, self.sin, self.mask)
        return rms_norm(x, self.final_norm, self.eps) @ self.embed.t()  # tied embeddings


def time_threads(threads, a, tokens, targets):
    torch.set_num_threads(threads)
    torch.manual_seed(a.seed)
    model = Model(a.vocab, a.dim, a.layers, a.heads, a.mlp, a.seq)
    decay = [p for n, p in model.named_parameters() if 'norm' not in n]
    no_decay = [p for n, p in model.named_parameters() if 'norm' in n]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.01}, {'params': no_decay, 'weight_decay': 0.0}], lr=1e-4)

    def step():
        logits = model(tokens)
        loss = F.cross_entropy(logits.reshape(-1, a.vocab), targets.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    for _ in range(a.warmup):
        step()
    cpu0, t0 = time.process_time(), time.perf_counter()
    for _ in range(a.steps):
        step()
    ms = (time.perf_counter() - t0) * 1000 / a.steps
    cpu_ms = (time.process_time() - cpu0) * 1000 / a.steps
    params = sum(p.numel() for p in model.parameters())
    tps = a.batch * a.seq * 1000 / ms
    flops_per_token = 6 * params + 12 * a.layers * a.seq * a.dim  # as libs/model flopsPerToken
    run = {'workers': threads, 'replicas': 1, 'tokensPerSecond': tps, 'msPerStep': ms, 'cpuMsPerStep': cpu_ms,
           'coresUsed': cpu_ms / ms, 'gflops': tps * flops_per_token / 1e9, 'maxParamDiff': 0}
    return params, run


def loaded_blas():
    """Path of the BLAS library this process loaded (from /proc/self/maps)."""
    with open('/proc/self/maps') as f:
        libs = {line.split()[-1] for line in f if 'blas' in line.split()[-1]}
    return sorted(libs)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--layers', type=int, default=4)
    p.add_argument('--dim', type=int, default=256)
    p.add_argument('--heads', type=int, default=4)
    p.add_argument('--mlp', type=int, default=688)
    p.add_argument('--vocab', type=int, default=64)
    p.add_argument('--seq', type=int, default=128)
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--steps', type=int, default=5, help='timed steps')
    p.add_argument('--warmup', type=int, default=1, help='untimed steps first')
    p.add_argument('--threads', default='2', help='torch thread counts to time, comma-separated')
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--child', action='store_true', help=argparse.SUPPRESS)
    a = p.parse_args()
    if not a.child:
        load0 = list(os.getloadavg())
        results = []
        for threads in [int(x) for x in a.threads.split(',')]:
            env = {**os.environ, 'OPENBLAS_NUM_THREADS': str(threads), 'OMP_NUM_THREADS': str(threads)}
            args = [sys.executable, __file__, *sys.argv[1:], '--child', '--threads', str(threads)]
            results.append(json.loads(subprocess.run(args, env=env, check=True, capture_output=True, text=True).stdout))
        runs = [r['runs'][0] for r in results]
        out = {**results[0], 'loadAverage': {'before': load0, 'after': list(os.getloadavg())}, 'runs': runs,
               'speedup': runs[-1]['tokensPerSecond'] / runs[0]['tokensPerSecond'] if len(runs) > 1 else None}
        print(json.dumps(out))
        return
    g = torch.Generator().manual_seed(a.seed)
    ids = torch.randint(4, a.vocab - 1, (a.batch, a.seq + 1), generator=g)
    tokens, targets = ids[:, :-1].contiguous(), ids[:, 1:].contiguous()
    load0 = list(os.getloadavg())
    runs, params = [], 0
    for threads in [int(x) for x in a.threads.split(',')]:
        params, run = time_threads(threads, a, tokens, targets)
        runs.append(run)
    out = {'backend': f'pytorch-cpu {torch.__version__}', 'blas': loaded_blas(), 'params': params, 'batch': a.batch, 'seq': a.seq, 'steps': a.steps,
           'shards': 1, 'loadAverage': {'before': load0, 'after': list(os.getloadavg())}, 'runs': runs,
           'speedup': runs[-1]['tokensPerSecond'] / runs[0]['tokensPerSecond'] if len(runs) > 1 else None}
    print(json.dumps(out))


if __name__ == '__main__':
    main()
