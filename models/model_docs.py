#!/usr/bin/python3
"""Writes the model cards and the v3 decision record from the numbers.

Reads models/eval/summary.json and models/*.metrics.json (written by
models/train_models.py) and writes docs/models/vmaf_tiny_v2.md,
docs/models/vmaf_tiny_v3.md and docs/adr/0001-vmaf-tiny-v3.md, so that the
prose and the figures never drift apart when the models are retrained.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ARCH = {"vmaf_tiny_v2": ("mlp_small", "6-16-8-1", 257), "vmaf_tiny_v3": ("mlp_medium", "6-32-16-1", 769)}


def f(v, d=4):
    return "-" if v is None else f"{v:.{d}f}"


def pm(a, d=4):
    return f"{f(a['mean'], d)} ± {f(a['std'], d)}"


def fold_table(s):
    """Per-fold LOSO numbers: mean over seeds for each held-out fold."""
    by = {}
    for r in s["per_fold"]:
        by.setdefault(",".join(r["fold"]), []).append(r)
    out = ["| held-out fold | PLCC | SROCC | RMSE |", "| --- | --- | --- | --- |"]
    for k in sorted(by, key=lambda x: [int(t) if t.isdigit() else t for t in x.split(",")]):
        rs = by[k]
        n = len(rs)
        out.append(f"| {k} | {sum(r['plcc'] for r in rs) / n:.4f} | "
                   f"{sum(r['srocc'] for r in rs) / n:.4f} | {sum(r['rmse'] for r in rs) / n:.3f} |")
    return "\n".join(out)


def band_table(models):
    ids = list(models)
    out = ["| VMAF band | rows | " + " | ".join(f"{i} RMSE" for i in ids) + " |",
           "| --- | --- |" + " --- |" * len(ids)]
    first = models[ids[0]]["loso9x5"]["bands"]
    for i, b in enumerate(first):
        cells = []
        for mid in ids:
            bb = models[mid]["loso9x5"]["bands"][i]
            cells.append(f"{f(bb['rmse_mean'], 3)} ± {f(bb['rmse_std'], 3)}")
        out.append(f"| {b['band']} | {b['n']} | " + " | ".join(cells) + " |")
    cells = [f"{f(models[m]['loso9x5']['pooled_rmse']['mean'], 3)}" for m in ids]
    out.append("| all | " + str(sum(b["n"] for b in first)) + " | " + " | ".join(cells) + " |")
    return "\n".join(out)


def upstream_table(summary, ours):
    up = summary.get("upstream") or {}
    out = ["| held-out fold | " + " | ".join(f"ours {m} PLCC / RMSE" for m in ours) + " | " +
           " | ".join(f"upstream {m} PLCC / RMSE" for m in up) + " |",
           "| --- |" + " --- |" * (len(ours) + len(up))]
    folds = sorted({k for m in up.values() for k in m["per_fold"]}, key=int) if up else []
    for fo in folds:
        cells = []
        for mid in ours:
            rs = [r for r in ours[mid]["loso9x5"]["per_fold"] if r["fold"] == [fo]]
            if rs:
                cells.append(f"{sum(r['plcc'] for r in rs) / len(rs):.4f} / "
                             f"{sum(r['rmse'] for r in rs) / len(rs):.3f}")
            else:
                cells.append("-")
        for m in up.values():
            x = m["per_fold"][fo]
            cells.append(f"{x['plcc']:.4f} / {x['rmse']:.3f}")
        out.append(f"| {fo} | " + " | ".join(cells) + " |")
    if up:
        cells = [f"{ours[m]['loso9x5']['aggregate']['plcc']['mean']:.4f} / "
                 f"{ours[m]['loso9x5']['aggregate']['rmse']['mean']:.3f}" for m in ours]
        cells += [f"{m['overall']['plcc']:.4f} / {m['overall']['rmse']:.3f}" for m in up.values()]
        out.append("| all rows | " + " | ".join(cells) + " |")
    return "\n".join(out)


def main():
    summary = json.load(open(os.path.join(HERE, "eval", "summary.json")))
    res = summary["results"]
    d = summary["decision"]
    E = summary["epochs"]
    shipped = {}
    for mid in ARCH:
        p = os.path.join(HERE, f"{mid}.metrics.json")
        if os.path.exists(p):
            shipped[mid] = json.load(open(p))
    metrics = {mid: {"loso9x5": res[mid]["loso9"], "loso25": res[mid]["loso25"],
                     "kfold5": res[mid]["kfold5"]} for mid in ARCH}
    any_m = next(iter(shipped.values()))
    corpus = any_m["corpus"]
    budget = any_m["step_budget"]
    partial = "" if corpus["complete"] else (
        f"\n> **Provisional.** The corpus build was still running when these files were made: "
        f"the table held {corpus['rows']:,} rows from {corpus['sources']} of 25 sources and "
        f"{corpus['folds']} of 9 folds. `make models` retrains every file from the complete "
        f"table with the same command; the figures below are from the partial table.\n")
    ev = summary.get("epoch_evidence") or {}

    def evidence_table():
        out = ["| model | epochs | smallest LOSO step count | LOSO-9 PLCC (seed 0) | LOSO-9 RMSE (seed 0) |",
               "| --- | --- | --- | --- | --- |"]
        for mid, by in ev.items():
            for e in sorted(by, key=int):
                x = by[e]
                out.append(f"| {mid} | {e}{' (chosen)' if int(e) == E else ''} | {x['min_steps']:,} | "
                           f"{x['plcc']:.5f} | {x['rmse']:.3f} |")
        return "\n".join(out)

    common = f"""## Data

