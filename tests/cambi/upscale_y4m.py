"""Deterministic nearest-neighbour resize of the first frames of an 8-bit 4:2:0 Y4M clip
(sample x of an output row of width W comes from x * w // W), used to make 1080p inputs
for CAMBI's high-res speed-up path from a golden clip without depending on a scaler's
version.

    upscale_y4m.py IN.y4m OUT.y4m WIDTH HEIGHT FRAMES
"""
import sys


def read_header(f):
    line = f.readline()
    if not line.startswith(b"YUV4MPEG2 "):
        raise SystemExit(f"{f.name}: not a Y4M file")
    tags = line.split()[1:]
    w = int(next(t for t in tags if t.startswith(b"W"))[1:])
    h = int(next(t for t in tags if t.startswith(b"H"))[1:])
    c = next((t for t in tags if t.startswith(b"C")), b"C420jpeg")
    if not c.startswith(b"C420") or b"p1" in c:
        raise SystemExit(f"{f.name}: only 8-bit 4:2:0 is supported")
    return w, h


def resize_plane(data, w, h, ow, oh):
    xmap = [x * w // ow for x in range(ow)]
    rows = []
    for y in range(oh):
        src = data[(y * h // oh) * w:(y * h // oh + 1) * w]
        rows.append(bytes(src[x] for x in xmap))
    return b"".join(rows)


def main():
    src, dst, ow, oh, frames = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
    with open(src, "rb") as f, open(dst + ".part", "wb") as o:
        w, h = read_header(f)
        cw, ch, ocw, och = (w + 1) // 2, (h + 1) // 2, (ow + 1) // 2, (oh + 1) // 2
        o.write(b"YUV4MPEG2 W%d H%d F25:1 Ip A1:1 C420jpeg\n" % (ow, oh))
        for _ in range(frames):
            if not f.readline().startswith(b"FRAME"):
                raise SystemExit(f"{src}: fewer than {frames} frames")
            y = f.read(w * h)
            u, v = f.read(cw * ch), f.read(cw * ch)
            o.write(b"FRAME\n")
            o.write(resize_plane(y, w, h, ow, oh))
            o.write(resize_plane(u, cw, ch, ocw, och))
            o.write(resize_plane(v, cw, ch, ocw, och))
    import os
    os.replace(dst + ".part", dst)


if __name__ == "__main__":
    main()
