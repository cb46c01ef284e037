/*
 * Writes small ONNX models for the tiny-model tests and the fuzz corpus,
 * built directly with the protobuf-c structs of src/model/tiny/onnx.proto
 * (so the tests need neither python nor the shared fixtures).
 *
 *   tiny_mkmodel VARIANT OUT.onnx [ROWS]
 *
 * writes OUT.onnx, its sidecar OUT.json (with the file's sha256), and with
 * ROWS > 0 also OUT.csv (ROWS random feature rows) and OUT.expected (one
 * score per row, computed here in plain C with the interpreter's documented
 * operation order). Variants:
 *   mlp        torch-2.x form: Sub/Div, Gemm(transB)/Relu x2, Squeeze(axes initializer)
 *   mlp_const  torch-1.13 form: Squeeze axes from a Constant node, no transA, IR 8
 *   ops        every other allowlisted op: Mul Add MatMul Clip Sigmoid Tanh
 *              Unsqueeze Flatten Reshape Identity DynamicQuantizeLinear
 *              MatMulInteger Cast Gemm(alpha, beta) Relu Squeeze(attribute)
 *   external   mlp with its first weight in OUT.onnx.data (typed fields elsewhere)
 * and malformed ones for refusal tests (sidecar still matches the bytes):
 *   unknown_op, opset99, ir99, dims_exceed, external_outside, truncated
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/tiny/proto/onnx.pb-c.h"
#include "model/tiny/tiny_graph.h"

/* Everything is allocated from one list and freed at exit (the helper
 * runs under LeakSanitizer in sanitizer builds). */
static void **allocs;
static size_t n_allocs, cap_allocs;

static void *xalloc(size_t n)
{
    void *const p = calloc(1, n ? n : 1);
    if (!p || (n_allocs == cap_allocs &&
               !(allocs = realloc(allocs, (cap_allocs = cap_allocs * 2 + 64) * sizeof(void *))))) {
        fprintf(stderr, "tiny_mkmodel: out of memory\n");
        exit(1);
    }
    allocs[n_allocs++] = p;
    return p;
}

static char *xstr(const char *s)
{
    char *const p = xalloc(strlen(s) + 1);
    strcpy(p, s);
    return p;
}

static uint32_t rng = 12345;
static float frand(float lo, float hi)
{
    rng = rng * 1664525u + 1013904223u;
    return lo + (hi - lo) * (float)((rng >> 8) / 16777216.0);
}

static TvmafOnnx__TensorProto *tensor(const char *name, int dtype, int rank, const int64_t *dims,
                                      const void *data, size_t esize)
{
    TvmafOnnx__TensorProto *const t = xalloc(sizeof(*t));
    tvmaf_onnx__tensor_proto__init(t);
    t->name = xstr(name);
    t->has_data_type = 1;
    t->data_type = dtype;
    t->n_dims = rank;
    t->dims = xalloc(rank * sizeof(int64_t));
    size_t n = 1;
    for (int i = 0; i < rank; i++)
        n *= (size_t)(t->dims[i] = dims[i]);
    t->has_raw_data = 1;
    t->raw_data.len = n * esize;
    t->raw_data.data = xalloc(n * esize);
    memcpy(t->raw_data.data, data, n * esize);
    return t;
}

/* The same tensor through the typed fields instead of raw_data. */
static void to_typed(TvmafOnnx__TensorProto *t)
{
    const size_t n = t->raw_data.len / 4;
    t->has_raw_data = 0;
    t->n_float_data = n;
    t->float_data = xalloc(n * sizeof(float));
    memcpy(t->float_data, t->raw_data.data, n * sizeof(float));
}

typedef struct Graph {
    TvmafOnnx__NodeProto *node[64];
    size_t n_node;
    TvmafOnnx__TensorProto *init[64];
    size_t n_init;
} Graph;

static TvmafOnnx__AttributeProto *attr(TvmafOnnx__NodeProto *n, const char *name, int type)
{
    TvmafOnnx__AttributeProto *const a = xalloc(sizeof(*a));
    tvmaf_onnx__attribute_proto__init(a);
    a->name = xstr(name);
    a->has_type = 1;
    a->type = type;
    TvmafOnnx__AttributeProto **const na = xalloc((n->n_attribute + 1) * sizeof(*na));
    if (n->n_attribute)
        memcpy(na, n->attribute, n->n_attribute * sizeof(*na));
    na[n->n_attribute++] = a;
    n->attribute = na;
    return a;
}

