/*
 * MLP kernels: the x86 ladder (see feature/x86/vif.h). The kernels are
 * model/mlp_tmpl.c built in the AVX2 and AVX-512 static libraries; all are
 * bit-identical to the C reference (model/mlp.h).
 */
#ifndef TVMAF_SRC_MODEL_X86_MLP_H
#define TVMAF_SRC_MODEL_X86_MLP_H

#include "config.h"
#include "model/mlp.h"
#include "tinyvmaf/tinyvmaf.h"

#define TVMAF_MLP_DECL_ISA(isa)                                                            \
    TVMAF_MLP_GEMM_FN(tvmaf_mlp_gemm_##isa);                                               \
    TVMAF_MLP_DW_FN(tvmaf_mlp_dw_##isa);                                                   \
    TVMAF_MLP_DX_FN(tvmaf_mlp_dx_##isa);                                                   \
    TVMAF_MLP_ADAM_FN(tvmaf_mlp_adam_##isa)

#define TVMAF_MLP_SET_ISA(c, isa)                                                          \
    do {                                                                                   \
        (c)->gemm = tvmaf_mlp_gemm_##isa;                                                  \
        (c)->dw = tvmaf_mlp_dw_##isa;                                                      \
        (c)->dx = tvmaf_mlp_dx_##isa;                                                      \
        (c)->adam = tvmaf_mlp_adam_##isa;                                                  \
    } while (0)

TVMAF_MLP_DECL_ISA(avx2);
#if TVMAF_ENABLE_AVX512
TVMAF_MLP_DECL_ISA(avx512);
#endif

static inline void mlp_dsp_init_x86(TvmafMlpDSPContext *const c, const unsigned flags)
{
    if (!(flags & TVMAF_CPU_FLAG_AVX2))
        return;
    TVMAF_MLP_SET_ISA(c, avx2);

#if TVMAF_ENABLE_AVX512
    if (!(flags & TVMAF_CPU_FLAG_AVX512))
        return;
    TVMAF_MLP_SET_ISA(c, avx512);
#endif
}

#endif /* TVMAF_SRC_MODEL_X86_MLP_H */
