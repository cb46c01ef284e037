"""SpEED chroma (src/feature/speed.c) against libvmaf 3.2.0.

1. Every speed_chroma_{u,v,uv} value of every NAME.vmaf_v1.0.16*.json in the shared golden set
   (the model's speed_chroma options read from its libvmaf model JSON), within 1e-6, and the
   printed key names equal.
2. Options the golden models do not use (prescale methods, kernel scales, weight modes, 4:2:2,
   odd sizes, 12-bit), against libvmaf 3.2.0's values recorded in speed_chroma_expected.json
   (commands in speed_chroma_expected.md), within 1e-6.
3. The same output, bit for bit, with every CPU level (cpumask 0 and 63).
Prints the max |diff| per case and model."""
import json
import os
import subprocess
import sys

from golden_common import cases, clip

TOL = 1e-6
HERE = os.path.dirname(os.path.abspath(__file__))
LAYOUTS = {"420": (2, 2), "422": (2, 1), "444": (1, 1)}


def y4m_header(path):
    with open(path, "rb") as f:
        head = f.readline().decode().split()
    info = {"w": 0, "h": 0, "chroma": "420", "bpc": 8}
    for t in head[1:]:
        if t[0] == "W":
            info["w"] = int(t[1:])
        elif t[0] == "H":
            info["h"] = int(t[1:])
        elif t[0] == "C":
            tag = t[1:]
            info["chroma"] = tag[:3]
            if "p" in tag and tag[tag.index("p") + 1:].isdigit():
                info["bpc"] = int(tag[tag.index("p") + 1:])
    return info


def frames(path, info):
    """Yields each frame's three planes as bytes."""
    sx, sy = LAYOUTS[info["chroma"]]
    bps = 2 if info["bpc"] > 8 else 1
    w, h = info["w"], info["h"]
    cw, ch = (w + sx - 1) // sx, (h + sy - 1) // sy
    sizes = [w * h * bps, cw * ch * bps, cw * ch * bps]
    with open(path, "rb") as f:
        f.readline()
        while True:
            tag = f.readline()
            if not tag:
                return
            if not tag.startswith(b"FRAME"):
                raise SystemExit(f"FAIL: {path}: bad frame header")
            yield [f.read(n) for n in sizes]


def plane_rows(data, w, h, bps):
    return [data[r * w * bps:(r + 1) * w * bps] for r in range(h)]


def derive(info, planes, how):
    """Deterministic variants of a golden clip for the options check (no resampling filter:
    plain sample picking, so any tool reproduces them)."""
    w, h, bps = info["w"], info["h"], 2 if info["bpc"] > 8 else 1
    sx, sy = LAYOUTS[info["chroma"]]
    cw, ch = (w + sx - 1) // sx, (h + sy - 1) // sy
    if how == "422":  # from 8-bit 4:4:4: every other chroma column
        return [planes[0]] + [b"".join(r[::2] for r in plane_rows(p, cw, ch, 1))
                              for p in planes[1:]]
    if how == "odd":  # 4:2:0 cropped by one column and one row (odd luma size)
        nw, nh = w - 1, h - 1
        ncw, nch = (nw + 1) // 2, (nh + 1) // 2
        y = b"".join(r[:nw * bps] for r in plane_rows(planes[0], w, h, bps)[:nh])
        return [y] + [b"".join(r[:ncw * bps] for r in plane_rows(p, cw, ch, bps)[:nch])
                      for p in planes[1:]]
    if how == "12bit":  # 10-bit little-endian samples shifted up by two bits (no carries)
        return [(int.from_bytes(p, "little") << 2).to_bytes(len(p), "little") for p in planes]
    raise ValueError(how)


def derived_info(info, how):
    i = dict(info)
    if how == "422":
        i["chroma"] = "422"
    elif how == "odd":
        i["w"], i["h"] = info["w"] - 1, info["h"] - 1
    elif how == "12bit":
        i["bpc"] = 12
    return i


def raw(y4m, how=None):
    """The Y4M's frames as raw planar YUV (optionally a derived variant), cached beside it."""
    info = y4m_header(y4m)
    out = y4m[:-4] + (f".{how}" if how else "") + ".yuv"
    if not os.path.exists(out):
        tmp = out + f".{os.getpid()}.part"
        with open(tmp, "wb") as f:
            for planes in frames(y4m, info):
                f.write(b"".join(derive(info, planes, how) if how else planes))
        os.replace(tmp, out)
    return out, (derived_info(info, how) if how else info)


