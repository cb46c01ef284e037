/*
 * The interpreter: runs a checked TinyGraph on one batch.
 *
 * Every computed value gets its own slot in one workspace sized for the
 * batch (tiny graphs have a few dozen values); views share their input's
 * bytes. Each kernel keeps the per-element operation order documented in
 * tiny_graph.h: that order is the numerics contract, so loops may be
 * vectorised across outputs but never reassociated across k.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cpu.h"
#include "model/tiny/tiny_graph.h"

/* Rows per slice for row-separable graphs: keeps every layer's activations
 * in L1 (64 rows x 64 floats = 16 KiB) while amortising the per-node
 * dispatch. */
#define SLICE_ROWS 64
#define STACK_WS   (48 * 1024)
#define STACK_VALS 256
#define ALIGN      64

typedef struct Run {
    const TinyGraph *g;
    int64_t n;
    void **ptr; /* per value: its bytes (views resolved through root) */
} Run;

static void dims_of(const TinyShape *s, const int64_t n, int64_t *d)
{
    for (int i = 0; i < s->rank; i++)
        d[i] = s->d[i].c * (s->d[i].sym ? n : 1);
}

static inline void *vptr(const Run *r, const int v)
{
    return r->ptr[r->g->values[v].root];
}

static inline int64_t velems(const Run *r, const int v)
{
    return tvmaf_tiny_shape_elems(&r->g->values[v].shape, r->n);
}

/* ---- elementwise with broadcasting -------------------------------------- */

#define BIN_OPS(T, U)                                                               \
    static inline T bin_##T(const enum TinyOp op, const T a, const T b)             \
    {                                                                               \
        switch (op) {                                                               \
        case TINY_OP_SUB: return (T)((U)a - (U)b);                                  \
        case TINY_OP_MUL: return (T)((U)a * (U)b);                                  \
        case TINY_OP_ADD: return (T)((U)a + (U)b);                                  \
        default: return 0; /* Div: float only, refused at load */                  \
        }                                                                           \
    }
/* Integer ops wrap through the unsigned type (defined behaviour); Div is
 * refused at load for integers. */
BIN_OPS(int32_t, uint32_t)
BIN_OPS(int64_t, uint64_t)

/* The inner loop of every float binary op; `sa`/`sb` are 0 (broadcast
 * scalar) or 1 (contiguous). Each stride pair gets its own loop with
 * constant strides so that it vectorises. */
#define BIN_LOOP(OPSYM)                                                             \
    do {                                                                            \
        if (sa && sb)                                                               \
            for (int64_t i = 0; i < n; i++)                                         \
                o[i] = a[i] OPSYM b[i];                                             \
        else if (sa)                                                                \
            for (int64_t i = 0; i < n; i++)                                         \
                o[i] = a[i] OPSYM b[0];                                             \
        else if (sb)                                                                \
            for (int64_t i = 0; i < n; i++)                                         \
                o[i] = a[0] OPSYM b[i];                                             \
        else                                                                        \
            for (int64_t i = 0; i < n; i++)                                         \
                o[i] = a[0] OPSYM b[0];                                             \
    } while (0)

static void bin_float_flat(const enum TinyOp op, const float *a, const int64_t sa,
                           const float *b, const int64_t sb, float *o, const int64_t n)
{
    switch (op) {
    case TINY_OP_SUB: BIN_LOOP(-); break;
    case TINY_OP_MUL: BIN_LOOP(*); break;
    case TINY_OP_ADD: BIN_LOOP(+); break;
    default: BIN_LOOP(/); break;
    }
}

