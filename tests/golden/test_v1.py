"""VMAF v1 models against libvmaf 3.2.0: for every NAME.vmaf_v1.0.16*.json in
the shared golden set, `--model version=MODEL` (the built-in model) prints
the same per-frame keys in the same order, every feature within 1e-6 and
`vmaf` within 1e-4 of libvmaf, pooled min/max/mean/harmonic_mean likewise;
--threads 1/2/0 at every --cpumask level give the same bytes. Bad
`--model` extractor options are refused with one line and no output.

Prints, per golden file, the largest |difference| of vmaf and of each feature.
"""
import glob
import json
import os
import re
import sys
import tempfile

from golden_common import cases, check, clip, run_cli, verdict

FEATURE_TOL = 1e-6
VMAF_TOL = 1e-4
# The goldens print %.6f: allow for the last digit's rounding on top of the tolerance.
SLACK = 5e-10
FPS = re.compile(r'^  "fps": [^\n]*\n', re.M)


def compare(ours, lib, label):
    """Keys, order and values of every frame and pooled metric."""
    lf, of = lib["frames"], ours["frames"]
    check(len(of) == len(lf), f"{label}: {len(lf)} frames")
    lkeys = list(lf[0]["metrics"])
    okeys = list(of[0]["metrics"]) if of else []
    check(okeys == lkeys, f"{label}: per-frame keys in libvmaf's order"
          + ("" if okeys == lkeys else f"\n       ours: {okeys}\n       libvmaf: {lkeys}"))
    worst = {}
    for fo, fl in zip(of, lf):
        for k, v in fl["metrics"].items():
            if k not in fo["metrics"]:
                worst[k] = float("inf")
                continue
            worst[k] = max(worst.get(k, 0.0), abs(fo["metrics"][k] - v))
    for k in lkeys:
        tol = VMAF_TOL if k == "vmaf" else FEATURE_TOL
        d = worst.get(k, float("inf"))
        check(d <= tol + SLACK, f"{label}: {k} per-frame max|d|={d:.3g} (tol {tol:g})")
    for k in lkeys:
        tol = VMAF_TOL if k == "vmaf" else FEATURE_TOL
        lp, op = lib["pooled_metrics"].get(k, {}), ours["pooled_metrics"].get(k, {})
        d = max((abs(op[p] - lp[p]) if p in op else float("inf")) for p in lp) if lp else 0.0
        if d > tol + SLACK:
            check(False, f"{label}: pooled {k} max|d|={d:.3g}")


def refusals(ref, dis, work):
    """Bad extractor options in --model: exit != 0, one stderr line, no file."""
    bad = [
        ("unknown cambi option", "version=vmaf_v1.0.16_3d0h:cambi.no_such_option=1", "no_such_option"),
        ("negative enc_width", "version=vmaf_v1.0.16_3d0h:cambi.enc_width=-1", "enc_width"),
        ("enc_height not a number", "version=vmaf_v1.0.16_3d0h:cambi.enc_height=abc", "enc_height"),
        ("motion_max_val not a number", "version=vmaf_v1.0.16_3d0h:motion.motion_max_val=1e",
         "motion_max_val"),
        ("extractor the model does not use", "version=vmaf_v1.0.16_3d0h:vif.vif_enhn_gain_limit=1",
         "vif"),
        ("unknown extractor", "version=vmaf_v1.0.16_3d0h:nosuch.option=1", "nosuch"),
        ("speed_prescale_method not a method",
         "version=vmaf_v1.0.16_5d0h:speed_chroma.speed_prescale_method=fast", "speed_prescale_method"),
        ("adm_csf_mode out of range", "version=vmaf_v1.0.16_3d0h:adm.adm_csf_mode=9", "adm_csf_mode"),
    ]
    for name, spec, word in bad:
        out = os.path.join(work, "refused.json")
        p = run_cli(["-r", ref, "-d", dis, "--model", spec, "--json", "-o", out, "-q"], check=False)
        lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
        check(p.returncode != 0 and len(lines) == 1 and word in lines[0] and not os.path.exists(out),
              f"refused: {name}: exit {p.returncode}, {lines}")


def main():
    golden, all_cases = cases()
    by_name = {c["name"]: c for c in all_cases}
    files = sorted(glob.glob(os.path.join(golden, "*.vmaf_v1.0.16*.json")))
    check(len(files) >= 8, f"{len(files)} VMAF v1 golden files")
    with tempfile.TemporaryDirectory() as work:
        for path in files:
            base = os.path.basename(path)[:-5]
            name, model = base.split(".", 1)
            c = by_name[name]
            ref, dis = clip(golden, c["ref"]), clip(golden, c["dis"])
            with open(path) as f:
                lib = json.load(f)
            common = ["--model", f"version={model}", "--tiny-model", "none"]
            # Every thread count at every --cpumask level on case a, a subset elsewhere.
            combos = ([(t, m) for t in ("1", "2", "0") for m in ("0", "48", "56", "63")]
                      if name.startswith("a_") else [("1", "0"), ("2", "63"), ("0", "0")])
            texts = {}
            ours = None
            for t, m in combos:
                out = os.path.join(work, f"{base}_{t}_{m}.json")
                p = run_cli(["-r", ref, "-d", dis, "--json", "-o", out, "-q",
                             "--threads", t, "--cpumask", m] + common, check=False)
                if p.returncode != 0:
                    check(False, f"{base}: threads {t} cpumask {m}: exit {p.returncode}: {p.stderr.strip()}")
                    break
                with open(out) as f:
                    text = f.read()
                ours = ours or json.loads(text)
                texts[(t, m)] = FPS.sub("", text)
            if ours is None:
                continue
            compare(ours, lib, base)
            first = texts[combos[0]]
            same = all(v == first for v in texts.values())
            check(same and len(texts) == len(combos),
                  f"{base}: threads x cpumask {' '.join(t + '/' + m for t, m in combos)} identical")
        c = by_name["a_768x576_420p8_crf30"]
        refusals(clip(golden, c["ref"]), clip(golden, c["dis"]), work)
    return verdict()


if __name__ == "__main__":
    sys.exit(main())
