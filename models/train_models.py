#!/usr/bin/python3
"""Trains, evaluates and ships the tiny models from the committed corpus.

    make models        (= /usr/bin/python3 models/train_models.py)

Every number comes from tinyvmaf itself: `tinyvmaf eval` (LOSO over the 9
folds x 5 seeds, LOSO over the 25 sources, 5-fold by source, each with its
out-of-fold predictions), `tinyvmaf predict` (upstream's models on the same
rows) and `tinyvmaf train` (the shipped files). This script only drives them,
pools the out-of-fold predictions into per-band errors and per-fold tables,
applies the ship gate and writes:

    models/vmaf_tiny_v2.{onnx,json,metrics.json}   (always: the default)
    models/vmaf_tiny_v3.{onnx,json,metrics.json}   (only if v3 wins the gate)
    models/registry.json                           (pins for every file)
    models/eval/*.json                             (the raw eval reports)

The recipe is upstream's (Adam 1e-3, MSE, batch 256, seed 0, scaler baked
in); only the architecture differs between v2 and v3. The epoch count is
sized so that every LOSO training gets at least the design record's Adam step
budget (90 epochs over 330,499 rows at batch 256 = 116,190 steps), and the
choice is shown by LOSO at half and twice that count. Standard library +
numpy only.
"""
import argparse
import csv
import hashlib
import json
import lzma
import math
import os
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUDGET_STEPS = 90 * math.ceil(330499 / 256)  # the design record's 90 epochs over 330,499 rows
BATCH = 256
BANDS = [(0, 20), (20, 40), (40, 60), (60, 80), (80, 90), (90, 100)]
ARCH = {"vmaf_tiny_v2": "mlp_small", "vmaf_tiny_v3": "mlp_medium"}
SEEDS = "0-4"


def log(msg):
    print(f"models: {msg}", file=sys.stderr, flush=True)


def run(cmd, cwd=None):
    t0 = time.time()
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"models: {' '.join(cmd)} failed: {r.stderr.strip()}")
    return r.stdout, time.time() - t0


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def pearson(a, b):
    a = a - a.mean()
    b = b - b.mean()
    d = math.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / d) if d else float("nan")


def ranks(v):
    order = np.argsort(v, kind="mergesort")
    r = np.empty(len(v))
    sv = v[order]
    i = 0
    while i < len(v):
        j = i
        while j + 1 < len(v) and sv[j + 1] == sv[i]:
            j += 1
        r[order[i:j + 1]] = (i + j) / 2.0
        i = j + 1
    return r


def metrics(pred, y):
    return {"plcc": pearson(pred, y), "srocc": pearson(ranks(pred), ranks(y)),
            "rmse": float(np.sqrt(((pred - y) ** 2).mean())), "n": int(len(y))}


def band_rmse(pred, y):
    out = []
    for lo, hi in BANDS:
        sel = (y >= lo) & ((y < hi) if hi < 100 else (y <= hi))
        out.append({"band": f"{lo}-{hi}", "n": int(sel.sum()),
                    "rmse": float(np.sqrt(((pred[sel] - y[sel]) ** 2).mean())) if sel.any() else None})
    return out


def mean_std(v):
    v = [x for x in v if x is not None and not math.isnan(x)]
    if not v:
        return None, None
    return float(np.mean(v)), float(np.std(v, ddof=1)) if len(v) > 1 else None


