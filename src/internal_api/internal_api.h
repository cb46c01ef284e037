/*
 * What in-tree code outside src/ that links the internal library (the
 * training toolkit, train/) may use from it: the logger, CPU detection and
 * the util helpers. This folder is the only part of src/ on train/'s
 * include path (tvmaf_internal_api_dep in src/meson.build); the ONNX
 * protobuf-c types come separately, through tvmaf_onnx_pb_dep.
 * Nothing here is exported from libtinyvmaf.
 */
#ifndef TVMAF_SRC_INTERNAL_API_INTERNAL_API_H
#define TVMAF_SRC_INTERNAL_API_INTERNAL_API_H

#include "../cpu.h"       /* tvmaf_cpu_flags_usable() */
#include "../log.h"       /* tvmaf_log(), TVMAF_PRINTF() */
#include "../model/mlp.h" /* the MLP kernel table, shared with the tiny runtime */
#include "../util/util.h" /* atomic output, escaping, CSV reader, sha256 */

#endif /* TVMAF_SRC_INTERNAL_API_INTERNAL_API_H */