static void attr_f(TvmafOnnx__NodeProto *n, const char *name, float v)
{
    TvmafOnnx__AttributeProto *const a = attr(n, name, 1);
    a->has_f = 1;
    a->f = v;
}

static void attr_i(TvmafOnnx__NodeProto *n, const char *name, int64_t v)
{
    TvmafOnnx__AttributeProto *const a = attr(n, name, 2);
    a->has_i = 1;
    a->i = v;
}

static void attr_ints(TvmafOnnx__NodeProto *n, const char *name, int count, const int64_t *v)
{
    TvmafOnnx__AttributeProto *const a = attr(n, name, 7);
    a->n_ints = count;
    a->ints = xalloc(count * sizeof(int64_t));
    memcpy(a->ints, v, count * sizeof(int64_t));
}

/* Inputs and outputs separated by "|" : "a,b|c". */
static TvmafOnnx__NodeProto *node(Graph *g, const char *op, const char *io)
{
    TvmafOnnx__NodeProto *const n = xalloc(sizeof(*n));
    tvmaf_onnx__node_proto__init(n);
    n->op_type = xstr(op);
    char name[64];
    snprintf(name, sizeof(name), "node_%zu_%s", g->n_node, op);
    n->name = xstr(name);
    char *const s = xstr(io);
    char *const bar = strchr(s, '|');
    *bar = 0;
    char **lists[2] = { NULL, NULL };
    size_t counts[2] = { 0, 0 };
    char *parts[2] = { s, bar + 1 };
    for (int l = 0; l < 2; l++) {
        lists[l] = xalloc(8 * sizeof(char *));
        if (!*parts[l])
            continue;
        for (char *tok = parts[l];;) {
            char *const c = strchr(tok, ',');
            if (c)
                *c = 0;
            lists[l][counts[l]++] = tok;
            if (!c)
                break;
            tok = c + 1;
        }
    }
    n->input = lists[0];
    n->n_input = counts[0];
    n->output = lists[1];
    n->n_output = counts[1];
    g->node[g->n_node++] = n;
    return n;
}

static TvmafOnnx__ValueInfoProto *vinfo(const char *name, int rank, const int64_t *dims)
{
    TvmafOnnx__ValueInfoProto *const v = xalloc(sizeof(*v));
    tvmaf_onnx__value_info_proto__init(v);
    v->name = xstr(name);
    v->type = xalloc(sizeof(*v->type));
    tvmaf_onnx__type_proto__init(v->type);
    v->type->value_case = TVMAF_ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    TvmafOnnx__TypeProto__Tensor *const t = v->type->tensor_type = xalloc(sizeof(*t));
    tvmaf_onnx__type_proto__tensor__init(t);
    t->has_elem_type = 1;
    t->elem_type = 1;
    t->shape = xalloc(sizeof(*t->shape));
    tvmaf_onnx__tensor_shape_proto__init(t->shape);
    t->shape->n_dim = rank;
    t->shape->dim = xalloc(rank * sizeof(*t->shape->dim));
    for (int i = 0; i < rank; i++) {
        TvmafOnnx__TensorShapeProto__Dimension *const d = t->shape->dim[i] = xalloc(sizeof(*d));
        tvmaf_onnx__tensor_shape_proto__dimension__init(d);
        if (dims[i] < 0) {
            d->value_case = TVMAF_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
            d->dim_param = xstr("N");
        } else {
            d->value_case = TVMAF_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
            d->dim_value = dims[i];
        }
    }
    return v;
}

