"""Inputs of the self-contained golden tier (tests/golden/data/MANIFEST.md).

Every case is made from the bundled sample pair (samples/city_320x180_{ref,dis}.y4m.xz,
12 frames, 320x180, 8-bit 4:2:0) by plain integer arithmetic in this file, so the
tier needs nothing outside the repository (no ffmpeg, no ../shared). The same
transform is applied to the reference and to the distorted clip.

    python3 tests/golden/local_inputs.py OUTDIR    # writes NAME_{ref,dis}.y4m, prints sha256

(and NAME_{ref,dis}.444view.y4m for the cases libvmaf could only read as 4:4:4,
see needs_444_view()).

The sha256 of every file is recorded in data/cases.json and checked by the test
before it compares any score, so a change here cannot go unnoticed.
"""
import hashlib
import lzma
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(HERE, "..", "..", "samples")
SRC_W, SRC_H = 320, 180


def read_sample(which):
    """The bundled 8-bit 4:2:0 sample: list of (Y, U, V) frames, each a list of rows (bytes)."""
    with lzma.open(os.path.join(SAMPLES, f"city_320x180_{which}.y4m.xz")) as f:
        data = f.read()
    head, _, body = data.partition(b"\n")
    tags = head.split()
    assert tags[0] == b"YUV4MPEG2" and b"W320" in tags and b"H180" in tags, head
    assert any(t.startswith(b"C420") for t in tags), head
    cw, ch = SRC_W // 2, SRC_H // 2
    fsize = SRC_W * SRC_H + 2 * cw * ch
    frames, pos = [], 0
    while pos < len(body):
        nl = body.index(b"\n", pos)
        assert body[pos:pos + 5] == b"FRAME", body[pos:pos + 16]
        raw = body[nl + 1:nl + 1 + fsize]
        assert len(raw) == fsize
        pos = nl + 1 + fsize
        y = [raw[r * SRC_W:(r + 1) * SRC_W] for r in range(SRC_H)]
        off = SRC_W * SRC_H
        u = [raw[off + r * cw:off + (r + 1) * cw] for r in range(ch)]
        off += cw * ch
        v = [raw[off + r * cw:off + (r + 1) * cw] for r in range(ch)]
        frames.append((y, u, v))
    return data, frames


# --- helpers: planes are lists of rows; rows are lists (or bytes) of ints ---

def crop(plane, x0, y0, w, h):
    return [list(row[x0:x0 + w]) for row in plane[y0:y0 + h]]


def box_sum(plane, n):
    """n x n box sum whose window starts at the pixel itself (rows and columns past
    the bottom/right edge repeat the last one). Range 0..255*n*n."""
    h, w = len(plane), len(plane[0])
    hs = []
    for row in plane:
        r = list(row) + [row[-1]] * (n - 1)
        acc = [0] * w
        for k in range(n):
            acc = [a + b for a, b in zip(acc, r[k:k + w])]
        hs.append(acc)
    out = []
    for y in range(h):
        acc = [0] * w
        for k in range(n):
            acc = [a + b for a, b in zip(acc, hs[min(y + k, h - 1)])]
        out.append(acc)
    return out


def scale(plane, m):
    return [[v * m for v in row] for row in plane]


