/*
 * ONNX bytes -> TinyGraph: protobuf-c decoding under a heap cap, then
 * validation and shape inference for a symbolic batch N.
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
#include "cpu.h"
#include "log.h"
#include "model/tiny/onnx.pb-c.h"
#include "model/tiny/tiny_file.h"
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
#define DATA_LOCATION_EXTERNAL 1

/* IR 7 (ONNX 1.8) is the oldest with the opset-13 operator forms we
 * implement; IR 10 is what torch 2.x writes. */
#define IR_MIN 7
#define IR_MAX 10
#define OPSET_MIN 13
#define OPSET_MAX 21

typedef struct Parser {
    TinyGraph *g;
    const TvmafLogger *log;
    const char *what;
    TinyExternalFn external;
    void *cookie;
    const Onnx__NodeProto *node; /* node being checked, for messages */
} Parser;

static int fail(const Parser *p, int err, const char *fmt, ...) TVMAF_PRINTF(3, 4);
static int fail(const Parser *p, int err, const char *fmt, ...)
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

static const char *dtype_name(const int dtype)
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

int64_t tvmaf_tiny_shape_elems(const TinyShape *const s, const int64_t n)
{
    int64_t e = 1;
    for (int i = 0; i < s->rank; i++)
        e *= s->d[i].c * (s->d[i].sym ? n : 1);
    return e;
}

static const char *str_or_empty(const char *s)
{
    return s ? s : "";
}

static void shape_str(const TinyShape *s, char *buf, size_t size)
{
    size_t o = 0;
    o += snprintf(buf + o, size - o, "[");
    for (int i = 0; i < s->rank && o < size; i++) {
        const TinyDim d = s->d[i];
        if (d.sym && d.c == 1)
            o += snprintf(buf + o, size - o, "%sN", i ? "," : "");
        else if (d.sym)
            o += snprintf(buf + o, size - o, "%s%lldN", i ? "," : "", (long long)d.c);
        else
            o += snprintf(buf + o, size - o, "%s%lld", i ? "," : "", (long long)d.c);
    }
    if (o < size)
        snprintf(buf + o, size - o, "]");
}

/* Checks a shape against the caps; a value's element count is
 * C * N^S with S <= 1 so that every buffer is linear in the batch. */
static int check_shape(const Parser *p, const TinyShape *s, const char *name)
{
    int64_t c = 1;
    int sym = 0;
    if (s->rank < 0 || s->rank > TINY_MAX_RANK)
        return fail(p, ENOTSUP, "'%s' has rank %d (max %d)", name, s->rank, TINY_MAX_RANK);
    for (int i = 0; i < s->rank; i++) {
        const TinyDim d = s->d[i];
        if (d.c < 0 || d.c > TINY_MAX_DIM || (d.sym && d.c == 0))
            return fail(p, EBADMSG, "'%s' has an invalid dimension %lld", name, (long long)d.c);
        sym += d.sym;
        if (d.c && c > TINY_MAX_ROW_ELEMS / d.c)
            return fail(p, ENOTSUP, "'%s' is too large", name);
        c *= d.c;
    }
    if (sym > 1)
        return fail(p, ENOTSUP, "'%s' would scale with N^%d", name, sym);
    if (c > TINY_MAX_ROW_ELEMS)
        return fail(p, ENOTSUP, "'%s' is too large", name);
    return 0;
}

static void shape_elems_sym(const TinyShape *s, int64_t *c, int *sym)
{
    *c = 1;
    *sym = 0;
    for (int i = 0; i < s->rank; i++) {
        *c *= s->d[i].c;
        *sym += s->d[i].sym;
    }
}

static int dim_eq(const TinyDim a, const TinyDim b)
{
    return a.c == b.c && a.sym == b.sym;
}