static TvmafOnnx__ModelProto *model(Graph *g, int64_t ir, int64_t opset, int k, int out_rank)
{
    TvmafOnnx__ModelProto *const m = xalloc(sizeof(*m));
    tvmaf_onnx__model_proto__init(m);
    m->has_ir_version = 1;
    m->ir_version = ir;
    m->producer_name = xstr("tiny_mkmodel");
    m->n_opset_import = 1;
    m->opset_import = xalloc(sizeof(*m->opset_import));
    TvmafOnnx__OperatorSetIdProto *const os = m->opset_import[0] = xalloc(sizeof(*os));
    tvmaf_onnx__operator_set_id_proto__init(os);
    os->domain = xstr("");
    os->has_version = 1;
    os->version = opset;
    TvmafOnnx__GraphProto *const gp = m->graph = xalloc(sizeof(*gp));
    tvmaf_onnx__graph_proto__init(gp);
    gp->name = xstr("tiny_test");
    gp->n_node = g->n_node;
    gp->node = g->node;
    gp->n_initializer = g->n_init;
    gp->initializer = g->init;
    const int64_t in_dims[2] = { -1, k }, out_dims[2] = { -1, 1 };
    gp->n_input = 1;
    gp->input = xalloc(sizeof(*gp->input));
    gp->input[0] = vinfo("features", 2, in_dims);
    gp->n_output = 1;
    gp->output = xalloc(sizeof(*gp->output));
    gp->output[0] = vinfo("score", out_rank, out_dims);
    return m;
}

static void add_init(Graph *g, TvmafOnnx__TensorProto *t)
{
    g->init[g->n_init++] = t;
}

/* ---- the models and their plain-C references ------------------------------ */

#define K_MLP 6
#define H_MLP 8
static float mean6[K_MLP], std6[K_MLP], w1[H_MLP][K_MLP], b1[H_MLP], w2[H_MLP], b2;

static void mlp_weights(void)
{
    for (int j = 0; j < K_MLP; j++) {
        mean6[j] = frand(0.2f, 0.9f);
        std6[j] = frand(0.05f, 0.3f);
    }
    for (int i = 0; i < H_MLP; i++) {
        for (int j = 0; j < K_MLP; j++)
            w1[i][j] = frand(-1, 1);
        b1[i] = frand(-0.5f, 0.5f);
        w2[i] = frand(-2, 2);
    }
    b2 = 50.0f;
}

static TvmafOnnx__ModelProto *build_mlp(Graph *g, int torch113)
{
    mlp_weights();
    const int64_t d6[1] = { K_MLP }, dw1[2] = { H_MLP, K_MLP }, dh[1] = { H_MLP };
    const int64_t dw2[2] = { 1, H_MLP }, d1[1] = { 1 };
    add_init(g, tensor("mean", 1, 1, d6, mean6, 4));
    add_init(g, tensor("std", 1, 1, d6, std6, 4));
    add_init(g, tensor("w1", 1, 2, dw1, w1, 4));
    add_init(g, tensor("b1", 1, 1, dh, b1, 4));
    add_init(g, tensor("w2", 1, 2, dw2, w2, 4));
    add_init(g, tensor("b2", 1, 1, d1, &b2, 4));
    node(g, "Sub", "features,mean|sub");
    node(g, "Div", "sub,std|div");
    TvmafOnnx__NodeProto *n = node(g, "Gemm", "div,w1,b1|l1");
    if (!torch113)
        attr_i(n, "transA", 0);
    attr_i(n, "transB", 1);
    attr_f(n, "alpha", 1.0f);
    attr_f(n, "beta", 1.0f);
    node(g, "Relu", "l1|r1");
    n = node(g, "Gemm", "r1,w2,b2|l2");
    attr_i(n, "transB", 1);
    if (torch113) {
        const int64_t one = 1;
        TvmafOnnx__NodeProto *const c = node(g, "Constant", "|axes");
        TvmafOnnx__AttributeProto *const a = attr(c, "value", 4);
        a->t = tensor("", 7, 1, d1, &one, 8);
        node(g, "Squeeze", "l2,axes|score");
    } else {
        const int64_t m1 = -1;
        add_init(g, tensor("axes", 7, 1, d1, &m1, 8));
        node(g, "Squeeze", "l2,axes|score");
    }
    return model(g, torch113 ? 8 : 10, 17, K_MLP, 1);
}

