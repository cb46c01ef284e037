"""Scores never depend on the thread count or the CPU features used: every
shared case gives the same JSON bytes (apart from the measured "fps" line)
for --threads 1, 2 and 0 (all cores) at every --cpumask level (all ISAs,
AVX2 at most, plain C), in the default motion pipeline, and for threads 1/2
in the classic one."""
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
                combos = ([(t, m) for t in ("1", "2", "0") for m in ("0", "48", "63")]
                          if compat == "3.2" else [("1", "0"), ("2", "63")])
                texts = {}
                for t, m in combos:
                    _, text = score_json(ref, dis, ["--no_prediction", "--threads", t, "--cpumask", m,
                                                    "--motion-compat", compat],
                                         work, f"{c['name']}_{compat}_{t}_{m}")
                    if not FPS.search(text):
                        print(f"FAIL {c['name']}: no fps line to mask")
                        ok = False
                    texts[(t, m)] = FPS.sub("", text)
                first = texts[combos[0]]
                same = all(v == first for v in texts.values())
                ok &= same
                print(f"{'ok' if same else 'FAIL':4} {c['name']} motion {compat}: threads x cpumask "
                      f"{', '.join(t + '/' + m for t, m in combos)} "
                      f"{'identical' if same else 'DIFFER'} ({len(first)} bytes)")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
