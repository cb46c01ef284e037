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

#define TVMAF_ADM_DECL_AVX2(sig, k) TVMAF_ADM_##sig##_FN(tvmaf_adm_##k##_avx2);
#define TVMAF_ADM_SET_AVX2(sig, k) c->k = tvmaf_adm_##k##_avx2;
TVMAF_ADM_KERNELS(TVMAF_ADM_DECL_AVX2)
#if TVMAF_ENABLE_AVX512
#define TVMAF_ADM_DECL_AVX512(sig, k) TVMAF_ADM_##sig##_FN(tvmaf_adm_##k##_avx512);
#define TVMAF_ADM_SET_AVX512(sig, k) c->k = tvmaf_adm_##k##_avx512;
TVMAF_ADM_KERNELS(TVMAF_ADM_DECL_AVX512)
#endif

static inline void adm_dsp_init_x86(TvmafAdmDSPContext *const c, const unsigned flags)
{
    if (!(flags & TVMAF_CPU_FLAG_AVX2)) return;
    TVMAF_ADM_KERNELS(TVMAF_ADM_SET_AVX2)

#if TVMAF_ENABLE_AVX512
    if (!(flags & TVMAF_CPU_FLAG_AVX512)) return;
    TVMAF_ADM_KERNELS(TVMAF_ADM_SET_AVX512)
#endif
}

#endif /* TVMAF_SRC_FEATURE_X86_ADM_H */
