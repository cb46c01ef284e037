"""models/registry.json validates against models/registry.schema.json, and
the schema rejects the mistakes the loader refuses. Exit 77 without
python3-jsonschema."""
import json
import sys

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

good = {"id": "x_v1", "kind": "fr", "file": "x_v1.onnx", "sha256": "0" * 64, "opset": 17,
        "license": "BSD-2-Clause-Patent"}
cls(schema).validate({"schema_version": 1, "models": [good]})
bad = [dict(good, sha256="ABC"), dict(good, file="/abs.onnx"), dict(good, kind="x"),
       dict(good, opset=99), {k: v for k, v in good.items() if k != "sha256"},
       dict(good, extra=1)]
for b in bad:
    try:
        cls(schema).validate({"schema_version": 1, "models": [b]})
    except jsonschema.ValidationError:
        continue
    print("FAIL: schema accepted", b)
    sys.exit(1)
print("registry.json valid; schema rejects %d malformed entries" % len(bad))
