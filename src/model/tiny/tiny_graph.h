/*
 * Internal representation of a tiny ONNX model and its interpreter.
 *
 * onnx_parse.c turns ONNX bytes into a TinyGraph (values + nodes with
 * checked shapes for a symbolic batch N); tiny_exec.c runs it. Nothing
 * here is public: include/tinyvmaf/tiny.h is the API.
 *
 * Numerics contract (see docs/tiny.md):
 *  - Every elementwise op, Cast, DynamicQuantizeLinear and MatMulInteger
 *    is one IEEE-754 binary32 operation per element (no FMA contraction,
 *    no reciprocal for division, no reassociation), so int8 graphs are
 *    bit-identical to onnxruntime's CPU provider.
 *  - Gemm and MatMul sum the K products in ascending k order from +0,
 *    then apply alpha, then add beta*C. Each output is within
 *    K * 2^-24 * sum_k |a_k b_k| (+ one rounding for the bias) of the exact
 *    value; onnxruntime's blocked FMA kernels stay inside the same bound,
 *    so two runtimes differ by at most twice that.
 *  - Results never depend on how a batch is split when the graph is
 *    row-separable (every fp32 MLP); graphs with DynamicQuantizeLinear
 *    see the whole batch, as onnxruntime does.
 */
#ifndef TVMAF_SRC_MODEL_TINY_TINY_GRAPH_H
#define TVMAF_SRC_MODEL_TINY_TINY_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "model/mlp.h"
#include "tinyvmaf/tinyvmaf.h"

/* Caps, all checked before the matching allocation. Tiny fusion models are
 * a few KiB; these leave three orders of magnitude of headroom while keeping
 * a hostile file's memory use bounded. */
#define TINY_MAX_FILE_BYTES   (16u << 20) /* .onnx file */
#define TINY_MAX_PB_HEAP      (256u << 20) /* protobuf-c's heap while decoding */
#define TINY_MAX_NODES        4096
#define TINY_MAX_INITIALIZERS 4096
#define TINY_MAX_GRAPH_IO     64          /* declared graph inputs/outputs */
#define TINY_MAX_NODE_IO      8           /* inputs or outputs of one node */
#define TINY_MAX_ATTRS        32          /* attributes of one node */
#define TINY_MAX_RANK         8
#define TINY_MAX_DIM          (INT64_C(1) << 24)
#define TINY_MAX_TENSOR_BYTES (16u << 20) /* one constant tensor */
#define TINY_MAX_CONST_BYTES  (64u << 20) /* all constants together */
#define TINY_MAX_ROW_ELEMS    (INT64_C(1) << 22) /* elements per batch row, all values */
#define TINY_MAX_BATCH        (INT64_C(1) << 26) /* rows per run */

enum TinyDType {
    TINY_DT_FLOAT = 1,
    TINY_DT_UINT8 = 2,
    TINY_DT_INT8 = 3,
    TINY_DT_INT32 = 6,
    TINY_DT_INT64 = 7,
};

enum TinyOp {
    TINY_OP_CONSTANT,
    TINY_OP_IDENTITY,
    TINY_OP_SUB,
    TINY_OP_DIV,
    TINY_OP_MUL,
    TINY_OP_ADD,
    TINY_OP_GEMM,
    TINY_OP_MATMUL,
    TINY_OP_RELU,
    TINY_OP_SQUEEZE,
    TINY_OP_UNSQUEEZE,
    TINY_OP_RESHAPE,
    TINY_OP_FLATTEN,
    TINY_OP_CAST,
    TINY_OP_CLIP,
    TINY_OP_SIGMOID,
    TINY_OP_TANH,
    TINY_OP_DYNQUANT,
    TINY_OP_MATMULINT,
    TINY_OP_COUNT
};

/* A dimension is c (sym = 0) or c * N (sym = 1); N is the batch size. */
typedef struct TinyDim {
    int64_t c;
    int sym;
} TinyDim;

typedef struct TinyShape {
    int rank;
    TinyDim d[TINY_MAX_RANK];
} TinyShape;

enum TinyValueKind {
    TINY_VAL_UNDEF = 0,
    TINY_VAL_CONST,    /* data owned by the value */
    TINY_VAL_INPUT,    /* the caller's buffer */
    TINY_VAL_COMPUTED, /* a workspace slot */
    TINY_VAL_ALIAS,    /* same bytes as value `root`, new shape */
};

typedef struct TinyValue {
    char *name;
    enum TinyValueKind kind;
    int dtype;
    TinyShape shape;
    void *data;      /* TINY_VAL_CONST */
    size_t bytes;    /* TINY_VAL_CONST */
    int root;        /* storage owner: itself, or the value an alias views */
} TinyValue;

