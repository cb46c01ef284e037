/*
 * Shape inference for a symbolic batch N, one function per op family: the
 * output's type and shape from its inputs and attributes, checked against
 * the caps; constant Gemm/MatMul right-hand sides are packed on the way.
 * Called by onnx_parse.c once per node, in graph order.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/tiny/tiny_graph.h"
#include "model/tiny/tiny_parse.h"

int64_t tvmaf_tiny_shape_elems(const TinyShape *const s, const int64_t n)
{
    int64_t e = 1;
    for (int i = 0; i < s->rank; i++)
        e *= s->d[i].c * (s->d[i].sym ? n : 1);
    return e;
}

void tvmaf_tiny_shape_str(const TinyShape *s, char *buf, size_t size)
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
int tvmaf_tiny_check_shape(const TinyParser *p, const TinyShape *s, const char *name)
{
    int64_t c = 1;
    int sym = 0;
    if (s->rank < 0 || s->rank > TINY_MAX_RANK)
        return tvmaf_tiny_fail(p, ENOTSUP, "'%s' has rank %d (max %d)", name, s->rank,
                               TINY_MAX_RANK);
    for (int i = 0; i < s->rank; i++) {
        const TinyDim d = s->d[i];
        if (d.c < 0 || d.c > TINY_MAX_DIM || (d.sym && d.c == 0))
            return tvmaf_tiny_fail(p, EBADMSG, "'%s' has an invalid dimension %lld", name,
                                   (long long)d.c);
        sym += d.sym;
        if (d.c && c > TINY_MAX_ROW_ELEMS / d.c)
            return tvmaf_tiny_fail(p, ENOTSUP, "'%s' is too large", name);
        c *= d.c;
    }
    if (sym > 1)
        return tvmaf_tiny_fail(p, ENOTSUP, "'%s' would scale with N^%d", name, sym);
    if (c > TINY_MAX_ROW_ELEMS)
        return tvmaf_tiny_fail(p, ENOTSUP, "'%s' is too large", name);
    return 0;
}

void tvmaf_tiny_shape_elems_sym(const TinyShape *s, int64_t *c, int *sym)
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

/* Reads an axes list from a constant int64 input or an "axes" attribute. */
static int get_axes(const TinyParser *p, const TinyNode *tn, int64_t *axes, int *n_axes)
{
    const TinyGraph *const g = p->g;
    const TvmafOnnx__AttributeProto *const a = tvmaf_tiny_find_attr(p->node, "axes");
    *n_axes = -1;
    if (tn->n_in > 1 && tn->in[1] >= 0) {
        if (a)
            return tvmaf_tiny_fail(p, EBADMSG, "axes given both as input and attribute");
        const TinyValue *const v = &g->values[g->values[tn->in[1]].root];
        if (v->kind != TINY_VAL_CONST)
            return tvmaf_tiny_fail(p, ENOTSUP, "axes must be a constant");
        if (v->dtype != TINY_DT_INT64 || g->values[tn->in[1]].shape.rank > 1)
            return tvmaf_tiny_fail(p, EBADMSG, "axes must be a 1-D int64 tensor");
        const int64_t n = tvmaf_tiny_shape_elems(&v->shape, 1);
        if (n > TINY_MAX_RANK)
            return tvmaf_tiny_fail(p, EBADMSG, "too many axes");
        memcpy(axes, v->data, n * sizeof(*axes));
        *n_axes = (int)n;
    } else if (a) {
        if (!tvmaf_tiny_attr_type_ok(a, ATTR_INTS))
            return tvmaf_tiny_fail(p, EBADMSG, "attribute 'axes' must be ints");
        if (a->n_ints > TINY_MAX_RANK)
            return tvmaf_tiny_fail(p, EBADMSG, "too many axes");
        memcpy(axes, a->ints, a->n_ints * sizeof(*axes));
        *n_axes = (int)a->n_ints;
    }
    return 0;
}

/* Normalises axes to [0, rank) and rejects duplicates. */
static int norm_axes(const TinyParser *p, int64_t *axes, const int n, const int rank)
{
    for (int i = 0; i < n; i++) {
        if (axes[i] < -rank || axes[i] >= rank)
            return tvmaf_tiny_fail(p, EBADMSG, "axis %lld out of range for rank %d",
                                   (long long)axes[i], rank);
        if (axes[i] < 0)
            axes[i] += rank;
        for (int j = 0; j < i; j++)
            if (axes[j] == axes[i])
                return tvmaf_tiny_fail(p, EBADMSG, "axis %lld repeated", (long long)axes[i]);
    }
    return 0;
}

