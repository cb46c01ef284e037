#!/usr/bin/python3
"""train / eval / export / predict: outputs never replace inputs, links
planted at the old predictable temporary names are not followed, modes
are kept, stdout failures fail the run, read errors are errors, and
predict reads CSV with the trainer's reader (quotes, CRLF, BOM)."""
import json
import os
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_common import CLI, check, cleanup, finish, require_cli, run, sha256, synth, workdir

require_cli()
d = workdir("train-integrity")
j = lambda n: os.path.join(d, n)
data = synth(j("s.csv"), 600, 6, 3)
data_sha = sha256(data)
FAST = ["--epochs", "2", "--quiet"]


def one_line_error(p, what, status=None):
    ls = [l for l in p.stderr.splitlines() if l.strip()]
    return check(p.returncode not in (0,) and p.returncode < 128 and len(ls) == 1 and
                 (status is None or p.returncode == status),
                 f"{what}: exit {p.returncode}, expected one stderr line: {p.stderr!r}")


# Links at "NAME.tmp.PID" for the PIDs the next runs are likely to get:
# the old writers opened that name with fopen("wb") and followed them.
with open(j("victim.txt"), "w") as f:
    f.write("precious")
probe = subprocess.run(["sh", "-c", "echo $$"], capture_output=True, text=True)
next_pid = int(probe.stdout)
names = ("m.onnx", "m.json", "p.csv", "m.ckpt")
for pid in range(next_pid, next_pid + 400):
    for n in names:
        os.symlink(j("victim.txt"), j(f"{n}.tmp.{pid}"))
p = run("train", "--data", data, "-o", j("m.onnx"), "--predictions", j("p.csv"),
        "--checkpoint", j("m.ckpt"), *FAST)
check(p.returncode == 0, f"train with planted links: {p.stderr.strip()}")
check(open(j("victim.txt")).read() == "precious", "a planted link at NAME.tmp.PID was followed")
check(all(os.path.isfile(j(n)) and not os.path.islink(j(n)) for n in names), "outputs written")
for pid in range(next_pid, next_pid + 400):
    for n in names:
        os.unlink(j(f"{n}.tmp.{pid}"))

# Replacing an output keeps its mode.
os.chmod(j("p.csv"), 0o600)
os.chmod(j("m.onnx"), 0o640)
run("train", "--data", data, "-o", j("m.onnx"), "--predictions", j("p.csv"), *FAST)
check(stat.S_IMODE(os.stat(j("p.csv")).st_mode) == 0o600, "--predictions lost mode 0600")
check(stat.S_IMODE(os.stat(j("m.onnx")).st_mode) == 0o640, "-o lost mode 0640")

# Outputs naming inputs (or each other) are refused before any work.
os.symlink("s.csv", j("s_link.csv"))
for argv, what in (
        (["train", "--data", data, "--predictions", data], "train --predictions = --data"),
        (["train", "--data", data, "--checkpoint", j("s_link.csv")], "train --checkpoint = link to --data"),
        (["train", "--data", data, "-o", j("m.onnx"), "--predictions", j("m.json")],
         "train --predictions = the sidecar"),
        (["train", "--data", data, "--predictions", j("x.csv"), "--checkpoint", j("x.csv")],
         "train: two outputs, one file"),
        (["eval", "--data", data, "-o", data], "eval -o = --data"),
        (["eval", "--model", j("m.onnx"), "--data", data, "-o", j("m.json")], "eval -o = the model's sidecar")):
    p = run(*argv, *([] if argv[0] != "train" else FAST), check=False)
    one_line_error(p, what, status=2)
check(sha256(data) == data_sha, "the data table changed")
with open(j("m.ckpt")) as f:
    ckpt = f.read()
os.rename(j("m.ckpt"), j("c.json"))
p = run("export", "--checkpoint", j("c.json"), "-o", j("c.onnx"), check=False)
one_line_error(p, "export: the sidecar is the checkpoint", status=2)
check(open(j("c.json")).read() == ckpt, "the checkpoint changed")

# JSON built by hand escapes what users name.
p = run("train", "--data", data, "-o", j("q.onnx"), "--id", 'q"1\n', *FAST)
try:
    side = json.load(open(j("q.json")))
except (OSError, ValueError) as e:
    side = {"id": str(e)}
check(side["id"] == 'q"1\n', f"sidecar id with a quote and a newline: {side['id']!r}")

# stdout: a failed write fails the run with one line.
with open("/dev/full", "wb") as full:
    for argv, what in ((["train", "--data", data, *FAST], "train"),
                       (["eval", "--data", data, *FAST], "eval"),
                       (["predict", "--tiny-model", j("m.onnx"), "--features", data], "predict")):
        p = subprocess.run([CLI, *argv], stdout=full, stderr=subprocess.PIPE, text=True)
        one_line_error(p, f"{what} > /dev/full", status=1)
        check("stdout" in p.stderr, f"{what} > /dev/full: the error names stdout")

# predict: stdout appending to the features file is refused.
with open(j("feat.csv"), "w") as f:
    f.write(open(data).read())
with open(j("feat.csv"), "a") as out:
    p = subprocess.run([CLI, "predict", "--tiny-model", j("m.onnx"), "--features", j("feat.csv")],
                       stdout=out, stderr=subprocess.PIPE, text=True)
one_line_error(p, "predict >> its own features file", status=2)
check(open(j("feat.csv")).read() == open(data).read(), "the features file changed")

# Read errors are errors, never an early end of the table.
for src, what in (("/proc/self/mem", "read error (EIO)"), (d, "a directory")):
    p = run("predict", "--tiny-model", j("m.onnx"), "--features", src, check=False)
    one_line_error(p, f"predict --features {what}", status=1)
    check(p.stdout == "", f"predict printed scores for {what}")
    p = run("train", "--data", src, *FAST, check=False)
    one_line_error(p, f"train --data {what}", status=1)

# One CSV reader: quoted header names, CRLF, a BOM and quoted cells read the
# same in predict as in train/eval.
rows = open(data).read().splitlines()
hdr = rows[0].split(",")
quoted = "\ufeff" + ",".join(f'"{h}"' for h in hdr) + "\r\n" + \
    "".join(",".join(f'"{c}"' if i % 2 else c for i, c in enumerate(r.split(","))) + "\r\n"
            for r in rows[1:])
with open(j("quoted.csv"), "w", encoding="utf-8", newline="") as f:
    f.write(quoted)
a = run("predict", "--tiny-model", j("m.onnx"), "--features", data)
b = run("predict", "--tiny-model", j("m.onnx"), "--features", j("quoted.csv"))
check(a.returncode == 0 and a.stdout == b.stdout and a.stdout.count("\n") == 600,
      f"predict reads quoted/CRLF/BOM CSV like plain CSV: {b.stderr.strip()}")
p = run("eval", "--model", j("m.onnx"), "--data", j("quoted.csv"))
check(p.returncode == 0, "eval reads the quoted CSV")
with open(j("nul.csv"), "wb") as f:
    f.write(open(data, "rb").read().replace(b"\n", b"\n\0", 1))
p = run("predict", "--tiny-model", j("m.onnx"), "--features", j("nul.csv"), check=False)
one_line_error(p, "predict: NUL byte", status=1)

left = [n for n in os.listdir(d) if n.startswith(".tv") or ".tmp." in n]
check(not left, f"temporaries left: {left}")
cleanup(d)
finish("train-integrity")
