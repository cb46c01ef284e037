/*
 * ONNX writer for trained MLPs, with the protobuf-c types generated from
 * src/model/tiny/onnx.proto (the schema the tiny-model reader uses).
 *
 * The graph has upstream's anatomy (shared/reference/tiny-upstream/
 * README.md, "Graph anatomy"): scaler and weights are initializers in
 * little-endian raw_data, Gemm attributes are all written, Squeeze takes
 * its axes as an input (opset >= 13). We write IR 8, the newest version
 * Debian's onnx checker (1.12) accepts, and omit value_info, metadata and
 * anything time- or host-dependent, so the bytes depend only on the model.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "train.h"

#if TVMAF_TRAIN_HAVE_ONNX
#include "onnx.pb-c.h"

#define MAX_LAYERS (TVMAF_TRAIN_MAX_HIDDEN + 1)
#define MAX_NODES (2 + 2 * MAX_LAYERS + 1)
#define MAX_INITS (2 + 2 * MAX_LAYERS + 1)

#define ONNX_FLOAT 1
#define ONNX_INT64 7
#define ONNX_ATTR_FLOAT 1
#define ONNX_ATTR_INT 2

typedef struct Names {
    char s[MAX_NODES * 3 + MAX_INITS][32];
    int n;
} Names;

static char *name_of(Names *const nm, const char *const fmt, const int v)
{
    char *const s = nm->s[nm->n++];
    snprintf(s, sizeof(nm->s[0]), fmt, v);
    return s;
}

/* Everything the model message points to, so one free() releases it. */
typedef struct Graph {
    TvmafOnnx__ModelProto model;
    TvmafOnnx__OperatorSetIdProto opset;
    TvmafOnnx__OperatorSetIdProto *opsets[1];
    TvmafOnnx__GraphProto graph;

    TvmafOnnx__NodeProto node[MAX_NODES];
    TvmafOnnx__NodeProto *nodes[MAX_NODES];
    char *node_in[MAX_NODES][3];
    char *node_out[MAX_NODES][1];
    TvmafOnnx__AttributeProto gemm_attr[MAX_LAYERS][4];
    TvmafOnnx__AttributeProto *gemm_attrs[MAX_LAYERS][4];

    TvmafOnnx__TensorProto init[MAX_INITS];
    TvmafOnnx__TensorProto *inits[MAX_INITS];
    int64_t init_dims[MAX_INITS][2];

    TvmafOnnx__ValueInfoProto io[2];
    TvmafOnnx__ValueInfoProto *in_list[1], *out_list[1];
    TvmafOnnx__TypeProto type[2];
    TvmafOnnx__TypeProto__Tensor tensor[2];
    TvmafOnnx__TensorShapeProto shape[2];
    TvmafOnnx__TensorShapeProto__Dimension dim[3];
    TvmafOnnx__TensorShapeProto__Dimension *in_dims[2], *out_dims[1];

    Names names;
    uint8_t *raw;   /* all initializer bytes */
} Graph;

static void put_le32(uint8_t *const p, const float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    p[0] = (uint8_t)u;
    p[1] = (uint8_t)(u >> 8);
    p[2] = (uint8_t)(u >> 16);
    p[3] = (uint8_t)(u >> 24);
}

static void put_le64(uint8_t *const p, const int64_t v)
{
    const uint64_t u = (uint64_t)v;
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(u >> (8 * i));
}

static TvmafOnnx__TensorProto *add_init(Graph *const g, int *const n, char *const name,
                                        const int dtype, const int64_t d0, const int64_t d1,
                                        uint8_t *const raw, const size_t bytes)
{
    TvmafOnnx__TensorProto *const t = &g->init[*n];
    *t = (TvmafOnnx__TensorProto)TVMAF_ONNX__TENSOR_PROTO__INIT;
    t->name = name;
    t->has_data_type = 1;
    t->data_type = dtype;
    g->init_dims[*n][0] = d0;
    g->init_dims[*n][1] = d1;
    t->n_dims = d1 > 0 ? 2 : 1;
    t->dims = g->init_dims[*n];
    t->has_raw_data = 1;
    t->raw_data.data = raw;
    t->raw_data.len = bytes;
    g->inits[*n] = t;
    (*n)++;
    return t;
}

static TvmafOnnx__NodeProto *add_node(Graph *const g, int *const n, const char *const op,
                                      char *const name, char *const in0, char *const in1,
                                      char *const in2, char *const out)
{
    TvmafOnnx__NodeProto *const nd = &g->node[*n];
    *nd = (TvmafOnnx__NodeProto)TVMAF_ONNX__NODE_PROTO__INIT;
    nd->op_type = (char *)op;
    nd->name = name;
    g->node_in[*n][0] = in0;
    g->node_in[*n][1] = in1;
    g->node_in[*n][2] = in2;
    nd->n_input = in2 ? 3 : in1 ? 2 : 1;
    nd->input = g->node_in[*n];
    g->node_out[*n][0] = out;
    nd->n_output = 1;
    nd->output = g->node_out[*n];
    g->nodes[*n] = nd;
    (*n)++;
    return nd;
}