static float ref_mlp(const float *x)
{
    float h[H_MLP];
    float in[K_MLP];
    for (int j = 0; j < K_MLP; j++)
        in[j] = (x[j] - mean6[j]) / std6[j];
    for (int i = 0; i < H_MLP; i++) {
        float acc = 0.0f;
        for (int j = 0; j < K_MLP; j++)
            acc += in[j] * w1[i][j];
        acc = acc + b1[i];
        h[i] = acc > 0.0f ? acc : 0.0f;
    }
    float acc = 0.0f;
    for (int i = 0; i < H_MLP; i++)
        acc += h[i] * w2[i];
    return acc + b2;
}

#define K_OPS 4
static float c_mul[K_OPS], c_add[K_OPS], w_mm[K_OPS][3], clip_lo = -1.0f, clip_hi = 2.0f;
static int8_t w_q[3][2];
static int8_t w_zp = 0;
static float w_scale = 0.0123f, g_w[2], g_b, g_alpha = 0.5f, g_beta = 2.0f;

static TvmafOnnx__ModelProto *build_ops(Graph *g)
{
    for (int j = 0; j < K_OPS; j++) {
        c_mul[j] = frand(0.5f, 2.0f);
        c_add[j] = frand(-1, 1);
        for (int i = 0; i < 3; i++)
            w_mm[j][i] = frand(-1, 1);
    }
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 2; j++)
            w_q[i][j] = (int8_t)(int)frand(-127, 127);
    g_w[0] = frand(-3, 3);
    g_w[1] = frand(-3, 3);
    g_b = 1.5f;
    const int64_t d4[1] = { K_OPS }, d14[2] = { 1, K_OPS }, dmm[2] = { K_OPS, 3 };
    const int64_t dq[2] = { 3, 2 }, dg[2] = { 1, 2 }, d1[1] = { 1 }, d2[1] = { 2 };
    const int64_t shape[2] = { -1, 3 }, axes1 = 1;
    add_init(g, tensor("c_mul", 1, 1, d4, c_mul, 4));
    add_init(g, tensor("c_add", 1, 2, d14, c_add, 4));
    add_init(g, tensor("w_mm", 1, 2, dmm, w_mm, 4));
    add_init(g, tensor("lo", 1, 0, NULL, &clip_lo, 4));
    add_init(g, tensor("hi", 1, 0, NULL, &clip_hi, 4));
    add_init(g, tensor("shape", 7, 1, d2, shape, 8));
    add_init(g, tensor("ax1", 7, 1, d1, &axes1, 8));
    add_init(g, tensor("w_q", 3, 2, dq, w_q, 1));
    add_init(g, tensor("w_zp", 3, 0, NULL, &w_zp, 1));
    add_init(g, tensor("w_scale", 1, 0, NULL, &w_scale, 4));
    add_init(g, tensor("g_w", 1, 2, dg, g_w, 4));
    add_init(g, tensor("g_b", 1, 1, d1, &g_b, 4));
    to_typed(g->init[g->n_init - 1]);
    node(g, "Mul", "features,c_mul|a");
    node(g, "Add", "a,c_add|b");
    node(g, "MatMul", "b,w_mm|m");
    node(g, "Clip", "m,lo,hi|cl");
    node(g, "Sigmoid", "cl|s");
    node(g, "Tanh", "m|t");
    node(g, "Add", "s,t|u");
    node(g, "Unsqueeze", "u,ax1|un");
    attr_i(node(g, "Flatten", "un|fl"), "axis", 1);
    node(g, "Reshape", "fl,shape|rs");
    node(g, "Identity", "rs|id");
    node(g, "DynamicQuantizeLinear", "id|q,q_scale,q_zp");
    node(g, "MatMulInteger", "q,w_q,q_zp,w_zp|mi");
    attr_i(node(g, "Cast", "mi|cf"), "to", 1);
    node(g, "Mul", "q_scale,w_scale|sm");
    node(g, "Mul", "cf,sm|y2");
    TvmafOnnx__NodeProto *const n = node(g, "Gemm", "y2,g_w,g_b|gm");
    attr_i(n, "transB", 1);
    attr_f(n, "alpha", g_alpha);
    attr_f(n, "beta", g_beta);
    node(g, "Relu", "gm|r");
    attr_ints(node(g, "Squeeze", "r|score"), "axes", 1, &axes1);
    return model(g, 9, 13, K_OPS, 1);
}

