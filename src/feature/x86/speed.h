/*
 * SpEED chroma: the x86 ladder (see x86/vif.h). AVX2 only: the kernels are
 * short float/double loops that AVX-512 would not speed up measurably.
 */
#ifndef TVMAF_SRC_FEATURE_X86_SPEED_H
#define TVMAF_SRC_FEATURE_X86_SPEED_H

#include "config.h"
#include "feature/speed.h"
#include "tinyvmaf/tinyvmaf.h"

decl_speed_filter_vert_fn(tvmaf_speed_filter_vert_avx2);
decl_speed_cov_row_fn(tvmaf_speed_cov_row_avx2);

static inline void speed_dsp_init_x86(TvmafSpeedDSPContext *const c, const unsigned flags)
{
    if (!(flags & TVMAF_CPU_FLAG_AVX2))
        return;
    c->filter_vert = tvmaf_speed_filter_vert_avx2;
    c->cov_row = tvmaf_speed_cov_row_avx2;
}

#endif /* TVMAF_SRC_FEATURE_X86_SPEED_H */
