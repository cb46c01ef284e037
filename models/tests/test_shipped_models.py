#!/usr/bin/python3
"""The shipped tiny models: interop and reproducibility.

For every model pinned in models/registry.json:
  * the registry pins match the files, and the sidecar's provenance names the
    committed corpus table (sha256 from corpus/MANIFEST.json);
  * onnx.checker.check_model(full_check=True) accepts it (Debian's python3-onnx);
  * onnxruntime (npm onnxruntime-node, CPU, 1 thread) and `tinyvmaf predict`
    agree within 1e-5 relative on 4,000 corpus rows;
  * `tinyvmaf train` with the recorded recipe, run on the committed table,
    reproduces the ONNX file and its sidecar byte for byte.
onnxruntime is skipped (with a message) when npm cannot install it; the rest
always runs.
"""
import csv
import hashlib
import io
import json
import lzma
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TV = os.environ.get("TVMAF_CLI", os.path.join(ROOT, "build", "tools", "tinyvmaf"))
failures = 0


def check(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    failures += not cond
    return cond


def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def ort_dir():
    d = os.environ.get("TVMAF_ORT_DIR") or os.path.join(ROOT, ".cache", "onnxruntime-node")
    pkg = os.path.join(d, "node_modules", "onnxruntime-node", "package.json")
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node:
        return None, "node is not installed"
    if not os.path.exists(pkg):
        if not npm:
            return None, "npm is not installed"
        os.makedirs(d, exist_ok=True)
        p = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", d,
                            "onnxruntime-node"], env=dict(os.environ, ONNXRUNTIME_NODE_INSTALL="skip"),
                           capture_output=True, text=True, timeout=600)
        if p.returncode != 0 or not os.path.exists(pkg):
            return None, "npm could not install onnxruntime-node"
    return d, None


def main():
    reg = json.load(open(os.path.join(ROOT, "models", "registry.json")))
    man = json.load(open(os.path.join(ROOT, "corpus", "MANIFEST.json")))
    if not check(reg["models"], "the registry ships at least one model"):
        return 1
    work = tempfile.mkdtemp(prefix="shipped-models.")
    try:
        data = os.path.join(work, "tinyvmaf_corpus.csv")
        raw = lzma.open(os.path.join(ROOT, "corpus", man["table"])).read()
        open(data, "wb").write(raw)
        rows = raw.decode().splitlines()
        sample = os.path.join(work, "sample.csv")
        step = max(1, (len(rows) - 1) // 4000)
        open(sample, "w").write("\n".join([rows[0]] + rows[1::step][:4000]) + "\n")
        try:
            import onnx
            import onnx.checker
        except ImportError:
            onnx = None
        od, why = ort_dir()
        for e in reg["models"]:
            mid = e["id"]
            onnx_path = os.path.join(ROOT, "models", e["file"])
            side_path = onnx_path[:-5] + ".json"
            check(sha(onnx_path) == e["sha256"] and sha(side_path) == e.get("sidecar_sha256"),
                  f"{mid}: registry pins the ONNX file and the sidecar")
            side = json.load(open(side_path))
            prov = side["provenance"]
            check(prov["corpus"]["sha256"] == man["table_csv_sha256"] and
                  prov["corpus"]["rows"] == man["rows"],
                  f"{mid}: trained on the committed table ({prov['corpus']['rows']} rows)")
            if onnx is not None:
                try:
                    onnx.checker.check_model(onnx.load(onnx_path), full_check=True)
                    check(True, f"{mid}: onnx.checker full check")
                except Exception as ex:  # noqa: BLE001
                    check(False, f"{mid}: onnx.checker: {ex}")
            else:
                check(False, f"{mid}: python3-onnx is missing (make test installs it)")
            ours = subprocess.run([TV, "predict", "--tiny-model", onnx_path, "--features", sample],
                                  capture_output=True, text=True)
            check(ours.returncode == 0, f"{mid}: tinyvmaf predict runs")
            a = [float(x) for x in ours.stdout.split()]
            if od:
                out = os.path.join(work, mid + ".ort.csv")
                p = subprocess.run(["node", os.path.join(ROOT, "train", "tests", "ort_run.js"), od,
                                    onnx_path, sample, out, ",".join(side["features"])],
                                   capture_output=True, text=True)
                if check(p.returncode == 0, f"{mid}: onnxruntime loads it {p.stderr.strip()}"):
                    b = [float(x) for x in open(out).read().split()[1:]]
                    rel = max(abs(x - y) / max(1.0, abs(y)) for x, y in zip(a, b))
                    check(len(a) == len(b) and rel <= 1e-5,
                          f"{mid}: onnxruntime vs tinyvmaf on {len(b)} rows, max rel {rel:.2g}")
            else:
                print(f"SKIP {mid}: onnxruntime comparison ({why})")
            r = subprocess.run([TV, "train", "--data", "tinyvmaf_corpus.csv", "--arch", side["arch"],
                                "--epochs", str(prov["recipe"]["epochs"]), "--seed", str(prov["seed"]),
                                "--id", mid, "--notes", side["notes"], "-o", mid + ".onnx", "--quiet"],
                               cwd=work, capture_output=True, text=True)
            check(r.returncode == 0, f"{mid}: retrains ({r.stderr.strip()})")
            check(os.path.exists(os.path.join(work, mid + ".onnx")) and
                  open(os.path.join(work, mid + ".onnx"), "rb").read() == open(onnx_path, "rb").read(),
                  f"{mid}: retraining reproduces the ONNX file byte for byte")
            check(os.path.exists(os.path.join(work, mid + ".json")) and
                  open(os.path.join(work, mid + ".json"), "rb").read() == open(side_path, "rb").read(),
                  f"{mid}: ... and its sidecar")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