static void ref_ops(const float *x, size_t rows, float *out)
{
    float *const id = malloc(rows * 3 * sizeof(float));
    float mn = 0.0f, mx = 0.0f;
    for (size_t r = 0; r < rows; r++) {
        float b[K_OPS];
        for (int j = 0; j < K_OPS; j++)
            b[j] = x[r * K_OPS + j] * c_mul[j] + c_add[j];
        for (int i = 0; i < 3; i++) {
            float m = 0.0f;
            for (int j = 0; j < K_OPS; j++)
                m += b[j] * w_mm[j][i];
            float cl = m < clip_lo ? clip_lo : m;
            cl = cl > clip_hi ? clip_hi : cl;
            const float u = 1.0f / (1.0f + expf(-cl)) + tanhf(m);
            id[r * 3 + i] = u;
            mn = u < mn ? u : mn;
            mx = u > mx ? u : mx;
        }
    }
    const float scale = mx == mn ? 1.0f : (mx - mn) / 255.0f;
    float zpf = 0.0f - mn / scale;
    zpf = zpf < 0 ? 0 : zpf > 255 ? 255 : zpf;
    const float zp = nearbyintf(zpf);
    const float sm = scale * w_scale;
    for (size_t r = 0; r < rows; r++) {
        int32_t acc[2] = { 0, 0 };
        for (int i = 0; i < 3; i++) {
            float v = nearbyintf(id[r * 3 + i] / scale) + zp;
            v = v < 0 ? 0 : v > 255 ? 255 : v;
            const int32_t q = (int32_t)v - (int32_t)zp;
            for (int j = 0; j < 2; j++)
                acc[j] += q * (w_q[i][j] - w_zp);
        }
        float gsum = 0.0f;
        for (int j = 0; j < 2; j++)
            gsum += ((float)acc[j] * sm) * g_w[j];
        const float gm = g_alpha * gsum + g_beta * g_b;
        out[r] = gm > 0.0f ? gm : 0.0f;
    }
    free(id);
}

/* ---- output ---------------------------------------------------------------- */

static int write_file(const char *path, const void *buf, size_t len)
{
    FILE *const f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
        fprintf(stderr, "tiny_mkmodel: cannot write %s\n", path);
        return 1;
    }
    return 0;
}

