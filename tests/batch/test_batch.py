"""tinyvmaf batch / merge: a 12-job manifest (crops, cuts, skips, subsample,
raw 8/10-bit, a second model) run by one process, and as 4 shards through
GNU parallel with one shard killed midway and rerun; the merged tables must
be byte-identical. Also: results equal `-o --json`, shard assignment is
FNV-1a 64 of the id, Slurm / Kubernetes index variables, resume after a
manifest change, JSON Lines manifests, SIGTERM leaves no temporaries."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from batch_clips import (CLI, check, failures, fnv1a64, jobs, make_clips, run,  # noqa: E402
                         write_manifest_csv, write_manifest_jsonl)


def strip_volatile(doc):
    doc = dict(doc)
    doc.pop("fps", None)
    doc.pop("batch", None)
    return doc


def results(d):
    return sorted(n for n in os.listdir(d) if n.endswith(".json") and not n.startswith("."))


def temporaries(d):
    return [n for n in os.listdir(d) if n.startswith(".")]


def merged(d, manifest=None, ext="csv"):
    out = os.path.join(os.path.dirname(d), f"{os.path.basename(d)}.{ext}")
    p = run(["merge", d, "-o", out] + (["--manifest", manifest] if manifest else []))
    check(p.returncode == 0, f"merge {os.path.basename(d)} ({ext}) exit 0 "
          f"({p.stderr.decode().strip()})")
    return open(out, "rb").read()


def main():
    with tempfile.TemporaryDirectory() as d:
        j = lambda *n: os.path.join(d, *n)
        w, h = make_clips(d)
        rows = jobs(w, h)
        man = j("sub", "jobs.csv")
        write_manifest_csv(man, rows)
        ids = [r[0] for r in rows]

        # --- one process, every job ---
        p = run(["batch", man, "--out", j("single"), "--jobs", "2"])
        check(p.returncode == 0, f"single batch exit 0 ({p.stderr.decode()[-400:]})")
        check(results(j("single")) == sorted(i + ".json" for i in ids), "single: one result per job")
        check(b"tinyvmaf batch: 12 jobs: 12 done, 0 failed, 0 skipped" in p.stderr, "single: summary line")
        check(b"\r" not in p.stderr, "no progress output when stderr is not a TTY")
        single_csv = merged(j("single"), man)
        single_jsonl = merged(j("single"), man, "jsonl")
        lines = single_csv.decode().splitlines()
        head = lines[0].split(",")
        check(head[:3] == ["id", "status", "frames"] and head[-1] == "error" and
              "vmaf" in head and "vmaf_neg" in head and head[3:-1] == sorted(head[3:-1]),
              f"merge header: sorted score columns ({lines[0]})")
        if "vmaf_tiny_v2" in head:
            col = head.index("vmaf_tiny_v2")
            tiny = {l.split(",")[0]: l.split(",")[col] for l in lines[1:]}
            check(tiny["notiny"] == "" and tiny["full"] != "", "tiny_model none: no tiny score")
        check([l.split(",")[0] for l in lines[1:]] == ids, "merge rows in manifest order")
        frames = {l.split(",")[0]: l.split(",")[2] for l in lines[1:]}
        check(frames == {"full": "12", "cnt5": "5", "skip1": "6", "sub3": "12", "crop": "12",
                         "crop_cnt4": "4", "raw8": "12", "raw10": "5", "neg": "4", "notiny": "3",
                         "crop_sub2": "12", "same": "4"}, f"frames per job ({frames})")
        same = [l for l in lines if l.startswith("same,")][0].split(",")
        check(float(same[3]) > 97, f"reference against itself scores high ({same[3]})")

        # --- a result is the JSON of -o --json (fps aside), plus the batch block ---
        for jid, args in (("crop_cnt4", ["-r", j("crop_ref.y4m"), "-d", j("crop_dis.y4m"),
                                         "--frame_cnt", "4"]),
                          ("raw10", ["-r", j("ref_10.yuv"), "-d", j("dis_10.yuv"), "-w", str(w),
                                     "-h", str(h), "-p", "420", "-b", "10", "--frame_cnt", "5"]),
                          ("neg", ["-r", j("ref.y4m"), "-d", j("dis.y4m"), "--frame_cnt", "4",
                                   "--model", "version=vmaf_v0.6.1neg:name=vmaf_neg"])):
            p = run(args + ["-q", "--json", "-o", j(f"cli_{jid}.json")])
            cli = json.load(open(j(f"cli_{jid}.json")))
            res = json.load(open(j("single", jid + ".json")))
            check(p.returncode == 0 and strip_volatile(cli) == strip_volatile(res),
                  f"{jid}: result equals tinyvmaf -o --json")
            b = res.get("batch", {})
            check(b.get("id") == jid and len(b.get("row_digest", "")) == 16 and
                  b.get("tinyvmaf") == res["version"], f"{jid}: batch block {b}")

        # --- shard assignment: FNV-1a 64 of the id, mod N ---
        expect = {s: sorted(i + ".json" for i in ids if fnv1a64(i) % 4 == s) for s in range(4)}
        check(all(expect[s] for s in range(4)), f"every shard has jobs ({expect})")
        p = run(["batch", man, "--out", j("s1"), "--shard", "1/4"])
        check(p.returncode == 0 and results(j("s1")) == expect[1] and
              b"shard 1/4 (from --shard)" in p.stderr, "--shard 1/4 runs the FNV-1a shard 1")
        p = run(["batch", man, "--out", j("slurm"), "-q"],
                env={"SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_MIN": "5",
                     "SLURM_ARRAY_TASK_COUNT": "4"})
        check(p.returncode == 0 and results(j("slurm")) == expect[2],
              "SLURM_ARRAY_TASK_ID 7 - MIN 5 of COUNT 4 runs shard 2")
        p = run(["batch", man, "--out", j("slurm2")],
                env={"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"})
        check(b"from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT" in p.stderr,
              "the run says it used the Slurm variables")
        p = run(["batch", man, "--out", j("k8s"), "--shards", "4"],
                env={"JOB_COMPLETION_INDEX": "0"})
        check(p.returncode == 0 and results(j("k8s")) == expect[0] and
              b"from JOB_COMPLETION_INDEX and --shards" in p.stderr,
              "JOB_COMPLETION_INDEX 0 with --shards 4 runs shard 0")
        p = run(["batch", man, "--out", j("k8s_bad")], env={"JOB_COMPLETION_INDEX": "0"})
        check(p.returncode == 2 and not os.path.exists(j("k8s_bad")),
              "JOB_COMPLETION_INDEX without --shards is refused")
        for bad in ("4/4", "1", "a/4", "1/0", "-1/4"):
            p = run(["batch", man, "--out", j("x"), "--shard", bad])
            check(p.returncode == 2 and len(p.stderr.splitlines()) == 1, f"--shard {bad} refused")

        # --- 4 shards through GNU parallel, one killed midway and rerun ---
        out = j("shards")
        victim = 3 if len(expect[3]) >= 2 else max(range(4), key=lambda s: len(expect[s]))
        k = subprocess.Popen([CLI, "batch", man, "--out", out, "--shard", f"{victim}/4",
                              "--jobs", "1", "-q"], stderr=subprocess.PIPE)
        t0 = time.time()
        while time.time() - t0 < 120 and not (os.path.isdir(out) and results(out)):
            time.sleep(0.02)
        k.send_signal(signal.SIGKILL)
        k.wait()
        time.sleep(0.5)  # the in-flight child gets SIGTERM (parent death) and cleans up
        before = {n: os.stat(os.path.join(out, n)).st_mtime_ns for n in results(out)}
        check(0 < len(before) < len(expect[victim]) or len(expect[victim]) == 1,
              f"the killed shard left {len(before)} of {len(expect[victim])} results")
        check(not temporaries(out), f"no temporaries after the kill ({temporaries(out)})")
        if shutil.which("parallel"):
            p = subprocess.run(["parallel", "--will-cite", "-j", "2", CLI, "batch", man, "--out", out,
                                "--shard", "{}/4", "--threads", "1", ":::", "0", "1", "2", "3"],
                               capture_output=True)
            via = "GNU parallel"
        else:
            print("note: GNU parallel not installed (apt-get install parallel); plain processes")
            ps = [subprocess.Popen([CLI, "batch", man, "--out", out, "--shard", f"{s}/4"],
                                   stderr=subprocess.PIPE) for s in range(4)]
            errs = [q.communicate()[1] for q in ps]
            p = subprocess.CompletedProcess([], max(q.returncode for q in ps), b"", b"".join(errs))
            via = "processes"
        check(p.returncode == 0, f"4 shards through {via} exit 0 ({p.stderr.decode()[-300:]})")
        check(f"{len(before)} skipped (up to date)".encode() in p.stderr,
              f"the rerun shard skipped its {len(before)} finished jobs")
        after = {n: os.stat(os.path.join(out, n)).st_mtime_ns for n in before}
        check(after == before, "finished results were not rewritten")
        check(merged(out, man) == single_csv, "shards merged (CSV) == one process")
        check(merged(out, man, "jsonl") == single_jsonl, "shards merged (JSONL) == one process")
        with open(os.path.join(out, "notes.json"), "w") as f:
            f.write('{"written by": "someone else"}\n')
        r = run(["merge", out, "--manifest", man])
        check(r.returncode == 0 and r.stdout == run(["merge", j("single"), "--manifest", man]).stdout
              and b"notes.json is not a tinyvmaf batch result; skipped" in r.stderr,
              "merge skips another tool's JSON with a warning")
        os.unlink(os.path.join(out, "notes.json"))
        p1 = run(["merge", out])
        p2 = run(["merge", j("single")])
        check(p1.returncode == 0 and p1.stdout == p2.stdout and p1.stdout,
              "merge without --manifest: same bytes (stdout)")

        # --- JSON Lines manifest: same digests, same table ---
        manj = j("sub", "jobs.jsonl")
        write_manifest_jsonl(manj, rows)
        p = run(["batch", manj, "--out", j("single"), "-j", "2"])
        check(p.returncode == 0 and b"0 done, 0 failed, 12 skipped" in p.stderr,
              "a JSON Lines manifest with the same rows is up to date")
        check(merged(j("single"), manj) == single_csv, "JSONL manifest merges the same")

        # --- resume: a changed row reruns, the others are skipped ---
        rows2 = [(i, dict(o, frame_cnt="2") if i == "full" else o) for i, o in rows]
        man2 = j("sub", "jobs2.csv")
        write_manifest_csv(man2, rows2)
        p = run(["batch", man2, "--out", j("single")])
        check(p.returncode == 0 and b"1 done, 0 failed, 11 skipped" in p.stderr,
              f"changed row reruns alone ({p.stderr.decode().strip()[-120:]})")
        r = run(["merge", j("single"), "--manifest", man])
        check(r.returncode == 1 and b"11 done, 0 failed, 1 missing" in r.stderr,
              "merge against the old manifest counts the changed job missing")

        # --- progress on a terminal only ---
        import pty
        master, slave = pty.openpty()
        k = subprocess.Popen([CLI, "batch", man, "--out", j("tty"), "--jobs", "2"],
                             stdout=subprocess.DEVNULL, stderr=slave)
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        k.wait()
        os.close(master)
        check(k.returncode == 0 and b"\r\x1b[Ktinyvmaf batch: 12 done, 0 failed, 0 skipped of 12" in seen
              and b"ETA" in seen, "a terminal gets the progress line (done/failed/skipped, ETA)")

        # --- SIGTERM: in-flight jobs stop, nothing half-written ---
        out3 = j("term")
        k = subprocess.Popen([CLI, "batch", man, "--out", out3, "--jobs", "2", "-q"],
                             stderr=subprocess.PIPE)
        t0 = time.time()
        while time.time() - t0 < 120 and not (os.path.isdir(out3) and (results(out3) or temporaries(out3))):
            time.sleep(0.005)
        k.send_signal(signal.SIGTERM)
        k.wait()
        time.sleep(0.3)
        check(k.returncode == -signal.SIGTERM, f"SIGTERM ends the batch by the signal ({k.returncode})")
        check(not temporaries(out3), f"no temporaries after SIGTERM ({temporaries(out3)})")
        for n in results(out3):
            json.load(open(os.path.join(out3, n)))
        p = run(["batch", man, "--out", out3, "--jobs", "2"])
        check(p.returncode == 0 and merged(out3, man) == single_csv,
              "after SIGTERM, a rerun completes and merges the same")
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
