#!/bin/sh
# tiny_api_test on the upstream fixtures: paths read in place, ids through a
# pinned copy of upstream's registry (upstream pins only the ONNX files).
. "$(dirname "$0")/common.sh"
need_upstream
scratch api
"$TINY_PYTHON" "$(dirname "$0")/pin_registry.py" "$TINY_UPSTREAM" "$T/pinned" >"$T/pin.log" ||
    fail "pin_registry.py"
"$TINY_API_TEST" "$TINY_UPSTREAM" "$T/pinned"
