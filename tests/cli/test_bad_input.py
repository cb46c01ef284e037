"""Bad input: every case exits non-zero with exactly one line on stderr that
names the offending file, and leaves no output file behind."""
import os
import subprocess
import sys
import tempfile

CLI = os.environ["TVMAF_CLI"]


def y4m(path, w=64, h=48, tag="C420jpeg", frames=2, header=None, depth_bytes=1, frame_bytes=None,
        trailer=b"", hot=False):
    if header is None:
        header = f"YUV4MPEG2 W{w} H{h} F25:1 Ip A1:1 {tag}".strip()
    cw, ch = (w + 1) // 2, (h + 1) // 2
    size = frame_bytes if frame_bytes is not None else (w * h + 2 * cw * ch) * depth_bytes
    with open(path, "wb") as f:
        f.write(header.encode() + b"\n")
        for i in range(frames):
            f.write(b"FRAME\n")
            if depth_bytes == 1:
                f.write(bytes(((x * 7 + i * 13) & 0xFF) for x in range(size)))
            else:
                vals = [0xFFFF if hot and x == 5 else (x * 7 + i * 13) % 1024 for x in range(size // 2)]
                f.write(b"".join(v.to_bytes(2, "little") for v in vals))
        f.write(trailer)
    return path


def run(args, expect_in, out):
    p = subprocess.run([CLI] + args + ["--json", "-o", out], capture_output=True, text=True)
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    problems = []
    if p.returncode == 0:
        problems.append("exit code 0")
    if p.returncode < 0 or p.returncode >= 128:
        problems.append(f"crashed (status {p.returncode})")
    if len(lines) != 1:
        problems.append(f"{len(lines)} stderr lines: {lines!r}")
    elif expect_in not in lines[0]:
        problems.append(f"message does not mention {expect_in!r}: {lines[0]!r}")
    leftovers = [f for f in os.listdir(os.path.dirname(out)) if f.startswith(os.path.basename(out))]
    if leftovers:
        problems.append(f"output left behind: {leftovers}")
    return problems, (lines[0] if lines else "")


def main():
    ok = True
    with tempfile.TemporaryDirectory() as d:
        j = lambda n: os.path.join(d, n)
        good = y4m(j("good.y4m"))
        good10 = y4m(j("good10.y4m"), tag="C420p10", depth_bytes=2)
        good444 = y4m(j("good444.y4m"), tag="C444", frame_bytes=64 * 48 * 3)
        good_big = y4m(j("good_big.y4m"), w=80)
        cases = [
            ("truncated frame", [good, y4m(j("trunc.y4m"), trailer=b"FRAME\n" + b"\x10" * 100)], "trunc.y4m"),
            ("truncated FRAME marker", [good, y4m(j("trunc2.y4m"), trailer=b"FRA")], "trunc2.y4m"),
            ("bad magic", [good, y4m(j("magic.y4m"), header="YUV4MPEG3 W64 H48 F25:1 C420")], "magic.y4m"),
            ("not a video", [good, y4m(j("text.y4m"), header="hello world", frames=0)], "text.y4m"),
            ("missing W", [y4m(j("now.y4m"), header="YUV4MPEG2 H48 F25:1 C420"), good], "now.y4m"),
            ("missing H", [good, y4m(j("noh.y4m"), header="YUV4MPEG2 W64 F25:1 C420")], "noh.y4m"),
            ("bad W", [good, y4m(j("badw.y4m"), header="YUV4MPEG2 W6x4 H48 F25:1 C420")], "badw.y4m"),
            ("unsupported chroma", [good, y4m(j("c411.y4m"), tag="C411")], "c411.y4m"),
            ("interlaced", [good, y4m(j("il.y4m"), header="YUV4MPEG2 W64 H48 F25:1 It C420")], "il.y4m"),
            ("size mismatch", [good, good_big], "good_big.y4m"),
            ("chroma mismatch", [good, good444], "good444.y4m"),
            ("depth mismatch", [good, good10], "good10.y4m"),
            ("nonexistent file", [good, j("missing.y4m")], "missing.y4m"),
            ("directory", [good, d], d),
            ("zero frames", [y4m(j("zero.y4m"), frames=0), y4m(j("zero2.y4m"), frames=0)], "zero.y4m"),
            ("frame garbage", [good, y4m(j("garb.y4m"), trailer=b"JUNK\n")], "garb.y4m"),
            ("too small", [y4m(j("tiny.y4m"), w=16, h=16), y4m(j("tiny2.y4m"), w=16, h=16)], "tiny.y4m"),
            ("10-bit sample out of range", [good10, y4m(j("hot10.y4m"), tag="C420p10", depth_bytes=2,
                                                         hot=True)], "hot10.y4m"),
            ("raw size not a whole frame", ["-w", "64", "-h", "48", "-p", "420", "-b", "8",
                                            "RAW:" + j("a.yuv"), "RAW:" + j("b.yuv")], "b.yuv"),
        ]
        with open(j("a.yuv"), "wb") as f:
            f.write(b"\x80" * (64 * 48 * 3 // 2) * 2)
        with open(j("b.yuv"), "wb") as f:
            f.write(b"\x80" * ((64 * 48 * 3 // 2) * 2 - 5))
        for name, inputs, expect in cases:
            if inputs[0] == "-w":
                args = inputs[:8] + ["-r", inputs[8][4:], "-d", inputs[9][4:]]
            else:
                args = ["-r", inputs[0], "-d", inputs[1]]
            problems, line = run(args, expect, j("out.json"))
            ok &= not problems
            print(f"{'ok' if not problems else 'FAIL':4} {name:28} {line if not problems else problems}")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
