#!/usr/bin/python3
"""Training-corpus builder.

Turns the 25 kept sources of shared/corpus/sources.tsv into a table of per-frame
VMAF features and vmaf_v0.6.1 labels, computed by tinyvmaf itself, following
corpus/recipe.json. Each encode (a "clip") is one job: encode a scaled copy of the
reference, decode it, scale it back and pipe it into `tinyvmaf -r REF -d -`.

State lives in a cache directory outside the work tree (~/.cache/tinyvmaf/corpus: debs, extracted sources, references, one result
file per clip) and is resumable: a clip whose result file exists is skipped, and
the committed table (corpus/tinyvmaf_corpus.csv.xz) seeds the result files of a
fresh machine. `--export` writes the table and MANIFEST.json from what is done.

Only the Python standard library is used (run with /usr/bin/python3).
"""
import argparse
import concurrent.futures
import csv
import hashlib
import io
import json
import lzma
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TABLE = os.path.join(HERE, "tinyvmaf_corpus.csv.xz")
MANIFEST = os.path.join(HERE, "MANIFEST.json")
TIMINGS = os.path.join(HERE, "timings.tsv")
# Encodes finished after the last export: committed so that a new machine
# resumes from them, without changing the table the shipped models name.
PROGRESS = os.path.join(HERE, "progress.csv.xz")
RECIPE = os.path.join(HERE, "recipe.json")


class BuildError(Exception):
    pass


def die(msg):
    print(f"corpus: {msg}", file=sys.stderr)
    sys.exit(1)


def sha256_file(path, h=None):
    own = h is None
    h = h or hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest() if own else h


def atomic_write(path, data):
    d = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=".tmp.", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def one_line(text, limit=300):
    """A tool's stderr as one line: its lines joined, the tail kept."""
    text = " / ".join(l.strip() for l in text.strip().splitlines() if l.strip())
    return text[-limit:]


def even(x):
    return 2 * int(x / 2 + 0.5)


# --------------------------------------------------------------------------- plan

def load_sources(tsv, expect=None):
    rows = []
    with open(tsv, newline="") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            if r.get("keep") == "yes":
                rows.append(r)
    if expect is not None and len(rows) != expect:
        raise BuildError(f"{tsv}: expected {expect} kept sources, found {len(rows)}")
    if not rows:
        raise BuildError(f"{tsv}: no kept sources")
    return rows


def ref_size(src, recipe):
    sid = src["id"]
    if sid in recipe["reference"]["pans"]:
        return 1920, 1080
    if sid in recipe["reference"]["crop"]:
        return tuple(recipe["reference"]["crop"][sid])
    w, h = int(src["width"]), int(src["height"])
    return w - (w & 1), h - (h & 1)


def ref_frames(src, recipe):
    if src["id"] in recipe["reference"]["pans"]:
        return recipe["reference"]["pan_frames"]
    return min(int(src["n_used"]), recipe["reference"]["max_frames"])


def rungs(W, H, recipe):
    if H == 1080:
        hs = recipe["ladder"]["1080"]
    else:
        hs = [H, even(2 * H / 3), even(H / 2), even(H / 3)]
    return [(W if h == H else even(W * h / H), h) for h in hs]


def make_plan(sources, recipe):
    """Every clip, in build order (cheapest sources first so rows grow fast)."""
    cycle = recipe["scalers"]["cycle"]
    plan = []
    for i, src in enumerate(sources):
        W, H = ref_size(src, recipe)
        n = ref_frames(src, recipe)
        for r, (w, h) in enumerate(rungs(W, H, recipe)):
            scaler = "none" if r == 0 else cycle[(i + r) % len(cycle)]
            for codec, spec in recipe["codecs"].items():
                for q in spec["values"]:
                    clip = f"{src['id']}-{h}p-{scaler}-{codec}-{spec['param']}{q}"
                    plan.append({
                        "clip": clip, "source": src["id"], "fold": int(src["fold"]),
                        "codec": codec, "height": h, "width": w, "quality": q,
                        "scaler": scaler, "W": W, "H": H, "frames": n, "order": i,
                    })
    plan.sort(key=lambda c: (c["W"] * c["H"] * c["frames"], c["order"]))
    return plan


# ----------------------------------------------------------------- sources & refs

