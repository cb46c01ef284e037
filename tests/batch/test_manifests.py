"""Bad batch manifests: each gives clear one-line errors (manifest errors:
"FILE:LINE: reason", exit 2, nothing written) or a per-job error file while
the other jobs run (exit 1). Never a crash, never a temporary left."""
import json
import os
import subprocess
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from batch_clips import check, failures, make_clips, run  # noqa: E402


def main():
    with tempfile.TemporaryDirectory() as d:
        j = lambda *n: os.path.join(d, *n)
        make_clips(d)

        def manifest(name, text):
            p = j("sub", name)
            with open(p, "wb") as f:
                f.write(text if isinstance(text, bytes) else text.encode())
            return p

        def refused(name, text, *needles, lines=None):
            p = manifest(name, text) if text is not None else j("sub", name)
            out = j("out_" + name.replace(".", "_"))
            r = run(["batch", p, "--out", out])
            err = r.stderr.decode(errors="replace")
            ls = [l for l in err.splitlines() if l.strip()]
            ok = (r.returncode == 2 and not os.path.exists(out) and
                  all(n in err for n in needles) and (lines is None or len(ls) == lines) and
                  all(l.startswith("tinyvmaf: ") for l in ls))
            check(ok, f"{name}: refused, exit {r.returncode}: {err.strip()[:300]!r}")
            m = run(["merge", j("out_ok"), "--manifest", p])
            check(m.returncode == 2 and m.stdout == b"", f"{name}: merge --manifest refuses it too")

        ok_rows = "id,reference,distorted\na,../ref.y4m,../dis.y4m\n"
        r = run(["batch", manifest("ok.csv", ok_rows), "--out", j("out_ok"), "-q"])
        check(r.returncode == 0, "a good manifest runs")

        refused("nodist.csv", "id,reference\na,../ref.y4m\n", 'missing column "distorted"', lines=1)
        refused("unknown.csv", "id,reference,distorted,refrence\na,r,d,x\n",
                'unknown column "refrence"', lines=1)
        refused("dup.csv", ok_rows + "b,../ref.y4m,../dis.y4m\na,../ref.y4m,../dis.y4m\n",
                'dup.csv:4: duplicate id "a" (first on line 2)', lines=1)
        refused("dup.jsonl", '{"id":"x","reference":"r","distorted":"d"}\n\n'
                '{"id":"x","reference":"r","distorted":"d"}\n',
                'dup.jsonl:3: duplicate id "x" (first on line 1)', lines=1)
        refused("empty.csv", "", "empty manifest", lines=1)
        refused("blank.csv", "\n  \n", "empty manifest", lines=1)
        refused("header_only.csv", "id,reference,distorted\n", "empty manifest (no jobs)", lines=1)
        refused("missing.csv", None, "cannot read the manifest: No such file or directory", lines=1)
        os.makedirs(j("sub", "adir.csv"), exist_ok=True)
        refused("adir.csv", None, "Is a directory", lines=1)
        refused("fields.csv", ok_rows + "b,../ref.y4m\n", "fields.csv:3: 2 fields, the header has 3",
                lines=1)
        refused("quote.csv", ok_rows + 'b,"../ref.y4m,../dis.y4m\n', "quote.csv:3:", lines=1)
        refused("emptyid.csv", ok_rows + ",../ref.y4m,../dis.y4m\n", '"id" is missing or empty',
                lines=1)
        refused("bigline.csv", ok_rows + "big," + "x" * (10 << 20) + ",../dis.y4m\n",
                "bigline.csv:3: row of 1048577", "bytes, more than the 65536 allowed", lines=1)
        refused("bigline.jsonl", '{"id":"a","reference":"' + "x" * (10 << 20) + '","distorted":"d"}\n',
                "bigline.jsonl:1: line of 104858", "bytes, more than the 65536 allowed", lines=1)
        refused("badjson.jsonl", '{"id":"a","reference":"r","distorted":"d"}\n{"id": "b",\n'
                '{"id":"c","reference":"r","distorted":"d","frame_cnt":[1]}\n'
                '{"id":"e","reference":"r","distorted":"d","colour":"x"}\n'
                '{"id":"f","reference":"r"}\n',
                "badjson.jsonl:2:", "badjson.jsonl:3:", 'badjson.jsonl:4: unknown key "colour"',
                'badjson.jsonl:5: "distorted" is missing or empty', lines=4)
        refused("nul.jsonl", b'{"id":"a","reference":"r\x00","distorted":"d"}\n', "nul.jsonl:1:",
                lines=1)
        many = "id,reference,distorted\n" + "".join(f"a,r,d\n" for _ in range(40))
        refused("many.csv", many, "more errors not shown", lines=21)

        # --- job errors: reported per job, the others run ---
        bad = manifest("jobs.csv", "id,reference,distorted,frame_cnt,subsample,width,height,"
                       "pixel_format,bitdepth,scale\n"
                       "good,../ref.y4m,../dis.y4m,2,,,,,,\n"
                       "cnt,../ref.y4m,../dis.y4m,0x10,,,,,,\n"
                       "sub0,../ref.y4m,../dis.y4m,,0,,,,,\n"
                       "rawpart,../ref.yuv,../dis.yuv,,,320,,,,\n"
                       "depth,../ref.yuv,../dis.yuv,,,320,180,420,9,\n"
                       "fmt,../ref.yuv,../dis.yuv,,,320,180,411,8,\n"
                       "scaled,../ref.y4m,../dis.y4m,,,,,,,2\n"
                       "nofile,../nothere.y4m,../dis.y4m,,,,,,,\n"
                       "unreadable,../sub,../dis.y4m,,,,,,,\n"
                       "../escape,../ref.y4m,../dis.y4m,,,,,,,\n"
                       ".hidden,../ref.y4m,../dis.y4m,,,,,,,\n"
                       "x.error,../ref.y4m,../dis.y4m,,,,,,,\n"
                       "a/b,../ref.y4m,../dis.y4m,,,,,,,\n")
        out = j("out_jobs")
        r = run(["batch", bad, "--out", out, "-j", "2"])
        err = r.stderr.decode()
        check(r.returncode == 1, f"job errors: exit 1 ({r.returncode})")
        names = sorted(os.listdir(out))
        want = ["cnt.error.json", "depth.error.json", "fmt.error.json", "good.json",
                "nofile.error.json", "rawpart.error.json", "scaled.error.json", "sub0.error.json",
                "unreadable.error.json"]
        check(names == want, f"one file per safe id, nothing else ({names})")
        check(not os.path.exists(j("escape.json")) and not os.path.exists(j("escape.error.json")),
              "an id with a path never writes outside DIR")
        msgs = {}
        for n in names:
            if n.endswith(".error.json"):
                doc = json.load(open(os.path.join(out, n)))
                msgs[doc["id"]] = doc["error"]
                check("\n" not in doc["error"] and doc["error"], f"{n}: one-line cause: {doc['error']}")
        check("0x10" in msgs.get("cnt", ""), "cnt: the bad value is named")
        check("not one of 8, 10, 12, 16" in msgs.get("depth", ""), "depth: bitdepth 9 refused")
        check("needs all of width" in msgs.get("rawpart", ""), "rawpart: partial raw options")
        check("No such file" in msgs.get("nofile", ""), "nofile: the missing input")
        check("scale" in msgs.get("scaled", ""), "scaled: scale refused")
        check(err.count('is not a safe file name') == 4, "4 unsafe ids reported")
        check("tinyvmaf batch: 13 jobs: 1 done, 12 failed, 0 skipped" in err, "summary counts")
        m = run(["merge", out, "--manifest", bad])
        table = m.stdout.decode().splitlines()
        check(m.returncode == 1 and len(table) == 14 and
              b"13 jobs: 1 done, 12 failed, 0 missing" in m.stderr,
              f"merge counts the failures ({m.stderr.decode().strip()})")
        # a failed job that is fixed reruns and its error file goes away
        with open(bad) as f:
            text = f.read().replace("cnt,../ref.y4m,../dis.y4m,0x10", "cnt,../ref.y4m,../dis.y4m,3")
        with open(bad, "w") as f:
            f.write(text)
        r = run(["batch", bad, "--out", out])
        check(os.path.exists(os.path.join(out, "cnt.json")) and
              not os.path.exists(os.path.join(out, "cnt.error.json")),
              "a fixed job replaces its error file with a result")
        check(not [n for n in os.listdir(out) if n.startswith(".")], "no temporaries")

        # --- usage errors ---
        for args, what in ((["batch"], "no manifest"), (["batch", bad], "no --out"),
                           (["batch", bad, "--out", out, "--jobs", "0"], "--jobs 0"),
                           (["batch", bad, "--out", out, "--bogus"], "unknown option"),
                           (["merge"], "merge without DIR"),
                           (["merge", j("nothere")], "merge of a missing DIR")):
            r = run(args)
            check(r.returncode == 2 and len(r.stderr.splitlines()) == 1, f"{what}: exit 2, one line")
        r = run(["batch", bad, "--out", j("ref.y4m")])
        check(r.returncode == 2 and b"not a directory" in r.stderr, "--out naming a file is refused")

        # --- scale: a half-size distorted video, as `tinyvmaf --scale` ---
        have_av = b"--scale" in run(["--help"]).stdout and shutil.which("ffmpeg")
        if have_av:
            subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", j("dis.y4m"), "-vf",
                            "scale=160:90", "-c:v", "ffv1", j("half.mkv")], check=True)
            sm = manifest("scale.csv", "id,reference,distorted,scale\n"
                          "s,../ref.y4m,../half.mkv,lanczos\n")
            r = run(["batch", sm, "--out", j("out_scale")])
            c = run(["-r", j("ref.y4m"), "-d", j("half.mkv"), "--scale", "lanczos", "--json",
                     "-o", j("scale_cli.json"), "-q"])
            a = json.load(open(j("out_scale", "s.json"))) if r.returncode == 0 else {}
            b = json.load(open(j("scale_cli.json"))) if c.returncode == 0 else {}
            check(r.returncode == 0 and a.get("frames") == b.get("frames") and a.get("frames"),
                  "scale column: per-frame results equal `tinyvmaf --scale lanczos`")
        else:
            print("note: no libav build or ffmpeg: scale column not tested")
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
