"""Bad classic model files: each is refused with exit != 0 and exactly one
line on stderr that names the file and what is wrong; no output is
written."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from shared_material import missing  # noqa: E402

CLI = os.environ["TVMAF_CLI"]
SHARED = os.environ.get("TVMAF_SHARED_DIR", "")
MODEL = os.path.join(SHARED, "reference", "libvmaf-models", "vmaf_v0.6.1.json")


def sample(d):
    """A small valid Y4M pair, so that only the model can fail."""
    paths = []
    for name, shift in (("r.y4m", 0), ("d.y4m", 3)):
        p = os.path.join(d, name)
        with open(p, "wb") as f:
            f.write(b"YUV4MPEG2 W64 H48 F25:1 C420\n")
            for i in range(2):
                f.write(b"FRAME\n" + bytes(((x * 5 + i + shift) & 0xFF) for x in range(64 * 48 * 3 // 2)))
        paths.append(p)
    return paths


def main():
    if not os.path.isfile(MODEL):
        missing(f"{MODEL} not found (shared reference material absent)")
    with open(MODEL) as f:
        text = f.read()
    good = json.loads(text)

    def mutate(fn):
        m = json.loads(text)
        fn(m["model_dict"])
        return json.dumps(m)

    def svm_edit(md, old, new):
        md["model"] = md["model"].replace(old, new, 1)

    cases = [
        ("truncated JSON", text[: len(text) // 2], "invalid JSON"),
        ("empty file", "", "invalid JSON"),
        ("not an object", "[1, 2, 3]", "not a JSON object"),
        ("missing model_dict", json.dumps({"param_dict": good["param_dict"]}), "model_dict"),
        ("wrong feature count", mutate(lambda md: md["feature_names"].pop()), "expected"),
        ("unknown feature name", mutate(lambda md: md["feature_names"].__setitem__(1, "VMAF_integer_feature_bogus_score")),
         "unknown feature"),
        ("float-extractor feature", mutate(lambda md: md["feature_names"].__setitem__(0, "VMAF_feature_adm2_score")),
         "float"),
        ("non-numeric support vector", mutate(lambda md: svm_edit(md, "1:0.65734273", "1:abc")), "support vector"),
        ("NaN slope", text.replace("0.012020766332648465", "NaN", 1), "invalid JSON"),
        ("string slope", mutate(lambda md: md["slopes"].__setitem__(2, "0.5")), "slopes[2]"),
        ("huge number", text.replace("0.012020766332648465", "1e999", 1), "invalid JSON"),
        ("zero output slope", mutate(lambda md: md["slopes"].__setitem__(0, 0)), "slopes[0]"),
        ("unsupported model_type", mutate(lambda md: md.__setitem__("model_type", "RANDOMFOREST")), "model_type"),
        ("bootstrap collection", json.dumps({"0": good, "1": good}), "bootstrap"),
        ("total_sv mismatch", mutate(lambda md: svm_edit(md, "total_sv 211", "total_sv 300")), "support vectors"),
        ("index out of range", mutate(lambda md: svm_edit(md, "6:0.73495824", "7:0.73495824")), "index"),
        ("unsupported kernel", mutate(lambda md: svm_edit(md, "kernel_type rbf", "kernel_type sigmoid")), "kernel_type"),
        ("missing rho", mutate(lambda md: svm_edit(md, "rho -1.33133\n", "")), "rho"),
        ("gain limit out of range", mutate(lambda md: md.__setitem__("feature_opts_dicts",
                                                                       [{"adm_enhn_gain_limit": 0.5}, {}, {}, {}, {}, {}])),
         "out of range"),
        ("unknown feature option", mutate(lambda md: md.__setitem__("feature_opts_dicts",
                                                                      [{"adm_no_such_option": 1}, {}, {}, {}, {}, {}])),
         "no option"),
        ("option of another extractor", mutate(lambda md: md.__setitem__("feature_opts_dicts",
                                                                           [{"vif_enhn_gain_limit": 1}, {}, {}, {}, {}, {}])),
         "no option"),
        ("duplicate key", text.replace('"model_dict": {', '"model_dict": {"norm_type": "none", ', 1), "duplicate"),
        ("bad score_clip", mutate(lambda md: md.__setitem__("score_clip", [100.0, 0.0])), "score_clip"),
        ("bad knots", mutate(lambda md: md["score_transform"].__setitem__("knots", [[0, 0], [0, 1]])), "knots"),
    ]
    failures = 0
    with tempfile.TemporaryDirectory() as d:
        ref, dis = sample(d)
        for name, content, expect in cases:
            path = os.path.join(d, "bad_" + name.replace(" ", "_") + ".json")
            with open(path, "w") as f:
                f.write(content)
            out = os.path.join(d, "out.json")
            p = subprocess.run([CLI, "-r", ref, "-d", dis, "--model", "path=" + path, "--json", "-o", out],
                               capture_output=True, text=True)
            lines = [l for l in p.stderr.splitlines() if l.strip()]
            problems = []
            if p.returncode == 0 or p.returncode >= 128 or p.returncode < 0:
                problems.append(f"exit {p.returncode}")
            if len(lines) != 1:
                problems.append(f"{len(lines)} stderr lines {lines!r}")
            elif path not in lines[0] or expect.lower() not in lines[0].lower():
                problems.append(f"message lacks the file or {expect!r}: {lines[0]!r}")
            if os.path.exists(out):
                problems.append("output written")
                os.unlink(out)
            failures += bool(problems)
            print(f"{'ok' if not problems else 'FAIL':4} {name:28} {problems or lines[0]}")

        # Model lookup errors
        for args, expect in ([["--model", "version=vmaf_nonexistent"], "vmaf_nonexistent"],
                             [["--model", "version=../etc/passwd"], "plain name"],
                             [["--model", "path=/nonexistent/m.json"], "/nonexistent/m.json"],
                             [["--model", "path=a:version=b"], "exactly one"],
                             [["--model", "pth=x"], "unknown"]):
            p = subprocess.run([CLI, "-r", ref, "-d", dis] + args, capture_output=True, text=True,
                               env=dict(os.environ, TINYVMAF_MODEL_PATH=d))
            lines = [l for l in p.stderr.splitlines() if l.strip()]
            ok = p.returncode != 0 and len(lines) == 1 and expect in lines[0]
            failures += not ok
            print(f"{'ok' if ok else 'FAIL':4} {' '.join(args):28} {lines}")
    print("PASS" if not failures else f"FAIL ({failures})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