static void run_binary(const Run *r, const TinyNode *tn)
{
    const TinyGraph *const g = r->g;
    const TinyValue *const va = &g->values[tn->in[0]], *const vb = &g->values[tn->in[1]];
    const TinyValue *const vo = &g->values[tn->out[0]];
    const int R = vo->shape.rank;
    int64_t od[TINY_MAX_RANK], ad[TINY_MAX_RANK], bd[TINY_MAX_RANK];
    dims_of(&vo->shape, r->n, od);
    /* Right-align input dims; strides are 0 along broadcast dims. */
    int64_t as[TINY_MAX_RANK], bs[TINY_MAX_RANK];
    for (int i = 0; i < R; i++)
        ad[i] = bd[i] = 1;
    dims_of(&va->shape, r->n, ad + (R - va->shape.rank));
    dims_of(&vb->shape, r->n, bd + (R - vb->shape.rank));
    int64_t sa = 1, sb = 1;
    for (int i = R - 1; i >= 0; i--) {
        as[i] = ad[i] == od[i] ? sa : 0;
        bs[i] = bd[i] == od[i] ? sb : 0;
        sa *= ad[i];
        sb *= bd[i];
    }
    const int64_t total = tvmaf_tiny_shape_elems(&vo->shape, r->n);
    if (!total)
        return;
    const void *const A = vptr(r, tn->in[0]), *const B = vptr(r, tn->in[1]);
    void *const O = vptr(r, tn->out[0]);

    /* Collapse to an outer loop over rows of `inner` contiguous outputs:
     * the longest suffix of dims along which each input is either
     * contiguous (mode 1) or constant (mode 0). Covers [N,k] op [k],
     * [N,k] op [N,k] and x op scalar in a single inner loop. */
    int split = R, a_mode = -1, b_mode = -1;
    int64_t inner = 1;
    while (split > 0) {
        const int i = split - 1;
        if (od[i] != 1) {
            const int am = as[i] == 0 ? 0 : as[i] == inner ? 1 : -2;
            const int bm = bs[i] == 0 ? 0 : bs[i] == inner ? 1 : -2;
            if (am == -2 || bm == -2 || (a_mode >= 0 && am != a_mode) ||
                (b_mode >= 0 && bm != b_mode))
                break;
            a_mode = am;
            b_mode = bm;
            inner *= od[i];
        }
        split--;
    }
    const int64_t ia = a_mode == 1, ib = b_mode == 1;
    const int64_t outer = total / inner;
    int64_t idx[TINY_MAX_RANK] = { 0 };
    int64_t offa = 0, offb = 0;
    for (int64_t row = 0; row < outer; row++) {
        const int64_t o_off = row * inner;
        if (vo->dtype == TINY_DT_FLOAT) {
            bin_float_flat(tn->op, (const float *)A + offa, ia, (const float *)B + offb, ib,
                           (float *)O + o_off, inner);
        } else if (vo->dtype == TINY_DT_INT32) {
            const int32_t *a = (const int32_t *)A + offa, *b = (const int32_t *)B + offb;
            int32_t *o = (int32_t *)O + o_off;
            for (int64_t i = 0; i < inner; i++)
                o[i] = bin_int32_t(tn->op, a[i * ia], b[i * ib]);
        } else {
            const int64_t *a = (const int64_t *)A + offa, *b = (const int64_t *)B + offb;
            int64_t *o = (int64_t *)O + o_off;
            for (int64_t i = 0; i < inner; i++)
                o[i] = bin_int64_t(tn->op, a[i * ia], b[i * ib]);
        }
        /* Odometer over the outer dims [0, split). */
        for (int d = split - 1; d >= 0; d--) {
            idx[d]++;
            offa += as[d];
            offb += bs[d];
            if (idx[d] < od[d])
                break;
            offa -= as[d] * od[d];
            offb -= bs[d] * od[d];
            idx[d] = 0;
        }
    }
}

/* ---- Gemm / MatMul ------------------------------------------------------------ */

/* Gemm and MatMul with a constant B run the MLP table's gemm (model/mlp.h,
 * chosen for the load options' CPU flags): out[i][j] = sum_k a(i,k) *
 * b[k][j], k ascending from +0, then (epilogue) + bias[j] and max(., 0)
 * when the plan fused them. The trainer's forward pass is the same kernel. */

/* DynamicQuantizeLinear's min/max scan: 4-float lanes (SSE on x86-64,
 * NEON on arm64). */
typedef float v4f __attribute__((vector_size(16), aligned(4)));
typedef int32_t v4i __attribute__((vector_size(16), aligned(4)));

