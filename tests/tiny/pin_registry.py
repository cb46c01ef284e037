#!/usr/bin/python3
"""Makes a pinned copy of a tiny-model registry (test helper, stdlib only).

    pin_registry.py SRC_DIR DEST_DIR [--only ID]... [--as ID=NEWID]...
                    [--unpin sidecar|int8_sidecar|data]...

Reads SRC_DIR/registry.json (tinyvmaf's layout or upstream's, "onnx" for
"file"), checks every file an entry's own pins cover (the ONNX file and
int8 sibling, plus any sidecar or data pins it already has; a mismatch is
an error, so a tampered source is never re-pinned), copies the files each
model is made of into DEST_DIR and writes DEST_DIR/registry.json in
tinyvmaf's layout with every pin the loader asks for:

  sha256 / int8_sha256   the ONNX file and "<file>.int8.onnx"
  sidecar_sha256         "<file without .onnx>.json", when it exists
  int8_sidecar_sha256    "<file without .onnx>.int8.json", when it exists
  data_sha256            {name: sha256} for each external data file, found
                         from the ONNX graph's external_data locations and
                         by the "<file>.data" convention, relative to the
                         model's directory

--only ID      copy only these entries (default: all of them)
--as ID=NEWID  also copy entry ID as NEWID, its files renamed NEWID.onnx,
               NEWID.json, NEWID.int8.onnx, NEWID.int8.json (external data
               keeps its names: the ONNX file refers to them by name)
--unpin KIND   leave that pin out of every entry (for refusal tests)

Entries whose ONNX file is absent from SRC_DIR are kept with their
original pins (the loader then reports the file missing). Prints one line
per entry on stdout. Exit status 0, or 1 with one line on stderr.

This extends the trust of the source registry's ONNX pins to the files
beside them, as first seen: it is a test helper, not a signing tool.
"""
import hashlib
import json
import os
import shutil
import sys

UNPIN_KINDS = ("sidecar", "int8_sidecar", "data")


class Fail(Exception):
    pass


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


# ---- Just enough protobuf to find ONNX external data locations ----------

def varint(buf, i):
    v = shift = 0
    while True:
        if i >= len(buf):
            raise Fail("truncated varint")
        b = buf[i]
        i += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return v, i


