#!/usr/bin/python3
"""Edits model files for the refusal tests (stdlib only).

    tamper.py permute SIDECAR.json       reverse the order of "features"
    tamper.py triple FILE                multiply every little-endian float32 by 3
    tamper.py set FILE.json KEY JSON     set KEY to the JSON value (null deletes it)
"""
import json
import struct
import sys


def main(argv):
    op, path = argv[0], argv[1]
    if op == "triple":
        with open(path, "rb") as f:
            buf = f.read()
        if len(buf) % 4:
            raise SystemExit("tamper.py: %s: %d bytes, not float32s" % (path, len(buf)))
        n = len(buf) // 4
        vals = [3 * v for v in struct.unpack("<%df" % n, buf)]
        with open(path, "wb") as f:
            f.write(struct.pack("<%df" % n, *vals))
        return
    with open(path) as f:
        doc = json.load(f)
    if op == "permute":
        doc["features"] = list(reversed(doc["features"]))
    elif op == "set":
        v = json.loads(argv[3])
        if v is None:
            doc.pop(argv[2], None)
        else:
            doc[argv[2]] = v
    else:
        raise SystemExit("tamper.py: unknown operation %s" % op)
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
