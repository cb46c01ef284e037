/*
 * The MLP kernels, compiled once per ISA: model/mlp.c (C reference),
 * x86/mlp_avx2.c and x86/mlp_avx512.c each define MLP_FN() and include
 * this file. The summation order of every output is the one written here,
 * which is what makes the builds bit-identical (contract in model/mlp.h).
 *
 * gemm keeps register tiles of R rows x NV vectors of outputs across the
 * whole k loop (GNU vector types: SSE, AVX2 or AVX-512 alike). Each lane
 * still computes acc = acc + a*b in k order, then acc + bias, then the
 * ReLU, exactly as the scalar loop would: tiling changes only which sums
 * are computed side by side, never a result bit.
 *
 * dx is a long loop over the batch that the vectoriser handles on its own;
 * each statement folds several terms in, so a row of outputs is read and
 * written once per block rather than once per term. dw reduces over the
 * batch, which the vectoriser would not do without reassociating, so it
 * keeps explicit lane sums: 4 x 2 (o, i) pairs stay in registers across
 * the whole batch.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "model/mlp.h"

#define TILE TVMAF_MLP_TILE
#define LANES TVMAF_MLP_LANES

/* Widest gemm vector: 16 floats with AVX-512, 8 with AVX, else 4. */
#if defined(__AVX512F__)
#  define GW 16
#elif defined(__AVX__)
#  define GW 8
#else
#  define GW 4
#endif

/* Under-aligned vector types: direct loads and stores without the
 * memcpy (a 32-byte memcpy is split into halves through the stack). */
typedef float v4f __attribute__((vector_size(16), aligned(4)));
typedef int32_t v4i __attribute__((vector_size(16), aligned(4)));
#if GW >= 8
typedef float v8f __attribute__((vector_size(32), aligned(4)));
typedef int32_t v8i __attribute__((vector_size(32), aligned(4)));
#endif
#if GW >= 16
typedef float v16f __attribute__((vector_size(64), aligned(4)));
typedef int32_t v16i __attribute__((vector_size(64), aligned(4)));
#endif

/*
 * One register tile: R (<= 4) rows x NV (<= 2) vectors of W columns.
 * brow: per-row bias of this row block (or NULL); bcol: per-column bias at
 * the tile's first column (or NULL). ReLU as a mask: NaN and -0 give +0,
 * like the scalar y > 0 ? y : 0.
 */
#define GEMM_TILE(W, VF, VI)                                                                 \
    static inline __attribute__((always_inline)) void                                        \
    tile##W(const int R, const int NV, const float *const a, const int64_t a_rs,             \
            const int64_t a_ks, const float *const b, const int64_t M, float *const out,     \
            const int64_t K, const float *const brow, const float *const bcol,               \
            const int relu)                                                                  \
    {                                                                                        \
        VF c[4][2];                                                                          \
        for (int r = 0; r < R; r++)                                                          \
            for (int v = 0; v < NV; v++)                                                     \
                c[r][v] = (VF){ 0 };                                                         \
        for (int64_t k = 0; k < K; k++) {                                                    \
            VF w[2];                                                                         \
            for (int v = 0; v < NV; v++)                                                     \
                w[v] = *(const VF *)(b + k * M + W * v);                                     \
            const float *const ak = a + k * a_ks;                                            \
            for (int r = 0; r < R; r++) {                                                    \
                const float x = ak[r * a_rs];                                                \
                for (int v = 0; v < NV; v++)                                                 \
                    c[r][v] = c[r][v] + x * w[v];                                            \
            }                                                                                \
        }                                                                                    \
        const VF zero = { 0 };                                                               \
        for (int r = 0; r < R; r++)                                                          \
            for (int v = 0; v < NV; v++) {                                                   \
                VF y = c[r][v];                                                              \
                if (brow)                                                                    \
                    y = y + brow[r];                                                         \
                else if (bcol)                                                               \
                    y = y + *(const VF *)(bcol + W * v);                                     \
                if (relu)                                                                    \
                    y = (VF)((VI)y & (VI)(y > zero));                                        \
                *(VF *)(out + r * M + W * v) = y;                                            \
            }                                                                                \
    }

GEMM_TILE(4, v4f, v4i)
#if GW >= 8
GEMM_TILE(8, v8f, v8i)
#endif
#if GW >= 16
GEMM_TILE(16, v16f, v16i)
#endif

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define TILEW CAT(tile, GW)

