"""--tiny-model in the scoring path: per-frame tiny scores and the
`tiny_model` JSON block, checked against the `predict` subcommand run on the
same frames' features (the upstream v2 model from ../shared)."""
import csv
import json
import os
import subprocess
import sys
import tempfile

from golden_common import cases, clip, missing, run_cli, shared_dir

failures = []


def check(cond, what):
    print(f"{'ok' if cond else 'FAIL':4} {what}")
    if not cond:
        failures.append(what)


def main():
    golden, all_cases = cases()
    tiny_dir = os.path.join(shared_dir(), "reference", "tiny-upstream")
    v2 = os.path.join(tiny_dir, "vmaf_tiny_v2.onnx")
    if not os.path.isfile(v2):
        missing(f"{v2} not found")
    c = all_cases[0]
    ref, dis = clip(golden, c["ref"]), clip(golden, c["dis"])
    with tempfile.TemporaryDirectory() as work:
        out = os.path.join(work, "t.json")
        p = subprocess.run([os.environ["TVMAF_CLI"], "-r", ref, "-d", dis, "--no_prediction", "-q",
                            "--json", "-o", out], capture_output=True, text=True)
        check(p.returncode == 0, "features-only run")
        p = subprocess.run([os.environ["TVMAF_CLI"], "-r", ref, "-d", dis, "--tiny-model", v2, "-q",
                            "--json", "-o", out], capture_output=True, text=True)
        if p.returncode != 0 and "no ONNX support" in p.stderr:
            print("SKIP: built without ONNX support")
            return 77
        check(p.returncode == 0, f"--tiny-model scoring ({p.stderr.strip()})")
        doc = json.load(open(out))
        block = doc.get("tiny_model", {})
        check(block.get("id") == "vmaf_tiny_v2" and len(block.get("sha256", "")) == 64,
              "tiny_model block has id and sha256")
        check(block.get("features") == ["adm2", "vif_scale0", "vif_scale1", "vif_scale2", "vif_scale3", "motion2"],
              "tiny_model block lists the model's features")
        check(len(block.get("frames", [])) == c["frames"], "one tiny score per frame")
        check(set(block.get("pooled_metrics", {})) >= {"min", "max", "mean", "harmonic_mean"},
              "tiny_model pooled metrics")
        per_frame = [f["metrics"].get("vmaf_tiny_v2") for f in doc["frames"]]
        check(all(v is not None for v in per_frame), "per-frame metric vmaf_tiny_v2 in frames")

        # predict on the printed features reproduces the scores (features are
        # printed with 6 decimals, hence the tolerance)
        feats = os.path.join(work, "f.csv")
        names = block["features"]
        with open(feats, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(names)
            for fr in doc["frames"]:
                w.writerow([fr["metrics"]["integer_" + n] for n in names])
        p = subprocess.run([os.environ["TVMAF_CLI"], "predict", "--tiny-model", v2, "--features", feats],
                           capture_output=True, text=True)
        check(p.returncode == 0, "predict on the same features")
        pred = [float(x) for x in p.stdout.split()]
        worst = max(abs(a - b) for a, b in zip(pred, [fr["score"] for fr in block["frames"]]))
        check(len(pred) == len(per_frame) and worst < 2e-3, f"scoring path == predict (max|d|={worst:.2g})")
        check(abs(block["pooled_metrics"]["mean"] - sum(pred) / len(pred)) < 2e-3, "pooled mean")

        # with the classic model beside it, both appear
        models = os.path.join(shared_dir(), "reference", "libvmaf-models", "vmaf_v0.6.1.json")
        p = subprocess.run([os.environ["TVMAF_CLI"], "-r", ref, "-d", dis, "--model", "path=" + models,
                            "--tiny-model", v2, "-q", "--json", "-o", out], capture_output=True, text=True)
        both = json.load(open(out)) if p.returncode == 0 else {}
        check("vmaf" in both.get("pooled_metrics", {}) and "tiny_model" in both,
              "classic vmaf and tiny_model side by side")
        if both:
            d = abs(both["pooled_metrics"]["vmaf"]["mean"] - c["vmaf_v0_6_1_pooled"]["mean"])
            check(d < 1e-4, "classic vmaf unchanged by the tiny model")
    print("PASS" if not failures else f"FAIL ({len(failures)})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
