#!/usr/bin/python3
"""tinyvmaf eval: LOSO on a 9-group table prints per-fold PLCC/SROCC/RMSE and
the aggregate; every report mode validates against docs/eval.schema.json
(python3-jsonschema when installed, and always the small checker below);
aggregates and `eval --model` metrics match an independent computation."""
import json
import math
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_common import (SOURCE_ROOT, check, cleanup, finish, read_column, require_cli, run,
                          synth, workdir)

SCHEMA_PATH = os.path.join(SOURCE_ROOT, "docs", "eval.schema.json")
with open(SCHEMA_PATH) as f:
    SCHEMA = json.load(f)

KNOWN = {"$schema", "$id", "title", "description", "type", "required", "properties",
         "additionalProperties", "items", "enum", "minimum", "maximum", "exclusiveMinimum",
         "minItems", "pattern", "$ref", "definitions"}


def keywords_known(s, where="#"):
    """The small checker must understand every keyword the schema uses."""
    if isinstance(s, dict):
        for k, v in s.items():
            if k in ("properties", "definitions"):
                for name, sub in v.items():
                    keywords_known(sub, f"{where}/{k}/{name}")
                continue
            check(k in KNOWN, f"schema keyword {k!r} at {where} unknown to the small checker")
            if isinstance(v, (dict, list)) and k not in ("enum", "required", "type"):
                keywords_known(v, f"{where}/{k}")


def type_ok(v, t):
    return {"object": isinstance(v, dict), "array": isinstance(v, list),
            "string": isinstance(v, str), "null": v is None,
            "boolean": isinstance(v, bool),
            "integer": isinstance(v, int) and not isinstance(v, bool),
            "number": isinstance(v, (int, float)) and not isinstance(v, bool)}[t]


def validate(v, s, path="$"):
    """Small JSON-schema (draft-07 subset) checker; returns a list of errors."""
    if "$ref" in s:
        node = SCHEMA
        for part in s["$ref"][2:].split("/"):
            node = node[part]
        return validate(v, node, path)
    errs = []
    if "type" in s:
        types = s["type"] if isinstance(s["type"], list) else [s["type"]]
        if not any(type_ok(v, t) for t in types):
            return [f"{path}: {v!r} is not of type {types}"]
    if "enum" in s and v not in s["enum"]:
        errs.append(f"{path}: {v!r} not in {s['enum']}")
    if type_ok(v, "number"):
        if "minimum" in s and v < s["minimum"]:
            errs.append(f"{path}: {v} < {s['minimum']}")
        if "maximum" in s and v > s["maximum"]:
            errs.append(f"{path}: {v} > {s['maximum']}")
        if "exclusiveMinimum" in s and v <= s["exclusiveMinimum"]:
            errs.append(f"{path}: {v} <= {s['exclusiveMinimum']}")
    if isinstance(v, str) and "pattern" in s and not re.search(s["pattern"], v):
        errs.append(f"{path}: {v!r} does not match {s['pattern']}")
    if isinstance(v, list):
        if len(v) < s.get("minItems", 0):
            errs.append(f"{path}: fewer than {s['minItems']} items")
        if "items" in s:
            for i, x in enumerate(v):
                errs += validate(x, s["items"], f"{path}[{i}]")
    if isinstance(v, dict):
        for r in s.get("required", []):
            if r not in v:
                errs.append(f"{path}: missing {r}")
        props = s.get("properties", {})
        for k, x in v.items():
            if k in props:
                errs += validate(x, props[k], f"{path}.{k}")
            elif s.get("additionalProperties", True) is False:
                errs.append(f"{path}: unexpected {k}")
    return errs


def validate_report(path, name):
    with open(path) as f:
        rep = json.load(f)
    errs = validate(rep, SCHEMA)
    check(not errs, f"{name}: schema errors: {errs[:5]}")
    try:
        import jsonschema
    except ImportError:
        jsonschema = None
    if jsonschema:
        try:
            jsonschema.Draft7Validator(SCHEMA).validate(rep)
        except jsonschema.ValidationError as e:
            check(False, f"{name}: jsonschema: {e.message} at {list(e.absolute_path)}")
    # The aggregate is the mean and ddof=1 std of the per-fold values.
    for key in ("plcc", "srocc", "rmse"):
        v = [r[key] for r in rep["per_fold"]]
        mean = sum(v) / len(v)
        std = math.sqrt(sum((x - mean) ** 2 for x in v) / (len(v) - 1)) if len(v) > 1 else None
        agg = rep["aggregate"][key]
        check(abs(agg["mean"] - mean) <= 1e-12, f"{name}: aggregate {key} mean")
        check((std is None and agg["std"] is None) or abs(agg["std"] - std) <= 1e-12,
              f"{name}: aggregate {key} std")
    check(rep["aggregate"]["n"] == len(rep["per_fold"]), f"{name}: aggregate n")
    return rep


def ranks(v):
    order = sorted(range(len(v)), key=lambda i: v[i])
    r = [0.0] * len(v)
    i = 0
    while i < len(v):
        j = i
        while j + 1 < len(v) and v[order[j + 1]] == v[order[i]]:
            j += 1
        for t in range(i, j + 1):
            r[order[t]] = (i + j) / 2 + 1
        i = j + 1
    return r