def fields(buf):
    """Yields (field number, wire type, value) of one message; value is
    bytes for length-delimited fields, an int otherwise."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(buf, i)
        elif wt == 1:
            v, i = buf[i:i + 8], i + 8
        elif wt == 5:
            v, i = buf[i:i + 4], i + 4
        elif wt == 2:
            n, i = varint(buf, i)
            if i + n > len(buf):
                raise Fail("truncated field")
            v, i = buf[i:i + n], i + n
        else:
            raise Fail("unsupported wire type %d" % wt)
        yield num, wt, v


def tensor_locations(t, out):
    for num, wt, v in fields(t):
        if num == 13 and wt == 2:  # TensorProto.external_data
            kv = {n: val for n, w, val in fields(v) if w == 2}
            if kv.get(1) == b"location" and 2 in kv:
                out.add(kv[2].decode("utf-8"))


def graph_locations(g, out):
    for num, wt, v in fields(g):
        if wt != 2:
            continue
        if num == 5:  # GraphProto.initializer
            tensor_locations(v, out)
        elif num == 15:  # sparse_initializer: values (1), indices (2)
            for n2, w2, v2 in fields(v):
                if w2 == 2 and n2 in (1, 2):
                    tensor_locations(v2, out)
        elif num == 1:  # node -> attribute (5)
            for n2, w2, attr in fields(v):
                if n2 != 5 or w2 != 2:
                    continue
                for n3, w3, v3 in fields(attr):
                    if w3 != 2:
                        continue
                    if n3 in (5, 10):  # AttributeProto.t, .tensors
                        tensor_locations(v3, out)
                    elif n3 in (6, 11):  # .g, .graphs
                        graph_locations(v3, out)


def onnx_locations(path):
    with open(path, "rb") as f:
        buf = f.read()
    out = set()
    try:
        for num, wt, v in fields(buf):
            if num == 7 and wt == 2:  # ModelProto.graph
                graph_locations(v, out)
    except (Fail, UnicodeDecodeError) as e:
        raise Fail("%s: cannot read as ONNX (%s)" % (path, e))
    return out


# ---- Registry -------------------------------------------------------------

def stem(name):
    return name[:-5] if name.endswith(".onnx") else name


def check_pin(path, want, what):
    got = sha256_file(path)
    if got != want:
        raise Fail("%s: %s pinned %s in the source registry, file has %s" % (path, what, want, got))
    return got


def copy(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copyfile(src, dst)


def data_names(src_dir, rel_onnx):
    """External data files of one ONNX file, relative to its directory."""
    d = os.path.dirname(os.path.join(src_dir, rel_onnx))
    names = onnx_locations(os.path.join(src_dir, rel_onnx))
    if os.path.isfile(os.path.join(src_dir, rel_onnx + ".data")):
        names.add(os.path.basename(rel_onnx) + ".data")
    for n in names:
        if "/" in n or n in (".", "..") or not n:
            raise Fail("%s: external data location '%s' is not a file name in its directory"
                       % (rel_onnx, n))
        if not os.path.isfile(os.path.join(d, n)):
            raise Fail("%s: external data file %s is missing" % (rel_onnx, os.path.join(d, n)))
    return names


def pin_entry(src, dest, e, new_id, unpin):
    sid = e["id"]
    rel = e.get("file", e.get("onnx"))
    if not isinstance(rel, str) or not rel.endswith(".onnx"):
        raise Fail("entry %s: no ONNX file" % sid)
    out = {"id": new_id, "kind": e.get("kind", "fr")}
    # The copy's file names: the source's, or NEWID.* beside it.
    rel_dir = os.path.dirname(rel)
    new_rel = rel if new_id == sid else os.path.join(rel_dir, new_id + ".onnx")
    out["file"] = new_rel
    out["sha256"] = e["sha256"]
    for k in ("opset", "license"):
        if k in e:
            out[k] = e[k]
    if "licence" in e and "license" not in out:
        out["license"] = e["licence"]
    if "int8_sha256" in e:
        out["int8_sha256"] = e["int8_sha256"]
    src_onnx = os.path.join(src, rel)
    if not os.path.isfile(src_onnx):
        for k in ("sidecar_sha256", "int8_sidecar_sha256", "data_sha256"):
            if k in e:
                out[k] = e[k]
        return out, "%s: %s not present, pins kept as they are" % (new_id, rel)

    check_pin(src_onnx, e["sha256"], "sha256")
    copy(src_onnx, os.path.join(dest, new_rel))
    data = set(data_names(src, rel))
    src_stem, new_stem = stem(rel), stem(new_rel)
    side = src_stem + ".json"
    if os.path.isfile(os.path.join(src, side)):
        if "sidecar_sha256" in e:
            check_pin(os.path.join(src, side), e["sidecar_sha256"], "sidecar_sha256")
        copy(os.path.join(src, side), os.path.join(dest, new_stem + ".json"))
        if "sidecar" not in unpin:
            out["sidecar_sha256"] = sha256_file(os.path.join(src, side))
    if "int8_sha256" in e:
        i8 = src_stem + ".int8.onnx"
        if os.path.isfile(os.path.join(src, i8)):
            check_pin(os.path.join(src, i8), e["int8_sha256"], "int8_sha256")
            copy(os.path.join(src, i8), os.path.join(dest, new_stem + ".int8.onnx"))
            data |= data_names(src, i8)
        i8side = src_stem + ".int8.json"
        if os.path.isfile(os.path.join(src, i8side)):
            if "int8_sidecar_sha256" in e:
                check_pin(os.path.join(src, i8side), e["int8_sidecar_sha256"],
                          "int8_sidecar_sha256")
            copy(os.path.join(src, i8side), os.path.join(dest, new_stem + ".int8.json"))
            if "int8_sidecar" not in unpin:
                out["int8_sidecar_sha256"] = sha256_file(os.path.join(src, i8side))
    pins = {}
    old = e.get("data_sha256") or {}
    for n in sorted(data):
        p = os.path.join(src, rel_dir, n)
        if n in old:
            check_pin(p, old[n], "data_sha256[%s]" % n)
        copy(p, os.path.join(dest, rel_dir, n))
        pins[n] = sha256_file(p)
    if pins and "data" not in unpin:
        out["data_sha256"] = pins
    what = [k for k in ("sha256", "int8_sha256", "sidecar_sha256", "int8_sidecar_sha256")
            if k in out]
    what += ["data_sha256[%s]" % n for n in sorted(out.get("data_sha256", {}))]
    return out, "%s: %s pinned: %s" % (new_id, new_rel, ", ".join(what))


def main(argv):
    pos, only, renames, unpin = [], [], [], set()
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--only", "--as", "--unpin"):
            if i + 1 >= len(argv):
                raise Fail("%s needs a value" % a)
            v = argv[i + 1]
            i += 2
            if a == "--only":
                only.append(v)
            elif a == "--as":
                if "=" not in v:
                    raise Fail("--as wants ID=NEWID, got '%s'" % v)
                renames.append(tuple(v.split("=", 1)))
            else:
                if v not in UNPIN_KINDS:
                    raise Fail("--unpin: one of %s" % ", ".join(UNPIN_KINDS))
                unpin.add(v)
            continue
        pos.append(a)
        i += 1
    if len(pos) != 2:
        raise Fail("usage: pin_registry.py SRC_DIR DEST_DIR [--only ID]... [--as ID=NEWID]... "
                   "[--unpin sidecar|int8_sidecar|data]...")
    src, dest = pos
    with open(os.path.join(src, "registry.json")) as f:
        reg = json.load(f)
    entries = {e["id"]: e for e in reg.get("models", [])}
    for want in only + [r[0] for r in renames]:
        if want not in entries:
            raise Fail("%s/registry.json has no entry '%s'" % (src, want))
    os.makedirs(dest, exist_ok=True)
    models = []
    todo = [(e, e["id"]) for e in reg.get("models", []) if not only or e["id"] in only]
    todo += [(entries[a], b) for a, b in renames]
    for e, new_id in todo:
        out, line = pin_entry(src, dest, e, new_id, unpin)
        models.append(out)
        print(line)
    ids = [m["id"] for m in models]
    if len(set(ids)) != len(ids):
        raise Fail("duplicate ids in the copy: %s" % ", ".join(ids))
    tmp = os.path.join(dest, "registry.json.tmp")
    with open(tmp, "w") as f:
        json.dump({"schema_version": 1, "models": models}, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, os.path.join(dest, "registry.json"))


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (Fail, OSError, ValueError, KeyError) as e:
        print("pin_registry.py: %s" % e, file=sys.stderr)
        sys.exit(1)