The corpus table `corpus/tinyvmaf_corpus.csv.xz` (`corpus/MANIFEST.json`;
CSV sha256 `{corpus['table_csv_sha256']}`): {corpus['rows']:,} per-frame rows from
{corpus['sources']} Debian-packaged sources in {corpus['folds']} folds, encoded with
x264, SVT-AV1, MPEG-2 and MJPEG over a resolution ladder, each row labelled
with tinyvmaf's bit-exact vmaf_v0.6.1 (the teacher). x265, VP9, libaom and
MPEG-4 part 2 are kept out of the corpus.
{partial}
## Recipe

Features `[N, 6]` float32 in the order adm2, vif_scale0, vif_scale1,
vif_scale2, vif_scale3, motion2; StandardScaler (population std) fitted on
the training rows and baked into the graph; Adam lr 1e-3 (β 0.9/0.999, ε 1e-8),
MSE, batch 256, seed 0, PyTorch's default initialisation, **{E} epochs**; ONNX
IR 8, opset 17, output `vmaf [N]` (unclamped). The epoch count gives every
LOSO training at least the design record's {budget['budget_steps']:,} Adam steps
(90 epochs over 330,499 rows): the smallest LOSO training set has
{budget['smallest_loso_train_rows']:,} rows = {budget['steps_per_epoch']} steps per epoch.
"""

    for mid, (arch, shape, params) in ARCH.items():
        m = metrics[mid]
        l9, l25, k5 = m["loso9x5"], m["loso25"], m["kfold5"]
        ships = mid in shipped
        status = ("the default tiny model, built into the library" if mid == "vmaf_tiny_v2" else
                  "shipped beside vmaf_tiny_v2, built into the library" if ships else
                  "**not shipped**: it did not win the ship gate (docs/adr/0001-vmaf-tiny-v3.md)")
        text = f"""# {mid}

`{mid}` is {arch} ({shape}, {params} parameters) over the six canonical
VMAF features, distilled from vmaf_v0.6.1. Status: {status}.
{f"Files: `models/{mid}.onnx` (sha256 `{shipped[mid]['onnx_sha256']}`), its sidecar `models/{mid}.json` (sha256 `{shipped[mid]['sidecar_sha256']}`) and `models/{mid}.metrics.json` (every number below)." if ships else ""}

{common}
## Accuracy (leave one fold out, 9 folds x 5 seeds)

| metric | mean ± std over 45 runs |
| --- | --- |
| PLCC | {pm(l9['aggregate']['plcc'], 5)} |
| SROCC | {pm(l9['aggregate']['srocc'], 5)} |
| RMSE | {pm(l9['aggregate']['rmse'], 3)} |

Per held-out fold (mean over the 5 seeds):

{fold_table(l9)}

Leave one source out (25 folds, seed 0): PLCC {pm(l25['aggregate']['plcc'], 5)},
SROCC {pm(l25['aggregate']['srocc'], 5)}, RMSE {pm(l25['aggregate']['rmse'], 3)}.
5-fold by source (seed 0): PLCC {pm(k5['aggregate']['plcc'], 5)}, RMSE {pm(k5['aggregate']['rmse'], 3)}.

### By VMAF band (LOSO 9 x 5, out-of-fold predictions; bands of the teacher's score)

{band_table({mid: m})}

Rows the teacher clips: {", ".join(f"{k.replace('teacher_', 'vmaf = ')}: {v['n']} rows, RMSE {f(v['rmse_mean'], 3)}, mean prediction {f(v['mean_prediction'], 2)}" for k, v in l9['clipped_rows'].items())}.
They are kept in training as they are (the label is what vmaf_v0.6.1 prints);
the output is not clamped, so a frame beyond the teacher's range can score a
little above 100 or below 0, as vmaf_v0.6.1 does with `:disable_clip`.

## When to use it

{"The default: the smallest model, the fastest to run, and the one `tinyvmaf -r REF -d DIS` reports next to vmaf_v0.6.1." if mid == "vmaf_tiny_v2" else "When the lower error is worth three times the parameters (still over 10 million rows per second on one core): pick it with `--tiny-model vmaf_tiny_v3`." if ships else "Not shipped; see the decision record."}

## Limits

* A student of vmaf_v0.6.1: it inherits the teacher's blind spots and never
  knows more than the six features carry.
