#!/usr/bin/python3
"""The committed corpus table against its manifest and its teacher.

Checks the columns, types and ranges of every row, the row counts and
sha256 the manifest records, and that every `vmaf` label is vmaf_v0.6.1
applied to the row's six printed features. The SVR is evaluated here with
numpy from models/libvmaf/vmaf_v0.6.1.json, independently of the C code
(libsvm's RBF nu-SVR with libvmaf's linear rescaling and clip).
"""
import csv
import hashlib
import io
import json
import lzma
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.dirname(HERE)
ROOT = os.path.dirname(CORPUS)
failures = 0

# The printed features carry 6 decimals; the label was computed from the
# unrounded values. 0.5e-6 per feature through the SVR's gradient (at most a
# few hundred VMAF per unit feature after rescaling) bounds the difference
# well below this; a wrong label or a wrong model is off by far more.
LABEL_TOL = 1e-3


def check(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what)
    failures += not cond


def svr_v061(path):
    m = json.load(open(path))["model_dict"]
    lines = m["model"].split("\n")
    head = {}
    i = 0
    while lines[i] != "SV":
        k, _, v = lines[i].partition(" ")
        head[k] = v
        i += 1
    coef, sv = [], []
    for line in lines[i + 1:]:
        if not line.strip():
            continue
        parts = line.split()
        coef.append(float(parts[0]))
        row = [0.0] * 6
        for p in parts[1:]:
            j, v = p.split(":")
            row[int(j) - 1] = float(v)
        sv.append(row)
    names = [n.split("_")[-2] if "scale" not in n else "vif_" + n.split("_")[-2]
             for n in m["feature_names"]]
    return {"gamma": float(head["gamma"]), "rho": float(head["rho"]), "coef": np.array(coef),
            "sv": np.array(sv), "slopes": np.array(m["slopes"]),
            "intercepts": np.array(m["intercepts"]), "names": names, "clip": m["score_clip"]}


def predict(model, feats):
    """feats: dict name -> array. libvmaf's steps: rescale, SVR, un-rescale, clip."""
    x = np.stack([feats[n] for n in model["names"]], axis=1)
    x = x * model["slopes"][1:] + model["intercepts"][1:]
    d2 = ((x[:, None, :] - model["sv"][None, :, :]) ** 2).sum(axis=2)
    y = np.exp(-model["gamma"] * d2) @ model["coef"] - model["rho"]
    y = (y - model["intercepts"][0]) / model["slopes"][0]
    return np.clip(y, *model["clip"])


def main():
    manifest_path = os.path.join(CORPUS, "MANIFEST.json")
    table_path = os.path.join(CORPUS, "tinyvmaf_corpus.csv.xz")
    if not os.path.exists(manifest_path) or not os.path.exists(table_path):
        print("FAIL: corpus/MANIFEST.json or the table is missing")
        return 1
    man = json.load(open(manifest_path))
    xz = open(table_path, "rb").read()
    raw = lzma.decompress(xz)
    check(hashlib.sha256(xz).hexdigest() == man["table_xz_sha256"], "xz file sha256 = manifest")
    check(hashlib.sha256(raw).hexdigest() == man["table_csv_sha256"], "CSV sha256 = manifest")
    rows = list(csv.reader(io.StringIO(raw.decode())))
    header, body = rows[0], rows[1:]
    cols = man["columns"]
    check(header == cols, "header = manifest columns")
    check(len(body) == man["rows"], f"{len(body)} rows = manifest")
    ix = {c: i for i, c in enumerate(cols)}
    src = [r[ix["source"]] for r in body]
    counts = {}
    for s in src:
        counts[s] = counts.get(s, 0) + 1
    check(counts == man["rows_per_source"], "rows per source = manifest")
    codec = {}
    for r in body:
        codec[r[ix["codec"]]] = codec.get(r[ix["codec"]], 0) + 1
    check(codec == man["rows_per_codec"], "rows per codec = manifest")
    check(set(codec) <= {"x264", "svtav1", "mpeg2", "mjpeg"}, "only the four training codec families")
    num = {c: np.array([float(r[ix[c]]) for r in body]) for c in cols[7:]}
    ints = all(r[ix["fold"]].isdigit() and r[ix["height"]].isdigit() and r[ix["frame"]].isdigit()
               for r in body)
    check(ints, "fold, height and frame are integers")
    check(all(1 <= int(r[ix["fold"]]) <= 9 for r in body), "folds in 1..9")
    check(all(np.isfinite(v).all() for v in num.values()), "no NaN or infinity")
    check(((num["vmaf"] >= 0) & (num["vmaf"] <= 100)).all(), "vmaf in [0, 100]")
    check(((num["adm2"] >= 0) & (num["adm2"] <= 1.5)).all(), "adm2 in [0, 1.5]")
    for s in range(4):
        v = num[f"vif_scale{s}"]
        check(((v >= 0) & (v <= 1.5)).all(), f"vif_scale{s} in [0, 1.5]")
    check((num["motion2"] >= 0).all() and (num["motion2"] < 256).all(), "motion2 in [0, 256)")
    clips = {}
    for r in body:
        clips.setdefault(r[ix["clip"]], []).append(int(r[ix["frame"]]))
    check(all(f == list(range(len(f))) for f in clips.values()),
          f"every clip ({len(clips)}) has frames 0..n-1 in order")
    model = svr_v061(os.path.join(ROOT, "models", "libvmaf", "vmaf_v0.6.1.json"))
    worst = 0.0
    for a in range(0, len(body), 20000):
        feats = {k: num[k][a:a + 20000] for k in ("adm2", "motion2", "vif_scale0", "vif_scale1",
                                                  "vif_scale2", "vif_scale3")}
        worst = max(worst, float(np.abs(predict(model, feats) - num["vmaf"][a:a + 20000]).max()))
    check(worst <= LABEL_TOL, f"vmaf = vmaf_v0.6.1(features) for every row (max |d| {worst:.2e})")
    if man.get("complete"):
        check(len(body) >= 200000, "at least 200 000 rows")
        check(len(counts) == 25, "all 25 sources")
        check(sorted(man["folds"]) == list(range(1, 10)), "all 9 folds")
        check(all(len(h) >= 4 for h in man["heights_per_source"].values()), ">= 4 heights per source")
    else:
        print(f"note: the table is partial ({man['clips_done']}/{man['clips_planned']} encodes)")
    print(f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
