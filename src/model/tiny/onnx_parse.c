/*
 * ONNX bytes -> TinyGraph: protobuf-c decoding under a heap cap, then the
 * model, its tensors, attributes, nodes and graph inputs/outputs. Shape
 * inference per op is onnx_shape.c; the load-time plan and the CPU choice
 * are tiny_plan.c (tiny_parse.h is what the three share).
 *
 * Every size read from the file is bounded before it is multiplied or
 * allocated; the protobuf-c decoder itself runs on a counting allocator so
 * a hostile file cannot make it allocate more than TINY_MAX_PB_HEAP.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "model/tiny/tiny_file.h"
#include "model/tiny/tiny_graph.h"
#include "model/tiny/tiny_parse.h"

#define DATA_LOCATION_EXTERNAL 1

/* IR 7 (ONNX 1.8) is the oldest with the opset-13 operator forms we
 * implement; IR 10 is what torch 2.x writes. */
#define IR_MIN 7
#define IR_MAX 10
#define OPSET_MIN 13
#define OPSET_MAX 21

int tvmaf_tiny_fail(const TinyParser *p, int err, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (p->node)
        tvmaf_log(p->log, TVMAF_LOG_ERROR, "%s: node '%s' (%s): %s", p->what,
                  p->node->name ? p->node->name : "", p->node->op_type ? p->node->op_type : "",
                  msg);
    else
        tvmaf_log(p->log, TVMAF_LOG_ERROR, "%s: %s", p->what, msg);
    return TVMAF_ERR(err);
}

/* ---- protobuf-c heap with a cap ---------------------------------------- */

typedef struct PbHeap {
    size_t used;
    int refused; /* the cap was hit */
} PbHeap;

/* 16 bytes keep malloc's alignment for the payload. */
#define PB_HDR 16

static void *pb_alloc(void *opaque, size_t size)
{
    PbHeap *const h = opaque;
    if (size > TINY_MAX_PB_HEAP - h->used) {
        h->refused = 1;
        return NULL;
    }
    unsigned char *const p = malloc(size + PB_HDR);
    if (!p)
        return NULL;
    memcpy(p, &size, sizeof(size));
    h->used += size;
    return p + PB_HDR;
}

static void pb_free(void *opaque, void *ptr)
{
    PbHeap *const h = opaque;
    if (!ptr)
        return;
    unsigned char *const p = (unsigned char *)ptr - PB_HDR;
    size_t size;
    memcpy(&size, p, sizeof(size));
    h->used -= size;
    free(p);
}

/* ---- small helpers ------------------------------------------------------ */

size_t tvmaf_tiny_dtype_size(const int dtype)
{
    switch (dtype) {
    case TINY_DT_FLOAT: return 4;
    case TINY_DT_UINT8: return 1;
    case TINY_DT_INT8: return 1;
    case TINY_DT_INT32: return 4;
    case TINY_DT_INT64: return 8;
    default: return 0;
    }
}

const char *tvmaf_tiny_dtype_name(const int dtype)
{
    switch (dtype) {
    case TINY_DT_FLOAT: return "float";
    case TINY_DT_UINT8: return "uint8";
    case TINY_DT_INT8: return "int8";
    case TINY_DT_INT32: return "int32";
    case TINY_DT_INT64: return "int64";
    default: return "unsupported";
    }
}

static const struct {
    const char *name;
    enum TinyOp op;
} op_table[] = {
    { "Constant", TINY_OP_CONSTANT },
    { "Identity", TINY_OP_IDENTITY },
    { "Sub", TINY_OP_SUB },
    { "Div", TINY_OP_DIV },
    { "Mul", TINY_OP_MUL },
    { "Add", TINY_OP_ADD },
    { "Gemm", TINY_OP_GEMM },
    { "MatMul", TINY_OP_MATMUL },
    { "Relu", TINY_OP_RELU },
    { "Squeeze", TINY_OP_SQUEEZE },
    { "Unsqueeze", TINY_OP_UNSQUEEZE },
    { "Reshape", TINY_OP_RESHAPE },
    { "Flatten", TINY_OP_FLATTEN },
    { "Cast", TINY_OP_CAST },
    { "Clip", TINY_OP_CLIP },
    { "Sigmoid", TINY_OP_SIGMOID },
    { "Tanh", TINY_OP_TANH },
    { "DynamicQuantizeLinear", TINY_OP_DYNQUANT },
    { "MatMulInteger", TINY_OP_MATMULINT },
};

