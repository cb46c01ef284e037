"""CLI behaviour: help/version, usage errors, output formats, raw YUV input
equals Y4M input, frame limits, atomic output, subsample."""
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

CLI = os.environ["TVMAF_CLI"]
ROOT = os.environ["TVMAF_SOURCE_ROOT"]
failures = []


def check(cond, what):
    print(f"{'ok' if cond else 'FAIL':4} {what}")
    if not cond:
        failures.append(what)


def run(args, **kw):
    return subprocess.run([CLI] + args, capture_output=True, text=True, **kw)


def unpack_sample(d):
    import lzma
    paths = []
    for which in ("ref", "dis"):
        out = os.path.join(d, f"city_{which}.y4m")
        with lzma.open(os.path.join(ROOT, "samples", f"city_320x180_{which}.y4m.xz")) as s, \
                open(out, "wb") as o:
            o.write(s.read())
        paths.append(out)
    return paths


def y4m_to_raw(src, dst):
    with open(src, "rb") as f:
        data = f.read()
    header, rest = data.split(b"\n", 1)
    out = bytearray()
    while rest:
        line, rest = rest.split(b"\n", 1)
        assert line.startswith(b"FRAME")
        n = 320 * 180 * 3 // 2
        out += rest[:n]
        rest = rest[n:]
    with open(dst, "wb") as f:
        f.write(out)