class Driver:
    def __init__(self, a):
        self.a = a
        self.tv = os.path.abspath(a.tinyvmaf)
        self.work = os.path.abspath(a.work)
        os.makedirs(self.work, exist_ok=True)
        self.evaldir = os.path.join(HERE, "eval")
        os.makedirs(self.evaldir, exist_ok=True)
        man = json.load(open(os.path.join(ROOT, "corpus", "MANIFEST.json")))
        self.manifest = man
        # A fixed relative name: the sidecars record it, and the files must
        # come out byte for byte the same on any machine.
        self.data_name = "tinyvmaf_corpus.csv"
        self.data = os.path.join(self.work, self.data_name)
        if not os.path.exists(self.data) or sha256(self.data) != man["table_csv_sha256"]:
            log("decompressing the corpus table")
            raw = lzma.open(os.path.join(ROOT, "corpus", man["table"])).read()
            if hashlib.sha256(raw).hexdigest() != man["table_csv_sha256"]:
                sys.exit("models: corpus table sha256 differs from corpus/MANIFEST.json")
            with open(self.data + ".tmp", "wb") as f:
                f.write(raw)
            os.replace(self.data + ".tmp", self.data)
        rows = list(csv.DictReader(open(self.data)))
        self.y = np.array([float(r["vmaf"]) for r in rows])
        self.fold = np.array([int(r["fold"]) for r in rows])
        self.source = np.array([r["source"] for r in rows])
        self.n = len(rows)
        log(f"{self.n} rows, {len(set(self.source))} sources, {len(set(self.fold))} folds")

    def epochs(self):
        n_train_min = min(int((self.fold != f).sum()) for f in sorted(set(self.fold)))
        steps = math.ceil(n_train_min / BATCH)
        return math.ceil(BUDGET_STEPS / steps), n_train_min, steps

    def eval(self, name, arch, epochs, args):
        out = os.path.join(self.evaldir, f"{name}.json")
        oof = os.path.join(self.work, f"{name}.oof.csv")
        if self.a.reuse and os.path.exists(out) and os.path.exists(oof):
            rep = json.load(open(out))
            if rep["data"]["sha256"] == self.manifest["table_csv_sha256"] and \
               rep["recipe"]["epochs"] == epochs and rep["recipe"]["arch"] == arch:
                return rep, self.read_oof(oof)
        log(f"eval {name}: {arch}, {epochs} epochs, {' '.join(args)}")
        _, secs = run([self.tv, "eval", "--data", self.data_name, "--arch", arch, "--epochs",
                       str(epochs), "-o", out, "--predictions", oof] + args, cwd=self.work)
        log(f"eval {name}: {secs:.0f} s")
        return json.load(open(out)), self.read_oof(oof)

    def read_oof(self, path):
        with open(path) as f:
            rd = csv.reader(f)
            head = next(rd)
            cols = [i for i, h in enumerate(head) if h.startswith("seed_")]
            vals = np.array([[float(r[i]) for i in cols] for r in rd])
        return vals.T  # [seed][row]

    def upstream(self, model_id):
        path = os.path.join(self.a.upstream, f"{model_id}.onnx")
        if not os.path.exists(path):
            return None
        out, _ = run([self.tv, "predict", "--tiny-model", path, "--features", self.data_name],
                     cwd=self.work)
        return np.array([float(x) for x in out.split()])

    def per_fold(self, pred, groups):
        res = {}
        for g in sorted(set(groups)):
            sel = groups == g
            res[str(g)] = metrics(pred[sel], self.y[sel])
        return res

    def summarise(self, rep, oof):
        pf = rep["per_fold"]
        agg = {k: dict(zip(("mean", "std"), mean_std([r[k] for r in pf])))
               for k in ("plcc", "srocc", "rmse")}
        bands = [band_rmse(s, self.y) for s in oof]
        band_summary = []
        for i, (lo, hi) in enumerate(BANDS):
            m, sd = mean_std([b[i]["rmse"] for b in bands])
            band_summary.append({"band": f"{lo}-{hi}", "n": bands[0][i]["n"], "rmse_mean": m,
                                 "rmse_std": sd})
        overall = mean_std([float(np.sqrt(((s - self.y) ** 2).mean())) for s in oof])
        clipped = {}
        for name, sel in (("teacher_100", self.y >= 100), ("teacher_0", self.y <= 0)):
            if sel.any():
                clipped[name] = {
                    "n": int(sel.sum()),
                    "rmse_mean": mean_std([float(np.sqrt(((s[sel] - self.y[sel]) ** 2).mean()))
                                           for s in oof])[0],
                    "mean_prediction": float(np.mean([s[sel].mean() for s in oof]))}
        return {"per_fold": [{"fold": r["test_groups"], "seed": r["seed"],
                              **{k: r[k] for k in ("plcc", "srocc", "rmse")}}
                             for r in pf],
                "aggregate": agg, "bands": band_summary,
                "pooled_rmse": {"mean": overall[0], "std": overall[1]},
                "clipped_rows": clipped}

    def train(self, model_id, arch, epochs):
        onnx = os.path.join(HERE, f"{model_id}.onnx")
        notes = (f"{model_id}: 6 canonical features + StandardScaler + {arch}, {epochs} epochs "
                 f"Adam lr 1e-3, MSE, batch 256, seed 0, trained by tinyvmaf on the corpus table "
                 f"(corpus/MANIFEST.json, sha256 {self.manifest['table_csv_sha256'][:16]}..., "
                 f"{self.n} rows). See docs/models/{model_id}.md.")
        tmp = os.path.join(self.work, f"{model_id}.onnx")
        run([self.tv, "train", "--data", self.data_name, "--arch", arch, "--epochs", str(epochs),
             "--seed", "0", "--id", model_id, "--notes", notes, "-o", f"{model_id}.onnx",
             "--quiet"], cwd=self.work)
        shutil.copyfile(tmp, onnx)
        shutil.copyfile(tmp[:-5] + ".json", onnx[:-5] + ".json")
        return onnx

    def main(self):
        E, n_train_min, steps = self.epochs()
        log(f"epochs: {E} (smallest LOSO training set {n_train_min} rows = {steps} steps/epoch; "
            f"budget {BUDGET_STEPS} steps)")
        results = {}
        evidence = {}
        for mid, arch in ARCH.items():
            rep, oof = self.eval(f"{mid}.loso9", arch, E, ["--loso", "--group", "fold",
                                                          "--seeds", SEEDS])
            results[mid] = {"loso9": self.summarise(rep, oof), "oof9": oof}
            rep, oof = self.eval(f"{mid}.loso25", arch, E, ["--loso", "--group", "source",
                                                           "--seeds", "0"])
            results[mid]["loso25"] = self.summarise(rep, oof)
            rep, oof = self.eval(f"{mid}.kfold5", arch, E, ["--kfold", "5", "--group", "source",
                                                           "--seeds", "0"])
            results[mid]["kfold5"] = self.summarise(rep, oof)
            if not self.a.quick:
                evidence[mid] = {}
                for e in (max(1, E // 2), 2 * E):
                    rep, oof = self.eval(f"{mid}.loso9.e{e}", arch, e, ["--loso", "--group",
                                                                       "fold", "--seeds", "0"])
                    s = self.summarise(rep, oof)
                    evidence[mid][str(e)] = {"plcc": s["aggregate"]["plcc"]["mean"],
                                             "rmse": s["aggregate"]["rmse"]["mean"],
                                             "min_steps": e * steps}
                seed0 = [r for r in results[mid]["loso9"]["per_fold"] if r["seed"] == 0]
                evidence[mid][str(E)] = {"plcc": float(np.mean([r["plcc"] for r in seed0])),
                                         "rmse": float(np.mean([r["rmse"] for r in seed0])),
                                         "min_steps": E * steps}
        up = {}
        for uid in ("vmaf_tiny_v2", "vmaf_tiny_v3"):
            p = self.upstream(uid)
            if p is not None:
                up[uid] = {"overall": metrics(p, self.y),
                           "per_fold": self.per_fold(p, self.fold),
                           "bands": band_rmse(p, self.y)}
        v2 = results["vmaf_tiny_v2"]["loso9"]["aggregate"]
        v3 = results["vmaf_tiny_v3"]["loso9"]["aggregate"]
        ship_v3 = v3["plcc"]["mean"] > v2["plcc"]["mean"]
        decision = {
            "gate": "vmaf_tiny_v3 ships beside vmaf_tiny_v2 only if its 9-fold x 5-seed LOSO "
                    "mean PLCC beats vmaf_tiny_v2's",
            "v2_plcc": v2["plcc"]["mean"], "v3_plcc": v3["plcc"]["mean"],
            "v2_rmse": v2["rmse"]["mean"], "v3_rmse": v3["rmse"]["mean"],
            "ship_v3": ship_v3,
            "bar_v2_plcc_0998": v2["plcc"]["mean"] >= 0.998,
            "bar_v3_rmse_below_v2": v3["rmse"]["mean"] < v2["rmse"]["mean"]}
        log(f"gate: v2 PLCC {v2['plcc']['mean']:.5f}, v3 {v3['plcc']['mean']:.5f}: "
            f"{'v3 ships' if ship_v3 else 'v3 does not ship'}")
        shipped = ["vmaf_tiny_v2"] + (["vmaf_tiny_v3"] if ship_v3 else [])
        entries = []
        for mid in ARCH:
            for ext in (".onnx", ".json", ".metrics.json"):
                p = os.path.join(HERE, mid + ext)
                if mid not in shipped and os.path.exists(p):
                    os.unlink(p)
        for mid in shipped:
            onnx = self.train(mid, ARCH[mid], E)
            r = results[mid]
            m = {"id": mid, "arch": ARCH[mid], "epochs": E,
                 "corpus": {"manifest": "corpus/MANIFEST.json",
                            "table": "corpus/" + self.manifest["table"],
                            "table_csv_sha256": self.manifest["table_csv_sha256"],
                            "rows": self.n, "complete": self.manifest.get("complete", False),
                            "sources": int(len(set(self.source))),
                            "folds": int(len(set(self.fold)))},
                 "step_budget": {"budget_steps": BUDGET_STEPS, "smallest_loso_train_rows":
                                 n_train_min, "steps_per_epoch": steps,
                                 "loso9_seed0_by_epochs": evidence.get(mid)},
                 "loso9x5": r["loso9"], "loso25": r["loso25"], "kfold5_by_source": r["kfold5"],
                 "upstream_same_rows": up, "ship_decision": decision,
                 "onnx_sha256": sha256(onnx), "sidecar_sha256": sha256(onnx[:-5] + ".json"),
                 "tool": run([self.tv, "--version"])[0].strip()}
            with open(onnx[:-5] + ".metrics.json", "w") as f:
                json.dump(m, f, indent=1)
                f.write("\n")
            entries.append({"id": mid, "kind": "fr", "file": f"{mid}.onnx", "sha256": sha256(onnx),
                            "sidecar_sha256": sha256(onnx[:-5] + ".json"), "opset": 17,
                            "license": "BSD-2-Clause-Patent",
                            "description": f"{mid}: {ARCH[mid]} over adm2, vif_scale0-3, motion2, "
                                           f"distilled from vmaf_v0.6.1",
                            "notes": f"LOSO 9x5 PLCC {r['loso9']['aggregate']['plcc']['mean']:.5f}"
                                     f", RMSE {r['loso9']['aggregate']['rmse']['mean']:.3f}; "
                                     f"metrics in {mid}.metrics.json"})
        reg = {"$schema": "./registry.schema.json", "schema_version": 1, "models": entries}
        with open(os.path.join(HERE, "registry.json"), "w") as f:
            json.dump(reg, f, indent=2)
            f.write("\n")
        with open(os.path.join(self.evaldir, "summary.json"), "w") as f:
            json.dump({"epochs": E, "decision": decision, "upstream": up,
                       "results": {k: {kk: vv for kk, vv in v.items() if kk != "oof9"}
                                   for k, v in results.items()},
                       "epoch_evidence": evidence}, f, indent=1)
            f.write("\n")
        log("wrote " + ", ".join(f"models/{m}.onnx" for m in shipped) + " and models/registry.json")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tinyvmaf", default=os.path.join(ROOT, "build", "tools", "tinyvmaf"))
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "models-work"))
    ap.add_argument("--upstream", default=os.path.join(ROOT, "..", "shared", "reference",
                                                        "tiny-upstream"))
    ap.add_argument("--reuse", action="store_true", help="reuse eval reports of the same table")
    ap.add_argument("--quick", action="store_true", help="skip the epoch evidence runs")
    Driver(ap.parse_args()).main()


if __name__ == "__main__":
    main()