/* ---- shape inference, one function per op family ----------------------- */

static const TinyValue *in_val(const TinyParser *p, const TinyNode *tn, const int i)
{
    return tn->in[i] >= 0 ? &p->g->values[tn->in[i]] : NULL;
}

static int broadcast(const TinyParser *p, const TinyShape *a, const TinyShape *b, TinyShape *out)
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
            tvmaf_tiny_shape_str(a, sa, sizeof(sa));
            tvmaf_tiny_shape_str(b, sb, sizeof(sb));
            return tvmaf_tiny_fail(p, da.sym || db.sym ? ENOTSUP : EBADMSG,
                                   "shapes %s and %s do not broadcast", sa, sb);
        }
    }
    return 0;
}

static int infer_binary(const TinyParser *p, TinyNode *tn, TinyValue *o)
{
    const TinyValue *const a = in_val(p, tn, 0), *const b = in_val(p, tn, 1);
    if (a->dtype != b->dtype)
        return tvmaf_tiny_fail(p, EBADMSG, "inputs are %s and %s", tvmaf_tiny_dtype_name(a->dtype),
                               tvmaf_tiny_dtype_name(b->dtype));
    if (a->dtype != TINY_DT_FLOAT &&
        (tn->op == TINY_OP_DIV || (a->dtype != TINY_DT_INT32 && a->dtype != TINY_DT_INT64)))
        return tvmaf_tiny_fail(p, ENOTSUP, "%s inputs not supported",
                               tvmaf_tiny_dtype_name(a->dtype));
    o->dtype = a->dtype;
    return broadcast(p, &a->shape, &b->shape, &o->shape);
}

static int infer_unary_float(const TinyParser *p, TinyNode *tn, TinyValue *o)
{
    const TinyValue *const x = in_val(p, tn, 0);
    if (x->dtype != TINY_DT_FLOAT)
        return tvmaf_tiny_fail(p, ENOTSUP, "%s input not supported",
                               tvmaf_tiny_dtype_name(x->dtype));
    o->dtype = TINY_DT_FLOAT;
    o->shape = x->shape;
    return 0;
}

static int pack_b(const TinyParser *p, TinyNode *tn, const TinyValue *b, const int trans)
{
    const TinyValue *const r = &p->g->values[b->root];
    if (r->kind != TINY_VAL_CONST || b->dtype != TINY_DT_FLOAT)
        return 0;
    const int64_t k = tn->k, m = tn->m;
    tn->packed_b = malloc((size_t)(k * m > 0 ? k * m : 1) * sizeof(float));
    if (!tn->packed_b)
        return tvmaf_tiny_fail(p, ENOMEM, "out of memory");
    const float *const src = r->data;
    for (int64_t i = 0; i < k; i++)
        for (int64_t j = 0; j < m; j++)
            tn->packed_b[i * m + j] = trans ? src[j * k + i] : src[i * m + j];
    return 0;
}