const char *tvmaf_tiny_op_name(const enum TinyOp op)
{
    for (size_t i = 0; i < sizeof(op_table) / sizeof(op_table[0]); i++)
        if (op_table[i].op == op)
            return op_table[i].name;
    return "?";
}

/* ---- value table (open addressing on names) ---------------------------- */

typedef struct NameMap {
    size_t mask;
    int *slot; /* value index, -1 empty */
} NameMap;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static int map_find(const TinyGraph *g, const char *name)
{
    const NameMap *const m = g->names;
    for (size_t i = hash_str(name) & m->mask;; i = (i + 1) & m->mask) {
        const int v = m->slot[i];
        if (v < 0)
            return -1;
        if (!strcmp(g->values[v].name, name))
            return v;
    }
}

/* Adds a new named value; -EBADMSG if the name already exists. */
static int add_value(TinyParser *p, const char *name, int *idx)
{
    TinyGraph *const g = p->g;
    if (!name || !*name)
        return tvmaf_tiny_fail(p, EBADMSG, "empty value name");
    if (map_find(g, name) >= 0)
        return tvmaf_tiny_fail(p, EBADMSG, "value '%s' is defined twice", name);
    if (g->n_values >= g->cap_values)
        return tvmaf_tiny_fail(p, EBADMSG, "too many values");
    TinyValue *const v = &g->values[g->n_values];
    memset(v, 0, sizeof(*v));
    v->name = strdup(name);
    if (!v->name)
        return tvmaf_tiny_fail(p, ENOMEM, "out of memory");
    v->root = g->n_values;
    NameMap *const m = g->names;
    size_t i = hash_str(name) & m->mask;
    while (m->slot[i] >= 0)
        i = (i + 1) & m->mask;
    m->slot[i] = g->n_values;
    *idx = g->n_values++;
    return 0;
}

/* ---- tensors ------------------------------------------------------------- */

static int parse_size(const char *s, int64_t *out)
{
    if (!s || !*s)
        return -1;
    int64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return 0;
}

static int read_external(const TinyParser *p, const TvmafOnnx__TensorProto *t, const char *tname,
                         void *dst, size_t bytes)
{
    const char *location = NULL;
    int64_t offset = 0, length = -1;
    for (size_t i = 0; i < t->n_external_data; i++) {
        const char *k = str_or_empty(t->external_data[i]->key);
        const char *v = t->external_data[i]->value;
        if (!strcmp(k, "location"))
            location = v;
        else if (!strcmp(k, "offset") && parse_size(v, &offset))
            return tvmaf_tiny_fail(p, EBADMSG, "tensor '%s': bad external data offset", tname);
        else if (!strcmp(k, "length") && parse_size(v, &length))
            return tvmaf_tiny_fail(p, EBADMSG, "tensor '%s': bad external data length", tname);
    }
    if (!location || !*location)
        return tvmaf_tiny_fail(p, EBADMSG, "tensor '%s': external data without a location", tname);
    if (!p->external)
        return tvmaf_tiny_fail(p, EACCES, "tensor '%s': external data '%s' refused", tname,
                               location);
    if (length >= 0 && (uint64_t)length != bytes)
        return tvmaf_tiny_fail(p, EBADMSG,
                               "tensor '%s': external data length %lld, tensor needs %zu bytes",
                               tname, (long long)length, bytes);
    const uint8_t *data;
    size_t len;
    const int err = p->external(p->cookie, location, &data, &len);
    if (err)
        return err;
    if ((uint64_t)offset > len || bytes > len - (uint64_t)offset)
        return tvmaf_tiny_fail(p, EBADMSG,
                               "tensor '%s': external data '%s' holds %zu bytes, tensor needs "
                               "%zu at offset %lld",
                               tname, location, len, bytes, (long long)offset);
    memcpy(dst, data + offset, bytes);
    return 0;
}

static int check_dtype(const TinyParser *p, const int dtype, const char *name)
{
    if (!tvmaf_tiny_dtype_size(dtype))
        return tvmaf_tiny_fail(p, ENOTSUP, "'%s': data type %d not supported", name, dtype);
    return 0;
}

/* Converts a TensorProto to a constant value's data; checks every declared
 * dimension against the bytes actually present. */
