"""Classic VMAF against libvmaf: per-frame `vmaf` with vmaf_v0.6.1 within 1e-4
of libvmaf 3.2.0's JSON (and of 3.0.0's with --motion-compat 3.0), pooled
min/max/mean/harmonic_mean within 1e-4; our JSON parses with
python3 -m json.tool and has libvmaf's key structure for shared metrics."""
import json
import os
import subprocess
import sys
import tempfile

from golden_common import cases, check, clip, frames_by_num, run_cli, shared_dir, verdict

TOL = 1e-4


def compare(ours, lib, label):
    a, b = frames_by_num(ours), frames_by_num(lib)
    check(sorted(a) == sorted(b), f"{label}: same frames")
    worst = max(abs(a[i]["vmaf"] - b[i]["vmaf"]) for i in b)
    check(worst <= TOL, f"{label}: per-frame vmaf max|d|={worst:.3g}")
    for p in ("min", "max", "mean", "harmonic_mean"):
        d = abs(ours["pooled_metrics"]["vmaf"][p] - lib["pooled_metrics"]["vmaf"][p])
        check(d <= TOL, f"{label}: pooled {p} |d|={d:.3g}")


def key_structure(ours, lib, label):
    check(set(lib) <= set(ours), f"{label}: top-level keys {sorted(lib)} present")
    shared = set(lib["frames"][0]["metrics"]) & set(ours["frames"][0]["metrics"])
    check({"integer_adm2", "integer_vif_scale0", "integer_motion2", "vmaf"} <= shared,
          f"{label}: shared per-frame metrics {len(shared)}")
    for fo, fl in zip(ours["frames"], lib["frames"]):
        if set(fo) != set(fl) or not shared <= set(fo["metrics"]):
            check(False, f"{label}: frame {fl['frameNum']} keys")
            return
    for m in shared:
        lk = list(lib["pooled_metrics"][m])
        ok = list(ours["pooled_metrics"][m])[:len(lk)] == lk
        if not ok:
            check(False, f"{label}: pooled keys of {m}: {list(ours['pooled_metrics'][m])} vs {lk}")
            return
    check(True, f"{label}: frame and pooled key structure matches libvmaf")


def main():
    golden, all_cases = cases()
    models = os.path.join(shared_dir(), "reference", "libvmaf-models")
    env_model = dict(os.environ, TINYVMAF_MODEL_PATH=models)
    with tempfile.TemporaryDirectory() as work:
        for c in all_cases:
            ref, dis = clip(golden, c["ref"]), clip(golden, c["dis"])
            with open(os.path.join(golden, c["vmaf_json"])) as f:
                lib32 = json.load(f)
            out = os.path.join(work, c["name"] + ".json")
            p = subprocess.run([os.environ["TVMAF_CLI"], "-r", ref, "-d", dis, "--model",
                                "version=vmaf_v0.6.1", "--json", "-o", out, "-q"],
                               env=env_model, capture_output=True, text=True)
            check(p.returncode == 0, f"{c['name']}: --model version=vmaf_v0.6.1 via TINYVMAF_MODEL_PATH")
            j = subprocess.run(["/usr/bin/python3", "-m", "json.tool", out], capture_output=True)
            check(j.returncode == 0, f"{c['name']}: output parses with python3 -m json.tool")
            with open(out) as f:
                ours = json.load(f)
            compare(ours, lib32, f"{c['name']} vs 3.2.0")
            key_structure(ours, lib32, c["name"])

            with open(os.path.join(golden, c["vmaf_json_libvmaf_3_0_0"])) as f:
                lib30 = json.load(f)
            out30 = os.path.join(work, c["name"] + "_30.json")
            run_cli(["-r", ref, "-d", dis, "--model", "path=" + os.path.join(models, "vmaf_v0.6.1.json"),
                     "--motion-compat", "3.0", "--json", "-o", out30, "-q"])
            with open(out30) as f:
                compare(json.load(f), lib30, f"{c['name']} vs 3.0.0 (classic motion)")

        # The other shipped libvmaf models load and give plausible scores.
        c = all_cases[0]
        ref, dis = clip(golden, c["ref"]), clip(golden, c["dis"])
        out = os.path.join(work, "three.json")
        run_cli(["-r", ref, "-d", dis,
                 "--model", "path=" + os.path.join(models, "vmaf_v0.6.1.json"),
                 "--model", "path=" + os.path.join(models, "vmaf_v0.6.1neg.json") + ":name=vmaf_neg",
                 "--model", "path=" + os.path.join(models, "vmaf_4k_v0.6.1.json") + ":name=vmaf_4k",
                 "--json", "-o", out, "-q"])
        with open(out) as f:
            doc = json.load(f)
        fr = doc["frames"][3]["metrics"]
        check("integer_adm2_egl_1" in fr and "integer_vif_scale0_egl_1" in fr,
              "neg model's features are computed with gain limit 1 (libvmaf's names)")
        check(fr["integer_adm2_egl_1"] <= fr["integer_adm2"] + 1e-12, "adm2 with egl 1 <= egl 100")
        pm = doc["pooled_metrics"]
        check(0 < pm["vmaf_neg"]["mean"] <= pm["vmaf"]["mean"], "vmaf_neg mean in (0, vmaf mean]")
        check(0 < pm["vmaf_4k"]["mean"] <= 100 and pm["vmaf_4k"]["mean"] != pm["vmaf"]["mean"],
              "vmaf_4k loads and differs from vmaf")
        check(abs(pm["vmaf"]["mean"] - c["vmaf_v0_6_1_pooled"]["mean"]) <= TOL,
              "vmaf unchanged when scored beside other models")
    return verdict()


if __name__ == "__main__":
    sys.exit(main())