static int infer_gemm(TinyParser *p, TinyNode *tn, TinyValue *o)
{
    static const char *const names[] = { "alpha", "beta", "transA", "transB", NULL };
    int err = tvmaf_tiny_check_attr_names(p, names);
    int64_t ta, tb;
    if (err || (err = tvmaf_tiny_attr_float(p, "alpha", 1.0f, &tn->alpha)) ||
        (err = tvmaf_tiny_attr_float(p, "beta", 1.0f, &tn->beta)) ||
        (err = tvmaf_tiny_attr_int(p, "transA", 0, &ta)) ||
        (err = tvmaf_tiny_attr_int(p, "transB", 0, &tb)))
        return err;
    if ((ta != 0 && ta != 1) || (tb != 0 && tb != 1))
        return tvmaf_tiny_fail(p, EBADMSG, "transA/transB must be 0 or 1");
    tn->trans_a = (int)ta;
    tn->trans_b = (int)tb;
    const TinyValue *const a = in_val(p, tn, 0), *const b = in_val(p, tn, 1);
    const TinyValue *const c = tn->n_in > 2 ? in_val(p, tn, 2) : NULL;
    if (a->dtype != TINY_DT_FLOAT || b->dtype != TINY_DT_FLOAT ||
        (c && c->dtype != TINY_DT_FLOAT))
        return tvmaf_tiny_fail(p, ENOTSUP, "only float Gemm is supported");
    if (a->shape.rank != 2 || b->shape.rank != 2)
        return tvmaf_tiny_fail(p, EBADMSG, "A and B must be 2-D");
    const TinyDim m = a->shape.d[ta], ka = a->shape.d[1 - ta];
    const TinyDim kb = b->shape.d[tb], nn = b->shape.d[1 - tb];
    if (ka.sym || kb.sym || nn.sym)
        return tvmaf_tiny_fail(p, ENOTSUP, "only the row dimension may depend on N");
    if (ka.c != kb.c)
        return tvmaf_tiny_fail(p, EBADMSG, "inner dimensions %lld and %lld differ", (long long)ka.c,
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
            return tvmaf_tiny_fail(p, EBADMSG, "C has rank %d", c->shape.rank);
        if ((err = broadcast(p, &c->shape, &o->shape, &bs)))
            return err;
        if (bs.rank != 2 || !dim_eq(bs.d[0], m) || !dim_eq(bs.d[1], nn))
            return tvmaf_tiny_fail(p, EBADMSG, "C does not broadcast to the output");
    }
    return pack_b(p, tn, b, tn->trans_b);
}

static int infer_matmul(TinyParser *p, TinyNode *tn, TinyValue *o, const int integer)
{
    const TinyValue *const a = in_val(p, tn, 0), *const b = in_val(p, tn, 1);
    if (integer) {
        if ((a->dtype != TINY_DT_UINT8 && a->dtype != TINY_DT_INT8) ||
            (b->dtype != TINY_DT_UINT8 && b->dtype != TINY_DT_INT8))
            return tvmaf_tiny_fail(p, ENOTSUP, "MatMulInteger on %s x %s",
                                   tvmaf_tiny_dtype_name(a->dtype),
                                   tvmaf_tiny_dtype_name(b->dtype));
    } else if (a->dtype != TINY_DT_FLOAT || b->dtype != TINY_DT_FLOAT) {
        return tvmaf_tiny_fail(p, ENOTSUP, "only float MatMul is supported");
    }
    if (a->shape.rank < 1 || b->shape.rank < 1)
        return tvmaf_tiny_fail(p, EBADMSG, "scalar operand");
    if (b->shape.rank > 2)
        return tvmaf_tiny_fail(p, ENOTSUP, "batched B (rank %d)", b->shape.rank);
    const TinyDim ka = a->shape.d[a->shape.rank - 1], kb = b->shape.d[0];
    const TinyDim mm = b->shape.rank == 2 ? b->shape.d[1] : (TinyDim){ 1, 0 };
    if (ka.sym || kb.sym || mm.sym)
        return tvmaf_tiny_fail(p, ENOTSUP, "only the row dimension may depend on N");
    if (ka.c != kb.c)
        return tvmaf_tiny_fail(p, EBADMSG, "inner dimensions %lld and %lld differ", (long long)ka.c,
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
        return tvmaf_tiny_fail(p, ENOTSUP, "a_zero_point must be a scalar of A's type");
    if (bz) {
        const int64_t e = tvmaf_tiny_shape_elems(&bz->shape, 1);
        if (bz->dtype != b->dtype || bz->shape.rank > 1 || (bz->shape.rank && bz->shape.d[0].sym) ||
            (e != 1 && (e != mm.c || b->shape.rank != 2)))
            return tvmaf_tiny_fail(p, ENOTSUP, "b_zero_point must be a scalar or per column of B");
    }
    /* Constant B and zero point: subtract once at load. */
    const TinyValue *const br = &p->g->values[b->root];
    const TinyValue *const bzr = bz ? &p->g->values[bz->root] : NULL;
    if (br->kind != TINY_VAL_CONST || (bzr && bzr->kind != TINY_VAL_CONST))
        return 0;
    const int64_t k = tn->k, m = tn->m;
    tn->packed_bq = malloc((size_t)(k * m > 0 ? k * m : 1) * sizeof(int32_t));
    if (!tn->packed_bq)
        return tvmaf_tiny_fail(p, ENOMEM, "out of memory");
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

static int infer_squeeze(TinyParser *p, TinyNode *tn, TinyValue *o, const int unsqueeze)
{
    static const char *const names[] = { "axes", NULL };
    int err = tvmaf_tiny_check_attr_names(p, names);
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
            return tvmaf_tiny_fail(p, EBADMSG, "axes missing");
        const int r = x->shape.rank + n_axes;
        if (r > TINY_MAX_RANK)
            return tvmaf_tiny_fail(p, ENOTSUP, "output rank %d", r);
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
                return tvmaf_tiny_fail(p, ENOTSUP, "cannot squeeze the batch dimension");
            if (drop && !dim_is_one(x->shape.d[i]))
                return tvmaf_tiny_fail(p, EBADMSG, "axis %d has size %lld, not 1", i,
                                       (long long)x->shape.d[i].c);
        }
        if (!drop)
            o->shape.d[o->shape.rank++] = x->shape.d[i];
    }
    return 0;
}