int tvmaf_tiny_load_tensor(TinyParser *p, const TvmafOnnx__TensorProto *t, const char *name,
                           TinyValue *v)
{
    if (!t->has_data_type)
        return tvmaf_tiny_fail(p, EBADMSG, "tensor '%s' has no data type", name);
    int err = check_dtype(p, t->data_type, name);
    if (err)
        return err;
    if (t->n_dims > TINY_MAX_RANK)
        return tvmaf_tiny_fail(p, ENOTSUP, "tensor '%s' has rank %zu (max %d)", name, t->n_dims,
                               TINY_MAX_RANK);
    if (t->segment)
        return tvmaf_tiny_fail(p, ENOTSUP, "tensor '%s' is segmented", name);
    const size_t esize = tvmaf_tiny_dtype_size(t->data_type);
    uint64_t elems = 1;
    v->shape.rank = (int)t->n_dims;
    for (size_t i = 0; i < t->n_dims; i++) {
        if (t->dims[i] < 0 || t->dims[i] > TINY_MAX_DIM)
            return tvmaf_tiny_fail(p, EBADMSG, "tensor '%s' has dimension %lld", name,
                                   (long long)t->dims[i]);
        v->shape.d[i].c = t->dims[i];
        v->shape.d[i].sym = 0;
        elems *= (uint64_t)t->dims[i];
        if (elems > TINY_MAX_TENSOR_BYTES)
            return tvmaf_tiny_fail(p, ENOTSUP, "tensor '%s' is larger than %u bytes", name,
                                   TINY_MAX_TENSOR_BYTES);
    }
    const uint64_t bytes = elems * esize;
    if (bytes > TINY_MAX_TENSOR_BYTES)
        return tvmaf_tiny_fail(p, ENOTSUP, "tensor '%s' is larger than %u bytes", name,
                               TINY_MAX_TENSOR_BYTES);
    if (bytes > TINY_MAX_CONST_BYTES - p->g->const_bytes)
        return tvmaf_tiny_fail(p, ENOTSUP, "constants exceed %u bytes in total",
                               TINY_MAX_CONST_BYTES);

    const int external = t->has_data_location && t->data_location == DATA_LOCATION_EXTERNAL;
    if (t->has_data_location && t->data_location != 0 && !external)
        return tvmaf_tiny_fail(p, EBADMSG, "tensor '%s' has data location %d", name,
                               t->data_location);
    if (!external && t->n_external_data)
        return tvmaf_tiny_fail(p, EBADMSG, "tensor '%s' lists external data but is not external",
                               name);

    /* Count what the file holds before allocating the tensor. */
    uint64_t have;
    const char *field;
    if (external) {
        have = elems; /* checked against the file in read_external() */
        field = "external data";
    } else if (t->has_raw_data) {
        if (t->raw_data.len != bytes)
            return tvmaf_tiny_fail(p, EBADMSG,
                                   "tensor '%s': dims need %llu bytes, raw_data has %zu", name,
                                   (unsigned long long)bytes, t->raw_data.len);
        have = elems;
        field = "raw_data";
    } else {
        switch (t->data_type) {
        case TINY_DT_FLOAT: have = t->n_float_data; field = "float_data"; break;
        case TINY_DT_INT64: have = t->n_int64_data; field = "int64_data"; break;
        default: have = t->n_int32_data; field = "int32_data"; break;
        }
    }
    if (have != elems)
        return tvmaf_tiny_fail(p, EBADMSG, "tensor '%s': dims need %llu elements, %s has %llu",
                               name, (unsigned long long)elems, field, (unsigned long long)have);

    v->data = malloc(bytes ? bytes : 1);
    if (!v->data)
        return tvmaf_tiny_fail(p, ENOMEM, "out of memory");
    v->bytes = bytes;
    v->dtype = t->data_type;
    v->kind = TINY_VAL_CONST;
    p->g->const_bytes += bytes;

    if (external)
        return read_external(p, t, name, v->data, bytes);
    if (t->has_raw_data) {
        memcpy(v->data, t->raw_data.data, bytes);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        /* raw_data is little-endian on every host. */
        unsigned char *b = v->data;
        for (uint64_t i = 0; i < elems; i++)
            for (size_t j = 0; j < esize / 2; j++) {
                const unsigned char tmp = b[i * esize + j];
                b[i * esize + j] = b[i * esize + esize - 1 - j];
                b[i * esize + esize - 1 - j] = tmp;
            }
#endif
        return 0;
    }
    for (uint64_t i = 0; i < elems; i++) {
        switch (t->data_type) {
        case TINY_DT_FLOAT: ((float *)v->data)[i] = t->float_data[i]; break;
        case TINY_DT_INT64: ((int64_t *)v->data)[i] = t->int64_data[i]; break;
        case TINY_DT_INT32: ((int32_t *)v->data)[i] = t->int32_data[i]; break;
        case TINY_DT_UINT8:
            if (t->int32_data[i] < 0 || t->int32_data[i] > 255)
                return tvmaf_tiny_fail(p, EBADMSG, "tensor '%s': uint8 value %d", name,
                                       t->int32_data[i]);
            ((uint8_t *)v->data)[i] = (uint8_t)t->int32_data[i];
            break;
        case TINY_DT_INT8:
            if (t->int32_data[i] < -128 || t->int32_data[i] > 127)
                return tvmaf_tiny_fail(p, EBADMSG, "tensor '%s': int8 value %d", name,
                                       t->int32_data[i]);
            ((int8_t *)v->data)[i] = (int8_t)t->int32_data[i];
            break;
        }
    }
    return 0;
}

