/*
 * CAMBI: the x86 ladder (see x86/vif.h). AVX2 only: the kernels are 16-bit
 * lane work and gathers, where AVX-512 would add little.
 */
#ifndef TVMAF_SRC_FEATURE_X86_CAMBI_H
#define TVMAF_SRC_FEATURE_X86_CAMBI_H

#include "config.h"
#include "feature/cambi.h"
#include "tinyvmaf/tinyvmaf.h"

decl_cambi_derivative_row_fn(tvmaf_cambi_derivative_row_avx2);
decl_cambi_mask_row_fn(tvmaf_cambi_mask_row_avx2);
decl_cambi_decimate_row_fn(tvmaf_cambi_decimate_row_avx2);
decl_cambi_mode_h_row_fn(tvmaf_cambi_mode_h_row_avx2);
decl_cambi_mode_v_row_fn(tvmaf_cambi_mode_v_row_avx2);
decl_cambi_hist_update_fn(tvmaf_cambi_hist_update_avx2);
decl_cambi_c_values_row_fn(tvmaf_cambi_c_values_row_avx2);
decl_cambi_pool_sum_fn(tvmaf_cambi_pool_sum_avx2);

static inline void cambi_dsp_init_x86(TvmafCambiDSPContext *const c, const unsigned flags)
{
    if (!(flags & TVMAF_CPU_FLAG_AVX2))
        return;
    c->derivative_row = tvmaf_cambi_derivative_row_avx2;
    c->mask_row = tvmaf_cambi_mask_row_avx2;
    c->decimate_row = tvmaf_cambi_decimate_row_avx2;
    c->mode_h_row = tvmaf_cambi_mode_h_row_avx2;
    c->mode_v_row = tvmaf_cambi_mode_v_row_avx2;
    c->hist_update = tvmaf_cambi_hist_update_avx2;
    c->c_values_row = tvmaf_cambi_c_values_row_avx2;
    c->pool_sum = tvmaf_cambi_pool_sum_avx2;
}

#endif /* TVMAF_SRC_FEATURE_X86_CAMBI_H */
