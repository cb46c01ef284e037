"""Shared helpers for the golden tests: locate ../shared, unpack clips, run the CLI."""
import json
import lzma
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from shared_material import SKIP, missing  # noqa: E402,F401  (SKIP: meson's "skipped" code)


def shared_dir():
    """../shared; without it the test skips, or fails when CI=true (tests/shared_material.py)."""
    d = os.environ.get("TVMAF_SHARED_DIR", "")
    golden = os.path.join(d, "golden")
    if not d or not os.path.isfile(os.path.join(golden, "cases.json")):
        missing(f"shared golden material not found at {golden!r}")
    return d


def cases():
    golden = os.path.join(shared_dir(), "golden")
    with open(os.path.join(golden, "cases.json")) as f:
        return golden, json.load(f)["cases"]


def clip(golden, name):
    """Decompresses NAME.y4m.xz once into the build tree's cache."""
    cache = os.environ.get("TVMAF_CLIP_CACHE") or os.path.join(tempfile.gettempdir(), "tvmaf-clips")
    os.makedirs(cache, exist_ok=True)
    out = os.path.join(cache, name[:-3] if name.endswith(".xz") else name)
    if not os.path.exists(out):
        tmp = out + f".{os.getpid()}.part"
        with lzma.open(os.path.join(golden, name)) as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        os.replace(tmp, out)
    return out


def run_cli(args, check=True):
    exe = os.environ["TVMAF_CLI"]
    p = subprocess.run([exe] + args, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise SystemExit(f"FAIL: {exe} {' '.join(args)} exited {p.returncode}: {p.stderr.strip()}")
    return p


def score_json(ref, dis, extra, workdir, tag):
    out = os.path.join(workdir, tag + ".json")
    run_cli(["-r", ref, "-d", dis, "--json", "-o", out, "-q"] + extra)
    with open(out) as f:
        text = f.read()
    return json.loads(text), text


def frames_by_num(doc):
    return {fr["frameNum"]: fr["metrics"] for fr in doc["frames"]}


failures = []


def check(cond, what):
    """Prints one ok/FAIL line and records a failure; returns cond."""
    print(f"{'ok' if cond else 'FAIL':4} {what}")
    if not cond:
        failures.append(what)
    return cond


def verdict():
    """The final PASS/FAIL line; the exit status for sys.exit()."""
    print("PASS" if not failures else f"FAIL ({len(failures)})")
    return 1 if failures else 0