/* ---- attributes ----------------------------------------------------------- */

const TvmafOnnx__AttributeProto *tvmaf_tiny_find_attr(const TvmafOnnx__NodeProto *n,
                                                      const char *name)
{
    for (size_t i = 0; i < n->n_attribute; i++)
        if (!strcmp(str_or_empty(n->attribute[i]->name), name))
            return n->attribute[i];
    return NULL;
}

/* An attribute's declared type must match; files that omit the type
 * (allowed before IR 4) are judged by the field the caller reads. */
int tvmaf_tiny_attr_type_ok(const TvmafOnnx__AttributeProto *a, const int type)
{
    return !a->has_type || a->type == type;
}

int tvmaf_tiny_attr_float(const TinyParser *p, const char *name, const float def, float *out)
{
    const TvmafOnnx__AttributeProto *const a = tvmaf_tiny_find_attr(p->node, name);
    *out = def;
    if (!a)
        return 0;
    if (!tvmaf_tiny_attr_type_ok(a, ATTR_FLOAT) || (!a->has_f && !a->has_type))
        return tvmaf_tiny_fail(p, EBADMSG, "attribute '%s' must be a float", name);
    *out = a->f;
    return 0;
}

int tvmaf_tiny_attr_int(const TinyParser *p, const char *name, const int64_t def, int64_t *out)
{
    const TvmafOnnx__AttributeProto *const a = tvmaf_tiny_find_attr(p->node, name);
    *out = def;
    if (!a)
        return 0;
    if (!tvmaf_tiny_attr_type_ok(a, ATTR_INT) || (!a->has_i && !a->has_type))
        return tvmaf_tiny_fail(p, EBADMSG, "attribute '%s' must be an int", name);
    *out = a->i;
    return 0;
}

/* Only the attributes listed per op are understood; anything else may
 * change the op's meaning, so it is refused rather than ignored. */
int tvmaf_tiny_check_attr_names(const TinyParser *p, const char *const *allowed)
{
    const TvmafOnnx__NodeProto *const n = p->node;
    if (n->n_attribute > TINY_MAX_ATTRS)
        return tvmaf_tiny_fail(p, ENOTSUP, "%zu attributes", n->n_attribute);
    for (size_t i = 0; i < n->n_attribute; i++) {
        const TvmafOnnx__AttributeProto *const a = n->attribute[i];
        const char *const an = str_or_empty(a->name);
        int ok = 0;
        for (const char *const *s = allowed; *s; s++)
            ok |= !strcmp(*s, an);
        if (!ok)
            return tvmaf_tiny_fail(p, ENOTSUP, "attribute '%s' not supported", an);
        if (a->ref_attr_name && *a->ref_attr_name)
            return tvmaf_tiny_fail(p, ENOTSUP, "attribute '%s' refers to a function attribute", an);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(str_or_empty(n->attribute[j]->name), an))
                return tvmaf_tiny_fail(p, EBADMSG, "attribute '%s' given twice", an);
    }
    return 0;
}