static inline v4f load4(const float *p)
{
    v4f v;
    memcpy(&v, p, sizeof(v));
    return v;
}

/* Same sums with B read through strides (B computed at run time). */
static void matmul_strided(const float *a, const int64_t a_rs, const int64_t a_ks,
                           const float *b, const int64_t b_ks, const int64_t b_js, float *out,
                           const int64_t rows, const int64_t K, const int64_t M)
{
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < M; j++) {
            float acc = 0.0f;
            for (int64_t k = 0; k < K; k++)
                acc += a[i * a_rs + k * a_ks] * b[k * b_ks + j * b_js];
            out[i * M + j] = acc;
        }
}

static void run_gemm(const Run *r, const TinyNode *tn)
{
    const TinyGraph *const g = r->g;
    const TinyValue *const va = &g->values[tn->in[0]];
    int64_t ad[2];
    dims_of(&va->shape, r->n, ad);
    const int64_t K = tn->k, M = tn->m;
    const int64_t rows = tn->trans_a ? ad[1] : ad[0];
    const int64_t a_rs = tn->trans_a ? 1 : K, a_ks = tn->trans_a ? rows : 1;
    const float *const A = vptr(r, tn->in[0]);
    float *const O = vptr(r, tn->out[0]);
    if (tn->packed_b) {
        g->mlp.gemm(O, A, a_rs, a_ks, tn->packed_b, rows, K, M, tn->bias, 0, tn->fuse_relu);
        if (tn->bias)
            return; /* bias (and ReLU) applied in the epilogue */
    } else {
        matmul_strided(A, a_rs, a_ks, vptr(r, tn->in[1]), tn->trans_b ? 1 : M,
                       tn->trans_b ? K : 1, O, rows, K, M);
    }
    const int64_t total = rows * M;
    if (tn->alpha != 1.0f)
        for (int64_t i = 0; i < total; i++)
            O[i] = tn->alpha * O[i];
    if (tn->n_in < 3 || tn->in[2] < 0)
        return;
    const TinyValue *const vc = &g->values[tn->in[2]];
    const float *const C = vptr(r, tn->in[2]);
    int64_t cd[2] = { 1, 1 };
    dims_of(&vc->shape, r->n, cd + (2 - vc->shape.rank));
    const int64_t cs_i = cd[0] == 1 ? 0 : cd[1], cs_j = cd[1] == 1 ? 0 : 1;
    const float beta = tn->beta;
    for (int64_t i = 0; i < rows; i++) {
        float *const o = O + i * M;
        const float *const c = C + i * cs_i;
        if (beta == 1.0f && cs_j)
            for (int64_t j = 0; j < M; j++)
                o[j] = o[j] + c[j];
        else
            for (int64_t j = 0; j < M; j++)
                o[j] = o[j] + (beta == 1.0f ? c[j * cs_j] : beta * c[j * cs_j]);
    }
}

static void run_matmul(const Run *r, const TinyNode *tn)
{
    const int64_t K = tn->k, M = tn->m;
    const int64_t rows = K ? velems(r, tn->in[0]) / K : 0;
    const float *const A = vptr(r, tn->in[0]);
    float *const O = vptr(r, tn->out[0]);
    if (tn->packed_b)
        r->g->mlp.gemm(O, A, K, 1, tn->packed_b, rows, K, M, NULL, 0, tn->fuse_relu);
    else
        matmul_strided(A, K, 1, vptr(r, tn->in[1]), M, 1, O, rows, K, M);
}

static inline int32_t load_q(const void *p, const int64_t i, const int dtype)
{
    return dtype == TINY_DT_UINT8 ? ((const uint8_t *)p)[i] : ((const int8_t *)p)[i];
}

/* int32 accumulation of (a - za) * (b - zb) in k order. |products| <=
 * 255^2 always fit; the running sum wraps (uint32 lanes) rather than
 * overflow, where onnxruntime's would be undefined. */
typedef uint32_t v4u __attribute__((vector_size(16), aligned(4)));

