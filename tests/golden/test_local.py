"""Self-contained golden tier: needs nothing outside the repository.

Five cases made from the bundled sample pair by tests/golden/local_inputs.py (the
pair itself, an odd 97x61 4:2:0 crop, 10-bit 4:2:0, odd 161x91 4:4:4, odd 159x89
12-bit 4:2:2; 12 frames each) against libvmaf 3.2.0 outputs recorded in
tests/golden/data/ (MANIFEST.md there says how). For every frame and every
compared key (adm2, adm_scale0..3, vif_scale0..3, motion2, the raw motion score,
vmaf) and every pooled value:

1. CLI, libvmaf's own precision: `tinyvmaf --json` prints exactly the strings
   libvmaf 3.2.0 printed (%.6f, %.16f for tiny values).
2. CLI, full precision: `--precision 17 --json` prints exactly the "%.17g"
   strings of the recorded full-precision run; on the first case `--csv`, `--xml`
   and the summary line print the same strings.
3. Library, full precision: golden_dump (public API, "%.17g") prints exactly the
   recorded "%.17g" strings, i.e. bit-identical doubles.

The vmaf model: `--model version=vmaf_v0.6.1` first (built-in or on the model
path), else path= from ../shared; without either only the vmaf part is skipped
(a failure with CI=true). A self-check first proves the comparison catches a
change of one unit in the last place of any recorded value; a mutation check
flips one bit of one input sample and sees the recorded values move.
"""
import json
import math
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import local_inputs  # noqa: E402
from golden_common import check, verdict  # noqa: E402
from shared_material import in_ci  # noqa: E402

DATA = os.path.join(HERE, "data")
CLI = os.environ.get("TVMAF_CLI", "")
DUMP = os.environ.get("TVMAF_GOLDEN_DUMP", "")
KEYS = ["integer_adm2", "integer_adm_scale0", "integer_adm_scale1", "integer_adm_scale2",
        "integer_adm_scale3", "integer_vif_scale0", "integer_vif_scale1", "integer_vif_scale2",
        "integer_vif_scale3", "integer_motion2", "VMAF_integer_feature_motion_sad_score"]
POOLS = ["min", "max", "mean", "harmonic_mean"]


def load_strings(path):
    """A libvmaf JSON with every number kept as the exact string printed."""
    with open(path) as f:
        return json.load(f, parse_float=str, parse_int=str)


def table(doc, keys):
    """{(frame, key): string} and {(key, pool): string} of a libvmaf-layout JSON."""
    frames = {(int(fr["frameNum"]), k): fr["metrics"][k]
              for fr in doc["frames"] for k in keys if k in fr["metrics"]}
    pooled = {(k, p): doc["pooled_metrics"][k][p]
              for k in keys if k in doc.get("pooled_metrics", {}) for p in POOLS}
    return frames, pooled


def differences(got, want):
    """Entries of `want` that `got` lacks or prints differently (exact string equality)."""
    missing = [k for k in want if k not in got]
    bad = [(k, got[k], want[k]) for k in want if k in got and got[k] != want[k]]
    return missing, bad


def compare(got, want, label):
    missing, bad = differences(got, want)
    for k, g, w in bad[:5]:
        print(f"     {label}: {k}: got {g}, libvmaf {w}")
    return check(not missing and not bad,
                 f"{label}: {len(want)} values identical" if not missing and not bad else
                 f"{label}: {len(bad)} differ, {len(missing)} missing" +
                 (f" (first missing {missing[0]})" if missing else ""))


def self_check(case):
    """The comparison catches a one-ulp change of any recorded full-precision value
    (so a one-LSB change in an integer feature, which moves the double result by at
    least one ulp, cannot pass), and a change of one in the last printed digit of
    libvmaf's %.6f output."""
    doc = load_strings(os.path.join(DATA, case["libvmaf_json_g17"]))
    frames, pooled = table(doc, KEYS + ["vmaf"])
    want = {**frames, **pooled}
    caught = 0
    for k, s in want.items():
        x = float(s)
        for y in (math.nextafter(x, math.inf), math.nextafter(x, -math.inf)):
            t = "%.17g" % y
            assert float(t) == y and t != s, (k, s, t)   # %.17g round-trips: distinct strings
            caught += t != s
    check(caught == 2 * len(want), f"self-check: all {2 * len(want)} one-ulp neighbours of the "
          f"{len(want)} recorded %.17g values print differently")
    # the comparator itself: one altered value must fail it
    k0 = (1, "integer_vif_scale0")
    altered = dict(want)
    altered[k0] = "%.17g" % math.nextafter(float(want[k0]), math.inf)
    check(differences(altered, want)[1] == [(k0, altered[k0], want[k0])],
          f"self-check: a one-ulp change of frame 1 integer_vif_scale0 "
          f"({want[k0]} -> {altered[k0]}) is reported")
    stock = load_strings(os.path.join(DATA, case["libvmaf_json"]))
    f6, _ = table(stock, ["integer_adm2"])
    s = f6[(0, "integer_adm2")]
    bumped = s[:-1] + str((int(s[-1]) + 1) % 10)
    check(differences({(0, "integer_adm2"): bumped}, {(0, "integer_adm2"): s})[1],
          f"self-check: a change in the last printed digit at libvmaf's precision "
          f"({s} -> {bumped}) is reported")