static int dim_is_one(const TinyDim a)
{
    return a.c == 1 && !a.sym;
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
static int add_value(Parser *p, const char *name, int *idx)
{
    TinyGraph *const g = p->g;
    if (!name || !*name)
        return fail(p, EBADMSG, "empty value name");
    if (map_find(g, name) >= 0)
        return fail(p, EBADMSG, "value '%s' is defined twice", name);
    if (g->n_values >= g->cap_values)
        return fail(p, EBADMSG, "too many values");
    TinyValue *const v = &g->values[g->n_values];
    memset(v, 0, sizeof(*v));
    v->name = strdup(name);
    if (!v->name)
        return fail(p, ENOMEM, "out of memory");
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

static int read_external(const Parser *p, const Onnx__TensorProto *t, const char *tname,
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
            return fail(p, EBADMSG, "tensor '%s': bad external data offset", tname);
        else if (!strcmp(k, "length") && parse_size(v, &length))
            return fail(p, EBADMSG, "tensor '%s': bad external data length", tname);
    }
    if (!location || !*location)
        return fail(p, EBADMSG, "tensor '%s': external data without a location", tname);
    if (!p->external)
        return fail(p, EACCES, "tensor '%s': external data '%s' refused", tname, location);
    if (length >= 0 && (uint64_t)length != bytes)
        return fail(p, EBADMSG, "tensor '%s': external data length %lld, tensor needs %zu bytes",
                    tname, (long long)length, bytes);
    const uint8_t *data;
    size_t len;
    const int err = p->external(p->cookie, location, &data, &len);
    if (err)
        return err;
    if ((uint64_t)offset > len || bytes > len - (uint64_t)offset)
        return fail(p, EBADMSG,
                    "tensor '%s': external data '%s' holds %zu bytes, tensor needs %zu at "
                    "offset %lld", tname, location, len, bytes, (long long)offset);
    memcpy(dst, data + offset, bytes);
    return 0;
}

static int check_dtype(const Parser *p, const int dtype, const char *name)
{
    if (!tvmaf_tiny_dtype_size(dtype))
        return fail(p, ENOTSUP, "'%s': data type %d not supported", name, dtype);
    return 0;
}

/* Converts a TensorProto to a constant value's data; checks every declared
 * dimension against the bytes actually present. */
static int load_tensor(Parser *p, const Onnx__TensorProto *t, const char *name,
                       TinyValue *v)
{
    if (!t->has_data_type)
        return fail(p, EBADMSG, "tensor '%s' has no data type", name);
    int err = check_dtype(p, t->data_type, name);
    if (err)
        return err;
    if (t->n_dims > TINY_MAX_RANK)
        return fail(p, ENOTSUP, "tensor '%s' has rank %zu (max %d)", name, t->n_dims,
                    TINY_MAX_RANK);
    if (t->segment)
        return fail(p, ENOTSUP, "tensor '%s' is segmented", name);
    const size_t esize = tvmaf_tiny_dtype_size(t->data_type);
    uint64_t elems = 1;
    v->shape.rank = (int)t->n_dims;
    for (size_t i = 0; i < t->n_dims; i++) {
        if (t->dims[i] < 0 || t->dims[i] > TINY_MAX_DIM)
            return fail(p, EBADMSG, "tensor '%s' has dimension %lld", name,
                        (long long)t->dims[i]);
        v->shape.d[i].c = t->dims[i];
        v->shape.d[i].sym = 0;
        elems *= (uint64_t)t->dims[i];
        if (elems > TINY_MAX_TENSOR_BYTES)
            return fail(p, ENOTSUP, "tensor '%s' is larger than %u bytes", name,
                        TINY_MAX_TENSOR_BYTES);
    }
    const uint64_t bytes = elems * esize;
    if (bytes > TINY_MAX_TENSOR_BYTES)
        return fail(p, ENOTSUP, "tensor '%s' is larger than %u bytes", name,
                    TINY_MAX_TENSOR_BYTES);
    if (bytes > TINY_MAX_CONST_BYTES - p->g->const_bytes)
        return fail(p, ENOTSUP, "constants exceed %u bytes in total", TINY_MAX_CONST_BYTES);

    const int external = t->has_data_location && t->data_location == DATA_LOCATION_EXTERNAL;
    if (t->has_data_location && t->data_location != 0 && !external)
        return fail(p, EBADMSG, "tensor '%s' has data location %d", name, t->data_location);
    if (!external && t->n_external_data)
        return fail(p, EBADMSG, "tensor '%s' lists external data but is not external", name);

    /* Count what the file holds before allocating the tensor. */
    uint64_t have;
    const char *field;
    if (external) {
        have = elems; /* checked against the file in read_external() */
        field = "external data";
    } else if (t->has_raw_data) {
        if (t->raw_data.len != bytes)
            return fail(p, EBADMSG, "tensor '%s': dims need %llu bytes, raw_data has %zu",
                        name, (unsigned long long)bytes, t->raw_data.len);
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
        return fail(p, EBADMSG, "tensor '%s': dims need %llu elements, %s has %llu", name,
                    (unsigned long long)elems, field, (unsigned long long)have);

    v->data = malloc(bytes ? bytes : 1);
    if (!v->data)
        return fail(p, ENOMEM, "out of memory");
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
                return fail(p, EBADMSG, "tensor '%s': uint8 value %d", name, t->int32_data[i]);
            ((uint8_t *)v->data)[i] = (uint8_t)t->int32_data[i];
            break;
        case TINY_DT_INT8:
            if (t->int32_data[i] < -128 || t->int32_data[i] > 127)
                return fail(p, EBADMSG, "tensor '%s': int8 value %d", name, t->int32_data[i]);
            ((int8_t *)v->data)[i] = (int8_t)t->int32_data[i];
            break;
        }
    }
    return 0;
}

/* ---- attributes ----------------------------------------------------------- */

static const Onnx__AttributeProto *find_attr(const Onnx__NodeProto *n, const char *name)
{
    for (size_t i = 0; i < n->n_attribute; i++)
        if (!strcmp(str_or_empty(n->attribute[i]->name), name))
            return n->attribute[i];
    return NULL;
}

/* An attribute's declared type must match; files that omit the type
 * (allowed before IR 4) are judged by the field the caller reads. */
static int attr_type_ok(const Onnx__AttributeProto *a, const int type)
{
    return !a->has_type || a->type == type;
}

static int attr_float(const Parser *p, const char *name, const float def, float *out)
{
    const Onnx__AttributeProto *const a = find_attr(p->node, name);
    *out = def;
    if (!a)
        return 0;
    if (!attr_type_ok(a, ATTR_FLOAT) || (!a->has_f && !a->has_type))
        return fail(p, EBADMSG, "attribute '%s' must be a float", name);
    *out = a->f;
    return 0;
}

static int attr_int(const Parser *p, const char *name, const int64_t def, int64_t *out)
{
    const Onnx__AttributeProto *const a = find_attr(p->node, name);
    *out = def;
    if (!a)
        return 0;
    if (!attr_type_ok(a, ATTR_INT) || (!a->has_i && !a->has_type))
        return fail(p, EBADMSG, "attribute '%s' must be an int", name);
    *out = a->i;
    return 0;
}

/* Only the attributes listed per op are understood; anything else may
 * change the op's meaning, so it is refused rather than ignored. */
static int check_attr_names(const Parser *p, const char *const *allowed)
{
    const Onnx__NodeProto *const n = p->node;
    if (n->n_attribute > TINY_MAX_ATTRS)
        return fail(p, ENOTSUP, "%zu attributes", n->n_attribute);
    for (size_t i = 0; i < n->n_attribute; i++) {
        const Onnx__AttributeProto *const a = n->attribute[i];
        const char *const an = str_or_empty(a->name);
        int ok = 0;
        for (const char *const *s = allowed; *s; s++)
            ok |= !strcmp(*s, an);
        if (!ok)
            return fail(p, ENOTSUP, "attribute '%s' not supported", an);
        if (a->ref_attr_name && *a->ref_attr_name)
            return fail(p, ENOTSUP, "attribute '%s' refers to a function attribute", an);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(str_or_empty(n->attribute[j]->name), an))
                return fail(p, EBADMSG, "attribute '%s' given twice", an);
    }
    return 0;
}

/* Reads an axes list from a constant int64 input or an "axes" attribute. */
static int get_axes(const Parser *p, const TinyNode *tn, int64_t *axes, int *n_axes)
{
    const TinyGraph *const g = p->g;
    const Onnx__AttributeProto *const a = find_attr(p->node, "axes");
    *n_axes = -1;
    if (tn->n_in > 1 && tn->in[1] >= 0) {
        if (a)
            return fail(p, EBADMSG, "axes given both as input and attribute");
        const TinyValue *const v = &g->values[g->values[tn->in[1]].root];
        if (v->kind != TINY_VAL_CONST)
            return fail(p, ENOTSUP, "axes must be a constant");
        if (v->dtype != TINY_DT_INT64 || g->values[tn->in[1]].shape.rank > 1)
            return fail(p, EBADMSG, "axes must be a 1-D int64 tensor");
        const int64_t n = tvmaf_tiny_shape_elems(&v->shape, 1);
        if (n > TINY_MAX_RANK)
            return fail(p, EBADMSG, "too many axes");
        memcpy(axes, v->data, n * sizeof(*axes));
        *n_axes = (int)n;
    } else if (a) {
        if (!attr_type_ok(a, ATTR_INTS))
            return fail(p, EBADMSG, "attribute 'axes' must be ints");
        if (a->n_ints > TINY_MAX_RANK)
            return fail(p, EBADMSG, "too many axes");
        memcpy(axes, a->ints, a->n_ints * sizeof(*axes));
        *n_axes = (int)a->n_ints;
    }
    return 0;
}