static inline v4u load4u(const int32_t *p)
{
    v4u v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static inline __attribute__((always_inline)) void
qtile(const int R, const int NV, const int32_t *x, const int64_t K, const int32_t *b,
      const int64_t M, uint32_t *out)
{
    v4u c[4][2];
    for (int r = 0; r < R; r++)
        for (int v = 0; v < NV; v++)
            c[r][v] = (v4u){ 0 };
    for (int64_t k = 0; k < K; k++) {
        v4u w[2];
        for (int v = 0; v < NV; v++)
            w[v] = load4u(b + k * M + 4 * v);
        for (int r = 0; r < R; r++) {
            const uint32_t xv = (uint32_t)x[r * K + k];
            for (int v = 0; v < NV; v++)
                c[r][v] = c[r][v] + xv * w[v];
        }
    }
    for (int r = 0; r < R; r++)
        for (int v = 0; v < NV; v++)
            memcpy(out + r * M + 4 * v, &c[r][v], sizeof(v4u));
}

static inline __attribute__((always_inline)) void
qrows(const int R, const int32_t *x, const int64_t K, const int32_t *b, const int64_t M,
      uint32_t *out)
{
    int64_t j = 0;
    for (; j + 8 <= M; j += 8)
        qtile(R, 2, x, K, b + j, M, out + j);
    for (; j + 4 <= M; j += 4)
        qtile(R, 1, x, K, b + j, M, out + j);
    for (; j < M; j++)
        for (int r = 0; r < R; r++) {
            uint32_t acc = 0;
            for (int64_t k = 0; k < K; k++)
                acc += (uint32_t)x[r * K + k] * (uint32_t)b[k * M + j];
            out[r * M + j] = acc;
        }
}

static void run_matmulint(const Run *r, const TinyNode *tn)
{
    const TinyGraph *const g = r->g;
    const int64_t K = tn->k, M = tn->m;
    const int64_t rows = K ? velems(r, tn->in[0]) / K : 0;
    const int ta = g->values[tn->in[0]].dtype, tb = g->values[tn->in[1]].dtype;
    const void *const A = vptr(r, tn->in[0]), *const B = vptr(r, tn->in[1]);
    int32_t za = 0;
    if (tn->n_in > 2 && tn->in[2] >= 0)
        za = load_q(vptr(r, tn->in[2]), 0, ta);
    uint32_t *const O = vptr(r, tn->out[0]);
    if (tn->packed_bq && K <= 1024) {
        /* Four rows of (a - za) at a time, then register tiles. */
        int32_t x[4 * 1024];
        int64_t i = 0;
        for (; i < rows; i += 4) {
            const int R = rows - i < 4 ? (int)(rows - i) : 4;
            for (int rr = 0; rr < R; rr++)
                for (int64_t k = 0; k < K; k++)
                    x[rr * K + k] = load_q(A, (i + rr) * K + k, ta) - za;
            if (R == 4)
                qrows(4, x, K, tn->packed_bq, M, O + i * M);
            else
                for (int rr = 0; rr < R; rr++)
                    qrows(1, x + rr * K, K, tn->packed_bq, M, O + (i + rr) * M);
        }
        return;
    }
    const int bz_per_col = tn->n_in > 3 && tn->in[3] >= 0 && velems(r, tn->in[3]) > 1;
    const void *const BZ = tn->n_in > 3 && tn->in[3] >= 0 ? vptr(r, tn->in[3]) : NULL;
    for (int64_t i = 0; i < rows; i++) {
        uint32_t *const o = O + i * M;
        for (int64_t j = 0; j < M; j++)
            o[j] = 0;
        for (int64_t k = 0; k < K; k++) {
            const int32_t x = load_q(A, i * K + k, ta) - za;
            for (int64_t j = 0; j < M; j++) {
                const int32_t zb = BZ ? load_q(BZ, bz_per_col ? j : 0, tb) : 0;
                o[j] += (uint32_t)x * (uint32_t)(load_q(B, k * M + j, tb) - zb);
            }
        }
    }
}

/* ---- unary ---------------------------------------------------------------------- */

static void run_unary(const Run *r, const TinyNode *tn)
{
    const float *const x = vptr(r, tn->in[0]);
    float *const o = vptr(r, tn->out[0]);
    const int64_t n = velems(r, tn->in[0]);
    switch (tn->op) {
    case TINY_OP_RELU:
        /* max(x, 0) with NaN -> 0 and -0 -> +0, as MLAS's maxps does. */
        for (int64_t i = 0; i < n; i++)
            o[i] = x[i] > 0.0f ? x[i] : 0.0f;
        break;
    case TINY_OP_SIGMOID:
        for (int64_t i = 0; i < n; i++)
            o[i] = 1.0f / (1.0f + expf(-x[i]));
        break;
    case TINY_OP_TANH:
        for (int64_t i = 0; i < n; i++)
            o[i] = tanhf(x[i]);
        break;
    default: {
        float lo = tn->clip_min, hi = tn->clip_max;
        if (tn->n_in > 1 && tn->in[1] >= 0)
            lo = *(const float *)vptr(r, tn->in[1]);
        if (tn->n_in > 2 && tn->in[2] >= 0)
            hi = *(const float *)vptr(r, tn->in[2]);
        for (int64_t i = 0; i < n; i++) {
            float v = x[i];
            v = v < lo ? lo : v;
            o[i] = v > hi ? hi : v;
        }
    }
    }
}

/* ---- Cast ------------------------------------------------------------------------ */

static double get_num(const void *p, const int64_t i, const int dt, int64_t *iv)
{
    switch (dt) {
    case TINY_DT_FLOAT: *iv = 0; return ((const float *)p)[i];
    case TINY_DT_UINT8: *iv = ((const uint8_t *)p)[i]; break;
    case TINY_DT_INT8: *iv = ((const int8_t *)p)[i]; break;
    case TINY_DT_INT32: *iv = ((const int32_t *)p)[i]; break;
    default: *iv = ((const int64_t *)p)[i]; break;
    }
    return NAN;
}

/* Float -> integer saturates and maps NaN to 0: C leaves out-of-range
 * conversions undefined, and so does ONNX. Integer -> integer wraps. */
static int64_t f2i(const float f, const double lo, const double hi)
{
    if (!(f == f))
        return 0;
    if (f <= lo)
        return (int64_t)lo;
    if (f >= hi)
        return (int64_t)hi;
    return (int64_t)f;
}

static void run_cast(const Run *r, const TinyNode *tn)
{
    const int from = r->g->values[tn->in[0]].dtype, to = tn->to;
    const void *const x = vptr(r, tn->in[0]);
    void *const o = vptr(r, tn->out[0]);
    const int64_t n = velems(r, tn->in[0]);
    if (from == TINY_DT_INT32 && to == TINY_DT_FLOAT) {
        const int32_t *const xi = x;
        float *const of = o;
        for (int64_t i = 0; i < n; i++)
            of[i] = (float)xi[i];
        return;
    }
    for (int64_t i = 0; i < n; i++) {
        int64_t iv;
        const double f = get_num(x, i, from, &iv);
        const int is_f = from == TINY_DT_FLOAT;
        switch (to) {
        case TINY_DT_FLOAT: ((float *)o)[i] = is_f ? (float)f : (float)iv; break;
        case TINY_DT_UINT8:
            ((uint8_t *)o)[i] = (uint8_t)(is_f ? f2i((float)f, 0, 255) : (uint8_t)iv);
            break;
        case TINY_DT_INT8:
            ((int8_t *)o)[i] = (int8_t)(is_f ? f2i((float)f, -128, 127) : (int8_t)(uint8_t)iv);
            break;
        case TINY_DT_INT32:
            ((int32_t *)o)[i] = (int32_t)(is_f ? f2i((float)f, -2147483648.0, 2147483647.0)
                                               : (int32_t)(uint32_t)iv);
            break;
        default:
            ((int64_t *)o)[i] = is_f ? f2i((float)f, -9223372036854775808.0,
                                           9223372036854774784.0)
                                     : iv;
        }
    }
}

/* ---- DynamicQuantizeLinear --------------------------------------------------- */

/* onnxruntime's uint8 semantics (README of the upstream fixtures):
 * range over the whole tensor, widened to include 0; scale = (max-min)/255
 * in float, 1.0 for an empty range; zp = rint(clamp(-min/scale, 0, 255));
 * q = clamp(rint(x/scale) + zp, 0, 255) with true division and
 * round-half-even (the default rounding mode). */
static void run_dynquant(const Run *r, const TinyNode *tn)
{
    const float *const x = vptr(r, tn->in[0]);
    uint8_t *const q = vptr(r, tn->out[0]);
    float *const scale_out = vptr(r, tn->out[1]);
    uint8_t *const zp_out = vptr(r, tn->out[2]);
    const int64_t n = velems(r, tn->in[0]);
    /* Min and max are exact, so lanes may scan in any order; starting from
     * +0 with strict compares keeps +0 over -0 as the scalar scan does. */
    v4f vmn = { 0 }, vmx = { 0 };
    int64_t i0 = 0;
    for (; i0 + 4 <= n; i0 += 4) {
        const v4f v = load4(x + i0);
        const v4i lt = v < vmn, gt = v > vmx;
        vmn = (v4f)(((v4i)v & lt) | ((v4i)vmn & ~lt));
        vmx = (v4f)(((v4i)v & gt) | ((v4i)vmx & ~gt));
    }
    float mn = 0.0f, mx = 0.0f;
    for (int l = 0; l < 4; l++) {
        mn = vmn[l] < mn ? vmn[l] : mn;
        mx = vmx[l] > mx ? vmx[l] : mx;
    }
    for (; i0 < n; i0++) {
        mn = x[i0] < mn ? x[i0] : mn;
        mx = x[i0] > mx ? x[i0] : mx;
    }
    const float scale = mx == mn ? 1.0f : (mx - mn) / 255.0f;
    float zpf = 0.0f - mn / scale;
    zpf = zpf < 0.0f ? 0.0f : zpf > 255.0f ? 255.0f : zpf;
    const float zp = nearbyintf(zpf);
    /* Clamp before rounding against bounds shifted by zp (integers, so
     * equivalent to clamping after); maxps/minps order sends NaN to 0. */
    const float lo = 0.0f - zp, hi = 255.0f - zp;
    /* v is clamped to [-255, 255], where adding and subtracting 1.5 * 2^23
     * rounds to nearest-even exactly (what nearbyintf does, without the
     * libm call on pre-SSE4.1 targets). */
    const float magic = 12582912.0f;
    for (int64_t i = 0; i < n; i++) {
        float v = x[i] / scale;
        v = v > lo ? v : lo;
        v = v < hi ? v : hi;
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
        v = (v + magic) - magic;
#else
        v = nearbyintf(v); /* excess precision would break the trick */
        (void)magic;
#endif
        q[i] = (uint8_t)(int32_t)(v + zp);
    }
    *scale_out = scale;
    *zp_out = (uint8_t)zp;
}

/* ---- driver --------------------------------------------------------------------- */

static int run_batch(const TinyGraph *const g, const float *const in, const int64_t n,
                     float *const out, void **const ptr, unsigned char *const ws,
                     const size_t ws_size)
{
    size_t off = 0;
    for (int v = 0; v < g->n_values; v++) {
        const TinyValue *const val = &g->values[v];
        switch (val->kind) {
        case TINY_VAL_CONST: ptr[v] = val->data; break;
        case TINY_VAL_INPUT: ptr[v] = (void *)in; break;
        case TINY_VAL_COMPUTED: {
            const size_t bytes =
                (size_t)tvmaf_tiny_shape_elems(&val->shape, n) * tvmaf_tiny_dtype_size(val->dtype);
            ptr[v] = ws + off;
            off += (bytes + ALIGN - 1) & ~(size_t)(ALIGN - 1);
            break;
        }
        default: ptr[v] = NULL; break;
        }
    }
    if (off > ws_size)
        return TVMAF_ERR(EINVAL); /* sizing bug; never reached */
    Run r = { g, n, ptr };
    for (int i = 0; i < g->n_nodes; i++) {
        const TinyNode *const tn = &g->nodes[i];
        switch (tn->op) {
        case TINY_OP_SUB:
        case TINY_OP_DIV:
        case TINY_OP_MUL:
        case TINY_OP_ADD: run_binary(&r, tn); break;
        case TINY_OP_GEMM: run_gemm(&r, tn); break;
        case TINY_OP_MATMUL: run_matmul(&r, tn); break;
        case TINY_OP_MATMULINT: run_matmulint(&r, tn); break;
        case TINY_OP_RELU:
            if (g->values[tn->out[0]].kind != TINY_VAL_ALIAS)
                run_unary(&r, tn);
            break;
        case TINY_OP_SIGMOID:
        case TINY_OP_TANH:
        case TINY_OP_CLIP: run_unary(&r, tn); break;
        case TINY_OP_CAST:
            if (g->values[tn->out[0]].kind != TINY_VAL_ALIAS)
                run_cast(&r, tn);
            break;
        case TINY_OP_DYNQUANT: run_dynquant(&r, tn); break;
        default: break; /* Constant and views: nothing to compute */
        }
    }
    memcpy(out, vptr(&r, g->output), (size_t)n * sizeof(float));
    return 0;
}

static size_t ws_bytes(const TinyGraph *g, const int64_t n)
{
    size_t total = 0;
    for (int v = 0; v < g->n_values; v++) {
        const TinyValue *const val = &g->values[v];
        if (val->kind != TINY_VAL_COMPUTED)
            continue;
        const size_t bytes =
            (size_t)tvmaf_tiny_shape_elems(&val->shape, n) * tvmaf_tiny_dtype_size(val->dtype);
        total += (bytes + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    }
    return total;
}

int tvmaf_tiny_graph_run(const TinyGraph *const g, const float *const in, const size_t n,
                         float *const out)
{
    if (!n)
        return 0;
    if (n > (size_t)TINY_MAX_BATCH)
        return TVMAF_ERR(EINVAL);
    const int64_t k = g->n_features;
    /* A fixed [1,k] graph runs row by row; a row-separable one in slices
     * that stay in cache; anything else (int8) sees the whole batch. */
    const int64_t slice = g->fixed_batch ? 1 : g->row_separable ? SLICE_ROWS : (int64_t)n;
    const int64_t batch = slice < (int64_t)n ? slice : (int64_t)n;

    alignas(ALIGN) unsigned char stack_ws[STACK_WS];
    void *stack_ptr[STACK_VALS];
    const size_t need = ws_bytes(g, g->fixed_batch ? 1 : batch);
    unsigned char *ws = stack_ws;
    void **ptr = stack_ptr;
    unsigned char *heap_ws = NULL;
    void **heap_ptr = NULL;
    if (need > sizeof(stack_ws)) {
        heap_ws = aligned_alloc(ALIGN, (need + ALIGN - 1) & ~(size_t)(ALIGN - 1));
        if (!heap_ws)
            return TVMAF_ERR(ENOMEM);
        ws = heap_ws;
    }
    if (g->n_values > STACK_VALS) {
        heap_ptr = malloc(g->n_values * sizeof(*heap_ptr));
        if (!heap_ptr) {
            free(heap_ws);
            return TVMAF_ERR(ENOMEM);
        }
        ptr = heap_ptr;
    }
    int err = 0;
    for (int64_t i = 0; i < (int64_t)n && !err; i += batch) {
        const int64_t b = (int64_t)n - i < batch ? (int64_t)n - i : batch;
        err = run_batch(g, in + i * k, g->fixed_batch ? 1 : b, out + i, ptr, ws, need);
    }
    free(heap_ptr);
    free(heap_ws);
    return err;
}

void tvmaf_tiny_graph_set_cpu(TinyGraph *const g, const unsigned cpu_mask)
{
    tvmaf_mlp_dsp_init(&g->mlp, tvmaf_cpu_flags_usable(cpu_mask));
}
