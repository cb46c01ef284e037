#!/usr/bin/python3
"""Upstream's tiny-model training recipe in PyTorch, on a tinyvmaf feature table.

The reference that `tinyvmaf train` / `tinyvmaf eval` are compared against
(recipe parity test, train/tests/test_train_parity.py). It follows upstream's
ai/scripts/train_vmaf_tiny_v3.py (lusoris/vmaf): StandardScaler fitted on the
training rows (population std, std < 1e-8 -> 1), nn.Sequential of Linear+ReLU,
torch's default Linear initialisation after torch.manual_seed(seed), Adam
(lr 1e-3), MSELoss, batch 256, a fresh numpy default_rng(seed).permutation
per epoch, 90 epochs. Runs with Debian's python3-torch (1.13) and numpy.

  train_torch.py --data FILE.csv [--arch mlp_medium] [--seeds 0-4] [--loso]
                 [--threads 1] [--json OUT.json]

Without --loso: trains on every row per seed and reports train RMSE/PLCC.
With --loso: leaves each group out in turn and reports held-out PLCC/SROCC/RMSE.
"""
import argparse
import csv
import json
import math
import sys
import time

import numpy as np

ARCHS = {"mlp_small": [16, 8], "mlp_medium": [32, 16], "mlp_large": [64, 32, 16]}
CANONICAL_6 = ["adm2", "vif_scale0", "vif_scale1", "vif_scale2", "vif_scale3", "motion2"]


def parse_seeds(s):
    out = []
    for part in s.split(","):
        a, _, b = part.partition("-")
        out += list(range(int(a), int(b or a) + 1))
    return out


def load(path, features, target, group):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    hdr = rows[0]
    for c in features + [target] + ([group] if group else []):
        if c not in hdr:
            sys.exit(f"train_torch.py: {path}: missing column '{c}'")
    fi = [hdr.index(c) for c in features]
    x = np.array([[float(r[i]) for i in fi] for r in rows[1:] if r], dtype=np.float64)
    y = np.array([float(r[hdr.index(target)]) for r in rows[1:] if r], dtype=np.float64)
    g = [r[hdr.index(group)] for r in rows[1:] if r] if group else None
    return x, y, g


def build(in_dim, hidden):
    from torch import nn
    layers, prev = [], in_dim
    for h in hidden:
        layers += [nn.Linear(prev, h), nn.ReLU()]
        prev = h
    layers.append(nn.Linear(prev, 1))
    return nn.Sequential(*layers)


def train(x, y, hidden, epochs, batch_size, lr, seed):
    """Upstream's _train(), unchanged in substance."""
    import torch
    from torch import nn
    torch.manual_seed(seed)
    model = build(x.shape[1], hidden)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.MSELoss()
    x_t = torch.from_numpy(x.astype(np.float32))
    y_t = torch.from_numpy(y.astype(np.float32)).unsqueeze(-1)
    n = x_t.shape[0]
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        model.train()
        perm = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = torch.from_numpy(perm[start:start + batch_size])
            xb = x_t.index_select(0, idx)
            yb = y_t.index_select(0, idx)
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
    return model.eval()


def scaler(x):
    mean = x.mean(axis=0)
    std = x.std(axis=0, ddof=0)
    return mean, np.where(std < 1e-8, 1.0, std)


def predict(model, x):
    import torch
    with torch.no_grad():
        return model(torch.from_numpy(x.astype(np.float32))).squeeze(-1).numpy().astype(np.float64)


def ranks(v):
    order = np.argsort(v, kind="mergesort")
    r = np.empty(len(v))
    sv = v[order]
    i = 0
    while i < len(v):
        j = i
        while j + 1 < len(v) and sv[j + 1] == sv[i]:
            j += 1
        r[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return r


def metrics(p, t):
    return {"plcc": float(np.corrcoef(p, t)[0, 1]),
            "srocc": float(np.corrcoef(ranks(p), ranks(t))[0, 1]),
            "rmse": float(np.sqrt(np.mean((p - t) ** 2)))}


def mean_std(v):
    m = sum(v) / len(v)
    s = math.sqrt(sum((a - m) ** 2 for a in v) / (len(v) - 1)) if len(v) > 1 else float("nan")
    return {"mean": m, "std": s}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--arch", default="mlp_medium", choices=sorted(ARCHS))
    ap.add_argument("--hidden", help="widths like 32,16 instead of --arch")
    ap.add_argument("--features", default=",".join(CANONICAL_6))
    ap.add_argument("--target", default="vmaf")
    ap.add_argument("--group", default="source")
    ap.add_argument("--epochs", type=int, default=90)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--loso", action="store_true")
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: torch's default)")
    ap.add_argument("--json", help="write the results here")
    a = ap.parse_args()

    import torch
    if a.threads:
        torch.set_num_threads(a.threads)
    hidden = [int(v) for v in a.hidden.split(",")] if a.hidden else ARCHS[a.arch]
    features = a.features.split(",")
    x, y, g = load(a.data, features, a.target, a.group if a.loso else None)
    seeds = parse_seeds(a.seeds)
    runs = []
    t0 = time.monotonic()
    for seed in seeds:
        if not a.loso:
            mean, std = scaler(x)
            t1 = time.monotonic()
            model = train((x - mean) / std, y, hidden, a.epochs, a.batch_size, a.lr, seed)
            dt = time.monotonic() - t1
            m = metrics(predict(model, (x - mean) / std), y)
            runs.append({"seed": seed, "seconds": dt, "train_rmse": m["rmse"], "train_plcc": m["plcc"],
                         "train_srocc": m["srocc"]})
            print(f"seed {seed}: train RMSE {m['rmse']:.4f} PLCC {m['plcc']:.5f} ({dt:.2f} s)", flush=True)
            continue
        groups = sorted(set(g))
        gv = np.array(g)
        for fold, held in enumerate(groups):
            tr, te = gv != held, gv == held
            mean, std = scaler(x[tr])
            model = train((x[tr] - mean) / std, y[tr], hidden, a.epochs, a.batch_size, a.lr, seed)
            m = metrics(predict(model, (x[te] - mean) / std), y[te])
            runs.append({"seed": seed, "fold": fold, "test_group": held, **m})
            print(f"seed {seed} fold {fold} ({held}): PLCC {m['plcc']:.5f} SROCC {m['srocc']:.5f} "
                  f"RMSE {m['rmse']:.4f}", flush=True)
    keys = ["plcc", "srocc", "rmse"] if a.loso else ["train_rmse", "train_plcc", "seconds"]
    agg = {k: mean_std([r[k] for r in runs]) for k in keys}
    total = time.monotonic() - t0
    for k in keys:
        print(f"{k}: {agg[k]['mean']:.5f} +- {agg[k]['std']:.5f}")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), {total:.1f} s in all")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"tool": "train_torch.py", "torch": torch.__version__, "threads": torch.get_num_threads(),
                       "mode": "loso" if a.loso else "insample", "hidden": hidden, "epochs": a.epochs,
                       "seeds": seeds, "runs": runs, "aggregate": agg, "seconds": total}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