static int write_sidecar(const char *onnx, const uint8_t *buf, size_t len, int k)
{
    char path[4096], hex[65];
    tvmaf_tiny_sha256_hex(buf, len, hex);
    snprintf(path, sizeof(path), "%.*s.json", (int)(strlen(onnx) - 5), onnx);
    static const char *const six[] = { "adm2", "vif_scale0", "vif_scale1",
                                       "vif_scale2", "vif_scale3", "motion2" };
    static const char *const four[] = { "f_a", "f_b", "f_c", "f_d" };
    const char *const *names = k == 6 ? six : four;
    const char *const base = strrchr(onnx, '/') ? strrchr(onnx, '/') + 1 : onnx;
    FILE *const f = fopen(path, "w");
    if (!f)
        return 1;
    fprintf(f, "{\n  \"id\": \"test_model\",\n  \"kind\": \"fr\",\n  \"onnx\": \"%s\",\n"
               "  \"sha256\": \"%s\",\n  \"input_name\": \"features\",\n"
               "  \"input_shape\": [-1, %d],\n  \"output_name\": \"score\",\n"
               "  \"features\": [", base, hex, k);
    for (int i = 0; i < k; i++)
        fprintf(f, "%s\"%s\"", i ? ", " : "", names[i]);
    fprintf(f, "]\n}\n");
    return fclose(f) != 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: tiny_mkmodel VARIANT OUT.onnx [ROWS]\n");
        return 2;
    }
    const char *const v = argv[1], *const out = argv[2];
    const int rows = argc > 3 ? atoi(argv[3]) : 0;
    Graph g = { 0 };
    TvmafOnnx__ModelProto *m;
    int k = K_MLP;
    if (!strcmp(v, "ops")) {
        m = build_ops(&g);
        k = K_OPS;
    } else {
        m = build_mlp(&g, !strcmp(v, "mlp_const"));
    }
    char data_path[4096];
    snprintf(data_path, sizeof(data_path), "%s.data", out);
    if (!strcmp(v, "unknown_op")) {
        g.node[3]->op_type = xstr("Frobnicate");
    } else if (!strcmp(v, "opset99")) {
        m->opset_import[0]->version = 99;
    } else if (!strcmp(v, "ir99")) {
        m->ir_version = 99;
    } else if (!strcmp(v, "dims_exceed")) {
        g.init[2]->dims[0] = 2 * H_MLP; /* w1 claims [16,6], holds [8,6] */
    } else if (!strcmp(v, "external") || !strcmp(v, "external_outside")) {
        TvmafOnnx__TensorProto *const t = g.init[2];
        const int outside = !strcmp(v, "external_outside");
        char loc[4096];
        const char *const base = strrchr(out, '/') ? strrchr(out, '/') + 1 : out;
        snprintf(loc, sizeof(loc), "%s%s.data", outside ? "../" : "", base);
        if (outside) {
            char dir[4096];
            snprintf(dir, sizeof(dir), "%.*s../%s.data",
                     (int)(strrchr(out, '/') ? strrchr(out, '/') - out + 1 : 0), out, base);
            snprintf(data_path, sizeof(data_path), "%s", dir);
        }
        if (write_file(data_path, t->raw_data.data, t->raw_data.len))
            return 1;
        t->has_raw_data = 0;
        t->has_data_location = 1;
        t->data_location = 1;
        t->n_external_data = 2;
        t->external_data = xalloc(2 * sizeof(*t->external_data));
        const char *kv[2][2] = { { "location", loc }, { "length", "192" } };
        for (int i = 0; i < 2; i++) {
            TvmafOnnx__StringStringEntryProto *const e = t->external_data[i] = xalloc(sizeof(*e));
            tvmaf_onnx__string_string_entry_proto__init(e);
            e->key = xstr(kv[i][0]);
            e->value = xstr(kv[i][1]);
        }
        to_typed(g.init[0]); /* mean through float_data */
    } else if (strcmp(v, "mlp") && strcmp(v, "mlp_const") && strcmp(v, "ops") &&
               strcmp(v, "truncated")) {
        fprintf(stderr, "tiny_mkmodel: unknown variant '%s'\n", v);
        return 2;
    }
    size_t len = tvmaf_onnx__model_proto__get_packed_size(m);
    uint8_t *const buf = xalloc(len);
    tvmaf_onnx__model_proto__pack(m, buf);
    if (!strcmp(v, "truncated"))
        len = len * 2 / 3;
    if (write_file(out, buf, len) || write_sidecar(out, buf, len, k))
        return 1;
    if (rows > 0) {
        char path[4096];
        float *const x = xalloc((size_t)rows * k * sizeof(float));
        float *const y = xalloc((size_t)rows * sizeof(float));
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < k; j++)
                x[r * k + j] = k == K_MLP ? mean6[j] + std6[j] * frand(-3, 3) : frand(-2, 2);
        if (k == K_OPS)
            ref_ops(x, rows, y);
        else
            for (int r = 0; r < rows; r++)
                y[r] = ref_mlp(x + r * k);
        snprintf(path, sizeof(path), "%.*s.csv", (int)(strlen(out) - 5), out);
        FILE *f = fopen(path, "w");
        fprintf(f, k == K_MLP ? "frame,adm2,vif_scale0,vif_scale1,vif_scale2,vif_scale3,motion2\n"
                              : "f_d,f_c,f_b,f_a\n");
        for (int r = 0; r < rows; r++) {
            if (k == K_MLP) {
                fprintf(f, "%d", r);
                for (int j = 0; j < k; j++)
                    fprintf(f, ",%.9g", x[r * k + j]);
            } else {
                /* Columns in reverse: predict must pick them by name. */
                for (int j = k - 1; j >= 0; j--)
                    fprintf(f, "%s%.9g", j == k - 1 ? "" : ",", x[r * k + j]);
            }
            fprintf(f, "\n");
        }
        fclose(f);
        snprintf(path, sizeof(path), "%.*s.expected", (int)(strlen(out) - 5), out);
        f = fopen(path, "w");
        for (int r = 0; r < rows; r++)
            fprintf(f, "%.9g\n", y[r]);
        fclose(f);
    }
    for (size_t i = 0; i < n_allocs; i++)
        free(allocs[i]);
    free(allocs);
    return 0;
}