static void set_io(Graph *const g, const int which, char *const name, const int n_dims,
                   TvmafOnnx__TensorShapeProto__Dimension **const dims)
{
    g->shape[which] = (TvmafOnnx__TensorShapeProto)TVMAF_ONNX__TENSOR_SHAPE_PROTO__INIT;
    g->shape[which].n_dim = n_dims;
    g->shape[which].dim = dims;
    g->tensor[which] = (TvmafOnnx__TypeProto__Tensor)TVMAF_ONNX__TYPE_PROTO__TENSOR__INIT;
    g->tensor[which].has_elem_type = 1;
    g->tensor[which].elem_type = ONNX_FLOAT;
    g->tensor[which].shape = &g->shape[which];
    g->type[which] = (TvmafOnnx__TypeProto)TVMAF_ONNX__TYPE_PROTO__INIT;
    g->type[which].value_case = TVMAF_ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    g->type[which].tensor_type = &g->tensor[which];
    g->io[which] = (TvmafOnnx__ValueInfoProto)TVMAF_ONNX__VALUE_INFO_PROTO__INIT;
    g->io[which].name = name;
    g->io[which].type = &g->type[which];
}

int tvmaf_onnx_export(const TvmafMlp *const m, const char *const *const feature_names,
                      uint8_t **const buf, size_t *const len)
{
    (void)feature_names; /* names live in the sidecar; the graph input is one tensor */
    *buf = NULL;
    *len = 0;
    if (m->n_layers < 1 || m->n_layers > MAX_LAYERS)
        return TVMAF_ERR(EINVAL);
    Graph *const g = calloc(1, sizeof(*g));
    if (!g)
        return TVMAF_ERR(ENOMEM);
    const int k = m->n_in, L = m->n_layers;
    const size_t raw_bytes = 4 * (2 * (size_t)k + m->n_params) + 8;
    g->raw = malloc(raw_bytes);
    if (!g->raw) {
        free(g);
        return TVMAF_ERR(ENOMEM);
    }
    uint8_t *raw = g->raw;
    Names *const nm = &g->names;
    int ni = 0, nn = 0;

    /* Scaler: float32 values whose float64 originals are in the sidecar. */
    uint8_t *const mean_raw = raw;
    for (int i = 0; i < k; i++, raw += 4)
        put_le32(raw, m->meanf[i]);
    uint8_t *const std_raw = raw;
    for (int i = 0; i < k; i++, raw += 4)
        put_le32(raw, m->stdf[i]);
    char *const mean_name = name_of(nm, "mean", 0), *const std_name = name_of(nm, "std", 0);

    /* Linear layers are named as nn.Sequential would (Linear, ReLU, ...),
     * as upstream's files are: mlp.0, mlp.2, ... */
    char *wname[MAX_LAYERS], *bname[MAX_LAYERS];
    uint8_t *wraw[MAX_LAYERS], *braw[MAX_LAYERS];
    for (int l = 0; l < L; l++) {
        const size_t nw = (size_t)m->width[l + 1] * m->width[l];
        wraw[l] = raw;
        for (size_t j = 0; j < nw; j++, raw += 4)
            put_le32(raw, m->w[l][j]);
        braw[l] = raw;
        for (int j = 0; j < m->width[l + 1]; j++, raw += 4)
            put_le32(raw, m->b[l][j]);
        wname[l] = name_of(nm, "mlp.%d.weight", 2 * l);
        bname[l] = name_of(nm, "mlp.%d.bias", 2 * l);
    }
    uint8_t *const axes_raw = raw;
    put_le64(raw, -1);
    char *const axes_name = name_of(nm, "squeeze_axes", 0);

    add_init(g, &ni, mean_name, ONNX_FLOAT, k, 0, mean_raw, 4 * (size_t)k);
    add_init(g, &ni, std_name, ONNX_FLOAT, k, 0, std_raw, 4 * (size_t)k);
    for (int l = 0; l < L; l++) {
        add_init(g, &ni, wname[l], ONNX_FLOAT, m->width[l + 1], m->width[l], wraw[l],
                 4 * (size_t)m->width[l + 1] * m->width[l]);
        add_init(g, &ni, bname[l], ONNX_FLOAT, m->width[l + 1], 0, braw[l],
                 4 * (size_t)m->width[l + 1]);
    }
    add_init(g, &ni, axes_name, ONNX_INT64, 1, 0, axes_raw, 8);

    char *const in_name = name_of(nm, "features", 0), *const out_name = name_of(nm, "vmaf", 0);
    char *const sub = name_of(nm, "sub", 0), *const div = name_of(nm, "div", 0);
    add_node(g, &nn, "Sub", name_of(nm, "node_sub", 0), in_name, mean_name, NULL, sub);
    add_node(g, &nn, "Div", name_of(nm, "node_div", 0), sub, std_name, NULL, div);
    char *x = div;
    for (int l = 0; l < L; l++) {
        char *const lin = l ? name_of(nm, "linear_%d", l) : name_of(nm, "linear", 0);
        TvmafOnnx__NodeProto *const nd =
            add_node(g, &nn, "Gemm", l ? name_of(nm, "node_linear_%d", l) : name_of(nm, "node_linear", 0),
                     x, wname[l], bname[l], lin);
        static const char *const attr_names[4] = { "alpha", "beta", "transA", "transB" };
        for (int a = 0; a < 4; a++) {
            TvmafOnnx__AttributeProto *const at = &g->gemm_attr[l][a];
            *at = (TvmafOnnx__AttributeProto)TVMAF_ONNX__ATTRIBUTE_PROTO__INIT;
            at->name = (char *)attr_names[a];
            at->has_type = 1;
            if (a < 2) {
                at->type = ONNX_ATTR_FLOAT;
                at->has_f = 1;
                at->f = 1.0f;
            } else {
                at->type = ONNX_ATTR_INT;
                at->has_i = 1;
                at->i = a == 3;
            }
            g->gemm_attrs[l][a] = at;
        }
        nd->n_attribute = 4;
        nd->attribute = g->gemm_attrs[l];
        x = lin;
        if (l + 1 < L) {
            char *const r = l ? name_of(nm, "relu_%d", l) : name_of(nm, "relu", 0);
            add_node(g, &nn, "Relu", l ? name_of(nm, "node_relu_%d", l) : name_of(nm, "node_relu", 0),
                     x, NULL, NULL, r);
            x = r;
        }
    }
    add_node(g, &nn, "Squeeze", name_of(nm, "node_squeeze", 0), x, axes_name, NULL, out_name);

    for (int d = 0; d < 3; d++)
        g->dim[d] = (TvmafOnnx__TensorShapeProto__Dimension)
            TVMAF_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__INIT;
    char *const batch = name_of(nm, "N", 0);
    g->dim[0].value_case = TVMAF_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
    g->dim[0].dim_param = batch;
    g->dim[1].value_case = TVMAF_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
    g->dim[1].dim_value = k;
    g->dim[2].value_case = TVMAF_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
    g->dim[2].dim_param = batch;
    g->in_dims[0] = &g->dim[0];
    g->in_dims[1] = &g->dim[1];
    g->out_dims[0] = &g->dim[2];
    set_io(g, 0, in_name, 2, g->in_dims);
    set_io(g, 1, out_name, 1, g->out_dims);
    g->in_list[0] = &g->io[0];
    g->out_list[0] = &g->io[1];

    g->graph = (TvmafOnnx__GraphProto)TVMAF_ONNX__GRAPH_PROTO__INIT;
    g->graph.name = (char *)"tinyvmaf_mlp";
    g->graph.n_node = nn;
    g->graph.node = g->nodes;
    g->graph.n_initializer = ni;
    g->graph.initializer = g->inits;
    g->graph.n_input = 1;
    g->graph.input = g->in_list;
    g->graph.n_output = 1;
    g->graph.output = g->out_list;

    g->opset = (TvmafOnnx__OperatorSetIdProto)TVMAF_ONNX__OPERATOR_SET_ID_PROTO__INIT;
    g->opset.domain = (char *)"";
    g->opset.has_version = 1;
    g->opset.version = 17;
    g->opsets[0] = &g->opset;

    g->model = (TvmafOnnx__ModelProto)TVMAF_ONNX__MODEL_PROTO__INIT;
    g->model.has_ir_version = 1;
    g->model.ir_version = 8;
    g->model.producer_name = (char *)"tinyvmaf";
    g->model.producer_version = (char *)TVMAF_VERSION;
    g->model.graph = &g->graph;
    g->model.n_opset_import = 1;
    g->model.opset_import = g->opsets;

    int ret = 0;
    const size_t size = tvmaf_onnx__model_proto__get_packed_size(&g->model);
    uint8_t *const out = malloc(size ? size : 1);
    if (!out) {
        ret = TVMAF_ERR(ENOMEM);
    } else {
        tvmaf_onnx__model_proto__pack(&g->model, out);
        *buf = out;
        *len = size;
    }
    free(g->raw);
    free(g);
    return ret;
}

#else

int tvmaf_onnx_export(const TvmafMlp *const m, const char *const *const feature_names,
                      uint8_t **const buf, size_t *const len)
{
    (void)m;
    (void)feature_names;
    *buf = NULL;
    *len = 0;
    return TVMAF_ERR(ENOTSUP);
}

#endif
