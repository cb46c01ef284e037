"""`make bench-extra`: SpEED chroma speed (information, never pass/fail), CPU time per frame of
tinyvmaf's speed_chroma module (tests/golden/speed_dump, one thread, each frame
scored several times) at 1080p and 2160p 8-bit 4:2:0, with the options of the
v1 1080p models (3d0h) and of the prescaled ones (5d0h: 0.6, 3d0h_2160: 0.5,
bilinear), best ISA and plain C. With VMAF_BIN=/path/to/libvmaf/vmaf, libvmaf's
`--feature speed_chroma` on the same clip, one thread, its default SIMD and
--cpumask 63, as CPU time per frame of the whole command (Y4M reading
included; it is a small part).

Clips: the shared golden case a (../shared/golden, libvmaf's 768x576 pair)
upscaled with FFmpeg's lanczos, first 12 frames."""
import lzma
import os
import shutil
import subprocess
import sys

FRAMES = 12
OPTS = {"3d0h": ["speed_nn_floor=0.1", "speed_sigma_nn=0.19", "speed_weight_var_mode=5",
                 "speed_max_val=45"]}
OPTS["5d0h"] = OPTS["3d0h"] + ["speed_prescale=0.6", "speed_prescale_method=bilinear"]
OPTS["3d0h_2160"] = OPTS["3d0h"] + ["speed_prescale=0.5", "speed_prescale_method=bilinear"]


def clips(shared, cache, w, h):
    """(ref.y4m, dis.y4m, ref.yuv, dis.yuv) at w x h, made once."""
    out = []
    for k in ("ref", "dis"):
        src = os.path.join(cache, f"a_{k}.y4m")
        if not os.path.exists(src):
            with lzma.open(os.path.join(shared, "golden", f"a_768x576_420p8_crf30_{k}.y4m.xz")) as f, \
                    open(src + ".part", "wb") as g:
                shutil.copyfileobj(f, g, 1 << 20)
            os.replace(src + ".part", src)
        y4m, yuv = (os.path.join(cache, f"a_{w}x{h}_{k}.{e}") for e in ("y4m", "yuv"))
        for dst, fmt in ((y4m, "yuv4mpegpipe"), (yuv, "rawvideo")):
            if not os.path.exists(dst):
                subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                                "-i", src, "-frames:v", str(FRAMES), "-vf",
                                f"scale={w}:{h}:flags=lanczos,format=yuv420p", "-f", fmt,
                                dst + ".part"], check=True)
                os.replace(dst + ".part", dst)
        out.append((y4m, yuv))
    return out[0][0], out[1][0], out[0][1], out[1][1]


def ours(dump, ref, dis, w, h, opts, mask, reps):
    p = subprocess.run([dump, ref, dis, str(w), str(h), "420", "8", f"cpumask={mask}",
                        f"time={reps}"] + opts, capture_output=True, text=True, check=True)
    return float([line for line in p.stdout.splitlines() if line.startswith("T ")][0].split()[1])


def libvmaf(vmaf, ref, dis, opts, mask):
    cmd = [vmaf, "-r", ref, "-d", dis, "-n", "-q", "--threads", "1", "-o", os.devnull,
           "--feature", "speed_chroma=" + ":".join(opts)] + (["--cpumask", str(mask)] if mask else [])
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.execv(cmd[0], cmd)
    _, status, ru = os.wait4(pid, 0)
    if status:
        raise SystemExit(f"bench: {' '.join(cmd)} failed ({status})")
    return (ru.ru_utime + ru.ru_stime) / FRAMES


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    dump = os.path.join(build, "tests", "speed_dump")
    src_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    shared = os.environ.get("TVMAF_SHARED_DIR", os.path.join(src_root, "..", "shared"))
    if not os.path.isfile(dump) or not shutil.which("ffmpeg") or \
            not os.path.isdir(os.path.join(shared, "golden")):
        print("speed_chroma bench: skipped (needs tests/speed_dump, ffmpeg and ../shared/golden)")
        return 0
    cache = os.path.join(build, "bench-clips")
    os.makedirs(cache, exist_ok=True)
    vmaf = os.environ.get("VMAF_BIN")
    print(f"SpEED chroma, 8-bit 4:2:0, {FRAMES} frames, CPU ms per frame (fps), 1 thread")
    print(f"{'clip':>6} {'options':>10} {'tinyvmaf best':>16} {'tinyvmaf C':>16}" +
          (f" {'libvmaf':>16} {'libvmaf C':>16}" if vmaf else ""))
    for (w, h), sets in (((1920, 1080), ("3d0h", "5d0h")), ((3840, 2160), ("3d0h", "3d0h_2160"))):
        ry, dy, rr, dr = clips(shared, cache, w, h)
        for name in sets:
            t = [ours(dump, rr, dr, w, h, OPTS[name], m, 5) for m in (0, 63)]
            if vmaf:
                t += [libvmaf(vmaf, ry, dy, OPTS[name], m) for m in (0, 63)]
            print(f"{h:>5}p {name:>10} " + " ".join(f"{1e3 * s:>7.2f} ({1 / s:>5.0f})" for s in t))
    return 0


if __name__ == "__main__":
    sys.exit(main())
