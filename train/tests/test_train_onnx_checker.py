#!/usr/bin/python3
"""Exported models pass onnx.checker.check_model(full_check=True) (Debian's
python3-onnx) and have the documented graph: IR 8, opset 17, Sub -> Div ->
Gemm(transB=1) -> Relu -> ... -> Gemm -> Squeeze(axes -1)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_common import check, cleanup, finish, require_cli, run, synth, workdir

try:
    import onnx
    from onnx import numpy_helper
except ImportError:
    print("SKIP: python3-onnx is not installed (apt-get install python3-onnx)")
    sys.exit(77)

require_cli()
d = workdir("train-onnx")
data = synth(os.path.join(d, "s.csv"), 1200, 6, 2)
archs = [("mlp_small", ["--arch", "mlp_small"], [16, 8]),
         ("mlp_medium", ["--arch", "mlp_medium"], [32, 16]),
         ("mlp_large", ["--arch", "mlp_large"], [64, 32, 16]),
         ("custom", ["--hidden", "5"], [5]),
         ("three_features", ["--hidden", "4,3", "--features", "adm2,vif_scale0,motion2"], [4, 3])]
for name, args, hidden in archs:
    path = os.path.join(d, name + ".onnx")
    run("train", "--data", data, "--epochs", "2", "-o", path, *args)
    m = onnx.load(path)
    try:
        onnx.checker.check_model(m, full_check=True)
    except Exception as e:  # noqa: BLE001 - report any checker failure
        check(False, f"{name}: check_model(full_check=True) failed: {e}")
        continue
    onnx.shape_inference.infer_shapes(m, check_type=True, strict_mode=True)
    k = 3 if name == "three_features" else 6
    g = m.graph
    check(m.ir_version == 8, f"{name}: ir_version {m.ir_version}")
    check([(o.domain, o.version) for o in m.opset_import] == [("", 17)],
          f"{name}: opset_import {m.opset_import}")
    check([i.name for i in g.input] == ["features"] and [o.name for o in g.output] == ["vmaf"],
          f"{name}: io names")
    dims_in = [(x.dim_param or x.dim_value) for x in g.input[0].type.tensor_type.shape.dim]
    dims_out = [(x.dim_param or x.dim_value) for x in g.output[0].type.tensor_type.shape.dim]
    check(dims_in == ["N", k] and dims_out == ["N"], f"{name}: shapes {dims_in} {dims_out}")
    check(g.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT, f"{name}: input dtype")
    ops = [n.op_type for n in g.node]
    want = ["Sub", "Div"] + ["Gemm", "Relu"] * len(hidden) + ["Gemm", "Squeeze"]
    check(ops == want, f"{name}: nodes {ops}, expected {want}")
    for n in g.node:
        if n.op_type == "Gemm":
            attrs = {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}
            check(attrs == {"alpha": 1.0, "beta": 1.0, "transA": 0, "transB": 1},
                  f"{name}: Gemm attributes {attrs}")
    inits = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    check(all(t.HasField("raw_data") for t in g.initializer), f"{name}: initializers not raw_data")
    check(inits["mean"].shape == (k,) and inits["std"].shape == (k,), f"{name}: scaler shapes")
    widths = [k] + hidden + [1]
    for l in range(len(widths) - 1):
        w, b = inits[f"mlp.{2 * l}.weight"], inits[f"mlp.{2 * l}.bias"]
        check(w.shape == (widths[l + 1], widths[l]) and b.shape == (widths[l + 1],),
              f"{name}: layer {l} shapes {w.shape} {b.shape}")
    check(list(inits["squeeze_axes"]) == [-1], f"{name}: squeeze axes")
    print(f"{name}: check_model(full_check=True) ok, {len(g.node)} nodes")
cleanup(d)
finish("train-onnx-checker")