/* Arity per op: min/max inputs, outputs, and which inputs may be omitted. */
static const struct {
    int in_min, in_max, n_out;
} arity[TINY_OP_COUNT] = {
    [TINY_OP_CONSTANT] = { 0, 0, 1 },  [TINY_OP_IDENTITY] = { 1, 1, 1 },
    [TINY_OP_SUB] = { 2, 2, 1 },       [TINY_OP_DIV] = { 2, 2, 1 },
    [TINY_OP_MUL] = { 2, 2, 1 },       [TINY_OP_ADD] = { 2, 2, 1 },
    [TINY_OP_GEMM] = { 2, 3, 1 },      [TINY_OP_MATMUL] = { 2, 2, 1 },
    [TINY_OP_RELU] = { 1, 1, 1 },      [TINY_OP_SQUEEZE] = { 1, 2, 1 },
    [TINY_OP_UNSQUEEZE] = { 1, 2, 1 }, [TINY_OP_RESHAPE] = { 2, 2, 1 },
    [TINY_OP_FLATTEN] = { 1, 1, 1 },   [TINY_OP_CAST] = { 1, 1, 1 },
    [TINY_OP_CLIP] = { 1, 3, 1 },      [TINY_OP_SIGMOID] = { 1, 1, 1 },
    [TINY_OP_TANH] = { 1, 1, 1 },      [TINY_OP_DYNQUANT] = { 1, 1, 3 },
    [TINY_OP_MATMULINT] = { 2, 4, 1 },
};

static int optional_input(const enum TinyOp op, const int i)
{
    switch (op) {
    case TINY_OP_GEMM: return i == 2;
    case TINY_OP_CLIP: return i >= 1;
    case TINY_OP_MATMULINT: return i >= 2;
    case TINY_OP_SQUEEZE: return i == 1;
    default: return 0;
    }
}

static int parse_node(TinyParser *p, const TvmafOnnx__NodeProto *n, TinyNode *tn)
{
    p->node = n;
    TinyGraph *const g = p->g;
    const char *const op_type = str_or_empty(n->op_type);
    const char *const domain = str_or_empty(n->domain);
    if (*domain && strcmp(domain, "ai.onnx"))
        return tvmaf_tiny_fail(p, ENOTSUP, "unsupported op '%s' from domain '%s'", op_type, domain);
    int found = -1;
    for (size_t i = 0; i < sizeof(op_table) / sizeof(op_table[0]); i++)
        if (!strcmp(op_table[i].name, op_type))
            found = (int)i;
    if (found < 0)
        return tvmaf_tiny_fail(p, ENOTSUP, "unsupported op '%s'", op_type);
    tn->op = op_table[found].op;
    tn->name = strdup(str_or_empty(n->name));
    if (!tn->name)
        return tvmaf_tiny_fail(p, ENOMEM, "out of memory");

    if (n->n_input < (size_t)arity[tn->op].in_min || n->n_input > (size_t)arity[tn->op].in_max)
        return tvmaf_tiny_fail(p, EBADMSG, "has %zu inputs", n->n_input);
    if (n->n_output != (size_t)arity[tn->op].n_out)
        return tvmaf_tiny_fail(p, EBADMSG, "has %zu outputs", n->n_output);
    tn->n_in = (int)n->n_input;
    tn->n_out = (int)n->n_output;
    for (int i = 0; i < tn->n_in; i++) {
        const char *const iname = str_or_empty(n->input[i]);
        if (!*iname) {
            if (!optional_input(tn->op, i))
                return tvmaf_tiny_fail(p, EBADMSG, "input %d is required", i);
            tn->in[i] = -1;
            continue;
        }
        tn->in[i] = map_find(g, iname);
        if (tn->in[i] < 0)
            return tvmaf_tiny_fail(p, EBADMSG, "input '%s' is not produced by an earlier node",
                                   iname);
    }
    if (tn->op != TINY_OP_GEMM && tn->op != TINY_OP_SQUEEZE && tn->op != TINY_OP_UNSQUEEZE &&
        tn->op != TINY_OP_RESHAPE && tn->op != TINY_OP_FLATTEN && tn->op != TINY_OP_CAST &&
        tn->op != TINY_OP_CLIP && tn->op != TINY_OP_CONSTANT) {
        static const char *const none[] = { NULL };
        int err = tvmaf_tiny_check_attr_names(p, none);
        if (err)
            return err;
    }
    int err;
    for (int i = 0; i < tn->n_out; i++)
        if ((err = add_value(p, n->output[i], &tn->out[i])))
            return err;
    TinyValue *const o = &g->values[tn->out[0]];
    o->kind = TINY_VAL_COMPUTED;

    if ((err = tvmaf_tiny_infer_node(p, tn, o)))
        return err;
    p->node = NULL;
    return 0;
}

