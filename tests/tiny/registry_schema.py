"""models/registry.json validates against models/registry.schema.json, and
the schema rejects the mistakes the loader refuses. It accepts the pins of
every file (sidecar_sha256, int8_sidecar_sha256, data_sha256), and what
tests/tiny/pin_registry.py writes validates. Exit 77 without
python3-jsonschema."""
import json
import os
import subprocess
import sys
import tempfile

try:
    import jsonschema
except ImportError:
    print("SKIP: python3-jsonschema is not installed")
    sys.exit(77)

root = sys.argv[1]
with open(root + "/models/registry.schema.json") as f:
    schema = json.load(f)
with open(root + "/models/registry.json") as f:
    registry = json.load(f)
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
cls(schema).validate(registry)

H = "0123456789abcdef" * 4
good = {"id": "x_v1", "kind": "fr", "file": "x_v1.onnx", "sha256": "0" * 64, "opset": 17,
        "license": "BSD-2-Clause-Patent"}
pinned = dict(good, int8_sha256=H, sidecar_sha256=H, int8_sidecar_sha256=H,
              data_sha256={"x_v1.onnx.data": H, "weights.bin": H})
for g in (good, pinned, dict(good, data_sha256={})):
    cls(schema).validate({"schema_version": 1, "models": [g]})
bad = [dict(good, sha256="ABC"), dict(good, file="/abs.onnx"), dict(good, kind="x"),
       dict(good, opset=99), {k: v for k, v in good.items() if k != "sha256"},
       dict(good, extra=1),
       dict(good, sidecar_sha256=H.upper()), dict(good, int8_sidecar_sha256="0" * 63),
       dict(good, data_sha256=[H]), dict(good, data_sha256={"sub/x.onnx.data": H}),
       dict(good, data_sha256={"..": H}), dict(good, data_sha256={"x\n": H}),
       dict(good, data_sha256={"x.data": "z" * 64}),
       dict(good, data_sha256={"d%d" % i: H for i in range(65)})]
for b in bad:
    try:
        cls(schema).validate({"schema_version": 1, "models": [b]})
    except jsonschema.ValidationError:
        continue
    print("FAIL: schema accepted", b)
    sys.exit(1)

# pin_registry.py's output: an empty ONNX file is a valid (empty) protobuf
# message, so the "<file>.data" convention finds its data.
with tempfile.TemporaryDirectory() as d:
    src, dest = os.path.join(d, "src"), os.path.join(d, "dest")
    os.mkdir(src)
    files = {"x_v1.onnx": b"", "x_v1.json": b"{}", "x_v1.onnx.data": b"\0" * 8,
             "x_v1.int8.onnx": b"", "x_v1.int8.json": b"{}"}
    for name, data in files.items():
        with open(os.path.join(src, name), "wb") as f:
            f.write(data)
    empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    with open(os.path.join(src, "registry.json"), "w") as f:
        json.dump({"models": [dict(good, sha256=empty, int8_sha256=empty)]}, f)
    subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "pin_registry.py"),
                    src, dest], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(dest, "registry.json")) as f:
        out = json.load(f)
    cls(schema).validate(out)
    e = out["models"][0]
    missing = [k for k in ("sidecar_sha256", "int8_sidecar_sha256", "data_sha256") if k not in e]
    if missing or list(e["data_sha256"]) != ["x_v1.onnx.data"]:
        print("FAIL: pin_registry.py output lacks pins:", missing, e)
        sys.exit(1)
print("registry.json valid; schema accepts the pins of every file, rejects %d malformed "
      "entries; pin_registry.py output valid" % len(bad))