typedef struct TinyNode {
    enum TinyOp op;
    char *name;
    int n_in, n_out;
    int in[TINY_MAX_NODE_IO];  /* value index, -1 for an omitted optional input */
    int out[TINY_MAX_NODE_IO];
    /* Attributes, resolved at load. */
    float alpha, beta;         /* Gemm */
    int trans_a, trans_b;      /* Gemm */
    int to;                    /* Cast */
    float clip_min, clip_max;  /* Clip bounds from attributes (opset < 11 form) */
    /* Load-time plan. */
    float *packed_b;           /* Gemm/MatMul with constant B: B as [K][M], row-major */
    float *bias;               /* Gemm: constant per-column C folded into the epilogue */
    int32_t *packed_bq;        /* MatMulInteger with constant B: (B - b_zero_point) as [K][M] */
    int fuse_relu;             /* the only consumer is a ReLU, applied in the epilogue */
    int64_t k, m;              /* Gemm/MatMul inner and output column counts */
} TinyNode;

typedef struct TinyGraph {
    TinyValue *values;
    int n_values, cap_values;
    TinyNode *nodes;
    int n_nodes;
    int input, output;         /* value indices */
    int64_t n_features;        /* width k of the [N, k] input */
    int fixed_batch;           /* input declared [1, k]: run one row at a time */
    int row_separable;         /* output row i depends only on input row i */
    int batch_dependent;       /* DynamicQuantizeLinear: rows share one scale */
    TvmafMlpDSPContext mlp;    /* Gemm/MatMul kernels for the allowed CPU flags */
    int64_t ir_version, opset;
    size_t const_bytes;
    void *names;               /* name -> value hash table */
    const TvmafLogger *log;    /* only while parsing */
    const char *what;          /* file name used in messages while parsing */
} TinyGraph;

/**
 * Supplies external data: the whole file named by a tensor's "location"
 * (relative to the model), already read and verified against its pin.
 * Returns 0 with *data and *len valid until the parse returns, or a negative
 * error it has logged (ENOENT, EACCES, EIO, ENOTSUP, ENOMEM).
 */
typedef int (*TinyExternalFn)(void *cookie, const char *location, const uint8_t **data,
                              size_t *len);

typedef struct TinyParseOptions {
    const char *what;          /* file name for log messages */
    const TvmafLogger *log;
    unsigned cpu_mask;         /* TVMAF_CPU_FLAG_* bits the kernels may not use */
    TinyExternalFn external;   /* NULL refuses external data */
    void *cookie;
} TinyParseOptions;

/**
 * Parses and checks an ONNX model held in memory.
 * @return 0, TVMAF_ERR(EBADMSG) malformed, TVMAF_ERR(ENOTSUP) unsupported
 *         op/opset/type, TVMAF_ERR(EACCES) external data refused, the
 *         external-data callback's error, TVMAF_ERR(ENOMEM). One error line
 *         is logged on failure.
 */
int tvmaf_tiny_graph_parse(TinyGraph **out, const uint8_t *buf, size_t len,
                           const TinyParseOptions *opt);

/** Frees a graph; NULL-safe, sets *g to NULL. */
void tvmaf_tiny_graph_free(TinyGraph **g);

/**
 * Runs the graph on n rows of n_features floats; writes n floats.
 * Reentrant: the graph is not modified.
 * @return 0 or TVMAF_ERR(ENOMEM) / TVMAF_ERR(EINVAL) (n too large).
 */
int tvmaf_tiny_graph_run(const TinyGraph *g, const float *in, size_t n, float *out);

/**
 * Chooses the graph's kernels (model/mlp.h) for the CPU flags detected
 * minus cpu_mask (TVMAF_CPU_FLAG_* bits). The parser calls it with its
 * options' cpu_mask; results do not depend on it.
 */
void tvmaf_tiny_graph_set_cpu(TinyGraph *g, unsigned cpu_mask);

/* Shared by the parser and the executor. */
size_t tvmaf_tiny_dtype_size(int dtype);
const char *tvmaf_tiny_op_name(enum TinyOp op);
/* Number of elements for batch size n (n ignored by fixed shapes). */
int64_t tvmaf_tiny_shape_elems(const TinyShape *s, int64_t n);

/* tvmaf_tiny_sha256_hex(), the one sha256 wrapper, lives in util/. */
#include "util/util.h"

#endif /* TVMAF_SRC_MODEL_TINY_TINY_GRAPH_H */
