"""Shared helpers of the training tests (see train/tests/meson.build for the env)."""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

CLI = os.environ.get("TVMAF_CLI", "")
SYNTH = os.environ.get("TRAIN_SYNTH", "")
SOURCE_ROOT = os.environ.get("TVMAF_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
SKIP = 77
FEATURES = ["adm2", "vif_scale0", "vif_scale1", "vif_scale2", "vif_scale3", "motion2"]

failures = []


def require_cli():
    if not CLI or not os.access(CLI, os.X_OK):
        print(f"SKIP: tinyvmaf CLI not built ({CLI or 'TVMAF_CLI unset'})")
        sys.exit(SKIP)
    if not SYNTH or not os.access(SYNTH, os.X_OK):
        print("SKIP: train_synth not built")
        sys.exit(SKIP)


def workdir(name):
    base = os.environ.get("TVMAF_TEST_TMP") or tempfile.gettempdir()
    os.makedirs(base, exist_ok=True)
    d = tempfile.mkdtemp(prefix=name + "-", dir=base)
    return d


def cleanup(d):
    if not failures:
        shutil.rmtree(d, ignore_errors=True)


def synth(path, rows, groups, seed):
    subprocess.run([SYNTH, path, str(rows), str(groups), str(seed)], check=True)
    return path


def run(*args, env=None, check=True):
    """Runs the CLI; returns CompletedProcess with text output."""
    e = dict(os.environ)
    if env:
        e.update(env)
    p = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, env=e)
    if check and p.returncode != 0:
        fail(f"{' '.join(map(str, args))} exited {p.returncode}: {p.stderr.strip()}")
    return p


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def check(cond, msg):
    if not cond:
        fail(msg)
    return cond


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def read_column(path, name=None):
    """Floats of one CSV column (by name, or the only column of a headerless file)."""
    with open(path) as f:
        lines = f.read().split("\n")
    lines = [l for l in lines if l]
    if name is None:
        try:
            return [float(l) for l in lines]
        except ValueError:
            return [float(l) for l in lines[1:]]
    hdr = lines[0].split(",")
    i = hdr.index(name)
    return [float(l.split(",")[i]) for l in lines[1:]]


def max_rel(a, b):
    """max |a - b| / max(1, |b|): relative, with an absolute floor near 0."""
    assert len(a) == len(b), (len(a), len(b))
    return max(abs(x - y) / max(1.0, abs(y)) for x, y in zip(a, b))


def finish(name):
    if failures:
        print(f"{name}: {len(failures)} failure(s)")
        sys.exit(1)
    print(f"{name}: ok")
    sys.exit(0)