def run_dump(ref, dis, model):
    """golden_dump's output as ({(frame, key): str}, {(key, pool): str}), or None."""
    p = subprocess.run([DUMP, ref, dis] + ([model] if model else []), capture_output=True, text=True)
    if not check(p.returncode == 0, f"golden_dump runs ({p.stderr.strip()})"):
        return None
    frames, pooled = {}, {}
    for line in p.stdout.splitlines():
        t = line.split()
        if t[0] == "F":
            frames[(int(t[1]), t[2])] = t[3]
        elif t[0] == "P":
            pooled[(t[1], t[2])] = t[3]
    return frames, pooled


def mutation_check(ref, dis, full, work):
    """End to end: flipping the lowest bit of one luma sample of the distorted clip
    (frame 5, x 100, y 60) must change recorded values, and the full-precision
    comparison must see more of the changes than libvmaf's six decimals would."""
    with open(dis, "rb") as f:
        data = bytearray(f.read())
    hdr = data.index(b"\n") + 1
    frame = 6 + 320 * 180 * 3 // 2
    data[hdr + 5 * frame + 6 + 60 * 320 + 100] ^= 1
    bad = os.path.join(work, "dis_one_lsb.y4m")
    with open(bad, "wb") as f:
        f.write(data)
    got = run_dump(ref, bad, None)
    if got is None:
        return
    want = {k: v for k, v in full[0].items() if k[1] != "vmaf"}
    changed = differences(got[0], want)[1]
    seen6 = [k for k, g, w in changed if "%.6f" % float(g) != "%.6f" % float(w)]
    check(changed and len(seen6) < len(changed),
          f"mutation: one luma LSB flipped in frame 5 changes {len(changed)} per-frame values at "
          f"%.17g (all caught), of which only {len(seen6)} at 6 decimals")


def pick_model(ref, dis, work):
    """The --model argument that works: version= first, then path= from ../shared."""
    shared = os.environ.get("TVMAF_SHARED_DIR", "")
    candidates = ["version=vmaf_v0.6.1"]
    path = os.path.join(shared, "reference", "libvmaf-models", "vmaf_v0.6.1.json")
    if shared and os.path.isfile(path):
        candidates.append("path=" + path)
    for m in candidates:
        p = subprocess.run([CLI, "-r", ref, "-d", dis, "--model", m, "--frame_cnt", "2", "--json",
                            "-o", os.path.join(work, "probe.json"), "-q"], capture_output=True, text=True)
        if p.returncode == 0:
            print(f"note: vmaf_v0.6.1 via --model {m}")
            return m
        print(f"note: --model {m} does not load: {p.stderr.strip()}")
        if m.startswith("path="):
            check(False, f"the shared vmaf_v0.6.1.json does not load: {p.stderr.strip()}")
            return None
    what = ("vmaf_v0.6.1 neither built in nor found as --model version=vmaf_v0.6.1, "
            f"and {path} absent")
    if in_ci():
        check(False, f"{what} (CI is set: the vmaf part may not be skipped)")
    else:
        print(f"SKIP (vmaf part only): {what}; features are still checked")
    return None


def csv_table(path, keys):
    """{(frame, key): string} of tinyvmaf's CSV (libvmaf's layout: "Frame,k1,k2,...,")."""
    with open(path) as f:
        rows = [line.rstrip("\n").split(",") for line in f]
    head = rows[0]
    return {(int(r[0]), k): r[head.index(k)] for r in rows[1:] for k in keys if k in head}


def xml_table(path, keys):
    """({(frame, key): string}, {(key, pool): string}) of tinyvmaf's XML."""
    import xml.etree.ElementTree as ET
    root = ET.parse(path).getroot()
    frames = {(int(fr.get("frameNum")), k): fr.get(k)
              for fr in root.iter("frame") for k in keys if fr.get(k) is not None}
    pooled = {(m.get("name"), p): m.get(p)
              for m in root.iter("metric") if m.get("name") in keys for p in POOLS}
    return frames, pooled


