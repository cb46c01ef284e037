#!/usr/bin/python3
"""Recipe parity with PyTorch (suite train-parity; minutes of CPU).

On one synthetic table (20 groups, 10 000 rows), tinyvmaf's mlp_medium and
tools/train_torch.py (upstream's recipe on Debian's python3-torch) over seeds
0-4 must reach train RMSEs whose 5-seed means differ by at most 10 %, and
LOSO mean PLCCs within 0.002. Skipped (77) without python3-torch, and unless
TVMAF_TRAIN_PARITY=1 (CI sets it: .ci/run runs `TVMAF_TRAIN_PARITY=1 make test`)."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_common import SOURCE_ROOT, check, cleanup, finish, require_cli, run, synth, workdir

if os.environ.get("TVMAF_TRAIN_PARITY") != "1":
    print("SKIP: 10+ minutes of CPU; set TVMAF_TRAIN_PARITY=1 (CI does)")
    sys.exit(77)
try:
    import torch  # noqa: F401
except ImportError:
    print("SKIP: python3-torch is not installed (apt-get install python3-torch)")
    sys.exit(77)

require_cli()
d = workdir("train-parity")
data = synth(os.path.join(d, "s.csv"), 10000, 20, 1)
script = os.path.join(SOURCE_ROOT, "tools", "train_torch.py")


def torch_run(*extra):
    out = os.path.join(d, "torch%s.json" % "".join(extra).replace("-", ""))
    subprocess.run([sys.executable, script, "--data", data, "--seeds", "0-4", "--threads", "1",
                    "--json", out, *extra], check=True, stdout=subprocess.DEVNULL)
    with open(out) as f:
        return json.load(f)["aggregate"]


def ours(*extra):
    out = os.path.join(d, "ours%s.json" % "".join(extra).replace("-", ""))
    run("eval", "--data", data, "--seeds", "0-4", "-o", out, *extra)
    with open(out) as f:
        return json.load(f)["aggregate"]


o_in, t_in = ours(), torch_run()
o_rmse, t_rmse = o_in["train_rmse"]["mean"], t_in["train_rmse"]["mean"]
rel = abs(o_rmse - t_rmse) / t_rmse
print(f"train RMSE, 5-seed mean: tinyvmaf {o_rmse:.4f} (std {o_in['train_rmse']['std']:.4f}), "
      f"torch {t_rmse:.4f} (std {t_in['train_rmse']['std']:.4f}): {100 * rel:.2f} % apart")
check(rel <= 0.10, f"train RMSE means differ by {100 * rel:.1f} % (> 10 %)")

o_lo, t_lo = ours("--loso"), torch_run("--loso")
o_plcc, t_plcc = o_lo["plcc"]["mean"], t_lo["plcc"]["mean"]
print(f"LOSO PLCC, mean of 20 folds x 5 seeds: tinyvmaf {o_plcc:.5f} (std {o_lo['plcc']['std']:.5f}), "
      f"torch {t_plcc:.5f} (std {t_lo['plcc']['std']:.5f}): {abs(o_plcc - t_plcc):.5f} apart")
check(abs(o_plcc - t_plcc) <= 0.002, f"LOSO PLCC means differ by {abs(o_plcc - t_plcc):.4f} (> 0.002)")
print(f"LOSO RMSE: tinyvmaf {o_lo['rmse']['mean']:.4f}, torch {t_lo['rmse']['mean']:.4f}; "
      f"SROCC: tinyvmaf {o_lo['srocc']['mean']:.5f}, torch {t_lo['srocc']['mean']:.5f}")
cleanup(d)
finish("train-parity-torch")
