/*
 * What the ONNX reader's three parts share: onnx_parse.c (decoding, tensors,
 * attributes, nodes, graph inputs/outputs), onnx_shape.c (shape inference
 * per op) and tiny_plan.c (the load-time plan and the CPU choice). Internal
 * to src/model/tiny/; tiny_graph.h is what the rest of the library sees.
 */
#ifndef TVMAF_SRC_MODEL_TINY_TINY_PARSE_H
#define TVMAF_SRC_MODEL_TINY_TINY_PARSE_H

#include <stdint.h>

#include "log.h"
#include "model/tiny/proto/onnx.pb-c.h"
#include "model/tiny/tiny_graph.h"

/* ONNX enum values (onnx.proto). */
enum {
    ATTR_FLOAT = 1,
    ATTR_INT = 2,
    ATTR_STRING = 3,
    ATTR_TENSOR = 4,
    ATTR_FLOATS = 6,
    ATTR_INTS = 7,
};

typedef struct TinyParser {
    TinyGraph *g;
    const TvmafLogger *log;
    const char *what;
    TinyExternalFn external;
    void *cookie;
    const TvmafOnnx__NodeProto *node; /* node being checked, for messages */
} TinyParser;

static inline const char *str_or_empty(const char *s)
{
    return s ? s : "";
}

/* onnx_parse.c */

/** Logs "<file>: [node '<name>' (<op>): ]<message>" and returns TVMAF_ERR(err). */
int tvmaf_tiny_fail(const TinyParser *p, int err, const char *fmt, ...) TVMAF_PRINTF(3, 4);
const char *tvmaf_tiny_dtype_name(int dtype);
/** Converts a TensorProto to a constant value's data; checks every declared
 *  dimension against the bytes actually present. */
int tvmaf_tiny_load_tensor(TinyParser *p, const TvmafOnnx__TensorProto *t, const char *name,
                           TinyValue *v);
const TvmafOnnx__AttributeProto *tvmaf_tiny_find_attr(const TvmafOnnx__NodeProto *n,
                                                      const char *name);
int tvmaf_tiny_attr_type_ok(const TvmafOnnx__AttributeProto *a, int type);
/* The current node's attribute, or def when absent. */
int tvmaf_tiny_attr_float(const TinyParser *p, const char *name, float def, float *out);
int tvmaf_tiny_attr_int(const TinyParser *p, const char *name, int64_t def, int64_t *out);
/** Refuses any attribute of the current node not in the NULL-ended list. */
int tvmaf_tiny_check_attr_names(const TinyParser *p, const char *const *allowed);

/* onnx_shape.c */

void tvmaf_tiny_shape_str(const TinyShape *s, char *buf, size_t size);
/** Checks a shape against the caps (one error line on failure). */
int tvmaf_tiny_check_shape(const TinyParser *p, const TinyShape *s, const char *name);
/** Element count of s as c * N^sym. */
void tvmaf_tiny_shape_elems_sym(const TinyShape *s, int64_t *c, int *sym);
/** Types and shapes the outputs of node tn (inputs resolved, o its first
 *  output), checks them against the caps and marks views. */
int tvmaf_tiny_infer_node(TinyParser *p, TinyNode *tn, TinyValue *o);

/* tiny_plan.c */

/** Epilogue fusion, alias roots and batch splitting for a parsed graph. */
int tvmaf_tiny_plan(TinyParser *p);
/** Picks the matmul kernel for this CPU, less the cpu_mask bits. */
void tvmaf_tiny_plan_cpu(TinyGraph *g, unsigned cpu_mask);

#endif /* TVMAF_SRC_MODEL_TINY_TINY_PARSE_H */
