/*
 * Integer motion: the x86 ladder (see x86/vif.h).
 */
#ifndef TVMAF_SRC_FEATURE_X86_MOTION_H
#define TVMAF_SRC_FEATURE_X86_MOTION_H

#include "config.h"
#include "feature/motion.h"
#include "tinyvmaf/tinyvmaf.h"

decl_motion_fused_vert_fn(tvmaf_motion_fused_vert_avx2);
decl_motion_fused_horiz_sad_fn(tvmaf_motion_fused_horiz_sad_avx2);
decl_motion_blur_vert_fn(tvmaf_motion_blur_vert_avx2);
decl_motion_blur_horiz_fn(tvmaf_motion_blur_horiz_avx2);
decl_motion_sad_row_fn(tvmaf_motion_sad_row_avx2);

decl_motion_fused_vert_fn(tvmaf_motion_fused_vert_avx512);
decl_motion_fused_horiz_sad_fn(tvmaf_motion_fused_horiz_sad_avx512);
decl_motion_blur_vert_fn(tvmaf_motion_blur_vert_avx512);
decl_motion_blur_horiz_fn(tvmaf_motion_blur_horiz_avx512);
decl_motion_sad_row_fn(tvmaf_motion_sad_row_avx512);

static inline void motion_dsp_init_x86(TvmafMotionDSPContext *const c, const unsigned flags)
{
    if (!(flags & TVMAF_CPU_FLAG_AVX2))
        return;
    c->fused_vert = tvmaf_motion_fused_vert_avx2;
    c->fused_horiz_sad = tvmaf_motion_fused_horiz_sad_avx2;
    c->blur_vert = tvmaf_motion_blur_vert_avx2;
    c->blur_horiz = tvmaf_motion_blur_horiz_avx2;
    c->sad_row = tvmaf_motion_sad_row_avx2;

#if TVMAF_ENABLE_AVX512
    if (!(flags & TVMAF_CPU_FLAG_AVX512))
        return;
    c->fused_vert = tvmaf_motion_fused_vert_avx512;
    c->fused_horiz_sad = tvmaf_motion_fused_horiz_sad_avx512;
    c->blur_vert = tvmaf_motion_blur_vert_avx512;
    c->blur_horiz = tvmaf_motion_blur_horiz_avx512;
    c->sad_row = tvmaf_motion_sad_row_avx512;
#endif
}

#endif /* TVMAF_SRC_FEATURE_X86_MOTION_H */
