#!/usr/bin/python3
"""Exported models run in onnxruntime (npm onnxruntime-node) with outputs
within 1e-5 relative (|a-b| <= 1e-5 max(1,|b|)) of our in-memory
predictions. The package is installed once, without its CUDA download, into
$TVMAF_ORT_DIR (default <source>/.cache/onnxruntime-node, git-ignored);
when npm or its registry is unreachable the test is skipped (exit 77)."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_common import (SOURCE_ROOT, check, cleanup, finish, max_rel, read_column,
                          require_cli, run, synth, workdir)

require_cli()
ort_dir = os.environ.get("TVMAF_ORT_DIR") or os.path.join(SOURCE_ROOT, ".cache", "onnxruntime-node")
pkg = os.path.join(ort_dir, "node_modules", "onnxruntime-node", "package.json")
node = shutil.which("node")
npm = shutil.which("npm")
if not node:
    print("SKIP: node is not installed (apt-get install nodejs)")
    sys.exit(77)
if not os.path.exists(pkg):
    if not npm:
        print("SKIP: npm is not installed, cannot fetch onnxruntime-node")
        sys.exit(77)
    os.makedirs(ort_dir, exist_ok=True)
    env = dict(os.environ, ONNXRUNTIME_NODE_INSTALL="skip")
    try:
        p = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", ort_dir,
                            "onnxruntime-node"], env=env, capture_output=True, text=True,
                           timeout=600)
    except subprocess.TimeoutExpired:
        p = None
    if p is None or p.returncode != 0 or not os.path.exists(pkg):
        lines = p.stderr.strip().splitlines() if p else []
        tail = next((l for l in lines if "error" in l.lower()), lines[-1] if lines else "timeout")
        print(f"SKIP: npm could not install onnxruntime-node ({tail})")
        sys.exit(77)

d = workdir("train-ort")
data = synth(os.path.join(d, "s.csv"), 20 * 200, 20, 4)
runs = [("mlp_small", ["--arch", "mlp_small"], "adm2,vif_scale0,vif_scale1,vif_scale2,vif_scale3,motion2"),
        ("mlp_medium", [], "adm2,vif_scale0,vif_scale1,vif_scale2,vif_scale3,motion2"),
        ("mlp_large", ["--arch", "mlp_large", "--epochs", "20"], "adm2,vif_scale0,vif_scale1,vif_scale2,vif_scale3,motion2"),
        ("four", ["--hidden", "24", "--features", "motion2,adm2,vif_scale3,vif_scale0"], "motion2,adm2,vif_scale3,vif_scale0")]
for name, args, feats in runs:
    model = os.path.join(d, name + ".onnx")
    ours = os.path.join(d, name + ".ours.csv")
    theirs = os.path.join(d, name + ".ort.csv")
    run("train", "--data", data, "-o", model, "--predictions", ours, *args)
    p = subprocess.run([node, os.path.join(os.path.dirname(os.path.abspath(__file__)), "ort_run.js"),
                        ort_dir, model, data, theirs, feats], capture_output=True, text=True)
    if not check(p.returncode == 0, f"{name}: onnxruntime refused the model: {p.stderr.strip()}"):
        continue
    a, b = read_column(ours, "vmaf"), read_column(theirs, "vmaf")
    err = max_rel(a, b)
    print(f"{name}: onnxruntime vs ours, {len(a)} rows, max rel diff {err:.3g}")
    check(err <= 1e-5, f"{name}: onnxruntime differs by {err:.3g} (> 1e-5)")
cleanup(d)
finish("train-onnxruntime")
