/*
 * MLP kernels: the C reference (model/mlp_tmpl.c compiled for the baseline
 * ISA) and the table init. Contract and signatures: model/mlp.h.
 */
#include "config.h"
#include "model/mlp.h"
#include "tinyvmaf/tinyvmaf.h"

#define MLP_FN(name) tvmaf_mlp_##name##_c
#include "model/mlp_tmpl.c"

#if TVMAF_ENABLE_SIMD
#include "model/x86/mlp.h"
#endif

void tvmaf_mlp_dsp_init(TvmafMlpDSPContext *const c, const unsigned cpu_flags)
{
    c->gemm = tvmaf_mlp_gemm_c;
    c->dw = tvmaf_mlp_dw_c;
    c->dx = tvmaf_mlp_dx_c;
    c->adam = tvmaf_mlp_adam_c;
#if TVMAF_ENABLE_SIMD
    mlp_dsp_init_x86(c, cpu_flags);
#else
    (void)cpu_flags;
#endif
}