def dump(ref, dis, info, opts, cpumask=None):
    args = [os.environ["TVMAF_SPEED_DUMP"], ref, dis, str(info["w"]), str(info["h"]),
            info["chroma"], str(info["bpc"])]
    if cpumask is not None:
        args.append(f"cpumask={cpumask}")
    args += [f"{k}={v}" for k, v in opts.items()]
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode:
        raise SystemExit(f"FAIL: {' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
    keys, vals = {}, {}
    for line in p.stdout.splitlines():
        t = line.split()
        if t[0] == "K":
            keys[t[1]] = t[2]
        elif t[0] == "F":
            vals[int(t[1])] = [float(x) for x in t[2:5]]
    return keys, vals, p.stdout


def model_options(shared, model):
    with open(os.path.join(shared, "reference", "libvmaf-models", model + ".json")) as f:
        m = json.load(f)
    m = m.get("model_dict", m)
    for name, opts in zip(m["feature_names"], m.get("feature_opts_dicts", [])):
        if name.startswith("Speed_chroma_feature"):
            return {k: (int(v) if isinstance(v, float) and k == "speed_weight_var_mode" else v)
                    for k, v in opts.items()}
    raise SystemExit(f"FAIL: {model} has no speed_chroma feature")


def compare(label, ours, theirs_frames, keys=None):
    """theirs_frames: {frame: {"u": x, "v": y, "uv": z}}."""
    if sorted(ours) != sorted(theirs_frames):
        print(f"FAIL {label}: frames differ ({len(ours)} vs {len(theirs_frames)})")
        return False
    worst = 0.0
    for i, t in theirs_frames.items():
        for k, name in enumerate(("u", "v", "uv")):
            worst = max(worst, abs(ours[i][k] - t[name]))
    ok = worst <= TOL
    print(f"{'ok' if ok else 'FAIL':4} {label:64} max|d|={worst:.3g}")
    return ok


def main():
    golden, all_cases = cases()
    shared = os.path.dirname(golden)
    ok = True
    for c in all_cases:
        models = c.get("vmaf_v1_json") or {}
        if not models:
            continue
        ref, info = raw(clip(golden, c["ref"]))
        dis, _ = raw(clip(golden, c["dis"]))
        for model, jname in sorted(models.items()):
            with open(os.path.join(golden, jname)) as f:
                doc = json.load(f)
            opts = model_options(shared, model)
            keys, vals, text = dump(ref, dis, info, opts)
            metrics0 = doc["frames"][0]["metrics"]
            for ch in ("u", "v", "uv"):
                if keys[ch] not in metrics0:
                    print(f"FAIL {c['name']} {model}: key {keys[ch]} not in the golden JSON")
                    ok = False
            if not ok:
                continue
            theirs = {fr["frameNum"]: {ch: fr["metrics"][keys[ch]] for ch in ("u", "v", "uv")}
                      for fr in doc["frames"]}
            ok &= compare(f"{c['name']} {model}", vals, theirs)
            for mask in (0, 63):
                _, _, t2 = dump(ref, dis, info, opts, cpumask=mask)
                if t2 != text:
                    print(f"FAIL {c['name']} {model}: cpumask={mask} output differs")
                    ok = False

    # Odd size (libvmaf itself corrupts its heap there, speed_chroma_expected.md): a 767x575
    # crop of case a keeps every sample SpEED reads and its filter neighbourhood, so it must
    # score exactly as case a does in libvmaf's 3d0h output.
    a = next((c for c in all_cases if c["name"] == "a_768x576_420p8_crf30"), None)
    if a and "vmaf_v1.0.16_3d0h" in (a.get("vmaf_v1_json") or {}):
        ref, info = raw(clip(golden, a["ref"]), "odd")
        dis, _ = raw(clip(golden, a["dis"]), "odd")
        keys, vals, _ = dump(ref, dis, info, model_options(shared, "vmaf_v1.0.16_3d0h"))
        with open(os.path.join(golden, a["vmaf_v1_json"]["vmaf_v1.0.16_3d0h"])) as f:
            doc = json.load(f)
        theirs = {fr["frameNum"]: {ch: fr["metrics"][keys[ch]] for ch in ("u", "v", "uv")}
                  for fr in doc["frames"]}
        ok &= compare("a 767x575 (odd crop) vmaf_v1.0.16_3d0h", vals, theirs)

    with open(os.path.join(HERE, "speed_chroma_expected.json")) as f:
        exp = json.load(f)
    by_name = {c["name"]: c for c in all_cases}
    for e in exp["runs"]:
        c = by_name[e["case"]]
        ref, info = raw(clip(golden, c["ref"]), e.get("derive"))
        dis, _ = raw(clip(golden, c["dis"]), e.get("derive"))
        keys, vals, text = dump(ref, dis, info, e["options"])
        if [keys["u"], keys["v"], keys["uv"]] != e["keys"]:
            print(f"FAIL {e['id']}: keys {keys} != libvmaf's {e['keys']}")
            ok = False
            continue
        theirs = {i: {"u": f[0], "v": f[1], "uv": f[2]} for i, f in enumerate(e["frames"])}
        ok &= compare(f"{e['id']} (expectations)", vals, theirs)
        _, _, t2 = dump(ref, dis, info, e["options"], cpumask=63)
        if t2 != text:
            print(f"FAIL {e['id']}: cpumask=63 output differs")
            ok = False
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
