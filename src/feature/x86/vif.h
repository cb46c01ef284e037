/*
 * Integer VIF: the x86 ladder. Each ISA replaces the entries it implements,
 * then the next one is tried; the first missing flag stops the climb.
 */
#ifndef TVMAF_SRC_FEATURE_X86_VIF_H
#define TVMAF_SRC_FEATURE_X86_VIF_H

#include "config.h"
#include "feature/vif.h"
#include "tinyvmaf/tinyvmaf.h"

decl_vif_vfilt_mom_fn(tvmaf_vif_vfilt_mom_8_avx2);
decl_vif_vfilt_mom_fn(tvmaf_vif_vfilt_mom_16_avx2);
decl_vif_hfilt_mom_fn(tvmaf_vif_hfilt_mom_avx2);
decl_vif_stat_fn(tvmaf_vif_stat_avx2);
decl_vif_vfilt_sub_fn(tvmaf_vif_vfilt_sub_8_avx2);
decl_vif_vfilt_sub_fn(tvmaf_vif_vfilt_sub_16_avx2);
decl_vif_hfilt_dec_fn(tvmaf_vif_hfilt_dec_avx2);

decl_vif_vfilt_mom_fn(tvmaf_vif_vfilt_mom_8_avx512);
decl_vif_vfilt_mom_fn(tvmaf_vif_vfilt_mom_16_avx512);
decl_vif_hfilt_mom_fn(tvmaf_vif_hfilt_mom_avx512);
decl_vif_stat_fn(tvmaf_vif_stat_avx512);
decl_vif_vfilt_sub_fn(tvmaf_vif_vfilt_sub_8_avx512);
decl_vif_vfilt_sub_fn(tvmaf_vif_vfilt_sub_16_avx512);
decl_vif_hfilt_dec_fn(tvmaf_vif_hfilt_dec_avx512);

decl_vif_vfilt_mom_fn(tvmaf_vif_vfilt_mom_8_avx512icl);
decl_vif_vfilt_mom_fn(tvmaf_vif_vfilt_mom_16_avx512icl);
decl_vif_hfilt_mom_fn(tvmaf_vif_hfilt_mom_avx512icl);
decl_vif_vfilt_sub_fn(tvmaf_vif_vfilt_sub_8_avx512icl);
decl_vif_vfilt_sub_fn(tvmaf_vif_vfilt_sub_16_avx512icl);
decl_vif_hfilt_dec_fn(tvmaf_vif_hfilt_dec_avx512icl);

static inline void vif_dsp_init_x86(TvmafVifDSPContext *const c, const unsigned flags)
{
    if (!(flags & TVMAF_CPU_FLAG_AVX2))
        return;
    c->vfilt_mom[0] = tvmaf_vif_vfilt_mom_8_avx2;
    c->vfilt_mom[1] = tvmaf_vif_vfilt_mom_16_avx2;
    c->hfilt_mom = tvmaf_vif_hfilt_mom_avx2;
    c->stat = tvmaf_vif_stat_avx2;
    c->vfilt_sub[0] = tvmaf_vif_vfilt_sub_8_avx2;
    c->vfilt_sub[1] = tvmaf_vif_vfilt_sub_16_avx2;
    c->hfilt_dec = tvmaf_vif_hfilt_dec_avx2;

#if TVMAF_ENABLE_AVX512
    if (!(flags & TVMAF_CPU_FLAG_AVX512))
        return;
    c->vfilt_mom[0] = tvmaf_vif_vfilt_mom_8_avx512;
    c->vfilt_mom[1] = tvmaf_vif_vfilt_mom_16_avx512;
    c->hfilt_mom = tvmaf_vif_hfilt_mom_avx512;
    c->stat = tvmaf_vif_stat_avx512;
    c->vfilt_sub[0] = tvmaf_vif_vfilt_sub_8_avx512;
    c->vfilt_sub[1] = tvmaf_vif_vfilt_sub_16_avx512;
    c->hfilt_dec = tvmaf_vif_hfilt_dec_avx512;

    /* VNNI: the filters' multiply-adds fuse (vpdpwssd); stat stays AVX-512. */
    if (!(flags & TVMAF_CPU_FLAG_AVX512ICL))
        return;
    c->vfilt_mom[0] = tvmaf_vif_vfilt_mom_8_avx512icl;
    c->vfilt_mom[1] = tvmaf_vif_vfilt_mom_16_avx512icl;
    c->hfilt_mom = tvmaf_vif_hfilt_mom_avx512icl;
    c->vfilt_sub[0] = tvmaf_vif_vfilt_sub_8_avx512icl;
    c->vfilt_sub[1] = tvmaf_vif_vfilt_sub_16_avx512icl;
    c->hfilt_dec = tvmaf_vif_hfilt_dec_avx512icl;
#endif
}

#endif /* TVMAF_SRC_FEATURE_X86_VIF_H */
