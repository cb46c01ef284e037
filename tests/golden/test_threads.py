"""Scores never depend on the thread count: --threads 1, 2 and 0 (all cores)
give the same JSON bytes (apart from the measured "fps" line) on every
shared case, in both motion pipelines."""
import re
import sys
import tempfile

from golden_common import cases, clip, score_json

FPS = re.compile(r'^  "fps": [^\n]*\n', re.M)


def main():
    golden, all_cases = cases()
    ok = True
    with tempfile.TemporaryDirectory() as work:
        for c in all_cases:
            ref, dis = clip(golden, c["ref"]), clip(golden, c["dis"])
            for compat in ("3.2", "3.0"):
                texts = {}
                for t in ("1", "2", "0"):
                    _, text = score_json(ref, dis, ["--no_prediction", "--threads", t,
                                                    "--motion-compat", compat],
                                         work, f"{c['name']}_{compat}_{t}")
                    if not FPS.search(text):
                        print(f"FAIL {c['name']}: no fps line to mask")
                        ok = False
                    texts[t] = FPS.sub("", text)
                same = texts["1"] == texts["2"] == texts["0"]
                ok &= same
                print(f"{'ok' if same else 'FAIL':4} {c['name']} motion {compat}: threads 1/2/0 "
                      f"{'identical' if same else 'DIFFER'} ({len(texts['1'])} bytes)")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
