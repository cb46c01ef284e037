"""Module golden test for ADM and motion with libvmaf 3.2.0's options: for every
NAME.vmaf_v1.0.16*.json in ../shared/golden, runs src/feature/adm and
src/feature/motion directly (tests/golden/admmotion_dump.c) with the adm and
motion options of that model's feature_opts_dicts (its JSON file in
../shared/reference/libvmaf-models), and compares every per-frame adm2, aim,
adm3, adm_scale0..3, motion SAD score, motion2 and motion3 value with
libvmaf's, under the key libvmaf prints it with, within 1e-6. Runs with the
best kernels and with the C ones only (--cpumask), which must agree bit for
bit. Then the same on tests/golden/admmotion_expected.json: libvmaf 3.2.0 CLI
runs for the options the goldens do not cover (admmotion_expected.md).
Prints max |delta| per key per file or run."""
import math
import glob
import json
import os
import subprocess
import sys

from golden_common import clip, missing, shared_dir

TOL = 1e-6  # libvmaf prints 6 decimals
# Printed key bases this module produces (adm.h / motion.h output names).
BASES = ("integer_adm2", "integer_aim", "integer_adm3", "integer_adm_scale",
         "VMAF_integer_feature_motion_sad_score", "integer_motion2", "integer_motion3")


def option_text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return repr(v) if isinstance(v, float) else str(v)


def model_args(model_path):
    """adm.OPTION=VALUE / motion.OPTION=VALUE arguments from the model's feature_opts_dicts."""
    with open(model_path) as f:
        md = json.load(f)["model_dict"]
    args = []
    for name, opts in zip(md["feature_names"], md.get("feature_opts_dicts", [])):
        if "_adm" in name:
            prefix = "adm."
        elif "_motion" in name:
            prefix = "motion."
        else:
            continue
        args += [prefix + k + "=" + option_text(v) for k, v in sorted(opts.items())]
    return args


def dump(ref, dis, args):
    exe = os.environ["TVMAF_ADMMOTION_DUMP"]
    p = subprocess.run([exe, ref, dis] + args, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"FAIL: {exe} {' '.join(args)} exited {p.returncode}: {p.stderr.strip()}")
    out = {}
    for line in p.stdout.splitlines():
        _, frame, key, value = line.split()
        out[(int(frame), key)] = float(value)
    return out, p.stdout


def main():
    golden = os.path.join(shared_dir(), "golden")
    models = os.path.join(shared_dir(), "reference", "libvmaf-models")
    with open(os.path.join(golden, "cases.json")) as f:
        by_name = {c["name"]: c for c in json.load(f)["cases"]}
    files = sorted(glob.glob(os.path.join(golden, "*.vmaf_v1.0.16*.json")))
    if not files:
        missing(f"no NAME.vmaf_v1.0.16*.json goldens in {golden!r}")
    ok = True
    worst_all = 0.0
    for path in files:
        base = os.path.basename(path)[:-len(".json")]
        case_name, model = base.split(".", 1)
        model_path = os.path.join(models, model + ".json")
        if not os.path.isfile(model_path):
            missing(f"model {model_path!r} not found")
        c = by_name[case_name]
        ref, dis = clip(golden, c["ref"]), clip(golden, c["dis"])
        args = model_args(model_path)
        ours, text = dump(ref, dis, args)
        _, text_c = dump(ref, dis, args + ["cpumask=-1"])
        if text != text_c:
            print(f"FAIL {base}: SIMD and C kernels disagree")
            ok = False
        with open(path) as f:
            theirs = {fr["frameNum"]: fr["metrics"] for fr in json.load(f)["frames"]}
        ours_keys = sorted({k for _, k in ours})
        # Every key of ours is one libvmaf printed, and every libvmaf ADM/motion key is ours.
        expected = sorted({k for m in theirs.values() for k in m if k.startswith(BASES)})
        if ours_keys != expected:
            print(f"FAIL {base}: keys differ: ours {ours_keys}, libvmaf {expected}")
            ok = False
            continue
        frames = sorted({i for i, _ in ours})
        if frames != sorted(theirs):
            print(f"FAIL {base}: frame numbers differ ({len(frames)} vs {len(theirs)})")
            ok = False
            continue
        for key in ours_keys:
            worst, where = 0.0, None
            for i in frames:
                d = abs(ours[(i, key)] - theirs[i][key])
                if not d <= worst:
                    worst, where = d, i
            good = worst <= TOL
            ok &= good
            worst_all = max(worst_all, worst)
            print(f"{'ok' if good else 'FAIL':4} {case_name:28} {model:24} {key:56} "
                  f"max|d|={worst:.3g}" + ("" if good else f" (frame {where})"))
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "admmotion_expected.json")) as f:
        runs = json.load(f)["runs"]
    for run in runs:
        c = by_name[run["case"]]
        ref, dis = clip(golden, c["ref"]), clip(golden, c["dis"])
        args = ["adm." + k + "=" + v for k, v in run["adm"].items()]
        args += ["motion." + k + "=" + v for k, v in run["motion"].items()]
        ours, text = dump(ref, dis, args)
        _, text_c = dump(ref, dis, args + ["cpumask=-1"])
        if text != text_c:
            print(f"FAIL {run['id']}: SIMD and C kernels disagree")
            ok = False
        if sorted({k for _, k in ours}) != sorted(run["keys"]):
            print(f"FAIL {run['id']}: keys differ: ours {sorted({k for _, k in ours})}, "
                  f"libvmaf {run['keys']}")
            ok = False
            continue
        if len(run["frames"]) != len({i for i, _ in ours}):
            print(f"FAIL {run['id']}: frame counts differ")
            ok = False
            continue
        for col, key in enumerate(run["keys"]):
            worst, where = 0.0, None
            for i, row in enumerate(run["frames"]):
                want, got = row[col], ours[(i, key)]
                if want is None:  # libvmaf printed nan
                    d = 0.0 if math.isnan(got) else math.inf
                else:
                    d = abs(got - want)
                if not d <= worst:
                    worst, where = d, i
            good = worst <= TOL
            ok &= good
            worst_all = max(worst_all, worst)
            print(f"{'ok' if good else 'FAIL':4} {run['id']:28} {key:64} max|d|={worst:.3g}" +
                  ("" if good else f" (frame {where})"))
    print(f"max |d| over all files, runs and keys: {worst_all:.3g}")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