static inline __attribute__((always_inline)) void
col1(const int R, const float *const a, const int64_t a_rs, const int64_t a_ks,
     const float *const b, const int64_t M, float *const out, const int64_t K,
     const float *const brow, const float *const bcol, const int relu)
{
    float c[4];
    for (int r = 0; r < R; r++)
        c[r] = 0.0f;
    for (int64_t k = 0; k < K; k++)
        for (int r = 0; r < R; r++)
            c[r] += a[r * a_rs + k * a_ks] * b[k * M];
    for (int r = 0; r < R; r++) {
        float y = c[r];
        if (brow)
            y = y + brow[r];
        else if (bcol)
            y = y + bcol[0];
        if (relu)
            y = y > 0.0f ? y : 0.0f;
        out[r * M] = y;
    }
}

/* Columns in tiles of 2 and 1 widest vectors, then narrower ones, then
 * one at a time. */
static inline __attribute__((always_inline)) void
row_block(const int R, const float *const a, const int64_t a_rs, const int64_t a_ks,
          const float *const b, float *const out, const int64_t K, const int64_t M,
          const float *const brow, const float *const bias, const int relu)
{
#define BCOL(j) (brow || !bias ? NULL : bias + (j))
    int64_t j = 0;
    for (; j + 2 * GW <= M; j += 2 * GW)
        TILEW(R, 2, a, a_rs, a_ks, b + j, M, out + j, K, brow, BCOL(j), relu);
    for (; j + GW <= M; j += GW)
        TILEW(R, 1, a, a_rs, a_ks, b + j, M, out + j, K, brow, BCOL(j), relu);
#if GW > 8
    for (; j + 8 <= M; j += 8)
        tile8(R, 1, a, a_rs, a_ks, b + j, M, out + j, K, brow, BCOL(j), relu);
#endif
#if GW > 4
    for (; j + 4 <= M; j += 4)
        tile4(R, 1, a, a_rs, a_ks, b + j, M, out + j, K, brow, BCOL(j), relu);
#endif
    for (; j < M; j++)
        col1(R, a, a_rs, a_ks, b + j, M, out + j, K, brow, BCOL(j), relu);
#undef BCOL
}

TVMAF_MLP_GEMM_FN(MLP_FN(gemm))
{
    const float *const row_bias = bias_rows ? bias : NULL;
    int64_t i = 0;
    for (; i + 4 <= rows; i += 4)
        row_block(4, a + i * a_rs, a_rs, a_ks, b, out + i * m, k, m,
                  row_bias ? row_bias + i : NULL, bias, relu);
    for (; i < rows; i++)
        row_block(1, a + i * a_rs, a_rs, a_ks, b, out + i * m, k, m,
                  row_bias ? row_bias + i : NULL, bias, relu);
}

/*
 * y[b] = y[b] + c[0]*x[0][b] + ... + c[n-1]*x[n-1][b], left to right, for
 * n = 4, 2 or 1. With `start` set the sum has no initial value: the first
 * product is the start, not y + product (0 + p is p, but it saves the add
 * and the read). `start` is a constant after inlining, so each loop below
 * compiles to one straight expression.
 */
static inline __attribute__((always_inline)) void
sum_block(float *const restrict y, const float *const restrict x, const int xstride,
          const float *const c, const int cstride, const int n, const int len, const int start)
{
    const float c0 = c[0], c1 = n > 1 ? c[cstride] : 0.0f, c2 = n > 2 ? c[2 * cstride] : 0.0f,
                c3 = n > 3 ? c[3 * cstride] : 0.0f;
    const float *const x0 = x, *const x1 = x + xstride, *const x2 = x + 2 * xstride,
                *const x3 = x + 3 * xstride;
#define HEAD(b) (start ? c0 * x0[b] : y[b] + c0 * x0[b])
    if (n == 4)
        for (int b = 0; b < len; b++)
            y[b] = ((HEAD(b) + c1 * x1[b]) + c2 * x2[b]) + c3 * x3[b];
    else if (n == 2)
        for (int b = 0; b < len; b++)
            y[b] = HEAD(b) + c1 * x1[b];
    else
        for (int b = 0; b < len; b++)
            y[b] = HEAD(b);
#undef HEAD
}

/* y = sum_j c[j * cstride] * x[j][.], j ascending, in blocks of 4/2/1. */
static inline __attribute__((always_inline)) void
dot_rows(float *const restrict y, const float *const restrict x, const int xstride,
         const float *const c, const int cstride, const int n, const int len)
{
    const int first = n >= 4 ? 4 : n >= 2 ? 2 : 1;
    sum_block(y, x, xstride, c, cstride, first, len, 1);
    int j = first;
    for (; j + 4 <= n; j += 4)
        sum_block(y, x + (size_t)j * xstride, xstride, c + (size_t)j * cstride, cstride, 4, len, 0);
    for (; j + 2 <= n; j += 2)
        sum_block(y, x + (size_t)j * xstride, xstride, c + (size_t)j * cstride, cstride, 2, len, 0);
    for (; j < n; j++)
        sum_block(y, x + (size_t)j * xstride, xstride, c + (size_t)j * cstride, cstride, 1, len, 0);
}

