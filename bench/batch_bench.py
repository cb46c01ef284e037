"""`make bench`: tinyvmaf batch throughput (pairs/min) for 48 small jobs
(the bundled 320x180 sample pair, 6 frames each) at --jobs 1 and --jobs 2.
Information only, never pass/fail."""
import lzma
import os
import shutil
import subprocess
import sys
import tempfile
import time


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    cli = os.path.join(build, "tools", "tinyvmaf")
    with tempfile.TemporaryDirectory() as d:
        for k in ("ref", "dis"):
            with lzma.open(os.path.join(root, "samples", f"city_320x180_{k}.y4m.xz")) as f, \
                    open(os.path.join(d, f"{k}.y4m"), "wb") as o:
                o.write(f.read())
        man = os.path.join(d, "jobs.csv")
        with open(man, "w") as f:
            f.write("id,reference,distorted,frame_cnt,frame_skip_ref,frame_skip_dist\n")
            for i in range(48):
                f.write(f"j{i:02d},ref.y4m,dis.y4m,6,{i % 6},{i % 6}\n")
        print("== batch throughput: 48 jobs, 320x180, 6 frames each ==")
        for jobs in (1, 2):
            out = os.path.join(d, f"out{jobs}")
            t0 = time.monotonic()
            p = subprocess.run([cli, "batch", man, "--out", out, "--jobs", str(jobs), "-q"],
                               capture_output=True)
            el = time.monotonic() - t0
            status = "" if p.returncode == 0 else f" (exit {p.returncode}: {p.stderr.decode()[-200:]})"
            print(f"batch --jobs {jobs}: {48 / el * 60:8.1f} pairs/min ({el:.2f} s){status}")
            shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
