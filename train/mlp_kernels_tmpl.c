/*
 * Training kernels, compiled once per ISA (see train/meson.build): the
 * same C, built with -mavx2 or -mavx512f, gives tvmaf_mlp_*_avx2 and
 * tvmaf_mlp_*_avx512. The summation order of every output is the one
 * written here, which is what makes the builds bit-identical (contract in
 * mlp_kernels.h).
 *
 * fwd and dx are long loops over the batch that the vectoriser handles on
 * its own; each statement folds several terms in, so a row of outputs is
 * read and written once per block rather than once per term. dw reduces
 * over the batch, which the vectoriser would not do without reassociating,
 * so it keeps explicit lane sums in GNU vector types (plain element-wise
 * arithmetic, lowered to SSE, AVX2 or AVX-512 alike): 4 x 2 (o, i) pairs
 * stay in registers across the whole batch.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "mlp_kernels.h"

#ifndef TVMAF_MLP_SUFFIX
#  define TVMAF_MLP_SUFFIX _c
#endif
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define FN(name) CAT(name, TVMAF_MLP_SUFFIX)

#define TILE TVMAF_MLP_TILE
#define LANES TVMAF_MLP_LANES

static inline float relu1(const float v)
{
    return v > 0.0f ? v : 0.0f;
}

/*
 * y[b] = y[b] + c[0]*x[0][b] + ... + c[n-1]*x[n-1][b], left to right. n is
 * a constant after inlining.
 */
static inline __attribute__((always_inline)) void
axpy_block(float *const restrict y, const float *const restrict x, const int xstride,
           const float *const c, const int cstride, const int n, const int len)
{
    const float c0 = c[0], c1 = n > 1 ? c[cstride] : 0.0f, c2 = n > 2 ? c[2 * cstride] : 0.0f,
                c3 = n > 3 ? c[3 * cstride] : 0.0f;
    const float *const x0 = x, *const x1 = x + xstride, *const x2 = x + 2 * xstride,
                *const x3 = x + 3 * xstride;
    if (n == 4)
        for (int b = 0; b < len; b++)
            y[b] = (((y[b] + c0 * x0[b]) + c1 * x1[b]) + c2 * x2[b]) + c3 * x3[b];
    else if (n == 2)
        for (int b = 0; b < len; b++)
            y[b] = (y[b] + c0 * x0[b]) + c1 * x1[b];
    else
        for (int b = 0; b < len; b++)
            y[b] = y[b] + c0 * x0[b];
}

/* The first block of a sum that has no initial value: the first product
 * is the start, not 0 + product (same value, but it saves the add). */
static inline __attribute__((always_inline)) void
first_block(float *const restrict y, const float *const restrict x, const int xstride,
            const float *const c, const int cstride, const int n, const int len)
{
    const float c0 = c[0], c1 = n > 1 ? c[cstride] : 0.0f, c2 = n > 2 ? c[2 * cstride] : 0.0f,
                c3 = n > 3 ? c[3 * cstride] : 0.0f;
    const float *const x0 = x, *const x1 = x + xstride, *const x2 = x + 2 * xstride,
                *const x3 = x + 3 * xstride;
    if (n == 4)
        for (int b = 0; b < len; b++)
            y[b] = ((c0 * x0[b] + c1 * x1[b]) + c2 * x2[b]) + c3 * x3[b];
    else if (n == 2)
        for (int b = 0; b < len; b++)
            y[b] = c0 * x0[b] + c1 * x1[b];
    else
        for (int b = 0; b < len; b++)
            y[b] = c0 * x0[b];
}

/* y = sum_j c[j * cstride] * x[j][.], j ascending, in blocks of 4/2/1. */
static inline __attribute__((always_inline)) void
dot_rows(float *const restrict y, const float *const restrict x, const int xstride,
         const float *const c, const int cstride, const int n, const int len)
{
    const int first = n >= 4 ? 4 : n >= 2 ? 2 : 1;
    first_block(y, x, xstride, c, cstride, first, len);
    int j = first;
    for (; j + 4 <= n; j += 4)
        axpy_block(y, x + (size_t)j * xstride, xstride, c + (size_t)j * cstride, cstride, 4, len);
    for (; j + 2 <= n; j += 2)
        axpy_block(y, x + (size_t)j * xstride, xstride, c + (size_t)j * cstride, cstride, 2, len);
    for (; j < n; j++)
        axpy_block(y, x + (size_t)j * xstride, xstride, c + (size_t)j * cstride, cstride, 1, len);
}

TVMAF_MLP_FWD_FN(FN(tvmaf_mlp_fwd))
{
    for (int o = 0; o < n_out; o++) {
        float *const y = out + (size_t)o * stride;
        const float bo = bias[o];
        dot_rows(y, in, stride, w + (size_t)o * n_in, 1, n_in, stride);
        if (relu)
            for (int b = 0; b < stride; b++)
                y[b] = relu1(y[b] + bo);
        else
            for (int b = 0; b < stride; b++)
                y[b] = y[b] + bo;
    }
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

TVMAF_MLP_DW_FN(FN(tvmaf_mlp_dw))
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

TVMAF_MLP_DX_FN(FN(tvmaf_mlp_dx))
{
    for (int i = 0; i < n_in; i++) {
        float *const y = gin + (size_t)i * stride;
        const float *const z = act + (size_t)i * stride;
        dot_rows(y, g, stride, w + i, n_in, n_out, stride);
        for (int b = 0; b < stride; b++)
            y[b] = z[b] > 0.0f ? y[b] : 0.0f;
    }
}

TVMAF_MLP_ADAM_FN(FN(tvmaf_mlp_adam))
{
    for (size_t j = 0; j < n; j++) {
        const float gj = g[j];
        m[j] = m[j] * beta1 + gj * one_m_beta1;
        v[j] = v[j] * beta2 + one_m_beta2 * gj * gj;
        const float denom = sqrtf(v[j]) / bc2_sqrt + eps;
        p[j] = p[j] - step_size * (m[j] / denom);
    }
}