def other_formats(base, full, keys, work, name):
    """--precision 17 in CSV, XML and the summary line: the same strings as the JSON."""
    out = os.path.join(work, name + ".p17.csv")
    p = subprocess.run(base + ["--precision", "17", "--csv", "-o", out], capture_output=True, text=True)
    if check(p.returncode == 0, f"{name}: tinyvmaf --precision 17 --csv ({p.stderr.strip()})"):
        compare(csv_table(out, keys), full[0], f"{name}: CLI CSV per-frame, %.17g")
    out = os.path.join(work, name + ".p17.xml")
    p = subprocess.run(base + ["--precision", "17", "--xml", "-o", out], capture_output=True, text=True)
    if check(p.returncode == 0, f"{name}: tinyvmaf --precision 17 --xml ({p.stderr.strip()})"):
        got = xml_table(out, keys)
        compare(got[0], full[0], f"{name}: CLI XML per-frame, %.17g")
        compare(got[1], full[1], f"{name}: CLI XML pooled, %.17g")
    if "vmaf" not in keys:
        return
    cmd = [a for a in base if a not in ("--json", "-q")] + ["--precision", "17"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    m = re.search(r": (\S+) \(harmonic_mean (\S+), min (\S+)\)", p.stdout)
    want = [full[1][("vmaf", q)] for q in ("mean", "harmonic_mean", "min")]
    check(p.returncode == 0 and m and list(m.groups()) == want,
          f"{name}: summary line at --precision 17 prints vmaf {want} ({p.stdout.strip()})")


def main():
    if not CLI or not os.access(CLI, os.X_OK):
        print(f"FAIL: CLI not found ({CLI or 'TVMAF_CLI unset'})")
        return 1
    with open(os.path.join(DATA, "cases.json")) as f:
        meta = json.load(f)
    print(f"libvmaf {meta['libvmaf_version']} at {meta['libvmaf_commit']}")
    self_check(meta["cases"][0])
    cache = os.path.join(os.environ.get("TVMAF_CLIP_CACHE") or tempfile.gettempdir(), "local")
    model = None
    with tempfile.TemporaryDirectory() as work:
        for i, c in enumerate(meta["cases"]):
            name = c["case"]
            files = local_inputs.write_case(name, cache)
            ref, dis = files["ref"][0], files["dis"][0]
            if not check(files["ref"][1] == c["ref_sha256"] and files["dis"][1] == c["dis_sha256"],
                         f"{name}: generated inputs have the recorded sha256"):
                continue
            if i == 0:
                model = pick_model(ref, dis, work)
            keys = KEYS + (["vmaf"] if model else [])
            stock = table(load_strings(os.path.join(DATA, c["libvmaf_json"])), keys)
            full = table(load_strings(os.path.join(DATA, c["libvmaf_json_g17"])), keys)
            check(len(stock[0]) == c["frames"] * len(keys), f"{name}: {c['frames']} frames recorded")

            base = [CLI, "-r", ref, "-d", dis, "--json", "-q"]
            base += ["--model", model] if model else ["--no_prediction"]
            out = os.path.join(work, name + ".json")
            p = subprocess.run(base + ["-o", out], capture_output=True, text=True)
            if check(p.returncode == 0, f"{name}: tinyvmaf runs ({p.stderr.strip()})"):
                ours = table(load_strings(out), keys)
                compare(ours[0], stock[0], f"{name}: CLI per-frame, libvmaf precision")
                compare(ours[1], stock[1], f"{name}: CLI pooled, libvmaf precision")
            out17 = os.path.join(work, name + ".p17.json")
            p = subprocess.run(base + ["--precision", "17", "-o", out17], capture_output=True, text=True)
            if check(p.returncode == 0, f"{name}: tinyvmaf --precision 17 ({p.stderr.strip()})"):
                ours = table(load_strings(out17), keys)
                compare(ours[0], full[0], f"{name}: CLI per-frame, %.17g")
                compare(ours[1], full[1], f"{name}: CLI pooled, %.17g")
            if i == 0:
                other_formats(base, full, keys, work, name)
            if DUMP:
                got = run_dump(ref, dis, model)
                if got:
                    compare(got[0], full[0], f"{name}: library per-frame, %.17g (bit-exact)")
                    compare(got[1], full[1], f"{name}: library pooled, %.17g (bit-exact)")
                if name == "city_320x180_420p8":   # the layout mutation_check() assumes
                    mutation_check(ref, dis, full, work)
            else:
                check(False, "golden_dump not built (TVMAF_GOLDEN_DUMP unset)")
    return verdict()


if __name__ == "__main__":
    sys.exit(main())