/* Normalises axes to [0, rank) and rejects duplicates. */
static int norm_axes(const Parser *p, int64_t *axes, const int n, const int rank)
{
    for (int i = 0; i < n; i++) {
        if (axes[i] < -rank || axes[i] >= rank)
            return fail(p, EBADMSG, "axis %lld out of range for rank %d", (long long)axes[i],
                        rank);
        if (axes[i] < 0)
            axes[i] += rank;
        for (int j = 0; j < i; j++)
            if (axes[j] == axes[i])
                return fail(p, EBADMSG, "axis %lld repeated", (long long)axes[i]);
    }
    return 0;
}

/* ---- shape inference, one function per op family ----------------------- */

static const TinyValue *in_val(const Parser *p, const TinyNode *tn, const int i)
{
    return tn->in[i] >= 0 ? &p->g->values[tn->in[i]] : NULL;
}

static int broadcast(const Parser *p, const TinyShape *a, const TinyShape *b, TinyShape *out)
{
    const int r = a->rank > b->rank ? a->rank : b->rank;
    out->rank = r;
    for (int i = 0; i < r; i++) {
        const int ia = i - (r - a->rank), ib = i - (r - b->rank);
        const TinyDim one = { 1, 0 };
        const TinyDim da = ia >= 0 ? a->d[ia] : one;
        const TinyDim db = ib >= 0 ? b->d[ib] : one;
        if (dim_eq(da, db) || dim_is_one(db))
            out->d[i] = da;
        else if (dim_is_one(da))
            out->d[i] = db;
        else {
            char sa[96], sb[96];
            shape_str(a, sa, sizeof(sa));
            shape_str(b, sb, sizeof(sb));
            return fail(p, da.sym || db.sym ? ENOTSUP : EBADMSG,
                        "shapes %s and %s do not broadcast", sa, sb);
        }
    }
    return 0;
}

static int infer_binary(const Parser *p, TinyNode *tn, TinyValue *o)
{
    const TinyValue *const a = in_val(p, tn, 0), *const b = in_val(p, tn, 1);
    if (a->dtype != b->dtype)
        return fail(p, EBADMSG, "inputs are %s and %s", dtype_name(a->dtype),
                    dtype_name(b->dtype));
    if (a->dtype != TINY_DT_FLOAT &&
        (tn->op == TINY_OP_DIV || (a->dtype != TINY_DT_INT32 && a->dtype != TINY_DT_INT64)))
        return fail(p, ENOTSUP, "%s inputs not supported", dtype_name(a->dtype));
    o->dtype = a->dtype;
    return broadcast(p, &a->shape, &b->shape, &o->shape);
}

static int infer_unary_float(const Parser *p, TinyNode *tn, TinyValue *o)
{
    const TinyValue *const x = in_val(p, tn, 0);
    if (x->dtype != TINY_DT_FLOAT)
        return fail(p, ENOTSUP, "%s input not supported", dtype_name(x->dtype));
    o->dtype = TINY_DT_FLOAT;
    o->shape = x->shape;
    return 0;
}

static int pack_b(const Parser *p, TinyNode *tn, const TinyValue *b, const int trans)
{
    const TinyValue *const r = &p->g->values[b->root];
    if (r->kind != TINY_VAL_CONST || b->dtype != TINY_DT_FLOAT)
        return 0;
    const int64_t k = tn->k, m = tn->m;
    tn->packed_b = malloc((size_t)(k * m > 0 ? k * m : 1) * sizeof(float));
    if (!tn->packed_b)
        return fail(p, ENOMEM, "out of memory");
    const float *const src = r->data;
    for (int64_t i = 0; i < k; i++)
        for (int64_t j = 0; j < m; j++)
            tn->packed_b[i * m + j] = trans ? src[j * k + i] : src[i * m + j];
    return 0;
}

static int infer_gemm(Parser *p, TinyNode *tn, TinyValue *o)
{
    static const char *const names[] = { "alpha", "beta", "transA", "transB", NULL };
    int err = check_attr_names(p, names);
    int64_t ta, tb;
    if (err || (err = attr_float(p, "alpha", 1.0f, &tn->alpha)) ||
        (err = attr_float(p, "beta", 1.0f, &tn->beta)) ||
        (err = attr_int(p, "transA", 0, &ta)) || (err = attr_int(p, "transB", 0, &tb)))
        return err;
    if ((ta != 0 && ta != 1) || (tb != 0 && tb != 1))
        return fail(p, EBADMSG, "transA/transB must be 0 or 1");
    tn->trans_a = (int)ta;
    tn->trans_b = (int)tb;
    const TinyValue *const a = in_val(p, tn, 0), *const b = in_val(p, tn, 1);
    const TinyValue *const c = tn->n_in > 2 ? in_val(p, tn, 2) : NULL;
    if (a->dtype != TINY_DT_FLOAT || b->dtype != TINY_DT_FLOAT ||
        (c && c->dtype != TINY_DT_FLOAT))
        return fail(p, ENOTSUP, "only float Gemm is supported");
    if (a->shape.rank != 2 || b->shape.rank != 2)
        return fail(p, EBADMSG, "A and B must be 2-D");
    const TinyDim m = a->shape.d[ta], ka = a->shape.d[1 - ta];
    const TinyDim kb = b->shape.d[tb], nn = b->shape.d[1 - tb];
    if (ka.sym || kb.sym || nn.sym)
        return fail(p, ENOTSUP, "only the row dimension may depend on N");
    if (ka.c != kb.c)
        return fail(p, EBADMSG, "inner dimensions %lld and %lld differ", (long long)ka.c,
                    (long long)kb.c);
    o->dtype = TINY_DT_FLOAT;
    o->shape.rank = 2;
    o->shape.d[0] = m;
    o->shape.d[1] = nn;
    tn->k = ka.c;
    tn->m = nn.c;
    if (c) {
        TinyShape bs;
        if (c->shape.rank > 2)
            return fail(p, EBADMSG, "C has rank %d", c->shape.rank);
        if ((err = broadcast(p, &c->shape, &o->shape, &bs)))
            return err;
        if (bs.rank != 2 || !dim_eq(bs.d[0], m) || !dim_eq(bs.d[1], nn))
            return fail(p, EBADMSG, "C does not broadcast to the output");
    }
    return pack_b(p, tn, b, tn->trans_b);
}

