"""The shipped models out of the box, against libvmaf's goldens.

With no environment variable and no model flag, from a directory that is not
the source tree: `tinyvmaf models` verifies every built-in digest (exit 0),
and `tinyvmaf -r REF -d DIS --json` on each golden case gives `vmaf` equal to
libvmaf 3.2.0's per frame (1e-4) plus the default tiny model, whose pooled
mean is within 1.0 VMAF of libvmaf's pooled vmaf mean (vmaf_tiny_v3, when it
ships: within 0.5, selected with --tiny-model).
"""
import json
import os
import subprocess
import sys
import tempfile

from golden_common import cases, clip, frames_by_num

TOL_FRAME = 1e-4
TOL_TINY = {"vmaf_tiny_v2": 1.0, "vmaf_tiny_v3": 0.5}
failures = []


def check(cond, what):
    print(f"{'ok' if cond else 'FAIL':4} {what}")
    if not cond:
        failures.append(what)


def main():
    exe = os.path.abspath(os.environ["TVMAF_CLI"])
    env = {k: v for k, v in os.environ.items()
           if k not in ("TINYVMAF_MODEL_DIR", "TINYVMAF_MODEL_PATH")}
    golden, cs = cases()
    with tempfile.TemporaryDirectory() as work:
        p = subprocess.run([exe, "models"], capture_output=True, text=True, cwd=work, env=env)
        builtin = [l.split()[0] for l in p.stdout.splitlines() if " built-in " in l]
        check(p.returncode == 0 and "vmaf_tiny_v2" in builtin,
              f"tinyvmaf models verifies every built-in model ({', '.join(builtin)})")
        shipped = [m for m in TOL_TINY if m in builtin]
        for c in cs:
            ref, dis = clip(golden, c["ref"]), clip(golden, c["dis"])
            lib = json.load(open(os.path.join(golden, c["vmaf_json"])))
            lib_mean = lib["pooled_metrics"]["vmaf"]["mean"]
            for mid in shipped:
                out = os.path.join(work, f"{c['case']}.{mid}.json")
                args = [exe, "-r", ref, "-d", dis, "--json", "-o", out, "-q"]
                if mid != "vmaf_tiny_v2":
                    args += ["--tiny-model", mid]
                p = subprocess.run(args, capture_output=True, text=True, cwd=work, env=env)
                if p.returncode != 0:
                    check(False, f"{c['name']}: {mid}: exit {p.returncode}: {p.stderr.strip()}")
                    continue
                ours = json.load(open(out))
                a, b = frames_by_num(ours), frames_by_num(lib)
                worst = max(abs(a[i]["vmaf"] - b[i]["vmaf"]) for i in b)
                check(worst <= TOL_FRAME, f"{c['name']}: built-in vmaf_v0.6.1 per frame "
                      f"max|d| {worst:.2g}")
                check(all(mid in a[i] for i in a), f"{c['name']}: {mid} on every frame")
                tiny = ours["pooled_metrics"][mid]["mean"]
                block = ours.get("tiny_model", {})
                check(block.get("id") == mid, f"{c['name']}: tiny_model block names {mid}")
                d = abs(tiny - lib_mean)
                check(d <= TOL_TINY[mid], f"{c['name']}: {mid} pooled mean {tiny:.3f} vs libvmaf "
                      f"vmaf {lib_mean:.3f} (|d| {d:.3f} <= {TOL_TINY[mid]})")
    if failures:
        print(f"{len(failures)} failures")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
