"""Allocation-failure walk (docs/security.md): runs the CLI of a
-Dalloc_fail=true build (tests/alloc_fail/alloc_fail.c) once per chosen n,
with the n-th counted allocation failing, over

  score   a 3-frame 320x180 pair from samples/ with the default models
          (built-in vmaf_v0.6.1 and vmaf_tiny_v2), JSON output and --plot,
          then `tinyvmaf plot` of that JSON
  models  the same pair with a classic model and a tiny model loaded from
          files, plus `tinyvmaf models` verifying the repository's registry
  train   `tinyvmaf train` with a checkpoint and predictions, `eval` of the
          model it wrote, `export` of the checkpoint and `predict` with it

Each command of a target is walked on its own (the commands before it run
normally to make its inputs): a first run records every counted allocation
and its call site, then the walk fails each site's first call, its last
one, and every STRIDE-th call besides (TVMAF_ALLOC_STRIDE, default: so that
a command takes at most ~60 runs). Every run must end with exit 0 and the
same summary and output as the run without failure, or with exit 1/2 and
exactly one line on stderr; no sanitizer report, no signal, no temporary
file left beside the output. Ends with "N passed, N failed, N skipped"
(one per target)."""
import json
import lzma
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

CLI = os.environ["TVMAF_CLI"]
ROOT = os.environ.get("TVMAF_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
JOBS = int(os.environ.get("TVMAF_ALLOC_JOBS", "2"))
MAX_RUNS = 60
SANITIZER_MARKS = ("Sanitizer", "runtime error:", "LeakSanitizer")


def cut_y4m(src, dst, frames):
    """The first `frames` frames of an .y4m.xz sample."""
    data = lzma.open(src).read()
    head_end = data.index(b"\n") + 1
    head = data[:head_end].decode()
    w = int(head.split(" W")[1].split()[0])
    h = int(head.split(" H")[1].split()[0])
    frame = 6 + w * h * 3 // 2
    with open(dst, "wb") as f:
        f.write(data[:head_end + frames * frame])


def table(path):
    import random
    rng = random.Random(7)
    cols = ["adm2", "vif_scale0", "vif_scale1", "vif_scale2", "vif_scale3", "motion2", "vmaf"]
    with open(path, "w") as f:
        f.write(",".join(cols) + "\n")
        for _ in range(64):
            v = [rng.random() for _ in range(6)]
            f.write(",".join(f"{x:.6f}" for x in v) + f",{sum(v) * 15:.4f}\n")


def env_for(n, trace=None):
    e = dict(os.environ)
    e.pop("TVMAF_FAIL_ALLOC", None)
    e.pop("TVMAF_ALLOC_TRACE", None)
    if n:
        e["TVMAF_FAIL_ALLOC"] = str(n)
    if trace:
        e["TVMAF_ALLOC_TRACE"] = trace
    e.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    e.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    return e


def run_steps(steps, work, at, n, trace=None):
    """Runs the target's commands in a fresh directory, failing allocation n
    (tracing) in step `at` only; stops at the first command that fails.
    Returns (rc, stderr, stdout of all steps, output files)."""
    os.makedirs(work)
    out = b""
    for k, argv in enumerate(steps):
        e = env_for(n, trace) if k == at else env_for(0)
        p = subprocess.run([CLI] + argv, cwd=work, capture_output=True, env=e, timeout=300)
        out += re.sub(rb"\d+\.\d+ s\b", b"T s", p.stdout)  # training time
        if p.returncode:
            return p.returncode, p.stderr.decode(errors="replace"), out, listing(work)
        err = p.stderr.decode(errors="replace")
        if any(m in err for m in SANITIZER_MARKS):
            return p.returncode, err, out, listing(work)
    return 0, "", out, listing(work)


def listing(work):
    files = {}
    for name in sorted(os.listdir(work)):
        path = os.path.join(work, name)
        files[name] = open(path, "rb").read() if os.path.isfile(path) else None
    return files


def comparable(files):
    """The outputs without what depends on the clock (JSON "fps")."""
    def drop(v):
        if isinstance(v, dict):
            return {k: drop(x) for k, x in v.items() if k not in ("fps", "seconds", "elapsed_s")}
        return [drop(x) for x in v] if isinstance(v, list) else v
    out = {}
    for k, v in files.items():
        if k.endswith(".json") and v is not None:
            try:
                v = drop(json.loads(v))
            except ValueError:
                pass
        out[k] = v
    return out


def choose(trace_path):
    sites, order = {}, []
    for line in open(trace_path):
        i, site = line.split()
        order.append(int(i))
        sites.setdefault(site, []).append(int(i))
    n = len(order)
    picks = set()
    for calls in sites.values():
        picks.update((calls[0], calls[-1]))
    stride = int(os.environ.get("TVMAF_ALLOC_STRIDE", "0")) or max(1, n // max(1, MAX_RUNS - len(picks)))
    picks.update(range(1, n + 1, stride))
    return n, len(sites), sorted(picks)


def walk(name, steps, work_root):
    """Walks every step (one CLI command) of a target; the steps before the
    one being walked prepare its inputs."""
    problems = []
    for at in range(len(steps)):
        problems += walk_step(name, steps, at, work_root)
    print(f"{'ok' if not problems else 'FAIL'} {name}: {len(problems)} problems")
    return not problems


def walk_step(name, steps, at, work_root):
    label = f"{name} step {at + 1} ({steps[at][0] if not steps[at][0].startswith('-') else 'score'})"
    trace = os.path.join(work_root, f"{name}-{at}.trace")
    rc, err, base_out, base_files = run_steps(steps, os.path.join(work_root, f"{name}-{at}-base"),
                                              at, 0, trace)
    if rc or any(m in err for m in SANITIZER_MARKS):
        print(f"FAIL {label}: the run without failures exits {rc}: {err.strip()[:2000]}")
        return [(0, "no clean run")]
    n, n_sites, picks = choose(trace)
    print(f"{label}: {n} counted allocations at {n_sites} sites; failing {len(picks)} of them")
    problems = []

    def one(k):
        work = os.path.join(work_root, f"{name}-{at}-{k}")
        try:
            rc, err, out, files = run_steps(steps, work, at, k)
        except subprocess.TimeoutExpired:
            return k, "timed out (hang?)"
        lines = [l for l in err.splitlines() if l.strip()]
        left = [f for f in files if f.startswith(".tv") or ".tmp" in f]
        if any(m in err for m in SANITIZER_MARKS):
            return k, "sanitizer report:\n" + err[-3000:]
        if rc < 0:
            return k, f"killed by signal {-rc}"
        if left:
            return k, f"temporary files left: {left}"
        if rc == 0:
            if out != base_out or comparable(files) != comparable(base_files):
                return k, "exit 0 with other results than the run without failures"
            return k, None
        if rc not in (1, 2):
            return k, f"exit {rc}: {err.strip()[:500]}"
        if len(lines) != 1:
            return k, f"exit {rc} with {len(lines)} lines on stderr: {lines[:6]}"
        return k, None

    with ThreadPoolExecutor(JOBS) as ex:
        for k, problem in ex.map(one, picks):
            if problem:
                problems.append((k, problem))
                print(f"FAIL {label} n={k}: {problem}")
            shutil.rmtree(os.path.join(work_root, f"{name}-{at}-{k}"), ignore_errors=True)
    return problems


def main():
    linked = subprocess.run(["ldd", CLI], capture_output=True, text=True).stdout
    if "libasan" not in linked:
        print("note: not an AddressSanitizer build; leaks are not checked")
    probe = subprocess.run([CLI, "--version"], capture_output=True,
                           env=env_for(0, os.devnull))
    if probe.returncode != 0:
        print(f"SKIP: {CLI} does not run")
        return 77
    with tempfile.TemporaryDirectory() as t:
        ref, dis, csv = (os.path.join(t, n) for n in ("ref.y4m", "dis.y4m", "t.csv"))
        cut_y4m(os.path.join(ROOT, "samples", "city_320x180_ref.y4m.xz"), ref, 3)
        cut_y4m(os.path.join(ROOT, "samples", "city_320x180_dis.y4m.xz"), dis, 3)
        table(csv)
        models = os.path.join(ROOT, "models")
        pair = ["-r", ref, "-d", dis, "--threads", "1"]
        targets = {
            "score": [pair + ["--json", "-o", "out.json", "--plot", "out.svg"],
                      ["plot", "out.json", "-o", "replot.svg"]],
            "models": [pair + ["--model", "path=" + os.path.join(models, "libvmaf", "vmaf_v0.6.1.json"),
                               "--tiny-model", os.path.join(models, "vmaf_tiny_v3.onnx")],
                       ["models", "--model-dir", models]],
            "train": [["train", "--data", csv, "-o", "m.onnx", "--epochs", "2", "--arch",
                       "mlp_small", "--quiet", "--checkpoint", "m.ckpt", "--predictions",
                       "pred.csv"],
                      ["eval", "--model", "m.onnx", "--data", csv, "-o", "report.json"],
                      ["export", "--checkpoint", "m.ckpt", "-o", "e.onnx"],
                      ["predict", "--tiny-model", "e.onnx", "--features", csv]],
        }
        only = os.environ.get("TVMAF_ALLOC_TARGETS")
        results = [walk(name, steps, t) for name, steps in targets.items()
                   if not only or name in only.split(",")]
    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed, 0 skipped")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