/* ---- graph ------------------------------------------------------------------ */

static int is_initializer(const TvmafOnnx__GraphProto *gp, const char *name)
{
    for (size_t i = 0; i < gp->n_initializer; i++)
        if (!strcmp(str_or_empty(gp->initializer[i]->name), name))
            return 1;
    return 0;
}

static int parse_input(TinyParser *p, const TvmafOnnx__GraphProto *gp)
{
    TinyGraph *const g = p->g;
    const TvmafOnnx__ValueInfoProto *in = NULL;
    for (size_t i = 0; i < gp->n_input; i++) {
        if (is_initializer(gp, str_or_empty(gp->input[i]->name)))
            continue;
        if (in)
            return tvmaf_tiny_fail(p, ENOTSUP, "graphs with more than one input are not supported");
        in = gp->input[i];
    }
    if (!in)
        return tvmaf_tiny_fail(p, EBADMSG, "graph has no input");
    const TvmafOnnx__TypeProto__Tensor *const tt = in->type ? in->type->tensor_type : NULL;
    const char *const name = str_or_empty(in->name);
    if (!tt || !tt->has_elem_type || !tt->shape)
        return tvmaf_tiny_fail(p, EBADMSG, "input '%s' is not a typed, shaped tensor", name);
    if (tt->elem_type != TINY_DT_FLOAT)
        return tvmaf_tiny_fail(p, ENOTSUP, "input '%s' must be float", name);
    if (tt->shape->n_dim != 2)
        return tvmaf_tiny_fail(p, ENOTSUP, "input '%s' must be [N, k]", name);
    const TvmafOnnx__TensorShapeProto__Dimension *const d0 = tt->shape->dim[0];
    const TvmafOnnx__TensorShapeProto__Dimension *const d1 = tt->shape->dim[1];
    if (d1->value_case != TVMAF_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE ||
        d1->dim_value < 1 || d1->dim_value > TINY_MAX_DIM)
        return tvmaf_tiny_fail(p, ENOTSUP, "input '%s' must have a fixed feature count", name);
    int err, idx;
    if ((err = add_value(p, name, &idx)))
        return err;
    TinyValue *const v = &g->values[idx];
    v->kind = TINY_VAL_INPUT;
    v->dtype = TINY_DT_FLOAT;
    v->shape.rank = 2;
    v->shape.d[1] = (TinyDim){ d1->dim_value, 0 };
    if (d0->value_case == TVMAF_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
        d0->dim_value > 0) {
        if (d0->dim_value != 1)
            return tvmaf_tiny_fail(p, ENOTSUP, "input '%s' has a fixed batch of %lld", name,
                                   (long long)d0->dim_value);
        g->fixed_batch = 1;
        v->shape.d[0] = (TinyDim){ 1, 0 };
    } else {
        v->shape.d[0] = (TinyDim){ 1, 1 };
    }
    g->input = idx;
    g->n_features = d1->dim_value;
    return 0;
}

