"""VMAF v1 models against libvmaf 3.2.0 without ../shared: the inputs are made
from the bundled sample by tests/golden/local_inputs.py, libvmaf's outputs are
committed in tests/golden/data/v1/ (MANIFEST.md there). For each recorded run
(vmaf_v1.0.16_3d0h, vmaf_v1.0.16_hfr_3d0h, and 3d0h with libvmaf's override
`:cambi.enc_width=1280:cambi.enc_height=720:cambi.enc_bitdepth=8`), the CLI
prints the same keys in the same order and the same value at libvmaf's
printed precision, per frame and pooled; --threads 1 and 2 agree."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import local_inputs  # noqa: E402
from golden_common import check, verdict  # noqa: E402

CLI = os.environ.get("TVMAF_CLI", "")
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "v1")
RUNS = [
    ("vmaf_v1.0.16_3d0h", "vmaf_v1.0.16_3d0h"),
    ("vmaf_v1.0.16_hfr_3d0h", "vmaf_v1.0.16_hfr_3d0h"),
    ("vmaf_v1.0.16_3d0h.cambi_enc_1280x720x8",
     "vmaf_v1.0.16_3d0h:cambi.enc_width=1280:cambi.enc_height=720:cambi.enc_bitdepth=8"),
]
CASES = ["city_320x180_420p8", "city_320x180_420p10"]
POOLS = ("min", "max", "mean", "harmonic_mean")


def run(ref, dis, spec, threads, out):
    p = subprocess.run([CLI, "-r", ref, "-d", dis, "--model", f"version={spec}", "--tiny-model",
                        "none", "--threads", threads, "--json", "-o", out, "-q"],
                       capture_output=True, text=True)
    if not check(p.returncode == 0, f"{os.path.basename(out)}: exit {p.returncode} {p.stderr.strip()}"):
        return None
    with open(out) as f:
        return json.load(f)


def main():
    if not CLI:
        print("TVMAF_CLI is not set")
        return 1
    with tempfile.TemporaryDirectory() as work:
        for case in CASES:
            paths = local_inputs.write_case(case, work)
            ref, dis = paths["ref"][0], paths["dis"][0]
            for tag, spec in RUNS:
                with open(os.path.join(DATA, f"{case}.{tag}.libvmaf-3.2.0.json")) as f:
                    lib = json.load(f)
                ours = run(ref, dis, spec, "1", os.path.join(work, f"{case}.{tag}.1.json"))
                two = run(ref, dis, spec, "2", os.path.join(work, f"{case}.{tag}.2.json"))
                if ours is None or two is None:
                    continue
                label = f"{case} {tag}"
                keys = list(lib["frames"][0]["metrics"])
                check([list(fr["metrics"]) for fr in ours["frames"]] ==
                      [list(fr["metrics"]) for fr in lib["frames"]],
                      f"{label}: {len(lib['frames'])} frames with libvmaf's keys in its order")
                bad = [(fl["frameNum"], k, fo["metrics"].get(k), v)
                       for fo, fl in zip(ours["frames"], lib["frames"])
                       for k, v in fl["metrics"].items() if fo["metrics"].get(k) != v]
                bad += [("pooled", k, ours["pooled_metrics"].get(k, {}).get(p), lib["pooled_metrics"][k][p])
                        for k in keys for p in POOLS
                        if ours["pooled_metrics"].get(k, {}).get(p) != lib["pooled_metrics"][k][p]]
                for b in bad[:5]:
                    print(f"     {label}: frame {b[0]} {b[1]}: ours {b[2]}, libvmaf {b[3]}")
                check(not bad, f"{label}: every value as libvmaf prints it ({len(bad)} differ)")
                check(ours["frames"] == two["frames"], f"{label}: --threads 1 and 2 identical")
    return verdict()


if __name__ == "__main__":
    sys.exit(main())
