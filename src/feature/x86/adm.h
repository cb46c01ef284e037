/*
 * x86 entries of the ADM DSP table (videolan/dav1d src/x86/cdef.h style):
 * each ISA upgrades the table and the ladder stops at the first missing flag.
 * Every kernel is adm_tmpl.c, instantiated by adm_avx2.c and adm_avx512.c
 * (each its own static library built with that ISA's -m flags, adding only
 * its scale 1..3 angle test); all are bit-exact to the C reference in
 * ../adm.c.
 */
#ifndef TVMAF_SRC_FEATURE_X86_ADM_H
#define TVMAF_SRC_FEATURE_X86_ADM_H

#include "config.h"
#include "feature/adm.h"
#include "tinyvmaf/tinyvmaf.h"

#define TVMAF_ADM_DECL_ISA(isa)                                                                    \
    TVMAF_ADM_DWT_S0_FN(tvmaf_adm_dwt_s0_##isa);                                                   \
    TVMAF_ADM_DWT_S123_FN(tvmaf_adm_dwt_s123_##isa);                                               \
    TVMAF_ADM_DECOUPLE_S0_FN(tvmaf_adm_decouple_s0_##isa);                                         \
    TVMAF_ADM_DECOUPLE_S123_FN(tvmaf_adm_decouple_s123_##isa);                                     \
    TVMAF_ADM_CM_S0_FN(tvmaf_adm_cm_s0_##isa);                                                     \
    TVMAF_ADM_CM_S123_FN(tvmaf_adm_cm_s123_##isa);                                                 \
    TVMAF_ADM_DEN_S0_FN(tvmaf_adm_den_s0_##isa);                                                   \
    TVMAF_ADM_DEN_S123_FN(tvmaf_adm_den_s123_##isa)

TVMAF_ADM_DECL_ISA(avx2);
#if TVMAF_ENABLE_AVX512
TVMAF_ADM_DECL_ISA(avx512);
#endif

#define TVMAF_ADM_SET_ISA(c, isa)                                                                  \
    do {                                                                                           \
        (c)->dwt_s0 = tvmaf_adm_dwt_s0_##isa;                                                      \
        (c)->dwt_s123 = tvmaf_adm_dwt_s123_##isa;                                                  \
        (c)->decouple_s0 = tvmaf_adm_decouple_s0_##isa;                                            \
        (c)->decouple_s123 = tvmaf_adm_decouple_s123_##isa;                                        \
        (c)->cm_s0 = tvmaf_adm_cm_s0_##isa;                                                        \
        (c)->cm_s123 = tvmaf_adm_cm_s123_##isa;                                                    \
        (c)->den_s0 = tvmaf_adm_den_s0_##isa;                                                      \
        (c)->den_s123 = tvmaf_adm_den_s123_##isa;                                                  \
    } while (0)

static inline void adm_dsp_init_x86(TvmafAdmDSPContext *const c, const unsigned flags)
{
    if (!(flags & TVMAF_CPU_FLAG_AVX2)) return;
    TVMAF_ADM_SET_ISA(c, avx2);

#if TVMAF_ENABLE_AVX512
    if (!(flags & TVMAF_CPU_FLAG_AVX512)) return;
    TVMAF_ADM_SET_ISA(c, avx512);
#endif
}

#endif /* TVMAF_SRC_FEATURE_X86_ADM_H */