static int parse_output(TinyParser *p, const TvmafOnnx__GraphProto *gp)
{
    TinyGraph *const g = p->g;
    if (gp->n_output != 1)
        return tvmaf_tiny_fail(p, ENOTSUP, "graph has %zu outputs (one supported)", gp->n_output);
    const TvmafOnnx__ValueInfoProto *const out = gp->output[0];
    const char *const name = str_or_empty(out->name);
    const int idx = map_find(g, name);
    if (idx < 0)
        return tvmaf_tiny_fail(p, EBADMSG, "output '%s' is not produced by any node", name);
    const TinyValue *const v = &g->values[idx];
    char s[96];
    tvmaf_tiny_shape_str(&v->shape, s, sizeof(s));
    if (v->dtype != TINY_DT_FLOAT)
        return tvmaf_tiny_fail(p, ENOTSUP, "output '%s' is %s, not float", name,
                               tvmaf_tiny_dtype_name(v->dtype));
    int64_t c;
    int sym;
    tvmaf_tiny_shape_elems_sym(&v->shape, &c, &sym);
    if (c != 1 || sym != !g->fixed_batch)
        return tvmaf_tiny_fail(p, ENOTSUP, "output '%s' has shape %s, expected one value per row",
                               name, s);
    /* A declared shape must agree with the inferred one. */
    const TvmafOnnx__TypeProto__Tensor *const tt = out->type ? out->type->tensor_type : NULL;
    if (tt && tt->has_elem_type && tt->elem_type != TINY_DT_FLOAT)
        return tvmaf_tiny_fail(p, EBADMSG, "output '%s' is declared with data type %d", name,
                               tt->elem_type);
    if (tt && tt->shape) {
        if (tt->shape->n_dim != (size_t)v->shape.rank)
            return tvmaf_tiny_fail(p, EBADMSG, "output '%s' is declared with rank %zu, computed %s",
                                   name, tt->shape->n_dim, s);
        for (int i = 0; i < v->shape.rank; i++) {
            const TvmafOnnx__TensorShapeProto__Dimension *const d = tt->shape->dim[i];
            if (d->value_case == TVMAF_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
                d->dim_value > 0 && (v->shape.d[i].sym || v->shape.d[i].c != d->dim_value))
                return tvmaf_tiny_fail(p, EBADMSG,
                                       "output '%s' is declared with dim %d = %lld, computed %s",
                                       name, i, (long long)d->dim_value, s);
        }
    }
    g->output = idx;
    return 0;
}

static int check_model(TinyParser *p, const TvmafOnnx__ModelProto *m)
{
    TinyGraph *const g = p->g;
    if (!m->has_ir_version)
        return tvmaf_tiny_fail(p, EBADMSG, "no ir_version (not an ONNX model?)");
    if (m->ir_version < IR_MIN || m->ir_version > IR_MAX)
        return tvmaf_tiny_fail(p, ENOTSUP, "IR version %lld not supported (%d to %d)",
                               (long long)m->ir_version, IR_MIN, IR_MAX);
    g->ir_version = m->ir_version;
    int found = 0;
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const char *const d = str_or_empty(m->opset_import[i]->domain);
        if (*d && strcmp(d, "ai.onnx"))
            continue; /* other domains are refused per node, if used */
        if (found)
            return tvmaf_tiny_fail(p, EBADMSG, "default-domain opset imported twice");
        found = 1;
        g->opset = m->opset_import[i]->version;
    }
    if (!found)
        return tvmaf_tiny_fail(p, EBADMSG, "no default-domain opset_import");
    if (g->opset < OPSET_MIN || g->opset > OPSET_MAX)
        return tvmaf_tiny_fail(p, ENOTSUP, "opset %lld not supported (%d to %d)",
                               (long long)g->opset, OPSET_MIN, OPSET_MAX);
    if (!m->graph)
        return tvmaf_tiny_fail(p, EBADMSG, "no graph");
    const TvmafOnnx__GraphProto *const gp = m->graph;
    if (gp->n_node > TINY_MAX_NODES)
        return tvmaf_tiny_fail(p, ENOTSUP, "%zu nodes (max %d)", gp->n_node, TINY_MAX_NODES);
    if (gp->n_initializer > TINY_MAX_INITIALIZERS)
        return tvmaf_tiny_fail(p, ENOTSUP, "%zu initializers (max %d)", gp->n_initializer,
                               TINY_MAX_INITIALIZERS);
    if (gp->n_input > TINY_MAX_GRAPH_IO || gp->n_output > TINY_MAX_GRAPH_IO)
        return tvmaf_tiny_fail(p, ENOTSUP, "too many graph inputs or outputs");
    if (gp->n_sparse_initializer)
        return tvmaf_tiny_fail(p, ENOTSUP, "sparse initializers are not supported");
    return 0;
}