/* The LANES partial sums are held as NV vectors of VW floats: one AVX
 * register, or two SSE ones (GCC lowers an over-wide generic vector
 * through the stack, so SSE gets native 4-wide vectors instead). Lane l
 * is element l % VW of vector l / VW either way. */
#if defined(__AVX__)
#  define VW 8
#  define DW_ROWS 4 /* 4 x 2 accumulators: 8 of AVX's 16+ registers */
#else
#  define VW 4
#  define DW_ROWS 2 /* 2 x 2 x 2 accumulators: 8 of SSE's 16 registers */
#endif
#define NV (LANES / VW)

typedef float vec_t __attribute__((vector_size(4 * VW)));

static inline vec_t load_vec(const float *const p)
{
    vec_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static inline float fold(const vec_t *const v)
{
    float a[LANES];
    memcpy(a, v, sizeof(a));
    return ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]));
}

static inline __attribute__((always_inline)) void
dw_tile(float *const dw, const float *const g, const float *const in, const int n_in,
        const int stride, const int o, const int i, const int no, const int ni)
{
    vec_t acc[DW_ROWS][2][NV];
    for (int p = 0; p < no; p++)
        for (int q = 0; q < ni; q++)
            for (int v = 0; v < NV; v++)
                acc[p][q][v] = (vec_t){ 0 };
    for (int b0 = 0; b0 < stride; b0 += LANES) {
        for (int v = 0; v < NV; v++) {
            vec_t x[2];
            for (int q = 0; q < ni; q++)
                x[q] = load_vec(in + (size_t)(i + q) * stride + b0 + v * VW);
            for (int p = 0; p < no; p++) {
                const vec_t gp = load_vec(g + (size_t)(o + p) * stride + b0 + v * VW);
                for (int q = 0; q < ni; q++)
                    acc[p][q][v] += gp * x[q];
            }
        }
    }
    for (int p = 0; p < no; p++)
        for (int q = 0; q < ni; q++)
            dw[(size_t)(o + p) * n_in + i + q] = fold(acc[p][q]);
}

static inline __attribute__((always_inline)) void
dw_row(float *const dw, const float *const g, const float *const in, const int n_in,
       const int stride, const int o, const int no)
{
    int i = 0;
    for (; i + 2 <= n_in; i += 2)
        dw_tile(dw, g, in, n_in, stride, o, i, no, 2);
    for (; i < n_in; i++)
        dw_tile(dw, g, in, n_in, stride, o, i, no, 1);
}

TVMAF_MLP_DW_FN(MLP_FN(dw))
{
    int o = 0;
    for (; o + DW_ROWS <= n_out; o += DW_ROWS)
        dw_row(dw, g, in, n_in, stride, o, DW_ROWS);
    for (; o < n_out; o++)
        dw_row(dw, g, in, n_in, stride, o, 1);
    for (o = 0; o < n_out; o++) {
        const float *const go = g + (size_t)o * stride;
        vec_t acc[NV];
        for (int v = 0; v < NV; v++)
            acc[v] = (vec_t){ 0 };
        for (int b0 = 0; b0 < stride; b0 += LANES)
            for (int v = 0; v < NV; v++)
                acc[v] += load_vec(go + b0 + v * VW);
        db[o] = fold(acc);
    }
}

TVMAF_MLP_DX_FN(MLP_FN(dx))
{
    for (int i = 0; i < n_in; i++) {
        float *const y = gin + (size_t)i * stride;
        const float *const z = act + (size_t)i * stride;
        dot_rows(y, g, stride, w + i, n_in, n_out, stride);
        for (int b = 0; b < stride; b++)
            y[b] = z[b] > 0.0f ? y[b] : 0.0f;
    }
}

TVMAF_MLP_ADAM_FN(MLP_FN(adam))
{
    for (size_t j = 0; j < n; j++) {
        const float gj = g[j];
        m[j] = m[j] * beta1 + gj * one_m_beta1;
        v[j] = v[j] * beta2 + one_m_beta2 * gj * gj;
        const float denom = sqrtf(v[j]) / bc2_sqrt + eps;
        p[j] = p[j] - step_size * (m[j] / denom);
    }
}
