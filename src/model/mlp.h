/*
 * MLP kernels: the one DSP table behind both forward passes, the tiny-model
 * interpreter's Gemm/MatMul (model/tiny/tiny_exec.c) and the trainer
 * (train/mlp_train.c), plus the trainer's backward and Adam kernels.
 *
 * One template, model/mlp_tmpl.c, is compiled per ISA: model/mlp.c gives
 * the C reference (plain C and GNU vector types, SSE2 on x86-64) and the
 * table init; x86/mlp_avx2.c and x86/mlp_avx512.c give the SIMD entries,
 * installed by the ladder in x86/mlp.h.
 *
 * Numerics contract: every kernel is bit-identical across the C, AVX2 and
 * AVX-512 builds (tests/checksimd/mlp.c compares them with memcmp). They
 * vectorise only across independent outputs; each output is computed in
 * one fixed order, written in mlp_tmpl.c:
 *   - gemm: acc = +0, then acc = acc + a*b for k ascending, then
 *     acc + bias, then max(acc, 0) (NaN and -0 give +0) when relu is set.
 *     That is ONNX Gemm's A*B + C as the tiny interpreter specifies it
 *     (model/tiny/tiny_graph.h), so an exported model reproduces the
 *     trainer's predictions bit for bit: both run this one kernel;
 *   - dx: over the reduction index from the first product, ascending;
 *   - dw and db: over the batch in TVMAF_MLP_LANES interleaved partial sums
 *     (row b goes to lane b % LANES, rows in increasing order), folded as
 *     ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7));
 *   - adam: element-wise IEEE operations.
 * The project builds with -ffp-contract=off, so no build fuses a multiply
 * and an add (FMA would round once and change results).
 */
#ifndef TVMAF_SRC_MODEL_MLP_H
#define TVMAF_SRC_MODEL_MLP_H

#include <stddef.h>
#include <stdint.h>

#define TVMAF_MLP_LANES 8
#define TVMAF_MLP_TILE 16 ///< trainer stride granularity; a multiple of TVMAF_MLP_LANES

/*
 * out[i][j] = sum_k a[i * a_rs + k * a_ks] * b[k * m + j] (+ bias, then
 * ReLU), for i < rows, j < m; out and b are row-major with m columns.
 * bias is NULL, or per column (bias[j]) or, with bias_rows set, per row
 * (bias[i]). The trainer calls it with a = W [n_out][n_in] and b = the
 * feature-major activations [n_in][stride].
 */
#define TVMAF_MLP_GEMM_FN(name)                                                            \
    void name(float *out, const float *a, int64_t a_rs, int64_t a_ks, const float *b,     \
              int64_t rows, int64_t k, int64_t m, const float *bias, int bias_rows,       \
              int relu)

/*
 * dw[o][i] = sum_b g[o][b] * in[i][b], db[o] = sum_b g[o][b], b < stride,
 * in the lane order above (the arrays are overwritten, not accumulated).
 * stride is a multiple of TVMAF_MLP_TILE.
 */
#define TVMAF_MLP_DW_FN(name)                                                              \
    void name(float *dw, float *db, const float *g, const float *in, int n_in, int n_out,  \
              int stride)

/*
 * gin[i][b] = (sum_o w[o][i] * g[o][b]) (o ascending), zeroed where
 * act[i][b] <= 0 (the ReLU that produced act).
 */
#define TVMAF_MLP_DX_FN(name)                                                              \
    void name(float *gin, const float *w, const float *g, const float *act, int n_in,     \
              int n_out, int stride)

/*
 * One Adam step (torch.optim.Adam, single-tensor path) on n parameters:
 * m = m*beta1 + g*(1-beta1); v = v*beta2 + (1-beta2)*g*g;
 * p = p - step_size * (m / (sqrt(v) / bc2_sqrt + eps)).
 */
#define TVMAF_MLP_ADAM_FN(name)                                                            \
    void name(float *p, float *m, float *v, const float *g, size_t n, float beta1,        \
              float one_m_beta1, float beta2, float one_m_beta2, float step_size,          \
              float bc2_sqrt, float eps)

typedef TVMAF_MLP_GEMM_FN((*TvmafMlpGemmFn));
typedef TVMAF_MLP_DW_FN((*TvmafMlpDwFn));
typedef TVMAF_MLP_DX_FN((*TvmafMlpDxFn));
typedef TVMAF_MLP_ADAM_FN((*TvmafMlpAdamFn));

typedef struct TvmafMlpDSPContext {
    TvmafMlpGemmFn gemm;
    TvmafMlpDwFn dw;
    TvmafMlpDxFn dx;
    TvmafMlpAdamFn adam;
} TvmafMlpDSPContext;

/* The C reference (model/mlp.c). */
TVMAF_MLP_GEMM_FN(tvmaf_mlp_gemm_c);
TVMAF_MLP_DW_FN(tvmaf_mlp_dw_c);
TVMAF_MLP_DX_FN(tvmaf_mlp_dx_c);
TVMAF_MLP_ADAM_FN(tvmaf_mlp_adam_c);

/** Fills `c` with the C reference, then the best kernels `cpu_flags` allows. */
void tvmaf_mlp_dsp_init(TvmafMlpDSPContext *c, unsigned cpu_flags);

#endif /* TVMAF_SRC_MODEL_MLP_H */
