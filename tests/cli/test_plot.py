"""--plot FILE.svg and tinyvmaf plot RESULT.json -o FILE.svg.

Scores the bundled sample pair (samples/city_320x180_*.y4m.xz) with the
default models (vmaf_v0.6.1 and vmaf_tiny_v2), then checks the SVG: it parses
with xmllint, draws one line per model, a dashed mean per model, ringed worst
frames and the two axis labels, and refers to nothing outside itself. Debian's
headless Chromium renders it offline (--headless --screenshot, no network, no
GPU, no sandbox so that it runs as root in a container) and the PNG must not
be blank. Refusals: --plot with --no_prediction, --plot naming an input.

tinyvmaf plot: the JSON of the same run drawn again must give the same SVG
point for point (every element but the title); a result read from stdin
too. Refusals, each one line naming the file, exit 1 (2 for usage) and no SVG
(an existing one left as it was): not JSON, a directory, no frames, a
malformed frame, a non-numeric metric, features only (--no_prediction), an
unwritable output, -o naming the input, no -o.

xmllint and chromium are installed by `make test` (Makefile DEB_PACKAGES):
without them the test skips (77) after the other checks, and fails with
CI=true.
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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from shared_material import in_ci  # noqa: E402

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


def drawing(path):
    """Every element of an SVG but its title (the first text), as comparable tuples."""
    root = ET.parse(path).getroot()
    elems = [(e.tag, tuple(sorted(e.attrib.items())), e.text) for e in root.iter()]
    titles = [i for i, e in enumerate(elems) if e[0] == f"{SVG}text"]
    return elems[:titles[0]] + elems[titles[0] + 1:], elems[titles[0]][2]


def run_plot(args, stdin=None):
    p = subprocess.run([CLI, "plot"] + args, capture_output=True, text=True, input=stdin)
    return p.returncode, p.stderr.strip().splitlines()


def check_plot_command(d, ref, dis, result, svg):
    """tinyvmaf plot on the JSON of the --plot run, and its refusals."""
    j = lambda n: os.path.join(d, n)
    out = j("again.svg")
    rc, errs = run_plot([result, "-o", out])
    check(rc == 0 and not errs and os.path.isfile(out), f"plot RESULT.json -o FILE.svg ({errs})")
    if rc:
        return
    x = subprocess.run(["xmllint", "--noout", out], capture_output=True, text=True)
    check(x.returncode == 0, f"xmllint parses the plot SVG ({x.stderr.strip()})")
    (a, title_a), (b, title_b) = drawing(svg), drawing(out)
    points = [e for e in b if e[0] in (f"{SVG}polyline", f"{SVG}circle")]
    check(a == b and len(points) == 7, f"plot draws --plot's lines, means, rings and legend "
          f"({len(a)} vs {len(b)} elements, {len(points)} lines and rings)")
    check(os.path.basename(result) in title_b and "12 frames" in title_b and "12 frames" in title_a,
          f"titles: {title_a!r} / {title_b!r}")
    rc, errs = run_plot(["-", "-o", j("stdin.svg")], stdin=open(result).read())
    check(rc == 0 and drawing(j("stdin.svg"))[0] == b, f"plot - reads stdin ({errs})")

    nopred = j("np.json")
    p = subprocess.run([CLI, "-r", ref, "-d", dis, "--no_prediction", "--json", "-o", nopred, "-q"],
                       capture_output=True, text=True)
    check(p.returncode == 0, f"--no_prediction --json ({p.stderr.strip()})")
    frames = '{"version": "x", "frames": [%s]}'
    cases = [
        ("not JSON", "garbage.json", "frameNum: 0\n", "not a JSON result"),
        ("truncated JSON", "cut.json", open(result).read()[:500], "not a JSON result"),
        ("no frames key", "nokey.json", '{"version": "1"}', "no frames"),
        ("empty frames", "empty.json", frames % "", "no frames"),
        ("frame without metrics", "nometrics.json", frames % '{"frameNum": 0}', "frames[0]"),
        ("negative frameNum", "neg.json", frames % '{"frameNum": -1, "metrics": {"vmaf": 1}}',
         "out of range"),
        ("huge frameNum", "huge.json",
         frames % '{"frameNum": 99999999999, "metrics": {"vmaf": 1}}', "out of range"),
        ("metric not a number", "str.json", frames % '{"frameNum": 0, "metrics": {"vmaf": "1"}}',
         "not a number"),
        ("duplicate key", "dup.json",
         frames % '{"frameNum": 0, "metrics": {"vmaf": 1, "vmaf": 2}}', "duplicate"),
        ("frame listed twice", "twice.json",
         frames % ('{"frameNum": 0, "metrics": {"vmaf": 1}},' * 2)[:-1], "twice"),
        ("features only", "np.json", None, "no model score"),
        ("a directory", "dir", None, "directory"),
        ("missing file", "missing.json", None, "No such file"),
    ]
    os.mkdir(j("dir"))
    for what, name, text, cause in cases:
        if text is not None:
            with open(j(name), "w") as f:
                f.write(text)
        target = j("refused.svg")
        rc, errs = run_plot([j(name), "-o", target])
        check(rc == 1 and len(errs) == 1 and j(name) in errs[0] and cause in errs[0]
              and not os.path.exists(target), f"plot refuses {what}: {errs}")
    # An existing SVG stays as it was when the input is refused.
    keep = j("keep.svg")
    shutil.copy(out, keep)
    before = open(keep, "rb").read()
    rc, errs = run_plot([j("garbage.json"), "-o", keep])
    check(rc == 1 and open(keep, "rb").read() == before, f"a refused plot leaves -o as it was ({errs})")
    for args, what, code, cause in [
            ([result, "-o", j("no/such/dir.svg")], "an unwritable output", 1, j("no/such/dir.svg")),
            ([result, "-o", j("dir")], "a directory as output", 1, j("dir")),
            ([result, "-o", result], "-o naming the input", 2, "names the input"),
            ([result], "no -o", 2, "usage"),
            ([result, "-o", out, "--bogus"], "an unknown option", 2, "--bogus")]:
        before = open(result, "rb").read()
        rc, errs = run_plot(args)
        check(rc == code and len(errs) == 1 and cause in errs[0]
              and open(result, "rb").read() == before
              and not [n for n in os.listdir(d) if n.startswith(".tv")],
              f"plot refuses {what}: {errs}")


def need_tool(name):
    """Installed by make test; locally a skip, in CI a failure."""
    print(f"{'FAIL' if in_ci() else 'skip'}: {name} is not installed (make test installs it)")
    return 1 if in_ci() else 77


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
        if not shutil.which("xmllint"):
            return need_tool("xmllint (Debian package libxml2-utils)")
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
        # A v1 model prints cambi/speed_chroma/adm3... features under plain
        # names: only the model is drawn.
        v1 = j("v1.svg")
        p = subprocess.run([CLI, "-r", ref, "-d", dis, "--model", "version=vmaf_v1.0.16_3d0h",
                            "--tiny-model", "none", "--plot", v1, "-q"], capture_output=True,
                           text=True)
        n_v1 = len(ET.parse(v1).getroot().findall(f"{SVG}polyline")) if p.returncode == 0 else -1
        check(n_v1 == 1, f"v1 run: one line for the model, none for its features ({n_v1}; "
              f"{p.stderr.strip()})")
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

        check_plot_command(d, ref, dis, j("o.json"), svg)

        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if FAILED:
            print(f"FAIL ({len(FAILED)})")
            return 1
        if not chromium:
            return need_tool("Debian's chromium")
        png = j("shot.png")
        # As root in a container: no sandbox (it needs user namespaces), no
        # /dev/shm (often 64 MiB there), HOME and caches in the temporary
        # directory, and a dead proxy so that nothing leaves the machine.
        env = dict(os.environ, HOME=d, XDG_CONFIG_HOME=j("cfg"), XDG_CACHE_HOME=j("cache"))
        r = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                            "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions",
                            "--disable-background-networking", "--disable-sync",
                            "--disable-component-update", "--disable-breakpad",
                            "--proxy-server=127.0.0.1:9", "--hide-scrollbars",
                            "--user-data-dir=" + j("profile"), "--window-size=960,480",
                            "--screenshot=" + png, "file://" + svg],
                           capture_output=True, text=True, timeout=120, cwd=d, env=env)
        check(r.returncode == 0 and os.path.isfile(png),
              f"chromium renders it (exit {r.returncode}{': ' + r.stderr.strip()[-300:] if r.returncode else ''})")
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
