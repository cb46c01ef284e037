#!/usr/bin/python3
"""The corpus builder end to end on a tiny synthetic source (seconds).

A lossless 10-frame test pattern stands in for a Debian-packaged source; a
two-rung ladder and one or two points of each codec family stand in for the
recipe. Checks: the ladder arithmetic, the rows (frames x encodes, labels
from tinyvmaf), resume (a second run does nothing, a deleted result is
rebuilt byte for byte), --compare reproduces the exported rows, a changed
source is refused, and the manifest matches the exported table.
Needs ffmpeg with libx264, libsvtav1, mpeg2video and mjpeg (Debian's).
"""
import csv
import hashlib
import io
import json
import lzma
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
import build  # noqa: E402

TVMAF = os.environ.get("TVMAF_CLI", os.path.join(ROOT, "build", "tools", "tinyvmaf"))
failures = 0


def check(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what)
    failures += not cond


def run(args, **kw):
    return subprocess.run([sys.executable, os.path.join(ROOT, "corpus", "build.py")] + args,
                          capture_output=True, text=True, **kw)


def main():
    if not shutil.which("ffmpeg"):
        print("SKIP: ffmpeg is not installed (make test installs it)")
        return 77
    check(build.even(213.33) == 214 and build.even(426.67) == 426 and build.even(3) == 4,
          "even() rounds to the nearest even number")
    recipe = json.load(open(os.path.join(ROOT, "corpus", "recipe.json")))
    check(build.rungs(1920, 1080, recipe) == [(1920, 1080), (1280, 720), (960, 540), (640, 360),
                                              (426, 240)], "1080p ladder: 1080/720/540/360/240")
    check(build.rungs(768, 576, recipe) == [(768, 576), (512, 384), (384, 288), (256, 192)],
          "SD ladder: H, 2H/3, H/2, H/3 with even sizes")
    check(build.rungs(320, 240, recipe)[3] == (106, 80), "width = even(W * h / H)")

    tmp = tempfile.mkdtemp(prefix="corpus-test.")
    try:
        src = os.path.join(tmp, "root", "src.mkv")
        os.makedirs(os.path.dirname(src))
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i",
                        "testsrc2=s=256x200:r=25", "-frames:v", "12", "-c:v", "ffv1", src], check=True)
        sha = hashlib.sha256(open(src, "rb").read()).hexdigest()
        cols = ["id", "package", "path", "license", "width", "height", "fps", "frames",
                "content_type", "keep", "codec", "first_frame", "n_used", "use", "fold", "sha256",
                "note"]
        tsv = os.path.join(tmp, "sources.tsv")
        with open(tsv, "w") as f:
            f.write("\t".join(cols) + "\n")
            f.write("\t".join(["T01", "none", "/src.mkv", "CC0-1.0", "256", "200", "25", "12",
                               "synthetic", "yes", "ffv1", "1", "10", "frames 1-10", "1", sha,
                               "test pattern"]) + "\n")
        small = dict(recipe)
        small.pop("sources_expected")
        small["codecs"] = {
            "x264": dict(recipe["codecs"]["x264"], values=[22, 40]),
            "svtav1": dict(recipe["codecs"]["svtav1"], values=[50]),
            "mpeg2": dict(recipe["codecs"]["mpeg2"], values=[5]),
            "mjpeg": dict(recipe["codecs"]["mjpeg"], values=[10]),
        }
        small["ladder"] = dict(recipe["ladder"])
        rj = os.path.join(tmp, "recipe.json")
        json.dump(small, open(rj, "w"))
        work = os.path.join(tmp, "work")
        os.makedirs(os.path.join(work, "root"))
        os.symlink(src, os.path.join(work, "root", "src.mkv"))
        table = os.path.join(tmp, "t.csv.xz")
        common = ["--sources", tsv, "--recipe", rj, "--work", work, "--table", table,
                  "--manifest", os.path.join(tmp, "M.json"), "--timings",
                  os.path.join(tmp, "timings.tsv"), "--progress", os.path.join(tmp, "p.csv.xz"),
                  "--tinyvmaf", TVMAF, "-j", "2"]

        r = run(common + ["--list"])
        clips = r.stdout.split()
        check(r.returncode == 0 and len(clips) == 4 * 5, f"plan: 4 rungs x 5 points ({len(clips)})")
        r = run(common + ["--export"])
        check(r.returncode == 0, "build + export runs" + ("" if not r.returncode else ": " + r.stderr))
        with lzma.open(table, "rt") as f:
            rows = list(csv.reader(f))
        header, body = rows[0], rows[1:]
        check(header == recipe["columns"], "table header is the recipe's columns")
        check(len(body) == 20 * 10, f"rows = 20 encodes x 10 frames ({len(body)})")
        check(all(0 <= float(r[-1]) <= 100 for r in body), "vmaf labels in [0, 100]")
        check({r[4] for r in body} == {"200", "134", "100", "66"}, "every rung present")
        top = [float(r[-1]) for r in body if r[3] == "x264" and r[4] == "200" and r[5] == "22"]
        low = [float(r[-1]) for r in body if r[3] == "x264" and r[4] == "66" and r[5] == "40"]
        check(sum(top) / len(top) > sum(low) / len(low) + 10,
              "near-transparent encode scores far above the smallest, coarsest one")
        m = json.load(open(os.path.join(tmp, "M.json")))
        raw = lzma.open(table).read()
        check(m["table_csv_sha256"] == hashlib.sha256(raw).hexdigest() and m["rows"] == 200,
              "manifest sha256 and row count match the table")
        check(m["complete"] and m["clips_done"] == 20, "manifest says complete")

        r = run(common)
        check(r.returncode == 0 and "0 encodes to run" in r.stderr, "a second run has nothing to do")
        victim = os.path.join(work, "parts", clips[3] + ".csv")
        before = open(victim, "rb").read()
        os.unlink(victim)
        no_table = [a if a != table else os.path.join(tmp, "none.csv.xz") for a in common]
        r = run(no_table)
        check(r.returncode == 0 and "1 encodes to run" in r.stderr and
              open(victim, "rb").read() == before, "a lost result is rebuilt byte for byte")
        r = run(common + ["--only"] + clips[:3] + ["--compare"])
        check(r.returncode == 0 and r.stdout.count("identical") == 3,
              "--only ... --compare reproduces three encodes exactly")

        # A fresh cache seeds itself from the committed table.
        work2 = os.path.join(tmp, "work2")
        os.makedirs(os.path.join(work2, "root"))
        os.symlink(src, os.path.join(work2, "root", "src.mkv"))
        common2 = [a if a != work else work2 for a in common]
        r = run(common2)
        check(r.returncode == 0 and "20 clips taken from the committed table" in r.stderr and
              "0 encodes to run" in r.stderr, "a new machine resumes from the table")

        with open(src, "ab") as f:
            f.write(b"x")
        r = run(common2 + ["--only", clips[0]])
        check(r.returncode == 1 and "sha256 differs" in r.stderr and r.stderr.count("\n") == 1,
              "a changed source is refused with one line")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