class Builder:
    def __init__(self, args):
        self.args = args
        self.work = os.path.abspath(args.work)
        self.table, self.manifest_path, self.timings = args.table, args.manifest, args.timings
        self.progress = args.progress
        with open(args.recipe, "rb") as f:
            self.recipe_bytes = f.read()
        self.recipe = json.loads(self.recipe_bytes)
        self.sources = load_sources(args.sources, self.recipe.get("sources_expected"))
        self.by_id = {s["id"]: s for s in self.sources}
        self.plan = make_plan(self.sources, self.recipe)
        self.clips = {c["clip"]: c for c in self.plan}
        self.parts = os.path.join(self.work, "parts")
        self.refs = os.path.join(self.work, "refs")
        self.root = os.path.join(self.work, "root")
        self.debs = os.path.join(self.work, "debs")
        self.tmp = os.path.join(self.work, "tmp")
        for d in (self.parts, self.refs, self.root, self.debs, self.tmp):
            os.makedirs(d, exist_ok=True)
        self.tinyvmaf = os.path.abspath(args.tinyvmaf)
        self.model = args.model

    # Sources ---------------------------------------------------------------
    def source_files(self, src):
        path = src["path"]
        if "%" not in path:
            return [os.path.join(self.root, path.lstrip("/"))]
        d, pat = os.path.split(os.path.join(self.root, path.lstrip("/")))
        pre, rest = pat.split("%", 1)
        suf = rest[rest.index("d") + 1:]
        if not os.path.isdir(d):
            return []
        return sorted(os.path.join(d, f) for f in os.listdir(d)
                      if f.startswith(pre) and f.endswith(suf) and f[len(pre):len(f) - len(suf)].isdigit())

    def source_ok(self, src):
        files = self.source_files(src)
        if not files or not all(os.path.isfile(f) for f in files):
            return False
        h = hashlib.sha256()
        for f in files:
            sha256_file(f, h)
        return h.hexdigest() == src["sha256"]

    def fetch(self):
        t0 = time.time()
        for s in self.sources:
            files = self.source_files(s)
            if files and all(os.path.isfile(f) for f in files) and not self.source_ok(s):
                raise BuildError(f"{s['id']}: {s['path']}: sha256 differs from sources.tsv (a "
                                 f"Debian point release may have changed it)")
        missing = [s for s in self.sources if not self.source_ok(s)]
        if missing:
            pkgs = sorted({s["package"] for s in missing})
            print(f"corpus: fetching {len(pkgs)} Debian packages: {' '.join(pkgs)}", file=sys.stderr)
            r = subprocess.run(["apt-get", "download"] + pkgs, cwd=self.debs,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if r.returncode != 0:
                raise BuildError("apt-get download failed: " + r.stderr.strip().splitlines()[-1]
                                 if r.stderr.strip() else "apt-get download failed")
            for p in pkgs:
                debs = sorted(f for f in os.listdir(self.debs) if f.startswith(p + "_") and f.endswith(".deb"))
                if not debs:
                    raise BuildError(f"apt-get download left no .deb for {p}")
                subprocess.run(["dpkg-deb", "-x", os.path.join(self.debs, debs[-1]), self.root], check=True)
        for s in self.sources:
            if not self.source_ok(s):
                raise BuildError(f"{s['id']}: {s['path']} is missing or its sha256 differs from sources.tsv")
        return time.time() - t0

    # References ------------------------------------------------------------
    def ref_path(self, sid):
        return os.path.join(self.refs, f"{sid}.y4m")

    def ref_cmd(self, src, out):
        sid = src["id"]
        rec = self.recipe["reference"]
        W, H = ref_size(src, self.recipe)
        n = ref_frames(src, self.recipe)
        files = self.source_files(src)
        base = ["ffmpeg", "-nostdin", "-v", "error", "-y"]
        if sid in rec["pans"]:
            return base + ["-i", files[0], "-vf", rec["pans"][sid] + ",format=yuv420p",
                           "-r", str(rec["pan_fps"]), "-frames:v", str(n), "-f", "yuv4mpegpipe", out]
        if "%" in src["path"]:
            pattern = os.path.join(self.root, src["path"].lstrip("/"))
            return base + ["-framerate", str(rec["sequence_fps"]), "-start_number", src["first_frame"],
                           "-i", pattern, "-frames:v", str(n), "-vf", "format=yuv420p",
                           "-f", "yuv4mpegpipe", out]
        a = int(src["first_frame"])
        vf = f"trim=start_frame={a}:end_frame={a + n},setpts=PTS-STARTPTS"
        if (W, H) != (int(src["width"]), int(src["height"])):
            vf += f",crop={W}:{H}:0:0"
        vf += ",format=yuv420p"
        return base + ["-i", files[0], "-map", "0:v:0", "-fps_mode", "passthrough", "-vf", vf,
                       "-f", "yuv4mpegpipe", out]

    def y4m_frames(self, path, W, H):
        with open(path, "rb") as f:
            header = f.readline()
        if not header.startswith(b"YUV4MPEG2 "):
            raise BuildError(f"{path}: not a Y4M file")
        tags = header.split()
        if b"W%d" % W not in tags or b"H%d" % H not in tags:
            raise BuildError(f"{path}: expected {W}x{H}, header says {header.strip().decode()}")
        frame = 6 + W * H * 3 // 2
        body = os.path.getsize(path) - len(header)
        if body % frame:
            raise BuildError(f"{path}: size is not a whole number of {W}x{H} 4:2:0 frames")
        return body // frame

    def make_ref(self, sid):
        src = self.by_id[sid]
        out = self.ref_path(sid)
        W, H = ref_size(src, self.recipe)
        n = ref_frames(src, self.recipe)
        if os.path.exists(out):
            return 0.0
        t0 = time.time()
        tmp = out + ".part"
        r = subprocess.run(self.ref_cmd(src, tmp), stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            raise BuildError(f"{sid}: making the reference failed: {one_line(r.stderr)}")
        got = self.y4m_frames(tmp, W, H)
        if got != n:
            os.unlink(tmp)
            raise BuildError(f"{sid}: reference has {got} frames, expected {n}")
        os.replace(tmp, out)
        return time.time() - t0

    # One clip --------------------------------------------------------------
    def part_path(self, clip):
        return os.path.join(self.parts, clip + ".csv")

    def encode_cmd(self, c, ref, enc):
        spec = self.recipe["codecs"][c["codec"]]
        cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y"] + spec.get("input_args", []) + ["-i", ref]
        if c["scaler"] != "none":
            cmd += ["-vf", f"scale={c['width']}:{c['height']}:flags={c['scaler']}", "-filter_threads", "1"]
        cmd += [a.replace("{q}", str(c["quality"])) for a in spec["args"]]
        return cmd + ["-fps_mode", "passthrough", enc]

    def decode_cmd(self, c, enc):
        cmd = ["ffmpeg", "-nostdin", "-v", "error", "-threads", "1", "-i", enc,
               "-map", "0:v:0", "-fps_mode", "passthrough"]
        if c["scaler"] != "none":
            cmd += ["-vf", f"scale={c['W']}:{c['H']}:flags={c['scaler']}", "-filter_threads", "1"]
        return cmd + ["-pix_fmt", "yuv420p", "-f", "yuv4mpegpipe", "-"]

    def score_cmd(self, ref):
        return [self.tinyvmaf, "-r", ref, "-d", "-", "--model", self.model,
                "--csv", "-o", "-", "-q", "--threads", "1"]

    def run_clip(self, c):
        """Returns (csv text of the clip's rows, encode seconds, score seconds)."""
        ref = self.ref_path(c["source"])
        d = tempfile.mkdtemp(prefix=c["clip"] + ".", dir=self.tmp)
        try:
            enc = os.path.join(d, "enc." + self.recipe["container"])
            env = dict(os.environ, SVT_LOG="1")
            t0 = time.time()
            r = subprocess.run(self.encode_cmd(c, ref, enc), stderr=subprocess.PIPE, text=True, env=env)
            if r.returncode != 0:
                raise BuildError(f"{c['clip']}: encode failed: {one_line(r.stderr)}")
            t1 = time.time()
            with open(os.path.join(d, "dec.err"), "w+") as derr:
                dec = subprocess.Popen(self.decode_cmd(c, enc), stdout=subprocess.PIPE, stderr=derr)
                tv = subprocess.Popen(self.score_cmd(ref), stdin=dec.stdout,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                dec.stdout.close()
                out, err = tv.communicate()
                dec.wait()
                derr.seek(0)
                dec_err = derr.read()
            t2 = time.time()
            if dec.returncode != 0:
                raise BuildError(f"{c['clip']}: decode failed: {one_line(dec_err)}")
            if tv.returncode != 0 or err.strip():
                raise BuildError(f"{c['clip']}: tinyvmaf: {one_line(err.decode(errors='replace'))}")
            return self.rows(c, out.decode()), t1 - t0, t2 - t1
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def rows(self, c, text):
        rd = csv.DictReader(io.StringIO(text))
        want = ["integer_adm2", "integer_vif_scale0", "integer_vif_scale1", "integer_vif_scale2",
                "integer_vif_scale3", "integer_motion2", "vmaf"]
        missing = [k for k in want if k not in (rd.fieldnames or [])]
        if missing:
            raise BuildError(f"{c['clip']}: tinyvmaf CSV lacks {missing}")
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        n = 0
        for r in rd:
            if int(r["Frame"]) != n:
                raise BuildError(f"{c['clip']}: frame {r['Frame']} out of order")
            vals = [r[k] for k in want]
            for v in vals:
                float(v)
            w.writerow([c["source"], c["fold"], c["clip"], c["codec"], c["height"], c["quality"], n] + vals)
            n += 1
        if n != c["frames"]:
            raise BuildError(f"{c['clip']}: {n} frames scored, the reference has {c['frames']}")
        return out.getvalue()

    # Resume from the committed table ----------------------------------------
    def seed_from_table(self):
        by_clip = {}
        for path in (self.table, self.progress):
            if not os.path.exists(path):
                continue
            with lzma.open(path, "rt", newline="") as f:
                rd = csv.reader(f)
                header = next(rd)
                if header != self.recipe["columns"]:
                    raise BuildError(f"{path}: unexpected header")
                for row in rd:
                    by_clip.setdefault(row[2], []).append(row)
        seeded = 0
        for clip, rows in by_clip.items():
            c = self.clips.get(clip)
            if c is None or len(rows) != c["frames"] or os.path.exists(self.part_path(clip)):
                continue
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows(rows)
            atomic_write(self.part_path(clip), out.getvalue().encode())
            seeded += 1
        return seeded

    def done(self):
        return {c["clip"] for c in self.plan if os.path.exists(self.part_path(c["clip"]))}

    # Build -----------------------------------------------------------------
    def build(self, only=None):
        fetch_s = self.fetch()
        seeded = self.seed_from_table()
        if seeded:
            print(f"corpus: {seeded} clips taken from the committed table", file=sys.stderr)
        todo = [c for c in self.plan if (only is None or c["clip"] in only)]
        if only is None:
            done = self.done()
            todo = [c for c in todo if c["clip"] not in done]
        ref_s = 0.0
        for sid in dict.fromkeys(c["source"] for c in todo):
            ref_s += self.make_ref(sid)
        self.log_times(fetch_s, ref_s)
        total_frames = sum(c["frames"] for c in todo)
        print(f"corpus: {len(todo)} encodes to run ({total_frames} frames)"
              + ("" if only else f", {len(self.plan) - len(todo)} of {len(self.plan)} already done"),
              file=sys.stderr)
        progress = Progress(len(todo), total_frames)
        failed = []
        stop = threading.Event()

        def job(c):
            if stop.is_set():
                return c, None
            try:
                text, enc_s, score_s = self.run_clip(c)
            except BuildError as e:
                return c, e
            if only is not None and self.args.compare:
                return c, (text, enc_s, score_s)
            atomic_write(self.part_path(c["clip"]), text.encode())
            with open(os.path.join(self.work, "timings.tsv"), "a") as f:
                f.write(f"{c['clip']}\t{enc_s:.3f}\t{score_s:.3f}\n")
            return c, (text, enc_s, score_s)

        results = {}
        t_run = time.time()
        try:
            self.run_jobs(todo, job, progress, failed, results, stop)
        finally:
            if only is None:
                with open(os.path.join(self.work, "timings.tsv"), "a") as f:
                    f.write(f"#wall\t{time.time() - t_run:.3f}\t0.000\n")
        progress.finish()
        return failed, results

    def run_jobs(self, todo, job, progress, failed, results, stop):
        with concurrent.futures.ThreadPoolExecutor(self.args.jobs) as ex:
            futs = [ex.submit(job, c) for c in todo]
            try:
                for fut in concurrent.futures.as_completed(futs):
                    c, res = fut.result()
                    if isinstance(res, BuildError):
                        failed.append(str(res))
                        print(f"corpus: {res}", file=sys.stderr)
                        progress.step(0, failed=True)
                    elif res is not None:
                        results[c["clip"]] = res[0]
                        progress.step(c["frames"])
            except KeyboardInterrupt:
                stop.set()
                for f in futs:
                    f.cancel()
                raise

    def log_times(self, fetch_s, ref_s):
        with open(os.path.join(self.work, "timings.tsv"), "a") as f:
            if fetch_s > 0.5:
                f.write(f"#fetch\t{fetch_s:.3f}\t0.000\n")
            if ref_s > 0:
                f.write(f"#references\t{ref_s:.3f}\t0.000\n")

    # Export ----------------------------------------------------------------
    def export(self):
        done = self.done()
        header = ",".join(self.recipe["columns"]) + "\n"
        h = hashlib.sha256(header.encode())
        buf = io.BytesIO()
        buf.write(header.encode())
        counts_src, counts_codec, n_rows = {}, {}, 0
        heights = {}
        for c in self.plan_sorted():
            if c["clip"] not in done:
                continue
            with open(self.part_path(c["clip"]), "rb") as f:
                data = f.read()
            rows = data.count(b"\n")
            if rows != c["frames"]:
                raise BuildError(f"{c['clip']}: result file has {rows} rows, expected {c['frames']}")
            h.update(data)
            buf.write(data)
            n_rows += rows
            counts_src[c["source"]] = counts_src.get(c["source"], 0) + rows
            counts_codec[c["codec"]] = counts_codec.get(c["codec"], 0) + rows
            heights.setdefault(c["source"], set()).add(c["height"])
        raw = buf.getvalue()
        xz = lzma.compress(raw, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64, preset=9)
        atomic_write(self.table, xz)
        times = self.merge_timings(done)
        complete = len(done) == len(self.plan)
        manifest = {
            "name": self.recipe["name"],
            "complete": complete,
            "table": os.path.basename(self.table),
            "table_csv_sha256": h.hexdigest(),
            "table_xz_sha256": hashlib.sha256(xz).hexdigest(),
            "rows": n_rows,
            "clips_done": len(done),
            "clips_planned": len(self.plan),
            "columns": self.recipe["columns"],
            "rows_per_source": dict(sorted(counts_src.items())),
            "rows_per_codec": dict(sorted(counts_codec.items())),
            "heights_per_source": {k: sorted(v, reverse=True) for k, v in sorted(heights.items())},
            "folds": sorted({int(self.by_id[s]["fold"]) for s in counts_src}),
            "sources": [{"id": s["id"], "package": s["package"], "path": s["path"],
                         "sha256": s["sha256"], "license": s["license"], "fold": int(s["fold"]),
                         "use": s["use"], "reference": "%dx%d, %d frames" % (
                             *ref_size(s, self.recipe), ref_frames(s, self.recipe))}
                        for s in self.sources],
            "recipe": self.recipe,
            "recipe_sha256": hashlib.sha256(self.recipe_bytes).hexdigest(),
            "label_model_sha256": self.model_sha256(),
            "tools": tool_versions(self.tinyvmaf),
            "wall_time_s": times,
        }
        atomic_write(self.manifest_path, (json.dumps(manifest, indent=1) + "\n").encode())
        return manifest

    def checkpoint(self):
        """Writes every finished encode that the table lacks to the progress file."""
        have = set()
        if os.path.exists(self.table):
            with lzma.open(self.table, "rt", newline="") as f:
                have = {row[2] for row in csv.reader(f)}
        buf = io.BytesIO()
        buf.write((",".join(self.recipe["columns"]) + "\n").encode())
        n = 0
        done = self.done()
        for c in self.plan_sorted():
            if c["clip"] in done and c["clip"] not in have:
                with open(self.part_path(c["clip"]), "rb") as f:
                    buf.write(f.read())
                n += 1
        atomic_write(self.progress, lzma.compress(buf.getvalue(), preset=9))
        self.merge_timings(done)
        return n

    def plan_sorted(self):
        # The table is ordered by source (sources.tsv order), rung, codec, quality.
        cod = list(self.recipe["codecs"])
        return sorted(self.plan, key=lambda c: (c["order"], -c["height"], cod.index(c["codec"]),
                                                self.recipe["codecs"][c["codec"]]["values"].index(c["quality"])))

    def model_sha256(self):
        if self.model.startswith("path="):
            return sha256_file(self.model[5:].split(":")[0])
        if self.model.startswith("version="):
            # Built in from models/libvmaf (the build checks the pin).
            path = os.path.join(ROOT, "models", "libvmaf", self.model[8:].split(":")[0] + ".json")
            return sha256_file(path) if os.path.exists(path) else None
        return None

    def merge_timings(self, done):
        # Committed timings (from earlier machines) plus this machine's log.
        t = {}
        seen = set()
        for path in (self.timings, os.path.join(self.work, "timings.tsv")):
            if not os.path.exists(path):
                continue
            with open(path) as f:
                for line in f:
                    if line in seen:
                        continue  # the committed file repeats this machine's lines
                    seen.add(line)
                    parts = line.rstrip("\n").split("\t")
                    if len(parts) != 3:
                        continue
                    k = parts[0]
                    if k.startswith("#"):
                        t.setdefault(k, []).append((float(parts[1]), 0.0))
                    elif k in done:
                        t[k] = [(float(parts[1]), float(parts[2]))]
        lines = []
        for k in sorted(t):
            for a, b in (t[k] if k.startswith("#") else t[k][-1:]):
                lines.append(f"{k}\t{a:.3f}\t{b:.3f}\n")
        atomic_write(self.timings, "".join(dict.fromkeys(lines)).encode())
        enc = sum(v[-1][0] for k, v in t.items() if not k.startswith("#"))
        score = sum(v[-1][1] for k, v in t.items() if not k.startswith("#"))
        fetch = sum(a for a, _ in t.get("#fetch", []))
        refs = sum(a for a, _ in t.get("#references", []))
        wall = sum(a for a, _ in t.get("#wall", []))
        return {"wall": round(wall + fetch + refs, 1), "fetch": round(fetch, 1), "references": round(refs, 1),
                "encode_cpu": round(enc, 1), "decode_and_score_cpu": round(score, 1),
                "note": "wall: elapsed seconds of the build runs (fetch, references, encodes); encode_cpu and decode_and_score_cpu: per-encode seconds summed over encodes, which ran --jobs at a time"}


def tool_versions(tinyvmaf):
    def out(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        except OSError:
            return None
    pk = out(["dpkg-query", "-W", "-f", "${Package}=${Version}\n", "ffmpeg", "libavcodec59",
              "libx264-164", "libsvtav1enc1", "libdav1d6", "libswscale6"]) or ""
    commit = out(["git", "-C", ROOT, "rev-parse", "HEAD"])
    return {"debian_packages": dict(l.split("=", 1) for l in pk.splitlines() if "=" in l),
            "ffmpeg": (out(["ffmpeg", "-version"]) or "").splitlines()[0:1],
            "tinyvmaf": out([tinyvmaf, "--version"]),
            "tinyvmaf_commit": commit}


class Progress:
    def __init__(self, total, frames):
        self.total, self.frames = total, frames
        self.done = self.failed = self.fdone = 0
        self.t0 = self.last = time.time()
        self.tty = sys.stderr.isatty()

    def step(self, frames, failed=False):
        self.done += 1
        self.failed += failed
        self.fdone += frames
        now = time.time()
        if self.tty or now - self.last >= 60 or self.done == self.total:
            self.last = now
            el = now - self.t0
            fps = self.fdone / el if el > 0 else 0
            eta = (self.frames - self.fdone) / fps if fps > 0 else 0
            line = (f"corpus: {self.done}/{self.total} encodes ({self.failed} failed), "
                    f"{fps:.1f} frames/s, elapsed {el / 60:.1f} min, ETA {eta / 60:.1f} min")
            print(("\r" + line + "\033[K") if self.tty else line, end="" if self.tty else "\n",
                  file=sys.stderr, flush=True)

    def finish(self):
        if self.tty:
            print(file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description="Build the tinyvmaf training corpus (see corpus/README.md).")
    ap.add_argument("--shared", default=os.environ.get("TINYVMAF_SHARED", os.path.join(ROOT, "..", "shared")))
    ap.add_argument("--sources", help="sources.tsv (default: SHARED/corpus/sources.tsv)")
    ap.add_argument("--recipe", default=RECIPE, help="recipe JSON (default corpus/recipe.json)")
    ap.add_argument("--table", default=TABLE, help="the table (default corpus/tinyvmaf_corpus.csv.xz)")
    ap.add_argument("--manifest", default=MANIFEST, help="default corpus/MANIFEST.json")
    ap.add_argument("--timings", default=TIMINGS, help="default corpus/timings.tsv")
    ap.add_argument("--progress", default=PROGRESS, help="default corpus/progress.csv.xz")
    ap.add_argument("--checkpoint", action="store_true",
                    help="only write the encodes the table lacks to the progress file")
    ap.add_argument("--work", default=os.environ.get("TINYVMAF_CORPUS_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "tinyvmaf", "corpus"),
        help="cache and state directory (default $TINYVMAF_CORPUS_CACHE or ~/.cache/tinyvmaf/corpus)")
    ap.add_argument("--tinyvmaf", default=os.path.join(ROOT, "build", "tools", "tinyvmaf"))
    ap.add_argument("--model", help="label model spec for tinyvmaf --model (default version=vmaf_v0.6.1)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--export", action="store_true", help="write the table and MANIFEST.json from what is done")
    ap.add_argument("--no-build", action="store_true", help="with --export: export only")
    ap.add_argument("--list", action="store_true", help="print the planned clips and exit")
    ap.add_argument("--only", nargs="+", metavar="CLIP", help="run just these clips")
    ap.add_argument("--compare", action="store_true",
                    help="with --only: rebuild the clips in a scratch area and compare with the table")
    args = ap.parse_args()
    args.sources = args.sources or os.path.join(args.shared, "corpus", "sources.tsv")
    if not args.model:
        args.model = "version=vmaf_v0.6.1"
    if not os.path.isfile(args.sources):
        die(f"{args.sources}: no such file (the shared material is needed to build the corpus)")
    try:
        b = Builder(args)
        if args.list:
            for c in b.plan_sorted():
                print(c["clip"])
            return 0
        if args.only:
            unknown = [c for c in args.only if c not in b.clips]
            if unknown:
                die(f"unknown clip {unknown[0]} (see --list)")
        if args.checkpoint:
            n = b.checkpoint()
            print(f"corpus: {n} encodes beyond the table written to {b.progress}", file=sys.stderr)
            return 0
        if args.no_build:
            m = b.export()
            print(f"corpus: exported {m['rows']} rows from {m['clips_done']}/{m['clips_planned']} clips",
                  file=sys.stderr)
            return 0
        if not os.access(b.tinyvmaf, os.X_OK):
            die(f"{b.tinyvmaf}: not built (run make build)")
        failed, results = b.build(set(args.only) if args.only else None)
        if args.only and args.compare:
            return compare(b, results)
        if args.export:
            m = b.export()
            print(f"corpus: exported {m['rows']} rows from {m['clips_done']}/{m['clips_planned']} clips",
                  file=sys.stderr)
        if failed:
            die(f"{len(failed)} encodes failed; rerun to retry them")
        return 0
    except BuildError as e:
        die(str(e))
    except KeyboardInterrupt:
        die("interrupted; rerun to resume")


def compare(b, results):
    """Rows rebuilt now vs the committed table, byte for byte."""
    committed = {}
    with lzma.open(b.table, "rt", newline="") as f:
        rd = csv.reader(f)
        next(rd)
        for row in rd:
            if row[2] in results:
                committed.setdefault(row[2], io.StringIO())
                csv.writer(committed[row[2]], lineterminator="\n").writerow(row)
    bad = 0
    for clip in sorted(results):
        old = committed.get(clip)
        same = old is not None and old.getvalue() == results[clip]
        bad += not same
        print(f"{clip}: {'identical' if same else 'DIFFERENT' if old else 'not in the table'}"
              f" ({results[clip].count(chr(10))} rows)")
    return 1 if bad else 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
    sys.exit(main())