static int infer_reshape(TinyParser *p, TinyNode *tn, TinyValue *o)
{
    static const char *const names[] = { "allowzero", NULL };
    int err = tvmaf_tiny_check_attr_names(p, names);
    int64_t allowzero;
    if (err || (err = tvmaf_tiny_attr_int(p, "allowzero", 0, &allowzero)))
        return err;
    const TinyValue *const x = in_val(p, tn, 0), *const sv = in_val(p, tn, 1);
    const TinyValue *const s = &p->g->values[sv->root];
    if (s->kind != TINY_VAL_CONST)
        return tvmaf_tiny_fail(p, ENOTSUP, "shape must be a constant");
    if (s->dtype != TINY_DT_INT64 || sv->shape.rank != 1)
        return tvmaf_tiny_fail(p, EBADMSG, "shape must be a 1-D int64 tensor");
    const int64_t r = sv->shape.d[0].c;
    if (r > TINY_MAX_RANK)
        return tvmaf_tiny_fail(p, ENOTSUP, "output rank %lld", (long long)r);
    const int64_t *const t = s->data;
    int64_t kc = 1, xc;
    int ks = 0, xs, infer = -1;
    tvmaf_tiny_shape_elems_sym(&x->shape, &xc, &xs);
    o->dtype = x->dtype;
    o->shape.rank = (int)r;
    for (int i = 0; i < r; i++) {
        if (t[i] == -1) {
            if (infer >= 0)
                return tvmaf_tiny_fail(p, EBADMSG, "more than one -1 in shape");
            infer = i;
            continue;
        }
        if (t[i] < -1 || t[i] > TINY_MAX_DIM)
            return tvmaf_tiny_fail(p, EBADMSG, "shape entry %lld", (long long)t[i]);
        if (t[i] == 0 && !allowzero) {
            if (i >= x->shape.rank)
                return tvmaf_tiny_fail(p, EBADMSG, "shape entry 0 copies a missing dimension");
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
    tvmaf_tiny_shape_str(&x->shape, sx, sizeof(sx));
    return tvmaf_tiny_fail(p, EBADMSG, "cannot reshape %s to %lld dims", sx, (long long)r);
}

static int infer_flatten(TinyParser *p, TinyNode *tn, TinyValue *o)
{
    static const char *const names[] = { "axis", NULL };
    int err = tvmaf_tiny_check_attr_names(p, names);
    int64_t axis;
    if (err || (err = tvmaf_tiny_attr_int(p, "axis", 1, &axis)))
        return err;
    const TinyValue *const x = in_val(p, tn, 0);
    const int r = x->shape.rank;
    if (axis < -r || axis > r)
        return tvmaf_tiny_fail(p, EBADMSG, "axis %lld out of range", (long long)axis);
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

static int infer_cast(TinyParser *p, TinyNode *tn, TinyValue *o)
{
    static const char *const names[] = { "to", "saturate", NULL };
    int err = tvmaf_tiny_check_attr_names(p, names);
    int64_t to;
    if (err || (err = tvmaf_tiny_attr_int(p, "to", 0, &to)))
        return err;
    if (!tvmaf_tiny_find_attr(p->node, "to"))
        return tvmaf_tiny_fail(p, EBADMSG, "attribute 'to' missing");
    if (to < 0 || to > INT_MAX || !tvmaf_tiny_dtype_size((int)to))
        return tvmaf_tiny_fail(p, ENOTSUP, "cast to data type %lld not supported", (long long)to);
    tn->to = (int)to;
    o->dtype = (int)to;
    o->shape = in_val(p, tn, 0)->shape;
    return 0;
}

static int infer_clip(TinyParser *p, TinyNode *tn, TinyValue *o)
{
    static const char *const names[] = { "min", "max", NULL };
    int err = tvmaf_tiny_check_attr_names(p, names);
    if (err || (err = tvmaf_tiny_attr_float(p, "min", -INFINITY, &tn->clip_min)) ||
        (err = tvmaf_tiny_attr_float(p, "max", INFINITY, &tn->clip_max)))
        return err;
    if ((err = infer_unary_float(p, tn, o)))
        return err;
    for (int i = 1; i < tn->n_in; i++) {
        const TinyValue *const b = in_val(p, tn, i);
        if (!b)
            continue;
        if (b->dtype != TINY_DT_FLOAT || b->shape.rank > 1 ||
            (b->shape.rank && b->shape.d[0].sym) || tvmaf_tiny_shape_elems(&b->shape, 1) != 1)
            return tvmaf_tiny_fail(p, EBADMSG, "min/max must be float scalars");
    }
    return 0;
}

static int infer_constant(TinyParser *p, TinyNode *tn, TinyValue *o)
{
    static const char *const names[] = { "value", "value_float", "value_floats", "value_int",
                                         "value_ints", NULL };
    int err = tvmaf_tiny_check_attr_names(p, names);
    if (err)
        return err;
    if (p->node->n_attribute != 1)
        return tvmaf_tiny_fail(p, EBADMSG, "needs exactly one value attribute");
    const TvmafOnnx__AttributeProto *const a = p->node->attribute[0];
    const char *const an = str_or_empty(a->name);
    if (!strcmp(an, "value")) {
        if (!tvmaf_tiny_attr_type_ok(a, ATTR_TENSOR) || !a->t)
            return tvmaf_tiny_fail(p, EBADMSG, "attribute 'value' must be a tensor");
        return tvmaf_tiny_load_tensor(p, a->t, o->name, o);
    }
    const int is_float = !strncmp(an, "value_float", 11);
    const int list = an[strlen(an) - 1] == 's';
    const int type = is_float ? (list ? ATTR_FLOATS : ATTR_FLOAT) : (list ? ATTR_INTS : ATTR_INT);
    if (!tvmaf_tiny_attr_type_ok(a, type))
        return tvmaf_tiny_fail(p, EBADMSG, "attribute '%s' has type %d", an, a->type);
    const size_t n = list ? (is_float ? a->n_floats : a->n_ints) : 1;
    if (n > TINY_MAX_DIM)
        return tvmaf_tiny_fail(p, ENOTSUP, "constant too large");
    o->dtype = is_float ? TINY_DT_FLOAT : TINY_DT_INT64;
    o->shape.rank = list;
    o->shape.d[0] = (TinyDim){ (int64_t)n, 0 };
    o->bytes = n * tvmaf_tiny_dtype_size(o->dtype);
    if (o->bytes > TINY_MAX_CONST_BYTES - p->g->const_bytes)
        return tvmaf_tiny_fail(p, ENOTSUP, "constants exceed %u bytes in total",
                               TINY_MAX_CONST_BYTES);
    o->data = malloc(o->bytes ? o->bytes : 1);
    if (!o->data)
        return tvmaf_tiny_fail(p, ENOMEM, "out of memory");
    p->g->const_bytes += o->bytes;
    o->kind = TINY_VAL_CONST;
    if (is_float)
        memcpy(o->data, list ? a->floats : &a->f, o->bytes);
    else
        memcpy(o->data, list ? a->ints : &a->i, o->bytes);
    (void)tn;
    return 0;
}

/* Types and shapes the outputs of a node whose inputs are resolved; marks
 * the views. */
int tvmaf_tiny_infer_node(TinyParser *p, TinyNode *tn, TinyValue *o)
{
    TinyGraph *const g = p->g;
    int err;
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
            return tvmaf_tiny_fail(p, EBADMSG, "input must be float");
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
    default: err = tvmaf_tiny_fail(p, ENOTSUP, "not implemented");
    }
    if (err)
        return err;
    for (int i = 0; i < tn->n_out; i++)
        if ((err = tvmaf_tiny_check_shape(p, &g->values[tn->out[i]].shape,
                                          g->values[tn->out[i]].name)))
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
    return 0;
}
