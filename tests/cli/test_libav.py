"""Inputs read through FFmpeg's libraries (tools/input/libav.c, docs/inputs.md).

- golden references encoded losslessly with Debian's ffmpeg (x264 -qp 0 in
  .mp4, FFV1 in .mkv; 8-bit 4:2:0, 10-bit 4:2:0, 8-bit 4:4:4) score exactly
  as the Y4M run: every per-frame feature and model score, byte for byte;
- --frame_skip_ref/--frame_skip_dist/--frame_cnt on an .mp4 as on the Y4M;
- decoder buffers: lossless x264 4:4:4 and HEVC 4:2:0 10-bit (with B-frames,
  so frames are reordered) at sizes that
  are not multiples of 16 (decoded in place into wider, taller pool
  pictures, scored without a copy), and the x264 file cropped on the left
  and top by h264_metadata (copied), score as the Y4M ffmpeg decodes;
- --scale METHOD on a half-size x264 .mp4 against the run on the Y4M that
  ffmpeg makes with -vf scale=W:H:flags=METHOD: within 1e-4 on every metric;
- bad inputs: one stderr line naming the file, exit != 0, no output file;
- the progress line under a pseudo-terminal (script -qc), none without one
  or with -q.

Skipped (77) when the build has no libav or ffmpeg is not installed; the
golden part needs ../shared (tests/shared_material.py).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden"))
import golden_common as gc  # noqa: E402

CLI = os.environ["TVMAF_CLI"]
FAILED = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILED.append(what)


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y"] + list(args), check=True)


def run(args, **kw):
    return subprocess.run([CLI] + args, capture_output=True, text=True, **kw)


def frames(path):
    with open(path) as f:
        doc = json.load(f)
    return [fr["metrics"] for fr in doc["frames"]]


def score(ref, dis, out, extra=()):
    p = run(["-r", ref, "-d", dis, "--json", "-o", out, "-q", "--threads", "2"] + list(extra))
    if p.returncode:
        raise SystemExit(f"FAIL: {ref} vs {dis}: {p.stderr.strip()}")
    return frames(out)


def lossless(d, golden, cases):
    picked = {"a": "yuv420p", "d": "yuv420p10le", "f": "yuv444p"}
    for c in cases:
        if c["case"] not in picked:
            continue
        ref = gc.clip(golden, c["ref"])
        dis = gc.clip(golden, c["dis"])
        base = score(ref, dis, os.path.join(d, c["case"] + "_y4m.json"))
        pix = picked[c["case"]]
        encodes = {
            "mp4": ["-c:v", "libx264", "-qp", "0", "-preset", "ultrafast", "-pix_fmt", pix],
            "mkv": ["-c:v", "ffv1", "-level", "3", "-pix_fmt", pix],
        }
        for ext, enc in encodes.items():
            out = os.path.join(d, f"{c['case']}_ref.{ext}")
            ffmpeg("-i", ref, *enc, out)
            got = score(out, dis, out + ".json")
            check(got == base, f"{c['name']}: lossless {ext} ({pix}) reference scores as the Y4M "
                  f"({len(got)} frames, every metric identical)")
            if ext == "mp4":
                # The frame options on an FFmpeg input as on the Y4M.
                opts = ["--frame_skip_ref", "2", "--frame_skip_dist", "3", "--frame_cnt", "7"]
                a = score(ref, dis, os.path.join(d, "skip_y4m.json"), opts)
                b = score(out, dis, os.path.join(d, "skip_mp4.json"), opts)
                check(a == b and len(b) == 7, f"{c['name']}: frame skips and count on the mp4")


def decoder_buffers(d):
    """Frames decoded into our pool (tools/input/libav.c, get_buffer2)."""
    j = lambda n: os.path.join(d, n)
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=334x198:rate=25:duration=0.4", "-vf", "scale=333:197",
           "-pix_fmt", "yuv444p", j("b_ref.y4m"))
    ffmpeg("-i", j("b_ref.y4m"), "-vf", "noise=alls=20:allf=t", "-pix_fmt", "yuv444p",
           j("b_dis.y4m"))
    x264 = ["-c:v", "libx264", "-qp", "0", "-preset", "ultrafast"]
    ffmpeg("-i", j("b_dis.y4m"), *x264, j("b_dis.mp4"))
    base = score(j("b_ref.y4m"), j("b_dis.y4m"), j("b_y4m.json"))
    got = score(j("b_ref.y4m"), j("b_dis.mp4"), j("b_mp4.json"))
    check(got == base and len(got) == 10, "lossless x264 4:4:4 333x197 scores as its Y4M")
    for which in ("ref", "dis"):
        ffmpeg("-i", j(f"b_{which}.y4m"), *x264, "-bsf:v", "h264_metadata=crop_left=64:crop_top=32",
               j(f"c_{which}.mp4"))
        ffmpeg("-i", j(f"c_{which}.mp4"), j(f"c_{which}.y4m"))
    base = score(j("c_ref.y4m"), j("c_dis.y4m"), j("c_y4m.json"))
    got = score(j("c_ref.mp4"), j("c_dis.mp4"), j("c_mp4.json"))
    check(got == base and len(got) == 10, "x264 cropped on the left and top (269x165) scores as "
          "the Y4M ffmpeg decodes from it")
    p = subprocess.run(["ffmpeg", "-hide_banner", "-encoders"], capture_output=True, text=True)
    if "libx265" in p.stdout:
        ffmpeg("-i", j("b_ref.y4m"), "-vf", "scale=330:198", "-pix_fmt", "yuv420p10le",
               "-strict", "-1", j("h_ref.y4m"))
        ffmpeg("-i", j("b_dis.y4m"), "-vf", "scale=330:198", "-pix_fmt", "yuv420p10le",
               "-strict", "-1", j("h_dis.y4m"))
        # B-frames: decoding order differs from presentation order.
        ffmpeg("-i", j("h_dis.y4m"), "-c:v", "libx265", "-x265-params",
               "lossless=1:bframes=3:b-adapt=0:log-level=0", "-preset", "ultrafast", j("h_dis.mp4"))
        base = score(j("h_ref.y4m"), j("h_dis.y4m"), j("h_y4m.json"))
        got = score(j("h_ref.y4m"), j("h_dis.mp4"), j("h_mp4.json"))
        check(got == base and len(got) == 10, "lossless HEVC 4:2:0 10-bit 330x198 with B-frames "
              "scores as its Y4M (presentation order)")


def scaled(d):
    """A small synthetic clip (ffmpeg's testsrc2) keeps this fast."""
    ref = os.path.join(d, "s_ref.y4m")
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=0.4", "-pix_fmt", "yuv420p",
           ref)
    half = os.path.join(d, "s_half.mp4")
    ffmpeg("-i", ref, "-vf", "scale=160:120", "-c:v", "libx264", "-crf", "23", "-preset", "fast",
           half)
    p = run(["-r", ref, "-d", half, "--json", "-o", os.path.join(d, "mis.json")])
    lines = p.stderr.strip().splitlines()
    check(p.returncode == 1 and len(lines) == 1 and "160x120" in lines[0] and "320x240" in lines[0]
          and lines[0].startswith(f"tinyvmaf: {half}: ")
          and "--scale" in lines[0] and not os.path.exists(os.path.join(d, "mis.json")),
          f"size mismatch without --scale names both sizes and --scale ({lines})")
    for method in ["bicubic", "bilinear", "lanczos", "spline"]:
        up = os.path.join(d, f"s_up_{method}.y4m")
        ffmpeg("-i", half, "-vf", f"scale=320:240:flags={method}", up)
        a = score(ref, up, os.path.join(d, f"up_{method}.json"))
        flag = ["--scale"] if method == "bicubic" else ["--scale", method]
        b = score(ref, half, os.path.join(d, f"sc_{method}.json"), flag)
        worst = max((abs(x[k] - y[k]) for x, y in zip(a, b) for k in x), default=1.0)
        check(len(a) == len(b) == 10 and a[0].keys() == b[0].keys() and worst <= 1e-4,
              f"--scale {method} matches ffmpeg -vf scale=320:240:flags={method} "
              f"(max difference {worst:g})")
    # A Y4M distorted at another size is resized too (read through libav).
    half_y4m = os.path.join(d, "s_half.y4m")
    ffmpeg("-i", half, half_y4m)
    a = score(ref, half, os.path.join(d, "sc_mp4.json"), ["--scale"])
    b = score(ref, half_y4m, os.path.join(d, "sc_y4m.json"), ["--scale"])
    check(a == b, "--scale on a Y4M distorted video as on its mp4")
    return ref, half


