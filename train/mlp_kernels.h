/*
 * Batched MLP training kernels.
 *
 * Activations are stored feature-major: a layer's output for one batch is
 * [units][stride] with `stride` a multiple of TVMAF_MLP_TILE, so the batch
 * dimension is contiguous and the kernels vectorise across rows.
 *
 * Numerics contract: every kernel is bit-identical across the C, AVX2 and
 * AVX-512 builds. They vectorise only across independent outputs; each
 * output element is summed in one fixed order written in the C source:
 *   - fwd and dx: sequentially over the reduction index from the first
 *     product; fwd then adds the bias. That is ONNX Gemm's A*B + C and the
 *     order of the tiny-model interpreter (src/model/tiny/tiny_graph.h), so
 *     an exported model reproduces training-time predictions bit for bit;
 *   - dw and db: over the batch in TVMAF_MLP_LANES interleaved partial sums
 *     (row b goes to lane b % LANES, rows in increasing order), folded as
 *     ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7)).
 * The build uses -ffp-contract=off, so no build fuses a multiply and add.
 */
#ifndef TVMAF_TRAIN_MLP_KERNELS_H
#define TVMAF_TRAIN_MLP_KERNELS_H

#include <stddef.h>

#define TVMAF_MLP_LANES 8
#define TVMAF_MLP_TILE 16 ///< stride granularity; a multiple of TVMAF_MLP_LANES

/*
 * out[o][b] = (sum_i w[o][i] * in[i][b]) + bias[o] (i ascending), then
 * max(0, .) when relu is set; for b < stride.
 */
#define TVMAF_MLP_FWD_FN(name)                                                             \
    void name(float *out, const float *w, const float *bias, const float *in, int n_in,   \
              int n_out, int stride, int relu)

/*
 * dw[o][i] = sum_b g[o][b] * in[i][b], db[o] = sum_b g[o][b], b < stride,
 * in the lane order above (the arrays are overwritten, not accumulated).
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
 * p = p - step_size * (m / (sqrt(v) / bc2_sqrt + eps)). Element-wise, so
 * exact IEEE operations make every build agree.
 */
#define TVMAF_MLP_ADAM_FN(name)                                                            \
    void name(float *p, float *m, float *v, const float *g, size_t n, float beta1,        \
              float one_m_beta1, float beta2, float one_m_beta2, float step_size,          \
              float bc2_sqrt, float eps)

typedef TVMAF_MLP_FWD_FN((*TvmafMlpFwdFn));
typedef TVMAF_MLP_DW_FN((*TvmafMlpDwFn));
typedef TVMAF_MLP_DX_FN((*TvmafMlpDxFn));
typedef TVMAF_MLP_ADAM_FN((*TvmafMlpAdamFn));

typedef struct TvmafMlpDSPContext {
    TvmafMlpFwdFn fwd;
    TvmafMlpDwFn dw;
    TvmafMlpDxFn dx;
    TvmafMlpAdamFn adam;
    const char *isa;
} TvmafMlpDSPContext;

/** Fills c with the best kernels for cpu_flags (TVMAF_CPU_FLAG_* bits usable). */
void tvmaf_mlp_dsp_init(TvmafMlpDSPContext *c, unsigned cpu_flags);

/** CPU flags detected, minus those named in $TVMAF_TRAIN_CPUMASK (a number; tests use it). */
unsigned tvmaf_mlp_cpu_flags(void);

TVMAF_MLP_FWD_FN(tvmaf_mlp_fwd_c);
TVMAF_MLP_DW_FN(tvmaf_mlp_dw_c);
TVMAF_MLP_DX_FN(tvmaf_mlp_dx_c);
TVMAF_MLP_ADAM_FN(tvmaf_mlp_adam_c);
TVMAF_MLP_FWD_FN(tvmaf_mlp_fwd_avx2);
TVMAF_MLP_DW_FN(tvmaf_mlp_dw_avx2);
TVMAF_MLP_DX_FN(tvmaf_mlp_dx_avx2);
TVMAF_MLP_ADAM_FN(tvmaf_mlp_adam_avx2);
TVMAF_MLP_FWD_FN(tvmaf_mlp_fwd_avx512);
TVMAF_MLP_DW_FN(tvmaf_mlp_dw_avx512);
TVMAF_MLP_DX_FN(tvmaf_mlp_dx_avx512);
TVMAF_MLP_ADAM_FN(tvmaf_mlp_adam_avx512);

#endif /* TVMAF_TRAIN_MLP_KERNELS_H */
