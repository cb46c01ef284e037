"""Golden test: the six canonical features (and ADM scales) of every shared
case against libvmaf 3.2.0's JSON, and with --motion-compat 3.0 against
libvmaf 3.0.0's. Prints max |delta| per feature per case."""
import sys
import tempfile

from golden_common import cases, clip, frames_by_num, score_json

FEATURES = ["integer_adm2", "integer_adm_scale0", "integer_adm_scale1", "integer_adm_scale2",
            "integer_adm_scale3", "integer_vif_scale0", "integer_vif_scale1",
            "integer_vif_scale2", "integer_vif_scale3", "integer_motion2"]
TOL = 1e-6   # libvmaf prints 6 decimals (16 for tiny values)


def compare(ours, theirs, label):
    a, b = frames_by_num(ours), frames_by_num(theirs)
    if sorted(a) != sorted(b):
        print(f"FAIL {label}: frame numbers differ ({len(a)} vs {len(b)})")
        return False
    ok = True
    for feat in FEATURES:
        worst, where = 0.0, None
        for i in b:
            d = abs(a[i][feat] - b[i][feat])
            if d > worst:
                worst, where = d, i
        status = "ok" if worst <= TOL else "FAIL"
        ok &= worst <= TOL
        print(f"{status:4} {label:42} {feat:22} max|d|={worst:.3g}" +
              (f" (frame {where})" if worst > TOL else ""))
    return ok


def main():
    golden, all_cases = cases()
    ok = True
    with tempfile.TemporaryDirectory() as work:
        for c in all_cases:
            ref, dis = clip(golden, c["ref"]), clip(golden, c["dis"])
            import json, os
            with open(os.path.join(golden, c["vmaf_json"])) as f:
                lib32 = json.load(f)
            ours, _ = score_json(ref, dis, ["--no_prediction"], work, c["name"] + "_32")
            ok &= compare(ours, lib32, c["name"] + " vs 3.2.0")
            with open(os.path.join(golden, c["vmaf_json_libvmaf_3_0_0"])) as f:
                lib30 = json.load(f)
            ours30, _ = score_json(ref, dis, ["--no_prediction", "--motion-compat", "3.0"], work,
                                   c["name"] + "_30")
            ok &= compare(ours30, lib30, c["name"] + " vs 3.0.0 (classic)")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