def bad_inputs(d, ref):
    j = lambda n: os.path.join(d, n)
    with open(j("text.mp4"), "w") as f:
        f.write("hello, this is not a video\n" * 20)
    ffmpeg("-f", "lavfi", "-i", "sine=duration=1", j("audio.m4a"))
    good = j("good.mp4")
    ffmpeg("-i", ref, "-c:v", "libx264", "-qp", "0", "-preset", "ultrafast", good)
    data = open(good, "rb").read()
    with open(j("trunc.mp4"), "wb") as f:  # the moov index is at the end
        f.write(data[: len(data) // 2])
    fs = j("fs.mp4")
    ffmpeg("-i", ref, "-c:v", "libx264", "-qp", "0", "-preset", "ultrafast", "-movflags",
           "+faststart", fs)
    data = open(fs, "rb").read()
    with open(j("trunc_fs.mp4"), "wb") as f:  # index first, frames cut
        f.write(data[: len(data) * 2 // 3])
    damaged = bytearray(data)
    for i in range(len(damaged) // 2, len(damaged) // 2 + 4000):
        damaged[i] ^= 0x5A
    with open(j("damaged.mp4"), "wb") as f:
        f.write(damaged)
    ffv1 = j("crc.mkv")
    ffmpeg("-i", ref, "-c:v", "ffv1", "-level", "3", "-slicecrc", "1", ffv1)
    damaged = bytearray(open(ffv1, "rb").read())
    for i in range(len(damaged) // 2, len(damaged) // 2 + 64):
        damaged[i] ^= 0x5A
    with open(j("damaged.mkv"), "wb") as f:
        f.write(damaged)
    cases = [  # what, arguments, the name and the cause the line must hold
        ("not a video", ["-d", j("text.mp4")], j("text.mp4"), "not a video"),
        ("no video stream", ["-d", j("audio.m4a")], j("audio.m4a"), "no video stream"),
        ("truncated mp4 (no index)", ["-d", j("trunc.mp4")], j("trunc.mp4"),
         "moov atom not found"),
        ("truncated mp4 (frames cut)", ["-d", j("trunc_fs.mp4")], j("trunc_fs.mp4"), "truncated"),
        ("undecodable frame (x264)", ["-d", j("damaged.mp4")], j("damaged.mp4"), "cannot decode"),
        ("undecodable frame (FFV1 slice CRC)", ["-d", j("damaged.mkv")], j("damaged.mkv"),
         "cannot decode"),
        ("unknown --scale method", ["-d", good, "--scale", "cubic"], "cubic", "unknown method"),
    ]
    for what, args, name, cause in cases:
        out = j("out.json")
        p = run(["-r", ref] + args + ["--json", "-o", out, "--plot", j("out.svg")])
        lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
        check(p.returncode not in (0,) and 0 < p.returncode < 128 and len(lines) == 1
              and name in lines[0] and cause in lines[0] and not os.path.exists(out)
              and not os.path.exists(j("out.svg")),
              f"{what}: exit {p.returncode}, one line naming {os.path.basename(name)} and "
              f"\"{cause}\" ({lines})")


def progress(d, ref, half):
    if not shutil.which("script"):
        print("skip progress: no script(1)")
        return
    out = os.path.join(d, "tty.json")
    cmd = f"{CLI} -r {ref} -d {half} --scale --json -o {out} --threads 1"
    # Bytes: text mode would turn the carriage returns into newlines.
    p = subprocess.run(["script", "-qec", cmd, "/dev/null"], capture_output=True,
                       stdin=subprocess.DEVNULL)
    text = p.stdout.decode(errors="replace")
    check(p.returncode == 0 and "\r" in text and "frame 10/10" in text and "fps" in text
          and "elapsed" in text and text.count("frame 10/10") == 1,
          f"progress line on a TTY ({text[-160:]!r})")
    # A reference with no frame count in its container (mkv): no total, one final line.
    mkv = os.path.join(d, "s_ref.mkv")
    ffmpeg("-i", ref, "-c:v", "ffv1", mkv)
    p = subprocess.run(["script", "-qec", f"{CLI} -r {mkv} -d {half} --scale -o {out}", "/dev/null"],
                       capture_output=True, stdin=subprocess.DEVNULL)
    text = p.stdout.decode(errors="replace")
    check(p.returncode == 0 and text.count("frame 10,") == 1 and "frame 10/" not in text,
          f"progress without a known total ({text[:80]!r})")
    p = subprocess.run(["script", "-qec", cmd + " -q", "/dev/null"], capture_output=True,
                       stdin=subprocess.DEVNULL)
    check(p.returncode == 0 and b"fps" not in p.stdout and b"\r" not in p.stdout.replace(b"\r\n", b""),
          f"-q: no progress line ({p.stdout!r})")
    p = subprocess.run([CLI, "-r", ref, "-d", half, "--scale", "--json", "-o", out],
                       capture_output=True)
    check(p.returncode == 0 and b"fps" not in p.stderr and b"\r" not in p.stderr,
          f"no TTY: no progress line ({p.stderr!r})")


def module(d, ref, half):
    """The FFmpeg input is a module the CLI loads only for a non-Y4M input."""
    cli_dir = os.path.dirname(os.path.abspath(CLI))
    check(os.path.exists(os.path.join(cli_dir, "tinyvmaf-libav.so")),
          "the FFmpeg input module is built beside the CLI")
    needed = subprocess.run(["ldd", CLI], capture_output=True, text=True).stdout
    check("libavformat" not in needed and "libavcodec" not in needed,
          "the CLI itself does not link FFmpeg's libraries")
    alone = os.path.join(d, "alone")
    os.mkdir(alone)
    cli = os.path.join(alone, "tinyvmaf")
    shutil.copy(CLI, cli)
    p = subprocess.run([cli, "-r", ref, "-d", ref, "-q"], capture_output=True, text=True)
    check(p.returncode == 0, f"without the module a Y4M pair still scores ({p.stderr.strip()})")
    out = os.path.join(d, "alone.json")
    p = subprocess.run([cli, "-r", ref, "-d", half, "--scale", "--json", "-o", out],
                       capture_output=True, text=True)
    lines = p.stderr.splitlines()
    if p.returncode == 0:
        print("skip: an installed FFmpeg input module answered for the copied CLI")
        return
    check(p.returncode != 0 and len(lines) == 1 and "FFmpeg input module" in lines[0]
          and not os.path.exists(out),
          f"without the module an mp4 is refused in one line naming it ({lines})")


def main():
    if not shutil.which("ffmpeg"):
        print("skip: ffmpeg is not installed")
        return gc.SKIP
    p = run(["--help"])
    if "FFmpeg's libraries" not in p.stdout or run(["-r", "x", "-d", "y", "--scale"]).stderr.find(
            "lacks") >= 0:
        print("skip: this build has no libav")
        return gc.SKIP
    with tempfile.TemporaryDirectory() as d:
        ref, half = scaled(d)
        decoder_buffers(d)
        bad_inputs(d, ref)
        progress(d, ref, half)
        module(d, ref, half)
        if FAILED:
            print(f"FAIL ({len(FAILED)})")
            return 1
        golden, cases = gc.cases()  # skips (77), or fails under CI, without ../shared
        lossless(d, golden, cases)
    print(f"FAIL ({len(FAILED)})" if FAILED else "all ok")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
