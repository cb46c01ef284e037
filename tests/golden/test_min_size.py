"""The smallest sizes: at 33 samples in a dimension (TVMAF_PICTURE_MIN_DIM) every
feature must equal libvmaf 3.2.0, and 32 must be refused.

Inputs are luma crops of the bundled sample (samples/city_320x180_*.y4m.xz) made
here by plain slicing, written as 8-bit 4:4:4 with flat grey chroma (the features
read luma only). min_size_expected.json holds libvmaf 3.2.0's values for them
(min_size_expected.md says how they were made); the test compares every per-frame
feature and the vmaf_v0.6.1 score within 1e-6, and checks that the C kernels
(--cpumask) print the same values as the best ones. Then a 32-sample width or height
must be refused with one line naming the 33x33 minimum, non-zero exit and no
output file: libvmaf reads out of bounds there (docs/algorithms.md 6).

    python3 tests/golden/test_min_size.py --write-inputs DIR   # the files libvmaf scored
"""
import hashlib
import json
import os
import sys
import tempfile

from golden_common import check, frames_by_num, run_cli, score_json, verdict
from local_inputs import crop, pack, read_sample

HERE = os.path.dirname(os.path.abspath(__file__))
TOL = 1e-6  # libvmaf prints 6 decimals
# (width, height, crop x, crop y): the size just above libvmaf's undefined range in
# one or both dimensions, at offsets with texture.
SIZES = [(33, 33, 140, 70), (33, 41, 201, 17), (41, 33, 9, 120)]
REFUSED = [(32, 41, 0, 0), (41, 32, 0, 0), (32, 32, 0, 0)]


def y4m(which, w, h, x0, y0):
    _, frames = read_sample(which)
    out = [f"YUV4MPEG2 W{w} H{h} F25:1 Ip A1:1 C444\n".encode()]
    for y, _, _ in frames:
        flat = [[128] * w for _ in range(h)]
        out.append(b"FRAME\n" + pack((crop(y, x0, y0, w, h), flat, flat), 8))
    return b"".join(out)


def without_fps(doc):
    return {k: v for k, v in doc.items() if k != "fps"}


def write_pair(outdir, w, h, x0, y0):
    paths = []
    for which in ("ref", "dis"):
        path = os.path.join(outdir, f"city_{w}x{h}_{which}.y4m")
        with open(path, "wb") as f:
            f.write(y4m(which, w, h, x0, y0))
        paths.append(path)
    return paths


def main(argv):
    if len(argv) == 3 and argv[1] == "--write-inputs":
        os.makedirs(argv[2], exist_ok=True)
        for w, h, x0, y0 in SIZES:
            print(*write_pair(argv[2], w, h, x0, y0))
        return 0
    with open(os.path.join(HERE, "min_size_expected.json")) as f:
        expected = {r["size"]: r for r in json.load(f)["runs"]}
    with tempfile.TemporaryDirectory() as tmp:
        for w, h, x0, y0 in SIZES:
            size = f"{w}x{h}"
            run = expected[size]
            ref, dis = write_pair(tmp, w, h, x0, y0)
            same = all(hashlib.sha256(open(path, "rb").read()).hexdigest() == run[which + "_sha256"]
                       for path, which in ((ref, "ref"), (dis, "dis")))
            if not check(same, f"{size}: inputs are the files libvmaf scored (sha256)"):
                continue
            ours, _ = score_json(ref, dis, [], tmp, size)
            ours_c, _ = score_json(ref, dis, ["--cpumask", "63"], tmp, size + "-c")
            check(without_fps(ours) == without_fps(ours_c),
                  f"{size}: C kernels print the same values as the best ones")
            got = frames_by_num(ours)
            check(len(got) == len(run["frames"]), f"{size}: {len(got)} frames")
            for col, key in enumerate(run["keys"]):
                worst = max((abs(got[i][key] - row[col]) if key in got.get(i, {}) else float("inf"))
                            for i, row in enumerate(run["frames"]))
                check(worst <= TOL, f"{size}: {key} max|d|={worst:.3g}")
        for w, h, x0, y0 in REFUSED:
            ref, dis = write_pair(tmp, w, h, x0, y0)
            out = os.path.join(tmp, f"refused_{w}x{h}.json")
            p = run_cli(["-r", ref, "-d", dis, "--json", "-o", out, "-q"], check=False)
            err = p.stderr.strip()
            check(p.returncode != 0 and not os.path.exists(out) and len(err.splitlines()) == 1
                  and f"{w}x{h} is below the 33x33 minimum size" in err,
                  f"{w}x{h} refused: rc={p.returncode} stderr={err!r}")
    return verdict()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
