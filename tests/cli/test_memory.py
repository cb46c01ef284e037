"""The memory budget (--memory-limit, include/tinyvmaf/tinyvmaf.h "Memory
budget"): at 4096x4096, --threads 256 under a 1 GiB limit runs fewer threads
with one note saying from how many to how many and why, scores exactly as
--threads 1, and peaks within the limit (the child's own rusage); a limit too
small for one thread is one error naming the size needed, with no output
written; sizes are decimal with a binary suffix."""
import json
import os
import re
import subprocess
import sys
import tempfile

CLI = os.environ["TVMAF_CLI"]
W = H = 4096
FRAMES = 8
failures = []


def check(cond, what):
    print(f"{'ok' if cond else 'FAIL':4} {what}")
    if not cond:
        failures.append(what)


def y4m(path, seed, base=None):
    """Smooth ramps with noise (enough frames to fill every queue); returns
    the planes for a distorted copy."""
    import numpy as np
    rng = np.random.default_rng(seed)
    ramp = (np.add.outer(np.arange(H), np.arange(W)) % 256).astype(np.int16)
    planes = []
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{W} H{H} F25:1 Ip A1:1 Cmono\n".encode())
        for i in range(FRAMES):
            src = np.roll(ramp, 3 * i, axis=1) if base is None else base[i]
            y = (src + rng.integers(-12, 12, (H, W))).clip(0, 255).astype(np.int16)
            planes.append(y)
            f.write(b"FRAME\n" + y.astype(np.uint8).tobytes())
    return planes


def run(args):
    """Runs the CLI; returns (exit code, stderr lines, peak RSS in bytes)."""
    p = subprocess.Popen([CLI] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read().decode(errors="replace")
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    p.stderr.close()
    return p.returncode, [l for l in err.splitlines() if l.strip()], ru.ru_maxrss * 1024


def frames(path):
    return json.load(open(path))["frames"]


def main():
    linked = subprocess.run(["ldd", CLI], capture_output=True, text=True).stdout
    sanitized = "libasan" in linked or "libubsan" in linked
    with tempfile.TemporaryDirectory() as t:
        ref, dis = os.path.join(t, "ref.y4m"), os.path.join(t, "dis.y4m")
        # Made by a child process: the kernel carries a parent's peak RSS into
        # the children it forks, so this process must stay small to measure
        # the CLI's own peak.
        subprocess.run([sys.executable, __file__, "--make", ref, dis], check=True)
        base = ["-r", ref, "-d", dis, "--json"]

        one = os.path.join(t, "one.json")
        rc, err, _ = run(base + ["--threads", "1", "-q", "-o", one])
        check(rc == 0 and not err, f"--threads 1 scores (rc {rc}, {err})")

        many = os.path.join(t, "many.json")
        limit = 1 << 30
        rc, err, rss = run(base + ["--threads", "256", "--memory-limit", "1G", "-q", "-o", many])
        print("\n".join("     " + l for l in err))
        check(rc == 0, f"--threads 256 --memory-limit 1G succeeds (rc {rc})")
        m = re.fullmatch(r"tinyvmaf: warning: 256 threads reduced to (\d+) to fit the memory "
                         r"limit: (\d+) MiB of it are left for scoring, and each thread at "
                         r"4096x4096 needs (\d+) MiB of scratch and 2 picture pairs of (\d+) MiB "
                         r"in flight", err[0] if len(err) == 1 else "")
        check(m is not None, "exactly one note, naming 256, the reduced count and why")
        if m:
            n, left, scratch, pair = map(int, m.groups())
            check(1 <= n < 256, f"reduced to {n} threads")
            check(left <= 1024, f"{left} MiB left of the 1024 MiB limit")
            # 4096x4096 8-bit: a pair is two 16 MiB luma planes; the scratch
            # is documented as about 1.4 bytes a pixel.
            check(pair == 32, f"a picture pair counts {pair} MiB")
            check(W * H * 10 // 2**20 >= scratch >= W * H // 2**20,
                  f"worker scratch {scratch} MiB is 1..10 bytes a pixel")
            # The note rounds each figure to the nearest MiB: allow that.
            def need(k, d):
                return k * (scratch + d + 2 * (pair + d)) + 2 * (pair + d)
            check(need(n, -0.5) <= left + 0.5 and need(n + 1, 0.5) > left - 0.5,
                  f"{n} is the largest count the documented rule fits in {left} MiB")
        if rc == 0 and os.path.exists(one):
            a, b = frames(one), frames(many)
            check(len(a) == FRAMES and a == b,
                  "per-frame metrics identical to --threads 1 (every key, every frame)")
        if sanitized:
            print("skip peak RSS: a sanitizer build (shadow memory and quarantine)")
        else:
            check(rss <= limit, f"peak RSS {rss / 2**20:.0f} MiB within the 1024 MiB limit")

        small = os.path.join(t, "small.json")
        rc, err, _ = run(base + ["--memory-limit", "100M", "-q", "-o", small])
        check(rc == 1, f"a 100M limit fails (rc {rc})")
        check(len(err) == 1 and re.fullmatch(
            r"tinyvmaf: memory limit too small: \d+ MiB of it are left for scoring, one thread "
            r"at 4096x4096 needs (\d+) MiB \(\d+ MiB of scratch and 4 picture pairs of 32 MiB\)",
            err[0]) is not None, f"one line naming the size one thread needs: {err}")
        check(not os.path.exists(small), "nothing written")
        check(not [f for f in os.listdir(t) if f.startswith(".tv")], "no temporary left")

        for arg, rc_want in (("1.5G", 2), ("0x40", 2), ("", 2), ("1K", 2), ("-1G", 2),
                             ("12X", 2), ("99999999999T", 2), ("2GB", 2)):
            rc, err, _ = run(base + ["--memory-limit", arg, "-q"])
            check(rc == rc_want and len(err) == 1 and "--memory-limit" in err[0],
                  f"--memory-limit {arg!r} refused with one line (rc {rc}: {err})")
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--make"]:
        y4m(sys.argv[3], 2, y4m(sys.argv[2], 1))
        sys.exit(0)
    sys.exit(main())
