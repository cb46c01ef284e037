"""Shared helpers of the batch tests: small clips made from the bundled
sample pair (decompressed, cropped, cut, converted to raw 8- and 10-bit
YUV) and the 12-job manifest over them."""
import lzma
import os
import subprocess

CLI = os.environ["TVMAF_CLI"]
ROOT = os.environ.get("TVMAF_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
failures = []


def check(cond, what):
    print(f"{'ok' if cond else 'FAIL':4} {what}", flush=True)
    if not cond:
        failures.append(what)
    return cond


def run(args, env=None, **kw):
    e = dict(os.environ)
    for k in ("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN",
              "JOB_COMPLETION_INDEX"):
        e.pop(k, None)
    if env:
        e.update(env)
    return subprocess.run([CLI] + args, capture_output=True, env=e, **kw)


def read_y4m(path):
    data = open(path, "rb").read()
    nl = data.index(b"\n")
    header = data[:nl].decode()
    tags = header.split()
    w = int(next(t[1:] for t in tags if t[0] == "W"))
    h = int(next(t[1:] for t in tags if t[0] == "H"))
    cw, ch = (w + 1) // 2, (h + 1) // 2
    fsize = w * h + 2 * cw * ch
    frames, pos = [], nl + 1
    while pos < len(data):
        fl = data.index(b"\n", pos)
        pos = fl + 1
        frames.append(data[pos:pos + fsize])
        pos += fsize
    return header, w, h, frames


def planes(frame, w, h):
    cw, ch = (w + 1) // 2, (h + 1) // 2
    y = frame[:w * h]
    u = frame[w * h:w * h + cw * ch]
    v = frame[w * h + cw * ch:]
    return y, u, v


def crop_plane(p, w, x0, y0, cw, ch):
    return b"".join(p[(y0 + r) * w + x0:(y0 + r) * w + x0 + cw] for r in range(ch))


def write_y4m(path, w, h, frames):
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{w} H{h} F25:1 Ip A1:1 C420jpeg\n".encode())
        for fr in frames:
            f.write(b"FRAME\n" + fr)


def make_clips(d):
    """Writes the clips into d; returns their names."""
    src = {}
    for k in ("ref", "dis"):
        p = os.path.join(d, f"{k}.y4m")
        if not os.path.exists(p):
            with lzma.open(os.path.join(ROOT, "samples", f"city_320x180_{k}.y4m.xz")) as f, \
                    open(p, "wb") as o:
                o.write(f.read())
        src[k] = read_y4m(p)
    for k, (_, w, h, frames) in src.items():
        # a 160x96 crop (top-left at 64,40) and raw YUV: 8-bit and 10-bit LE
        cropped = []
        for fr in frames:
            y, u, v = planes(fr, w, h)
            cropped.append(crop_plane(y, w, 64, 40, 160, 96) +
                           crop_plane(u, (w + 1) // 2, 32, 20, 80, 48) +
                           crop_plane(v, (w + 1) // 2, 32, 20, 80, 48))
        write_y4m(os.path.join(d, f"crop_{k}.y4m"), 160, 96, cropped)
        with open(os.path.join(d, f"{k}.yuv"), "wb") as o:
            for fr in frames:
                o.write(fr)
        with open(os.path.join(d, f"{k}_10.yuv"), "wb") as o:
            for fr in frames[:6]:
                o.write(b"".join(((b << 2) | (b >> 6)).to_bytes(2, "little") for b in fr))
    os.makedirs(os.path.join(d, "sub"), exist_ok=True)
    return src["ref"][1], src["ref"][2]


COLUMNS = ["id", "reference", "distorted", "model", "tiny_model", "frame_cnt",
           "frame_skip_ref", "frame_skip_dist", "subsample", "width", "height",
           "pixel_format", "bitdepth"]


def jobs(w, h):
    """The 12 jobs: (id, {column: value}). Paths are relative to the manifest in sub/."""
    raw8 = {"width": str(w), "height": str(h), "pixel_format": "420", "bitdepth": "8"}
    raw10 = {"width": str(w), "height": str(h), "pixel_format": "yuv420p", "bitdepth": "10"}
    return [
        ("full", {}),
        ("cnt5", {"frame_cnt": "5"}),
        ("skip1", {"frame_skip_ref": "1", "frame_skip_dist": "1", "frame_cnt": "6"}),
        ("sub3", {"subsample": "3"}),
        ("crop", {"reference": "../crop_ref.y4m", "distorted": "../crop_dis.y4m"}),
        ("crop_cnt4", {"reference": "../crop_ref.y4m", "distorted": "../crop_dis.y4m",
                       "frame_cnt": "4"}),
        ("raw8", dict(raw8, reference="../ref.yuv", distorted="../dis.yuv")),
        ("raw10", dict(raw10, reference="../ref_10.yuv", distorted="../dis_10.yuv",
                       frame_cnt="5")),
        ("neg", {"model": "version=vmaf_v0.6.1neg:name=vmaf_neg", "frame_cnt": "4"}),
        ("notiny", {"tiny_model": "none", "frame_cnt": "3"}),
        ("crop_sub2", {"reference": "../crop_ref.y4m", "distorted": "../crop_dis.y4m",
                       "subsample": "2"}),
        ("same", {"distorted": "../ref.y4m", "frame_cnt": "4"}),
    ]


def write_manifest_csv(path, rows):
    with open(path, "w") as f:
        f.write(",".join(COLUMNS) + "\n")
        for jid, o in rows:
            o = dict({"reference": "../ref.y4m", "distorted": "../dis.y4m"}, **o)
            f.write(",".join([jid] + [o.get(c, "") for c in COLUMNS[1:]]) + "\n")


def write_manifest_jsonl(path, rows):
    import json
    with open(path, "w") as f:
        for jid, o in rows:
            o = dict({"reference": "../ref.y4m", "distorted": "../dis.y4m"}, **o)
            rec = {"id": jid}
            for c in COLUMNS[1:]:
                if c in o:
                    v = o[c]
                    rec[c] = int(v) if v.isdigit() and c not in ("pixel_format",) else v
            f.write(json.dumps(rec) + "\n")


def fnv1a64(s):
    h = 0xcbf29ce484222325
    for b in s.encode():
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h