static int infer_matmul(Parser *p, TinyNode *tn, TinyValue *o, const int integer)
{
    const TinyValue *const a = in_val(p, tn, 0), *const b = in_val(p, tn, 1);
    if (integer) {
        if ((a->dtype != TINY_DT_UINT8 && a->dtype != TINY_DT_INT8) ||
            (b->dtype != TINY_DT_UINT8 && b->dtype != TINY_DT_INT8))
            return fail(p, ENOTSUP, "MatMulInteger on %s x %s", dtype_name(a->dtype),
                        dtype_name(b->dtype));
    } else if (a->dtype != TINY_DT_FLOAT || b->dtype != TINY_DT_FLOAT) {
        return fail(p, ENOTSUP, "only float MatMul is supported");
    }
    if (a->shape.rank < 1 || b->shape.rank < 1)
        return fail(p, EBADMSG, "scalar operand");
    if (b->shape.rank > 2)
        return fail(p, ENOTSUP, "batched B (rank %d)", b->shape.rank);
    const TinyDim ka = a->shape.d[a->shape.rank - 1], kb = b->shape.d[0];
    const TinyDim mm = b->shape.rank == 2 ? b->shape.d[1] : (TinyDim){ 1, 0 };
    if (ka.sym || kb.sym || mm.sym)
        return fail(p, ENOTSUP, "only the row dimension may depend on N");
    if (ka.c != kb.c)
        return fail(p, EBADMSG, "inner dimensions %lld and %lld differ", (long long)ka.c,
                    (long long)kb.c);
    tn->k = ka.c;
    tn->m = mm.c;
    o->dtype = integer ? TINY_DT_INT32 : TINY_DT_FLOAT;
    o->shape.rank = 0;
    for (int i = 0; i < a->shape.rank - 1; i++)
        o->shape.d[o->shape.rank++] = a->shape.d[i];
    if (b->shape.rank == 2)
        o->shape.d[o->shape.rank++] = mm;
    if (!integer)
        return pack_b(p, tn, b, 0);
    /* Zero points: per-tensor for A, per-tensor or per-column for B. */
    const TinyValue *const az = tn->n_in > 2 ? in_val(p, tn, 2) : NULL;
    const TinyValue *const bz = tn->n_in > 3 ? in_val(p, tn, 3) : NULL;
    if (az && (az->dtype != a->dtype || az->shape.rank > 1 ||
               tvmaf_tiny_shape_elems(&az->shape, 1) != 1 ||
               (az->shape.rank && az->shape.d[0].sym)))
        return fail(p, ENOTSUP, "a_zero_point must be a scalar of A's type");
    if (bz) {
        const int64_t e = tvmaf_tiny_shape_elems(&bz->shape, 1);
        if (bz->dtype != b->dtype || bz->shape.rank > 1 || (bz->shape.rank && bz->shape.d[0].sym) ||
            (e != 1 && (e != mm.c || b->shape.rank != 2)))
            return fail(p, ENOTSUP, "b_zero_point must be a scalar or per column of B");
    }
    /* Constant B and zero point: subtract once at load. */
    const TinyValue *const br = &p->g->values[b->root];
    const TinyValue *const bzr = bz ? &p->g->values[bz->root] : NULL;
    if (br->kind != TINY_VAL_CONST || (bzr && bzr->kind != TINY_VAL_CONST))
        return 0;
    const int64_t k = tn->k, m = tn->m;
    tn->packed_bq = malloc((size_t)(k * m > 0 ? k * m : 1) * sizeof(int32_t));
    if (!tn->packed_bq)
        return fail(p, ENOMEM, "out of memory");
    const int u8 = b->dtype == TINY_DT_UINT8;
    for (int64_t i = 0; i < k; i++)
        for (int64_t j = 0; j < m; j++) {
            const int64_t zi = bzr && tvmaf_tiny_shape_elems(&bz->shape, 1) > 1 ? j : 0;
            const int32_t zb = !bzr ? 0
                               : u8 ? ((const uint8_t *)bzr->data)[zi]
                                    : ((const int8_t *)bzr->data)[zi];
            const int32_t w = u8 ? ((const uint8_t *)br->data)[i * m + j]
                                 : ((const int8_t *)br->data)[i * m + j];
            tn->packed_bq[i * m + j] = w - zb;
        }
    return 0;
}

static int infer_squeeze(Parser *p, TinyNode *tn, TinyValue *o, const int unsqueeze)
{
    static const char *const names[] = { "axes", NULL };
    int err = check_attr_names(p, names);
    if (err)
        return err;
    const TinyValue *const x = in_val(p, tn, 0);
    int64_t axes[TINY_MAX_RANK];
    int n_axes;
    if ((err = get_axes(p, tn, axes, &n_axes)))
        return err;
    o->dtype = x->dtype;
    if (unsqueeze) {
        if (n_axes < 0)
            return fail(p, EBADMSG, "axes missing");
        const int r = x->shape.rank + n_axes;
        if (r > TINY_MAX_RANK)
            return fail(p, ENOTSUP, "output rank %d", r);
        if ((err = norm_axes(p, axes, n_axes, r)))
            return err;
        o->shape.rank = r;
        for (int i = 0, j = 0; i < r; i++) {
            int ins = 0;
            for (int a = 0; a < n_axes; a++)
                ins |= axes[a] == i;
            o->shape.d[i] = ins ? (TinyDim){ 1, 0 } : x->shape.d[j++];
        }
        return 0;
    }
    if (n_axes >= 0 && (err = norm_axes(p, axes, n_axes, x->shape.rank)))
        return err;
    o->shape.rank = 0;
    for (int i = 0; i < x->shape.rank; i++) {
        int drop = 0;
        if (n_axes < 0) {
            /* No axes: drop the dims known to be 1; N is never assumed 1. */
            drop = dim_is_one(x->shape.d[i]);
        } else {
            for (int a = 0; a < n_axes; a++)
                drop |= axes[a] == i;
            if (drop && x->shape.d[i].sym)
                return fail(p, ENOTSUP, "cannot squeeze the batch dimension");
            if (drop && !dim_is_one(x->shape.d[i]))
                return fail(p, EBADMSG, "axis %d has size %lld, not 1", i,
                            (long long)x->shape.d[i].c);
        }
        if (!drop)
            o->shape.d[o->shape.rank++] = x->shape.d[i];
    }
    return 0;
}