def pearson(a, b):
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    sab = sum((x - ma) * (y - mb) for x, y in zip(a, b))
    saa = sum((x - ma) ** 2 for x in a)
    sbb = sum((y - mb) ** 2 for y in b)
    return sab / math.sqrt(saa * sbb)


keywords_known(SCHEMA)
require_cli()
d = workdir("train-eval")
data = synth(os.path.join(d, "s9.csv"), 9 * 300, 9, 5)

# LOSO on 9 groups, 2 seeds: 18 rows in the table, aggregate below.
out = os.path.join(d, "loso.json")
oof = os.path.join(d, "loso.oof.csv")
p = run("eval", "--data", data, "--loso", "--seeds", "0-1", "-o", out, "--predictions", oof)
print(p.stdout)
fold_lines = [l for l in p.stdout.splitlines() if re.match(r"^\s*\d+\s+\d+\s+src\d\d\s", l)]
check(len(fold_lines) == 18, f"expected 18 per-fold lines, got {len(fold_lines)}")
check(re.search(r"PLCC\s+SROCC\s+RMSE", p.stdout) is not None, "table header lacks PLCC/SROCC/RMSE")
for key in ("PLCC", "SROCC", "RMSE"):
    check(re.search(rf"^\s+{key}\s+[0-9.]+ \+- [0-9.]+$", p.stdout, re.M) is not None,
          f"aggregate {key} line missing")
rep = validate_report(out, "loso")
check(rep["mode"] == "loso" and rep["n_folds"] == 9 and rep["seeds"] == [0, 1], "loso header")
check([r["test_groups"] for r in rep["per_fold"][:9]] == [[f"src{g:02d}"] for g in range(9)],
      "LOSO folds are not the groups in name order")
check(all(r["n_test"] == 300 and r["n_train"] == 2400 for r in rep["per_fold"]), "fold sizes")
check(rep["data"]["rows"] == 2700 and len(rep["data"]["sha256"]) == 64, "data block")
check(rep["aggregate"]["plcc"]["mean"] > 0.9, f"LOSO PLCC {rep['aggregate']['plcc']['mean']}")

# --predictions: every row once, predicted by the fold model that held it
# out; the per-fold RMSE/PLCC recomputed from them equal the report's.
import csv as _csv
rows = list(_csv.reader(open(oof)))
check(rows[0][:3] == ["row", "source", "vmaf"] and rows[0][3:] == ["seed_0", "seed_1"],
      f"predictions header {rows[0]}")
check(len(rows) == 2701 and [int(r[0]) for r in rows[1:]] == list(range(2700)), "one line per row")
for r in rep["per_fold"]:
    col = 3 + [0, 1].index(r["seed"])
    sel = [x for x in rows[1:] if x[1] in r["test_groups"]]
    a = [float(x[col]) for x in sel]
    b = [float(x[2]) for x in sel]
    rmse = (sum((u - v) ** 2 for u, v in zip(a, b)) / len(a)) ** 0.5
    check(abs(rmse - r["rmse"]) <= 1e-5 * max(1.0, r["rmse"]) and abs(pearson(a, b) - r["plcc"]) < 1e-6,
          f"fold {r['test_groups']} seed {r['seed']}: RMSE from predictions {rmse} vs report {r['rmse']}")

# k-fold and in-sample reports validate too.
out = os.path.join(d, "kfold.json")
run("eval", "--data", data, "--kfold", "3", "--epochs", "5", "-o", out)
rep = validate_report(out, "kfold")
check(rep["k"] == 3 and rep["n_folds"] == 3 and sum(len(r["test_groups"]) for r in rep["per_fold"]) == 9,
      "kfold folds do not partition the groups")
out = os.path.join(d, "insample.json")
run("eval", "--data", data, "--seeds", "0,3", "--epochs", "5", "-o", out)
rep = validate_report(out, "insample")
check(rep["per_fold"][1]["seed"] == 3 and rep["per_fold"][0]["n_test"] == 2700, "insample")

# eval --model scores an exported model; metrics match our own computation.
model = os.path.join(d, "m.onnx")
pred = os.path.join(d, "m.pred.csv")
run("train", "--data", data, "--epochs", "20", "-o", model, "--predictions", pred)
out = os.path.join(d, "model.json")
p = run("eval", "--model", model, "--data", data, "-o", out, check=False)
if p.returncode == 0:
    rep = validate_report(out, "model")
    ys = read_column(data, "vmaf")
    ps = read_column(pred, "vmaf")
    src = [l.split(",")[-1] for l in open(data).read().split("\n")[1:] if l]
    for r in rep["per_fold"]:
        g = r["test_groups"][0]
        a = [x for x, s in zip(ps, src) if s == g]
        b = [y for y, s in zip(ys, src) if s == g]
        check(abs(r["plcc"] - pearson(a, b)) < 1e-6, f"model {g}: PLCC {r['plcc']} vs {pearson(a, b)}")
        check(abs(r["srocc"] - pearson(ranks(a), ranks(b))) < 1e-6, f"model {g}: SROCC")
        rmse = math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b)) / len(a))
        check(abs(r["rmse"] - rmse) < 1e-5, f"model {g}: RMSE {r['rmse']} vs {rmse}")
elif "tiny-model runtime" in p.stderr:
    print("note: built without the tiny-model runtime; eval --model not checked")
else:
    check(False, f"eval --model failed: {p.stderr.strip()}")

cleanup(d)
finish("train-eval")
