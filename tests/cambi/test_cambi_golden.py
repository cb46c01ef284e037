"""CAMBI (src/feature/cambi.c) against libvmaf 3.2.0, through tests/cambi/cambi_dump:

1. every `cambi*` value of every ../shared/golden/NAME.vmaf_v1.0.16*.json, with the options
   of that model's JSON (../shared/reference/libvmaf-models), and its printed key;
2. every run of tests/cambi/data/expected.json (libvmaf CLI runs with other options:
   encode size and depth, windows, top-k, EOTFs, full_ref, the high-res speed-up on a
   1080p clip, windows wider and taller than the coarsest scales on 3600x220 and 230x3000
   clips; commands in data/MANIFEST.md);
3. the same output on every --cpumask level (C kernels and each SIMD level).

Tolerance 1e-6 (libvmaf prints 6 decimals). Prints max |delta| per run."""
import hashlib
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "golden"))
from golden_common import cases, clip  # noqa: E402

TOL = 1e-6
# Clips made from case a's first frames by upscale_y4m.py (data/MANIFEST.md): name ->
# (width, height, frames, sha256 of ref, sha256 of dis).
GENERATED = {
    "a1080": (1920, 1080, 3, "64b789117a5bdaae4c64c7edfae2e615f3e5ec7d79c8da3026a561ad000aa868",
              "d5b62c82baa1616386c943393bf027d489bc63848b4640e4059a09a989154b53"),
    "wide": (3600, 220, 2, "734e55cdb5c0877283370ad77f8ca10bc2d6ec8c4535f848e833080cb3df28e5",
             "b92939ef9bee081d5502956f1d186569cce98546a11a029f0f68baeec7a32a43"),
    "tall": (230, 3000, 2, "f99747a9d410eaac0b568d9cc4b19a0485f5a2ffd175df75f13a8e11f15470f7",
             "31da422dd70e01bff390cddb0d2d28398e2db081660f2bd6cd95b5bba67aa621"),
}


def dump(ref, dis, options, cpumask=None):
    cmd = [os.environ["TVMAF_CAMBI_DUMP"]]
    if cpumask is not None:
        cmd += ["--cpumask", str(cpumask)]
    cmd += [ref, dis] + [f"{k}={v}" for k, v in options.items()]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode:
        raise SystemExit(f"FAIL: {' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()}")
    lines = p.stdout.splitlines()
    key = lines[0].split()[1]
    return key, [[float(x) for x in ln.split()[2:]] for ln in lines[1:]], p.stdout


def compare(label, key, ours, want_key, want):
    if key != want_key:
        print(f"FAIL {label}: key {key!r}, libvmaf prints {want_key!r}")
        return False
    if len(ours) != len(want) or any(len(a) != len(b) for a, b in zip(ours, want)):
        print(f"FAIL {label}: {len(ours)} frames/outputs vs libvmaf's {len(want)}")
        return False
    worst = max(abs(x - y) for a, b in zip(ours, want) for x, y in zip(a, b))
    ok = worst <= TOL
    print(f"{'ok' if ok else 'FAIL':4} {label:70} max|d|={worst:.3g}")
    return ok


def model_options(shared, model):
    with open(os.path.join(shared, "reference", "libvmaf-models", model + ".json")) as f:
        m = json.load(f)["model_dict"]
    i = m["feature_names"].index("Cambi_feature_cambi_score")
    return {k: (str(v).lower() if isinstance(v, bool) else str(v))
            for k, v in m["feature_opts_dicts"][i].items()}


def generated(golden, case_a, name):
    """A clip of GENERATED, made once in the clip cache and checked against its sha256."""
    sys.path.insert(0, HERE)
    import upscale_y4m
    w, h, frames = GENERATED[name][:3]
    out = []
    for side, digest_want in zip(("ref", "dis"), GENERATED[name][3:]):
        src = clip(golden, case_a[side])
        dst = os.path.join(os.path.dirname(src), f"{name}_{side}.y4m")
        if not os.path.exists(dst):
            sys.argv = ["upscale_y4m.py", src, dst, str(w), str(h), str(frames)]
            upscale_y4m.main()
        with open(dst, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        if digest != digest_want:
            raise SystemExit(f"FAIL: {dst} has sha256 {digest}, MANIFEST.md says {digest_want}")
        out.append(dst)
    return out


def main():
    golden, all_cases = cases()
    shared = os.path.dirname(golden)
    by_letter = {c["case"]: c for c in all_cases}
    ok = True
    checked = 0

    # 1. The v1 models' CAMBI on every golden JSON.
    seen = {}
    for c in all_cases:
        for fn in sorted(os.listdir(golden)):
            if not (fn.startswith(c["name"] + ".vmaf_v1.0.16") and fn.endswith(".json")):
                continue
            model = fn[len(c["name"]) + 1:-len(".json")]
            with open(os.path.join(golden, fn)) as f:
                frames = json.load(f)["frames"]
            keys = [k for k in frames[0]["metrics"] if k.startswith("cambi")]
            if len(keys) != 1:
                print(f"FAIL {fn}: expected one cambi key, found {keys}")
                ok = False
                continue
            opts = model_options(shared, model)
            sig = (c["name"], json.dumps(opts, sort_keys=True))
            if sig not in seen:
                seen[sig] = dump(clip(golden, c["ref"]), clip(golden, c["dis"]), opts)
            key, ours, _ = seen[sig]
            want = [[fr["metrics"][keys[0]]] for fr in frames]
            ok &= compare(f"{fn}", key, ours, keys[0], want)
            checked += 1
    if not checked:
        print("FAIL: no NAME.vmaf_v1.0.16*.json in the golden set")
        ok = False

    # 2. Other options, recorded from libvmaf's CLI.
    with open(os.path.join(HERE, "data", "expected.json")) as f:
        runs = json.load(f)["runs"]
    made = {}
    for r in runs:
        if r["clip"] in GENERATED:
            if r["clip"] not in made:
                made[r["clip"]] = generated(golden, by_letter["a"], r["clip"])
            ref, dis = made[r["clip"]]
        else:
            c = by_letter[r["clip"]]
            ref, dis = clip(golden, c["ref"]), clip(golden, c["dis"])
        key, ours, _ = dump(ref, dis, r["options"])
        label = r["clip"] + " " + (":".join(f"{k}={v}" for k, v in r["options"].items()) or "defaults")
        ok &= compare(label, key, ours, r["keys"][0], r["frames"])

    # 3. Every ISA level gives the same bits (63: plain C).
    c = by_letter["d"]
    opts = {"enc_bitdepth": "8", "window_size": "31", "full_ref": "true"}
    base = dump(clip(golden, c["ref"]), clip(golden, c["dis"]), opts, cpumask=63)[2]
    for mask in (0, 48, 32):
        other = dump(clip(golden, c["ref"]), clip(golden, c["dis"]), opts, cpumask=mask)[2]
        same = other == base
        ok &= same
        print(f"{'ok' if same else 'FAIL':4} --cpumask {mask} output identical to --cpumask 63 (plain C)")

    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