static int build(TinyParser *p, const TvmafOnnx__ModelProto *m)
{
    TinyGraph *const g = p->g;
    int err = check_model(p, m);
    if (err)
        return err;
    const TvmafOnnx__GraphProto *const gp = m->graph;

    size_t cap = gp->n_initializer + 1;
    for (size_t i = 0; i < gp->n_node; i++) {
        if (gp->node[i]->n_output > TINY_MAX_NODE_IO || gp->node[i]->n_input > TINY_MAX_NODE_IO) {
            p->node = gp->node[i];
            return tvmaf_tiny_fail(p, ENOTSUP, "more than %d inputs or outputs", TINY_MAX_NODE_IO);
        }
        cap += gp->node[i]->n_output;
    }
    size_t hsize = 16;
    while (hsize < 2 * cap)
        hsize *= 2;
    NameMap *const map = calloc(1, sizeof(*map));
    g->names = map;
    g->values = calloc(cap, sizeof(*g->values));
    /* One spare node: a node that fails half-way is freed with the rest. */
    g->nodes = calloc(gp->n_node + 1, sizeof(*g->nodes));
    if (!map || !g->values || !g->nodes || !(map->slot = malloc(hsize * sizeof(int))))
        return tvmaf_tiny_fail(p, ENOMEM, "out of memory");
    memset(map->slot, 0xff, hsize * sizeof(int));
    map->mask = hsize - 1;
    g->cap_values = (int)cap;

    for (size_t i = 0; i < gp->n_initializer; i++) {
        const TvmafOnnx__TensorProto *const t = gp->initializer[i];
        int idx;
        if ((err = add_value(p, str_or_empty(t->name), &idx)) ||
            (err = tvmaf_tiny_load_tensor(p, t, t->name, &g->values[idx])))
            return err;
        if ((err = tvmaf_tiny_check_shape(p, &g->values[idx].shape, t->name)))
            return err;
    }
    if ((err = parse_input(p, gp)))
        return err;
    for (size_t i = 0; i < gp->n_node; i++) {
        if ((err = parse_node(p, gp->node[i], &g->nodes[i])))
            return err;
        g->n_nodes++;
    }
    if ((err = parse_output(p, gp)))
        return err;

    return tvmaf_tiny_plan(p);
}

void tvmaf_tiny_graph_free(TinyGraph **const pg)
{
    if (!pg || !*pg)
        return;
    TinyGraph *const g = *pg;
    for (int i = 0; i < g->n_values; i++) {
        free(g->values[i].name);
        if (g->values[i].kind == TINY_VAL_CONST)
            free(g->values[i].data);
    }
    /* Nodes past n_nodes may hold a name from a failed parse. */
    const int n_alloc = g->nodes ? g->n_nodes + 1 : 0;
    for (int i = 0; i < n_alloc; i++) {
        free(g->nodes[i].name);
        free(g->nodes[i].packed_b);
        free(g->nodes[i].bias);
        free(g->nodes[i].packed_bq);
    }
    free(g->values);
    free(g->nodes);
    if (g->names)
        free(((NameMap *)g->names)->slot);
    free(g->names);
    free(g);
    *pg = NULL;
}

int tvmaf_tiny_graph_parse(TinyGraph **const out, const uint8_t *const buf, const size_t len,
                           const TinyParseOptions *const opt)
{
    TinyParser p = { .log = opt->log, .what = opt->what ? opt->what : "model",
                 .external = opt->external, .cookie = opt->cookie };
    *out = NULL;
    if (len > TINY_MAX_FILE_BYTES)
        return tvmaf_tiny_fail(&p, ENOTSUP, "file is %zu bytes (max %u)", len, TINY_MAX_FILE_BYTES);
    if (!len)
        return tvmaf_tiny_fail(&p, EBADMSG, "file is empty");
    PbHeap heap = { 0 };
    ProtobufCAllocator alloc = { pb_alloc, pb_free, &heap };
    TvmafOnnx__ModelProto *const m = tvmaf_onnx__model_proto__unpack(&alloc, len, buf);
    if (!m)
        return heap.refused ? tvmaf_tiny_fail(&p, ENOTSUP, "decoding needs more than %u bytes",
                                              TINY_MAX_PB_HEAP)
                            : tvmaf_tiny_fail(&p, EBADMSG,
                                              "not a valid ONNX protobuf (truncated or corrupt)");
    p.g = calloc(1, sizeof(*p.g));
    int err;
    if (!p.g) {
        err = tvmaf_tiny_fail(&p, ENOMEM, "out of memory");
    } else {
        p.g->input = p.g->output = -1;
        err = build(&p, m);
    }
    tvmaf_onnx__model_proto__free_unpacked(m, &alloc);
    if (err) {
        tvmaf_tiny_graph_free(&p.g);
        return err;
    }
    tvmaf_tiny_plan_cpu(p.g, opt->cpu_mask);
    *out = p.g;
    return 0;
}