static int infer_reshape(Parser *p, TinyNode *tn, TinyValue *o)
{
    static const char *const names[] = { "allowzero", NULL };
    int err = check_attr_names(p, names);
    int64_t allowzero;
    if (err || (err = attr_int(p, "allowzero", 0, &allowzero)))
        return err;
    const TinyValue *const x = in_val(p, tn, 0), *const sv = in_val(p, tn, 1);
    const TinyValue *const s = &p->g->values[sv->root];
    if (s->kind != TINY_VAL_CONST)
        return fail(p, ENOTSUP, "shape must be a constant");
    if (s->dtype != TINY_DT_INT64 || sv->shape.rank != 1)
        return fail(p, EBADMSG, "shape must be a 1-D int64 tensor");
    const int64_t r = sv->shape.d[0].c;
    if (r > TINY_MAX_RANK)
        return fail(p, ENOTSUP, "output rank %lld", (long long)r);
    const int64_t *const t = s->data;
    int64_t kc = 1, xc;
    int ks = 0, xs, infer = -1;
    shape_elems_sym(&x->shape, &xc, &xs);
    o->dtype = x->dtype;
    o->shape.rank = (int)r;
    for (int i = 0; i < r; i++) {
        if (t[i] == -1) {
            if (infer >= 0)
                return fail(p, EBADMSG, "more than one -1 in shape");
            infer = i;
            continue;
        }
        if (t[i] < -1 || t[i] > TINY_MAX_DIM)
            return fail(p, EBADMSG, "shape entry %lld", (long long)t[i]);
        if (t[i] == 0 && !allowzero) {
            if (i >= x->shape.rank)
                return fail(p, EBADMSG, "shape entry 0 copies a missing dimension");
            o->shape.d[i] = x->shape.d[i];
        } else {
            o->shape.d[i] = (TinyDim){ t[i], 0 };
        }
        kc *= o->shape.d[i].c;
        ks += o->shape.d[i].sym;
    }
    if (infer >= 0) {
        if (kc == 0 || xc % kc || xs - ks < 0 || xs - ks > 1)
            goto mismatch;
        o->shape.d[infer] = (TinyDim){ xc / kc, xs - ks };
    } else if (kc != xc || ks != xs) {
        goto mismatch;
    }
    return 0;
mismatch:;
    char sx[96];
    shape_str(&x->shape, sx, sizeof(sx));
    return fail(p, EBADMSG, "cannot reshape %s to %lld dims", sx, (long long)r);
}

static int infer_flatten(Parser *p, TinyNode *tn, TinyValue *o)
{
    static const char *const names[] = { "axis", NULL };
    int err = check_attr_names(p, names);
    int64_t axis;
    if (err || (err = attr_int(p, "axis", 1, &axis)))
        return err;
    const TinyValue *const x = in_val(p, tn, 0);
    const int r = x->shape.rank;
    if (axis < -r || axis > r)
        return fail(p, EBADMSG, "axis %lld out of range", (long long)axis);
    if (axis < 0)
        axis += r;
    o->dtype = x->dtype;
    o->shape.rank = 2;
    o->shape.d[0] = o->shape.d[1] = (TinyDim){ 1, 0 };
    for (int i = 0; i < r; i++) {
        TinyDim *const d = &o->shape.d[i >= axis];
        d->c *= x->shape.d[i].c;
        d->sym += x->shape.d[i].sym;
    }
    return 0;
}

static int infer_cast(Parser *p, TinyNode *tn, TinyValue *o)
{
    static const char *const names[] = { "to", "saturate", NULL };
    int err = check_attr_names(p, names);
    int64_t to;
    if (err || (err = attr_int(p, "to", 0, &to)))
        return err;
    if (!find_attr(p->node, "to"))
        return fail(p, EBADMSG, "attribute 'to' missing");
    if (to < 0 || to > INT_MAX || !tvmaf_tiny_dtype_size((int)to))
        return fail(p, ENOTSUP, "cast to data type %lld not supported", (long long)to);
    tn->to = (int)to;
    o->dtype = (int)to;
    o->shape = in_val(p, tn, 0)->shape;
    return 0;
}

static int infer_clip(Parser *p, TinyNode *tn, TinyValue *o)
{
    static const char *const names[] = { "min", "max", NULL };
    int err = check_attr_names(p, names);
    if (err || (err = attr_float(p, "min", -INFINITY, &tn->clip_min)) ||
        (err = attr_float(p, "max", INFINITY, &tn->clip_max)))
        return err;
    if ((err = infer_unary_float(p, tn, o)))
        return err;
    for (int i = 1; i < tn->n_in; i++) {
        const TinyValue *const b = in_val(p, tn, i);
        if (!b)
            continue;
        if (b->dtype != TINY_DT_FLOAT || b->shape.rank > 1 ||
            (b->shape.rank && b->shape.d[0].sym) || tvmaf_tiny_shape_elems(&b->shape, 1) != 1)
            return fail(p, EBADMSG, "min/max must be float scalars");
    }
    return 0;
}