def main():
    p = run(["--help"])
    check(p.returncode == 0 and "--motion-compat" in p.stdout and "--threads" in p.stdout, "--help")
    for flag in ["-r", "-d", "-w", "-h", "-p", "-b", "-o", "--json", "--csv", "--xml", "--sub",
                 "--threads", "--frame_cnt", "--subsample", "-q", "--cpumask", "--model",
                 "--tiny-model", "--version", "--precision"]:
        check(flag in p.stdout, f"--help documents {flag}")
    p = run(["--version"])
    check(p.returncode == 0 and p.stdout.startswith("tinyvmaf "), "--version")
    for args, what in [([], "no arguments"), (["-r", "x"], "missing -d"),
                       (["--bogus"], "unknown option"), (["-r", "a", "-d", "b", "-t", "x"], "bad --threads"),
                       (["-r", "a", "-d", "b", "--motion-compat", "2.0"], "bad --motion-compat"),
                       (["-r", "a", "-d", "b", "-w", "10"], "partial raw options"),
                       (["-r", "a", "-d", "b", "--subsample", "0"], "zero subsample"),
                       (["-r", "a", "-d", "b", "--precision", "0"], "--precision 0"),
                       (["-r", "a", "-d", "b", "--precision", "18"], "--precision 18"),
                       (["-r", "a", "-d", "b", "--precision", "x"], "--precision x"),
                       (["frobnicate"], "unknown subcommand")]:
        p = run(args)
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        check(p.returncode == 2 and len(lines) == 1, f"usage error: {what} -> exit 2, one line")

    with tempfile.TemporaryDirectory() as d:
        ref, dis = unpack_sample(d)
        j = lambda n: os.path.join(d, n)
        base = ["-r", ref, "-d", dis, "--no_prediction", "-q", "--threads", "1"]
        p = run(base + ["--json", "-o", j("a.json")])
        check(p.returncode == 0, "score sample to JSON")
        doc = json.load(open(j("a.json")))
        check(len(doc["frames"]) == 12, "12 frames in JSON")
        keys = set(doc["frames"][0]["metrics"])
        check({"integer_adm2", "integer_vif_scale0", "integer_vif_scale3", "integer_motion2"} <= keys,
              "JSON has libvmaf's feature keys")
        pooled = doc["pooled_metrics"]["integer_adm2"]
        check(list(pooled)[:4] == ["min", "max", "mean", "harmonic_mean"], "pooled methods in libvmaf order")
        vals = [f["metrics"]["integer_adm2"] for f in doc["frames"]]
        check(abs(pooled["mean"] - sum(vals) / len(vals)) < 2e-6, "pooled mean matches frames")
        check(abs(pooled["min"] - min(vals)) < 1e-9 and abs(pooled["max"] - max(vals)) < 1e-9, "pooled min/max")
        hm = len(vals) / sum(1 / (v + 1) for v in vals) - 1
        check(abs(pooled["harmonic_mean"] - hm) < 2e-6, "pooled harmonic mean")
        srt = sorted(vals)
        check(abs(pooled["median"] - (srt[5] + srt[6]) / 2) < 2e-6, "pooled median")

        # --precision N prints %.Ng of the same doubles: python's "%.Ng" of the
        # %.17g value (which reads back exactly) gives the string printed
        strings = lambda path: json.load(open(path), parse_float=str, parse_int=str)
        ps = {}
        for n in (17, 3, 9):
            p = run(base + ["--precision", str(n), "--json", "-o", j(f"p{n}.json")])
            ps[n] = strings(j(f"p{n}.json")) if p.returncode == 0 else None
        check(ps[17] and all(abs(float(f["metrics"]["integer_adm2"]) - v) <= 5e-7
                             for f, v in zip(ps[17]["frames"], vals)), "--precision 17: same values")
        for n in (3, 9):
            check(ps[17] and ps[n] and all(
                fn["metrics"][k] == "%.*g" % (n, float(v))
                for f17, fn in zip(ps[17]["frames"], ps[n]["frames"]) for k, v in f17["metrics"].items())
                and ps[n]["pooled_metrics"]["integer_adm2"]["mean"] ==
                "%.*g" % (n, float(ps[17]["pooled_metrics"]["integer_adm2"]["mean"])),
                f"--precision {n}: every value printed as %.{n}g")
        p = run(base[:-3] + ["--precision", "4"])
        m = p.stdout.split()
        check(p.returncode == 0 and "adm2" in m and m[m.index("adm2") + 1] ==
              "%.4g" % float(ps[17]["pooled_metrics"]["integer_adm2"]["mean"]),
              f"--precision 4: the summary line's means as %.4g ({p.stdout.strip()})")

        # raw YUV input gives the same numbers as Y4M
        y4m_to_raw(ref, j("ref.yuv"))
        y4m_to_raw(dis, j("dis.yuv"))
        p = run(["-r", j("ref.yuv"), "-d", j("dis.yuv"), "-w", "320", "-h", "180", "-p", "420",
                 "-b", "8", "--no_prediction", "-q", "--threads", "1", "--json", "-o", j("raw.json")])
        raw = json.load(open(j("raw.json"))) if p.returncode == 0 else None
        check(raw is not None and raw["frames"] == doc["frames"], "raw YUV input == Y4M input")

        # stdin input
        with open(ref, "rb") as f:
            p = run(["-r", "-", "-d", dis, "--no_prediction", "-q", "--json", "-o", j("stdin.json")], stdin=f)
        check(p.returncode == 0 and json.load(open(j("stdin.json")))["frames"] == doc["frames"],
              "reference from stdin")

        # frame limits
        p = run(base + ["--frame_cnt", "5", "--json", "-o", j("f5.json")])
        f5 = json.load(open(j("f5.json")))
        check(len(f5["frames"]) == 5, "--frame_cnt 5")
        p = run(base + ["--frame_skip_ref", "2", "--frame_skip_dist", "2", "--json", "-o", j("skip.json")])
        check(p.returncode == 0 and len(json.load(open(j("skip.json")))["frames"]) == 10, "--frame_skip_*")

        # subsample: frames 0, 3, 6, 9 printed; motion still from every frame
        p = run(base + ["--subsample", "3", "--json", "-o", j("s3.json")])
        s3 = json.load(open(j("s3.json")))
        check([f["frameNum"] for f in s3["frames"]] == [0, 3, 6, 9], "--subsample 3 frame numbers")
        check(all(s3["frames"][k]["metrics"]["integer_motion2"] == doc["frames"][3 * k]["metrics"]["integer_motion2"]
                  for k in range(4)), "--subsample keeps motion of every frame")

        # XML, CSV, SUB
        run(base + ["-o", j("a.xml")])
        root = ET.parse(j("a.xml")).getroot()
        check(root.tag == "VMAF" and len(root.find("frames")) == 12, "XML output parses, 12 frames")
        run(base + ["--csv", "-o", j("a.csv")])
        lines = open(j("a.csv")).read().splitlines()
        check(lines[0].startswith("Frame,integer_adm2,") and len(lines) == 13, "CSV output")
        run(base + ["--sub", "-o", j("a.sub")])
        sub = open(j("a.sub")).read().splitlines()
        check(len(sub) == 12 and sub[1].startswith("{1}{2}frame: 1|integer_adm2: "), "SUB output")

        # atomic output: an existing file survives a failed run untouched
        with open(j("keep.json"), "w") as f:
            f.write("previous")
        p = run(["-r", ref, "-d", j("nope.y4m"), "--json", "-o", j("keep.json")])
        check(p.returncode != 0 and open(j("keep.json")).read() == "previous", "failed run keeps old output")
        check(sorted(os.listdir(d)).count("keep.json") == 1 and not any(x.startswith("keep.json.") for x in os.listdir(d)),
              "no temporary file left")

        # ffmpeg 5.x writes odd-width >8-bit 4:2:0 Y4M with chroma rows one
        # byte short; luma is what counts, so both layouts must score alike.
        w, h, frames = 65, 41, 3
        cw, ch = (w + 1) // 2, (h + 1) // 2
        luma = [b"".join(((x * 3 + y * 5 + f * 7) % 1024).to_bytes(2, "little") for y in range(h) for x in range(w))
                for f in range(frames)]
        for name, crow in (("proper.y4m", 2 * cw), ("ffmpeg.y4m", w)):
            with open(j(name), "wb") as f:
                f.write(f"YUV4MPEG2 W{w} H{h} F25:1 Ip C420p10\n".encode())
                for fr in luma:
                    f.write(b"FRAME\n" + fr + b"\x00\x02" * (crow * ch))
        outs = []
        for name in ("proper.y4m", "ffmpeg.y4m"):
            p = run(["-r", j(name), "-d", j(name), "--no_prediction", "-q", "--json", "-o", j(name + ".json")])
            outs.append(json.load(open(j(name + ".json")))["frames"] if p.returncode == 0 else p.stderr)
        check(isinstance(outs[0], list) and outs[0] == outs[1] and len(outs[0]) == frames,
              "odd-width 10-bit Y4M in ffmpeg's short-chroma layout reads like the proper one")

        # summary line on stdout without -o
        p = run(["-r", ref, "-d", dis, "--no_prediction"])
        out = [l for l in p.stdout.splitlines() if l.strip()]
        check(p.returncode == 0 and len(out) == 1 and "motion2" in out[0], "one-line summary without -o")

    print("PASS" if not failures else f"FAIL ({len(failures)})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