* Trained on 8-bit 4:2:0 content at 240p to 1080p, with four codec
  families; other codecs (x265, VP9, AV1 in libaom's tools, MPEG-4 part 2),
  HDR, 4K and high frame rates were not in the data.
* Pans over still photographs stand in for most 1080p natural video (there is
  only one 1080p natural clip among the sources).

## Reproduce

`docs/training.md` gives the exact commands; `make models` runs them all.
"""
        os.makedirs(os.path.join(ROOT, "docs", "models"), exist_ok=True)
        with open(os.path.join(ROOT, "docs", "models", f"{mid}.md"), "w") as fh:
            fh.write(text)

    v2, v3 = metrics["vmaf_tiny_v2"]["loso9x5"], metrics["vmaf_tiny_v3"]["loso9x5"]
    adr = f"""# ADR 0001: ship vmaf_tiny_v3 beside vmaf_tiny_v2?

## Context

The design record our models follow trains two tiny students of vmaf_v0.6.1
with one recipe and different sizes: `vmaf_tiny_v2` (mlp_small, 6-16-8-1,
257 parameters), the default, and `vmaf_tiny_v3` (mlp_medium, 6-32-16-1, 769
parameters). v3 ships beside v2 only if it wins leave-one-source-out
evaluation; our bar for a shipped model is a mean LOSO PLCC of at least 0.998
for v2 and, for v3, an RMSE below v2's.
{partial}
Both were evaluated by `tinyvmaf eval` on the corpus table (CSV sha256
`{corpus['table_csv_sha256']}`, {corpus['rows']:,} rows), leaving out each of
the {corpus['folds']} folds in turn, with seeds 0-4 (45 trainings each).

### Training budget

90 epochs over 330,499 rows at batch 256 is {budget['budget_steps']:,} Adam steps. On
a smaller table 90 epochs under-train, so the epoch count was sized for every
LOSO training to reach that budget ({E} epochs), with the same count for both
models. LOSO (seed 0) at half and twice the count:

{evidence_table()}

## Decision

| | vmaf_tiny_v2 | vmaf_tiny_v3 |
| --- | --- | --- |
| LOSO 9 x 5 PLCC | {pm(v2['aggregate']['plcc'], 5)} | {pm(v3['aggregate']['plcc'], 5)} |
| LOSO 9 x 5 SROCC | {pm(v2['aggregate']['srocc'], 5)} | {pm(v3['aggregate']['srocc'], 5)} |
| LOSO 9 x 5 RMSE | {pm(v2['aggregate']['rmse'], 3)} | {pm(v3['aggregate']['rmse'], 3)} |

**{"vmaf_tiny_v3 ships beside vmaf_tiny_v2" if d['ship_v3'] else "vmaf_tiny_v3 does not ship"}**: its mean PLCC
{f(d['v3_plcc'], 5)} {"beats" if d['ship_v3'] else "does not beat"} vmaf_tiny_v2's {f(d['v2_plcc'], 5)}.
vmaf_tiny_v2 stays the default. Bars: v2 PLCC ≥ 0.998 is
{"met" if d['bar_v2_plcc_0998'] else "**not met**"}; v3 RMSE below v2's is {"met" if d['bar_v3_rmse_below_v2'] else "**not met**"}.

Per VMAF band (RMSE, mean ± std over the 5 seeds):

{band_table({'vmaf_tiny_v2': {'loso9x5': v2}, 'vmaf_tiny_v3': {'loso9x5': v3}})}

Side by side with upstream's v2 and v3 (trained on Netflix's public dataset;
scored here on the same rows, which they never saw):

{upstream_table(summary, {k: {'loso9x5': metrics[k]['loso9x5']} for k in ARCH})}

## Alternatives

* **Ship v2 only.** Simplest, one model to trust; leaves accuracy on the
  table when v3 is measurably better.
* **Ship v3 as the default.** Lower error where it wins, but three times the
  parameters and a change of default that scripted users would notice.
* **A larger student (mlp_large).** More parameters than the design record's
  budget of tiny models; not evaluated.
* **Clamp the outputs to [0, 100].** Hides errors near the ends instead of
  measuring them; the teacher's own clip is reported and left to callers.

## Consequences

* `tinyvmaf -r REF -d DIS` reports vmaf_v0.6.1 and vmaf_tiny_v2 by default;
  `--tiny-model vmaf_tiny_v3` {"selects v3" if d['ship_v3'] else "fails (not built in)"}.
* The models, their sidecars, their metrics and this record are regenerated
  together by `make models`; the registry pins every file.
"""
    os.makedirs(os.path.join(ROOT, "docs", "adr"), exist_ok=True)
    with open(os.path.join(ROOT, "docs", "adr", "0001-vmaf-tiny-v3.md"), "w") as fh:
        fh.write(adr)
    print("models: wrote docs/models/*.md and docs/adr/0001-vmaf-tiny-v3.md", file=sys.stderr)


if __name__ == "__main__":
    main()
