/*
 * The load-time plan, after a graph has parsed and its shapes are known:
 * epilogue fusion and alias roots (which value owns which bytes at run
 * time), how the batch may be split, and which matmul kernel the CPU gets.
 * Same operations in the same order as the unplanned graph: results do not
 * change, only passes over memory and the kernel's speed do.
 */
#include <errno.h>
#include <stdlib.h>

#include "config.h"
#include "cpu.h"
#include "model/tiny/tiny_graph.h"
#include "model/tiny/tiny_parse.h"

/* Load-time plan for the fp32 MLP path: fold a constant per-column Gemm
 * bias and a following ReLU into the matmul epilogue. Same operations in
 * the same order, so results are unchanged; only passes over memory go. */
static int plan(TinyParser *p)
{
    TinyGraph *const g = p->g;
    int *const uses = calloc(g->n_values, sizeof(*uses));
    if (!uses)
        return tvmaf_tiny_fail(p, ENOMEM, "out of memory");
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
                    err = tvmaf_tiny_fail(p, ENOMEM, "out of memory");
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

int tvmaf_tiny_plan(TinyParser *p)
{
    TinyGraph *const g = p->g;
    int err;
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

void tvmaf_tiny_plan_cpu(TinyGraph *const g, const unsigned cpu_mask)
{
    tvmaf_tiny_graph_set_cpu(g, cpu_mask);
}