static int infer_constant(Parser *p, TinyNode *tn, TinyValue *o)
{
    static const char *const names[] = { "value", "value_float", "value_floats", "value_int",
                                         "value_ints", NULL };
    int err = check_attr_names(p, names);
    if (err)
        return err;
    if (p->node->n_attribute != 1)
        return fail(p, EBADMSG, "needs exactly one value attribute");
    const Onnx__AttributeProto *const a = p->node->attribute[0];
    const char *const an = str_or_empty(a->name);
    if (!strcmp(an, "value")) {
        if (!attr_type_ok(a, ATTR_TENSOR) || !a->t)
            return fail(p, EBADMSG, "attribute 'value' must be a tensor");
        return load_tensor(p, a->t, o->name, o);
    }
    const int is_float = !strncmp(an, "value_float", 11);
    const int list = an[strlen(an) - 1] == 's';
    const int type = is_float ? (list ? ATTR_FLOATS : ATTR_FLOAT) : (list ? ATTR_INTS : ATTR_INT);
    if (!attr_type_ok(a, type))
        return fail(p, EBADMSG, "attribute '%s' has type %d", an, a->type);
    const size_t n = list ? (is_float ? a->n_floats : a->n_ints) : 1;
    if (n > TINY_MAX_DIM)
        return fail(p, ENOTSUP, "constant too large");
    o->dtype = is_float ? TINY_DT_FLOAT : TINY_DT_INT64;
    o->shape.rank = list;
    o->shape.d[0] = (TinyDim){ (int64_t)n, 0 };
    o->bytes = n * tvmaf_tiny_dtype_size(o->dtype);
    if (o->bytes > TINY_MAX_CONST_BYTES - p->g->const_bytes)
        return fail(p, ENOTSUP, "constants exceed %u bytes in total", TINY_MAX_CONST_BYTES);
    o->data = malloc(o->bytes ? o->bytes : 1);
    if (!o->data)
        return fail(p, ENOMEM, "out of memory");
    p->g->const_bytes += o->bytes;
    o->kind = TINY_VAL_CONST;
    if (is_float)
        memcpy(o->data, list ? a->floats : &a->f, o->bytes);
    else
        memcpy(o->data, list ? a->ints : &a->i, o->bytes);
    (void)tn;
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

static int parse_node(Parser *p, const Onnx__NodeProto *n, TinyNode *tn)
{
    p->node = n;
    TinyGraph *const g = p->g;
    const char *const op_type = str_or_empty(n->op_type);
    const char *const domain = str_or_empty(n->domain);
    if (*domain && strcmp(domain, "ai.onnx"))
        return fail(p, ENOTSUP, "unsupported op '%s' from domain '%s'", op_type, domain);
    int found = -1;
    for (size_t i = 0; i < sizeof(op_table) / sizeof(op_table[0]); i++)
        if (!strcmp(op_table[i].name, op_type))
            found = (int)i;
    if (found < 0)
        return fail(p, ENOTSUP, "unsupported op '%s'", op_type);
    tn->op = op_table[found].op;
    tn->name = strdup(str_or_empty(n->name));
    if (!tn->name)
        return fail(p, ENOMEM, "out of memory");

    if (n->n_input < (size_t)arity[tn->op].in_min || n->n_input > (size_t)arity[tn->op].in_max)
        return fail(p, EBADMSG, "has %zu inputs", n->n_input);
    if (n->n_output != (size_t)arity[tn->op].n_out)
        return fail(p, EBADMSG, "has %zu outputs", n->n_output);
    tn->n_in = (int)n->n_input;
    tn->n_out = (int)n->n_output;
    for (int i = 0; i < tn->n_in; i++) {
        const char *const iname = str_or_empty(n->input[i]);
        if (!*iname) {
            if (!optional_input(tn->op, i))
                return fail(p, EBADMSG, "input %d is required", i);
            tn->in[i] = -1;
            continue;
        }
        tn->in[i] = map_find(g, iname);
        if (tn->in[i] < 0)
            return fail(p, EBADMSG, "input '%s' is not produced by an earlier node", iname);
    }
    if (tn->op != TINY_OP_GEMM && tn->op != TINY_OP_SQUEEZE && tn->op != TINY_OP_UNSQUEEZE &&
        tn->op != TINY_OP_RESHAPE && tn->op != TINY_OP_FLATTEN && tn->op != TINY_OP_CAST &&
        tn->op != TINY_OP_CLIP && tn->op != TINY_OP_CONSTANT) {
        static const char *const none[] = { NULL };
        int err = check_attr_names(p, none);
        if (err)
            return err;
    }
    int err;
    for (int i = 0; i < tn->n_out; i++)
        if ((err = add_value(p, n->output[i], &tn->out[i])))
            return err;
    TinyValue *const o = &g->values[tn->out[0]];
    o->kind = TINY_VAL_COMPUTED;

    switch (tn->op) {
    case TINY_OP_CONSTANT: err = infer_constant(p, tn, o); break;
    case TINY_OP_IDENTITY:
        o->dtype = in_val(p, tn, 0)->dtype;
        o->shape = in_val(p, tn, 0)->shape;
        err = 0;
        break;
    case TINY_OP_SUB:
    case TINY_OP_DIV:
    case TINY_OP_MUL:
    case TINY_OP_ADD: err = infer_binary(p, tn, o); break;
    case TINY_OP_GEMM: err = infer_gemm(p, tn, o); break;
    case TINY_OP_MATMUL: err = infer_matmul(p, tn, o, 0); break;
    case TINY_OP_MATMULINT: err = infer_matmul(p, tn, o, 1); break;
    case TINY_OP_RELU:
    case TINY_OP_SIGMOID:
    case TINY_OP_TANH: err = infer_unary_float(p, tn, o); break;
    case TINY_OP_SQUEEZE: err = infer_squeeze(p, tn, o, 0); break;
    case TINY_OP_UNSQUEEZE: err = infer_squeeze(p, tn, o, 1); break;
    case TINY_OP_RESHAPE: err = infer_reshape(p, tn, o); break;
    case TINY_OP_FLATTEN: err = infer_flatten(p, tn, o); break;
    case TINY_OP_CAST: err = infer_cast(p, tn, o); break;
    case TINY_OP_CLIP: err = infer_clip(p, tn, o); break;
    case TINY_OP_DYNQUANT: {
        const TinyValue *const x = in_val(p, tn, 0);
        if (x->dtype != TINY_DT_FLOAT)
            return fail(p, EBADMSG, "input must be float");
        o->dtype = TINY_DT_UINT8;
        o->shape = x->shape;
        TinyValue *const sc = &g->values[tn->out[1]], *const zp = &g->values[tn->out[2]];
        sc->kind = zp->kind = TINY_VAL_COMPUTED;
        sc->dtype = TINY_DT_FLOAT;
        zp->dtype = TINY_DT_UINT8;
        sc->shape.rank = zp->shape.rank = 0;
        err = 0;
        break;
    }
    default: err = fail(p, ENOTSUP, "not implemented");
    }
    if (err)
        return err;
    for (int i = 0; i < tn->n_out; i++)
        if ((err = check_shape(p, &g->values[tn->out[i]].shape, g->values[tn->out[i]].name)))
            return err;

    /* Views share their input's bytes: no copy at run time. */
    const int view = tn->op == TINY_OP_IDENTITY || tn->op == TINY_OP_SQUEEZE ||
                     tn->op == TINY_OP_UNSQUEEZE || tn->op == TINY_OP_RESHAPE ||
                     tn->op == TINY_OP_FLATTEN ||
                     (tn->op == TINY_OP_CAST && tn->to == in_val(p, tn, 0)->dtype);
    if (view) {
        o->kind = TINY_VAL_ALIAS;
        o->root = g->values[tn->in[0]].root;
    }
    p->node = NULL;
    return 0;
}

/* ---- graph ------------------------------------------------------------------ */

static int is_initializer(const Onnx__GraphProto *gp, const char *name)
{
    for (size_t i = 0; i < gp->n_initializer; i++)
        if (!strcmp(str_or_empty(gp->initializer[i]->name), name))
            return 1;
    return 0;
}

static int parse_input(Parser *p, const Onnx__GraphProto *gp)
{
    TinyGraph *const g = p->g;
    const Onnx__ValueInfoProto *in = NULL;
    for (size_t i = 0; i < gp->n_input; i++) {
        if (is_initializer(gp, str_or_empty(gp->input[i]->name)))
            continue;
        if (in)
            return fail(p, ENOTSUP, "graphs with more than one input are not supported");
        in = gp->input[i];
    }
    if (!in)
        return fail(p, EBADMSG, "graph has no input");
    const Onnx__TypeProto__Tensor *const tt = in->type ? in->type->tensor_type : NULL;
    const char *const name = str_or_empty(in->name);
    if (!tt || !tt->has_elem_type || !tt->shape)
        return fail(p, EBADMSG, "input '%s' is not a typed, shaped tensor", name);
    if (tt->elem_type != TINY_DT_FLOAT)
        return fail(p, ENOTSUP, "input '%s' must be float", name);
    if (tt->shape->n_dim != 2)
        return fail(p, ENOTSUP, "input '%s' must be [N, k]", name);
    const Onnx__TensorShapeProto__Dimension *const d0 = tt->shape->dim[0];
    const Onnx__TensorShapeProto__Dimension *const d1 = tt->shape->dim[1];
    if (d1->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE ||
        d1->dim_value < 1 || d1->dim_value > TINY_MAX_DIM)
        return fail(p, ENOTSUP, "input '%s' must have a fixed feature count", name);
    int err, idx;
    if ((err = add_value(p, name, &idx)))
        return err;
    TinyValue *const v = &g->values[idx];
    v->kind = TINY_VAL_INPUT;
    v->dtype = TINY_DT_FLOAT;
    v->shape.rank = 2;
    v->shape.d[1] = (TinyDim){ d1->dim_value, 0 };
    if (d0->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
        d0->dim_value > 0) {
        if (d0->dim_value != 1)
            return fail(p, ENOTSUP, "input '%s' has a fixed batch of %lld", name,
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

static int parse_output(Parser *p, const Onnx__GraphProto *gp)
{
    TinyGraph *const g = p->g;
    if (gp->n_output != 1)
        return fail(p, ENOTSUP, "graph has %zu outputs (one supported)", gp->n_output);
    const Onnx__ValueInfoProto *const out = gp->output[0];
    const char *const name = str_or_empty(out->name);
    const int idx = map_find(g, name);
    if (idx < 0)
        return fail(p, EBADMSG, "output '%s' is not produced by any node", name);
    const TinyValue *const v = &g->values[idx];
    char s[96];
    shape_str(&v->shape, s, sizeof(s));
    if (v->dtype != TINY_DT_FLOAT)
        return fail(p, ENOTSUP, "output '%s' is %s, not float", name, dtype_name(v->dtype));
    int64_t c;
    int sym;
    shape_elems_sym(&v->shape, &c, &sym);
    if (c != 1 || sym != !g->fixed_batch)
        return fail(p, ENOTSUP, "output '%s' has shape %s, expected one value per row", name, s);
    /* A declared shape must agree with the inferred one. */
    const Onnx__TypeProto__Tensor *const tt = out->type ? out->type->tensor_type : NULL;
    if (tt && tt->has_elem_type && tt->elem_type != TINY_DT_FLOAT)
        return fail(p, EBADMSG, "output '%s' is declared with data type %d", name,
                    tt->elem_type);
    if (tt && tt->shape) {
        if (tt->shape->n_dim != (size_t)v->shape.rank)
            return fail(p, EBADMSG, "output '%s' is declared with rank %zu, computed %s", name,
                        tt->shape->n_dim, s);
        for (int i = 0; i < v->shape.rank; i++) {
            const Onnx__TensorShapeProto__Dimension *const d = tt->shape->dim[i];
            if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
                d->dim_value > 0 && (v->shape.d[i].sym || v->shape.d[i].c != d->dim_value))
                return fail(p, EBADMSG, "output '%s' is declared with dim %d = %lld, computed %s",
                            name, i, (long long)d->dim_value, s);
        }
    }
    g->output = idx;
    return 0;
}

static int check_model(Parser *p, const Onnx__ModelProto *m)
{
    TinyGraph *const g = p->g;
    if (!m->has_ir_version)
        return fail(p, EBADMSG, "no ir_version (not an ONNX model?)");
    if (m->ir_version < IR_MIN || m->ir_version > IR_MAX)
        return fail(p, ENOTSUP, "IR version %lld not supported (%d to %d)",
                    (long long)m->ir_version, IR_MIN, IR_MAX);
    g->ir_version = m->ir_version;
    int found = 0;
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const char *const d = str_or_empty(m->opset_import[i]->domain);
        if (*d && strcmp(d, "ai.onnx"))
            continue; /* other domains are refused per node, if used */
        if (found)
            return fail(p, EBADMSG, "default-domain opset imported twice");
        found = 1;
        g->opset = m->opset_import[i]->version;
    }
    if (!found)
        return fail(p, EBADMSG, "no default-domain opset_import");
    if (g->opset < OPSET_MIN || g->opset > OPSET_MAX)
        return fail(p, ENOTSUP, "opset %lld not supported (%d to %d)", (long long)g->opset,
                    OPSET_MIN, OPSET_MAX);
    if (!m->graph)
        return fail(p, EBADMSG, "no graph");
    const Onnx__GraphProto *const gp = m->graph;
    if (gp->n_node > TINY_MAX_NODES)
        return fail(p, ENOTSUP, "%zu nodes (max %d)", gp->n_node, TINY_MAX_NODES);
    if (gp->n_initializer > TINY_MAX_INITIALIZERS)
        return fail(p, ENOTSUP, "%zu initializers (max %d)", gp->n_initializer,
                    TINY_MAX_INITIALIZERS);
    if (gp->n_input > TINY_MAX_GRAPH_IO || gp->n_output > TINY_MAX_GRAPH_IO)
        return fail(p, ENOTSUP, "too many graph inputs or outputs");
    if (gp->n_sparse_initializer)
        return fail(p, ENOTSUP, "sparse initializers are not supported");
    return 0;
}

/* Load-time plan for the fp32 MLP path: fold a constant per-column Gemm
 * bias and a following ReLU into the matmul epilogue. Same operations in
 * the same order, so results are unchanged; only passes over memory go. */
static int plan(Parser *p)
{
    TinyGraph *const g = p->g;
    int *const uses = calloc(g->n_values, sizeof(*uses));
    if (!uses)
        return fail(p, ENOMEM, "out of memory");
    for (int i = 0; i < g->n_nodes; i++)
        for (int j = 0; j < g->nodes[i].n_in; j++)
            if (g->nodes[i].in[j] >= 0)
                uses[g->nodes[i].in[j]]++;
    uses[g->output]++;
    int err = 0;
    for (int i = 0; i < g->n_nodes && !err; i++) {
        TinyNode *const tn = &g->nodes[i];
        if (!tn->packed_b)
            continue;
        if (tn->op == TINY_OP_GEMM) {
            const int has_c = tn->n_in > 2 && tn->in[2] >= 0;
            if (tn->alpha != 1.0f || (has_c && tn->beta != 1.0f))
                continue;
            if (has_c) {
                const TinyValue *const c = &g->values[tn->in[2]];
                const TinyValue *const cr = &g->values[c->root];
                const int64_t e = tvmaf_tiny_shape_elems(&c->shape, 1);
                const int per_col = e == tn->m && (c->shape.rank == 1 ||
                                                   (c->shape.rank == 2 && c->shape.d[0].c == 1 &&
                                                    !c->shape.d[0].sym));
                if (cr->kind != TINY_VAL_CONST || (e != 1 && !per_col))
                    continue;
                tn->bias = malloc((size_t)(tn->m ? tn->m : 1) * sizeof(float));
                if (!tn->bias) {
                    err = fail(p, ENOMEM, "out of memory");
                    break;
                }
                for (int64_t j = 0; j < tn->m; j++)
                    tn->bias[j] = ((const float *)cr->data)[e == 1 ? 0 : j];
            }
        }
        const int out = tn->out[0];
        if (uses[out] != 1)
            continue;
        for (int j = i + 1; j < g->n_nodes; j++) {
            TinyNode *const cn = &g->nodes[j];
            if (cn->n_in < 1 || cn->in[0] != out)
                continue;
            if (cn->op == TINY_OP_RELU) {
                tn->fuse_relu = 1;
                g->values[cn->out[0]].kind = TINY_VAL_ALIAS;
                g->values[cn->out[0]].root = g->values[out].root;
            }
            break;
        }
    }
    /* Views of a fused ReLU's output now point at another view: chase every
     * alias to the value that owns its bytes. */
    for (int v = 0; v < g->n_values; v++) {
        int r = g->values[v].root;
        while (g->values[r].kind == TINY_VAL_ALIAS && g->values[r].root != r)
            r = g->values[r].root;
        g->values[v].root = r;
    }
    free(uses);
    return err;
}

static int build(Parser *p, const Onnx__ModelProto *m)
{
    TinyGraph *const g = p->g;
    int err = check_model(p, m);
    if (err)
        return err;
    const Onnx__GraphProto *const gp = m->graph;

    size_t cap = gp->n_initializer + 1;
    for (size_t i = 0; i < gp->n_node; i++) {
        if (gp->node[i]->n_output > TINY_MAX_NODE_IO || gp->node[i]->n_input > TINY_MAX_NODE_IO) {
            p->node = gp->node[i];
            return fail(p, ENOTSUP, "more than %d inputs or outputs", TINY_MAX_NODE_IO);
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
        return fail(p, ENOMEM, "out of memory");
    memset(map->slot, 0xff, hsize * sizeof(int));
    map->mask = hsize - 1;
    g->cap_values = (int)cap;

    for (size_t i = 0; i < gp->n_initializer; i++) {
        const Onnx__TensorProto *const t = gp->initializer[i];
        int idx;
        if ((err = add_value(p, str_or_empty(t->name), &idx)) ||
            (err = load_tensor(p, t, t->name, &g->values[idx])))
            return err;
        if ((err = check_shape(p, &g->values[idx].shape, t->name)))
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

    if ((err = plan(p)))
        return err;

    /* Row-separable: no op mixes rows, so the batch can be split freely
     * (N only ever appears as the leading dimension). */
    g->row_separable = !g->fixed_batch;
    for (int i = 0; i < g->n_values; i++) {
        const TinyShape *const s = &g->values[i].shape;
        for (int d = 0; d < s->rank; d++)
            if (s->d[d].sym && (d || s->d[d].c != 1))
                g->row_separable = 0;
    }
    for (int i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].op == TINY_OP_DYNQUANT) {
            g->row_separable = 0;
            g->batch_dependent = !g->fixed_batch;
        }
    return 0;
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
    Parser p = { .log = opt->log, .what = opt->what ? opt->what : "model",
                 .external = opt->external, .cookie = opt->cookie };
    *out = NULL;
    if (len > TINY_MAX_FILE_BYTES)
        return fail(&p, ENOTSUP, "file is %zu bytes (max %u)", len, TINY_MAX_FILE_BYTES);
    if (!len)
        return fail(&p, EBADMSG, "file is empty");
    PbHeap heap = { 0 };
    ProtobufCAllocator alloc = { pb_alloc, pb_free, &heap };
    Onnx__ModelProto *const m = onnx__model_proto__unpack(&alloc, len, buf);
    if (!m)
        return heap.refused ? fail(&p, ENOTSUP, "decoding needs more than %u bytes",
                                   TINY_MAX_PB_HEAP)
                            : fail(&p, EBADMSG, "not a valid ONNX protobuf (truncated or corrupt)");
    p.g = calloc(1, sizeof(*p.g));
    int err;
    if (!p.g) {
        err = fail(&p, ENOMEM, "out of memory");
    } else {
        p.g->input = p.g->output = -1;
        err = build(&p, m);
    }
    onnx__model_proto__free_unpacked(m, &alloc);
    if (err) {
        tvmaf_tiny_graph_free(&p.g);
        return err;
    }
#if TVMAF_ENABLE_SIMD
    p.g->avx2 = !!(tvmaf_cpu_flags_detect() & ~opt->cpu_mask & TVMAF_CPU_FLAG_AVX2);
#endif
    *out = p.g;
    return 0;
}
