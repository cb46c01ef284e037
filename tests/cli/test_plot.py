"""--plot FILE.svg: a self-contained SVG of the per-frame model scores.

Scores the bundled sample pair (samples/city_320x180_*.y4m.xz) with the
default models (vmaf_v0.6.1 and vmaf_tiny_v2), then checks the SVG: it parses
(xmllint when installed, else Python's XML parser), draws one line per model,
a dashed mean per model, ringed worst frames and the two axis labels, and
refers to nothing outside itself. Debian's headless Chromium renders it
offline (--headless --screenshot, no network, no GPU) and the PNG must not
be blank. Refusals: --plot with --no_prediction, --plot naming an input.
Skipped (77) when Chromium is not installed, after the other checks pass.
"""
import lzma
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib

CLI = os.environ["TVMAF_CLI"]
ROOT = os.environ.get("TVMAF_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
SVG = "{http://www.w3.org/2000/svg}"
FAILED = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILED.append(what)


def png_pixels(path):
    """(width, height, rows of RGB(A) bytes) of an 8-bit PNG, unfiltered."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), f"PNG depth {depth} type {ctype}"
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def main():
    with tempfile.TemporaryDirectory() as d:
        j = lambda n: os.path.join(d, n)
        clips = []
        for which in ("ref", "dis"):
            out = j(which + ".y4m")
            with lzma.open(os.path.join(ROOT, "samples", f"city_320x180_{which}.y4m.xz")) as s, \
                    open(out, "wb") as o:
                shutil.copyfileobj(s, o)
            clips.append(out)
        ref, dis = clips
        svg = j("scores.svg")
        p = subprocess.run([CLI, "-r", ref, "-d", dis, "--plot", svg, "--json", "-o", j("o.json"),
                            "-q"], capture_output=True, text=True)
        check(p.returncode == 0 and os.path.isfile(svg), f"--plot writes the SVG ({p.stderr.strip()})")
        if p.returncode:
            return 1
        text = open(svg).read()
        if shutil.which("xmllint"):
            x = subprocess.run(["xmllint", "--noout", svg], capture_output=True, text=True)
            check(x.returncode == 0, f"xmllint parses it ({x.stderr.strip()})")
        root = ET.fromstring(text)
        lines = root.findall(f"{SVG}polyline")
        dashed = [e for e in root.findall(f"{SVG}line") if e.get("stroke-dasharray")]
        rings = root.findall(f"{SVG}circle")
        labels = [e.text for e in root.iter(f"{SVG}text")]
        check(len(lines) == 2 and len(dashed) == 2, f"one line and one dashed mean per model "
              f"({len(lines)} lines, {len(dashed)} means)")
        check("vmaf" in labels and "vmaf_tiny_v2" in labels, "legend names vmaf and vmaf_tiny_v2")
        check(len(rings) == 5, f"5 worst frames ringed ({len(rings)})")
        check("frame" in labels and "score" in labels, "labelled axes")
        check("href" not in text and "<script" not in text and "url(" not in text,
              "self-contained (no link, script or external URL)")

        for args, what in [(["--no_prediction"], "--plot with --no_prediction"),
                           ([], "--plot naming the reference")]:
            target = ref if not args else j("np.svg")
            before = open(ref, "rb").read() if not args else None
            p = subprocess.run([CLI, "-r", ref, "-d", dis, "--plot", target] + args,
                               capture_output=True, text=True)
            errs = p.stderr.strip().splitlines()
            check(p.returncode == 2 and len(errs) == 1 and "--plot" in errs[0]
                  and (args == [] or not os.path.exists(target))
                  and (before is None or open(ref, "rb").read() == before),
                  f"{what}: refused ({errs})")

        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if FAILED:
            print(f"FAIL ({len(FAILED)})")
            return 1
        if not chromium:
            print("skip rendering: Debian's chromium is not installed")
            return 77
        png = j("shot.png")
        r = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                            "--no-first-run", "--disable-extensions",
                            "--disable-background-networking", "--disable-sync",
                            "--disable-component-update", "--proxy-server=127.0.0.1:9",
                            "--user-data-dir=" + j("profile"), "--window-size=960,480",
                            "--screenshot=" + png, "file://" + svg],
                           capture_output=True, text=True, timeout=120, cwd=d)
        check(r.returncode == 0 and os.path.isfile(png), f"chromium renders it (exit {r.returncode})")
        if os.path.isfile(png):
            w, h, bpp, rows = png_pixels(png)
            px = [row[i:i + 3] for row in rows for i in range(0, len(row), bpp)]
            colours = len(set(px))
            dark = sum(1 for c in px if sum(c) < 384)
            check(w >= 900 and h >= 400 and colours > 20 and dark > 1000,
                  f"the PNG is not blank ({w}x{h}, {colours} colours, {dark} dark pixels)")
    print(f"FAIL ({len(FAILED)})" if FAILED else "all ok")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