def upsample_h(plane, w):
    """Chroma column x of the output takes source column x // 2 (nearest)."""
    return [[row[x // 2] for x in range(w)] for row in plane]


def upsample_v(plane, h):
    return [plane[y // 2] for y in range(h)]


def pack(planes, depth):
    out = bytearray()
    for p in planes:
        for row in p:
            if depth == 8:
                out += bytes(row)
            else:
                for v in row:
                    out += v.to_bytes(2, "little")
    return bytes(out)


# --- the cases ---
# Each returns (y4m header line without "\n", per-frame planes (Y, U, V), bit depth).

def case_320x180_420p8(frames):
    return None, None, 8   # the sample itself, byte for byte


def case_97x61_420p8(frames):
    """Odd-size crop (ceil-sized chroma), at an even offset so chroma stays sited."""
    x0, y0, w, h = 102, 58, 97, 61
    out = [(crop(y, x0, y0, w, h), crop(u, x0 // 2, y0 // 2, (w + 1) // 2, (h + 1) // 2),
            crop(v, x0 // 2, y0 // 2, (w + 1) // 2, (h + 1) // 2)) for y, u, v in frames]
    return f"YUV4MPEG2 W{w} H{h} F25:1 Ip A1:1 C420jpeg", out, 8


def case_320x180_420p10(frames):
    """10 bits whose two low bits carry information: luma is the 2x2 box sum
    (0..1020); chroma is x4."""
    out = [(box_sum(y, 2), scale(u, 4), scale(v, 4)) for y, u, v in frames]
    return "YUV4MPEG2 W320 H180 F25:1 Ip A1:1 C420p10 XYSCSS=420P10", out, 10


def case_161x91_444p8(frames):
    """Odd-size 4:4:4: crop at (80, 44); chroma repeated to full size (nearest)."""
    x0, y0, w, h = 80, 44, 161, 91

    def c444(c):
        return upsample_v(upsample_h(crop(c, x0 // 2, y0 // 2, (w + 1) // 2, (h + 1) // 2), w), h)

    out = [(crop(y, x0, y0, w, h), c444(u), c444(v)) for y, u, v in frames]
    return f"YUV4MPEG2 W{w} H{h} F25:1 Ip A1:1 C444", out, 8


def case_159x89_422p12(frames):
    """Odd-size 12-bit 4:2:2: luma is the 4x4 box sum (0..4080) cropped at (64, 40);
    chroma rows repeated to full height, x16."""
    x0, y0, w, h = 64, 40, 159, 89

    def c422(c):
        return scale(upsample_v(crop(c, x0 // 2, y0 // 2, (w + 1) // 2, (h + 1) // 2), h), 16)

    out = [(crop(box_sum(y, 4), x0, y0, w, h), c422(u), c422(v)) for y, u, v in frames]
    return f"YUV4MPEG2 W{w} H{h} F25:1 Ip A1:1 C422p12 XYSCSS=422P12", out, 12


CASES = {
    "city_320x180_420p8": case_320x180_420p8,
    "city_97x61_420p8": case_97x61_420p8,
    "city_320x180_420p10": case_320x180_420p10,
    "city_161x91_444p8": case_161x91_444p8,
    "city_159x89_422p12": case_159x89_422p12,
}


_SAMPLE = {}


def y4m_bytes(case, which):
    """The Y4M file of CASE ('ref' or 'dis') as bytes."""
    if which not in _SAMPLE:
        _SAMPLE[which] = read_sample(which)
    data, frames = _SAMPLE[which]
    header, planes, depth = CASES[case](frames)
    if header is None:
        return data
    out = [header.encode() + b"\n"]
    for p in planes:
        out.append(b"FRAME\n" + pack(p, depth))
    return b"".join(out)


def needs_444_view(case):
    """libvmaf 3.2.0's Y4M reader sizes chroma planes with floor (w >> 1), so it
    loses framing on an odd-sized 4:2:0 or 4:2:2 file (which has ceil-sized
    chroma, as ffmpeg writes it). Such cases were recorded on a 4:4:4 file with
    the same luma: the features read the luma plane only."""
    header, _, _ = CASES[case]([])
    if header is None or " C444" in header:
        return False
    w, h = (int(t[1:]) for t in header.split()[1:3])
    return bool(w % 2 or h % 2)


def y4m_444_view_bytes(case, which):
    """CASE as 4:4:4 with the same luma samples and flat mid-grey chroma."""
    if which not in _SAMPLE:
        _SAMPLE[which] = read_sample(which)
    header, planes, depth = CASES[case](_SAMPLE[which][1])
    tags = [t for t in header.split() if not t.startswith(("C", "XYSCSS"))]
    tags.append("C444" + ("" if depth == 8 else f"p{depth}"))
    grey = 128 << (depth - 8)
    out = [" ".join(tags).encode() + b"\n"]
    for y, _, _ in planes:
        flat = [[grey] * len(y[0]) for _ in y]
        out.append(b"FRAME\n" + pack((y, flat, flat), depth))
    return b"".join(out)


def write_case(case, outdir):
    """Writes OUTDIR/CASE_{ref,dis}.y4m; returns {which: (path, sha256)}."""
    os.makedirs(outdir, exist_ok=True)
    res = {}
    for which in ("ref", "dis"):
        data = y4m_bytes(case, which)
        path = os.path.join(outdir, f"{case}_{which}.y4m")
        tmp = f"{path}.{os.getpid()}.part"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        res[which] = (path, hashlib.sha256(data).hexdigest())
    return res


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    for case in CASES:
        for which, (path, digest) in write_case(case, argv[1]).items():
            print(f"{digest}  {os.path.basename(path)}")
        if needs_444_view(case):
            for which in ("ref", "dis"):
                data = y4m_444_view_bytes(case, which)
                name = f"{case}_{which}.444view.y4m"
                with open(os.path.join(argv[1], name), "wb") as f:
                    f.write(data)
                print(f"{hashlib.sha256(data).hexdigest()}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
