/*
 * SpEED chroma (libvmaf 3.2.0 feature extractor "speed_chroma"): a spatial
 * entropic difference on each chroma plane, as the VMAF v1 models use it.
 * Outputs speed_chroma_u, speed_chroma_v and speed_chroma_uv (the mean of
 * the two, or the one that is defined when the other plane is flat).
 * docs/algorithms.md, section "SpEED chroma".
 *
 * libvmaf's speed.c also defines "speed_temporal" (SpEED on frame
 * differences); no VMAF v1 model uses it and it is not implemented here.
 *
 * Numerics contract: float32 throughout, as libvmaf's C path computes it:
 * every float and double operation in the same order and precision (no FMA,
 * no reassociation), so on the same libm the scores equal libvmaf's C path
 * bit for bit; against libvmaf's own SIMD build (its AVX2/AVX-512 Gaussian
 * filter and FMA covariance) they agree within 1e-6 on every golden case.
 * SIMD kernels here (tests/checksimd) equal the C reference bit for bit.
 *
 * Frames: each frame pair is scored on its own (no other frames needed);
 * an instance keeps only scratch buffers, so one instance per worker thread
 * may score frames in any order.
 */
#ifndef TVMAF_SRC_FEATURE_SPEED_H
#define TVMAF_SRC_FEATURE_SPEED_H

#include <stddef.h>

#include "feature/option.h"
#include "feature/plane.h"
#include "tinyvmaf/picture.h"

/** speed_prescale_method values (the names of libvmaf's string option). */
enum TvmafSpeedScaler {
    TVMAF_SPEED_SCALE_NEAREST = 0,
    TVMAF_SPEED_SCALE_BILINEAR = 1,
    TVMAF_SPEED_SCALE_BICUBIC = 2,
    TVMAF_SPEED_SCALE_LANCZOS4 = 3,
};

/**
 * Options, under libvmaf's names (tvmaf_speed_chroma_options). The ones that
 * change a score are all part of the printed key when not at their default.
 */
typedef struct TvmafSpeedChromaOptions {
    double kernelscale;  ///< speed_kernelscale (ks): Gaussian size factor, [0.1, 4], default 1;
                         ///< must also be one of libvmaf's 21 kernel scales (1, 0.5, 1.5, 2, ...)
    double prescale;     ///< speed_prescale (ps): resize factor before filtering, [0.1, 4], default 1
    int prescale_method; ///< speed_prescale_method (psm): enum TvmafSpeedScaler, default nearest
    double sigma_nn;     ///< speed_sigma_nn (snn): neural-noise std dev, [0.1, 2], default 0.29
    double nn_floor;     ///< speed_nn_floor (nnf): entropy floor, fraction of sigma_nn, [0, 1], default 0
    double max_val;      ///< speed_max_val (mxv): scores clipped to this, [0, 1000], default 1000
    int weight_var_mode; ///< speed_weight_var_mode (wvm): variance weighting, [0, 6], default 0
} TvmafSpeedChromaOptions;

/** libvmaf's option table for speed_chroma (option.h); ends with a NULL name. */
extern const TvmafOption tvmaf_speed_chroma_options[];

/** Printed base names of out[0..2]; keys are tvmaf_option_key(table, opts, base). */
extern const char *const tvmaf_speed_chroma_names[3];

typedef struct TvmafSpeedChroma TvmafSpeedChroma;

/**
 * @param w, h      luma size; the chroma planes scored are floor(w/2) (4:2:0,
 *                  4:2:2) by floor(h/2) (4:2:0) samples, as libvmaf sizes them
 * @param bpc       8, 10, 12 or 16
 * @param layout    420, 422 or 444 (400 has no chroma: -EINVAL)
 * @param opt       NULL: defaults
 * @param cpu_flags TVMAF_CPU_FLAG_* bits usable (after the context's mask)
 * @return 0; -EINVAL for a bad size, depth, layout or option (a kernelscale
 *         outside libvmaf's list; a chroma plane that is less than 80
 *         samples wide or high after the prescale, where SpEED has no 5x5
 *         block left at 1/16 resolution); -ENOMEM. Logs nothing.
 */
int tvmaf_speed_chroma_init(TvmafSpeedChroma **out, int w, int h, int bpc,
                            enum TvmafPixelLayout layout, const TvmafSpeedChromaOptions *opt,
                            unsigned cpu_flags);

/** Bytes tvmaf_speed_chroma_init() allocates for these arguments (0 where it refuses them). */
size_t tvmaf_speed_chroma_scratch_size(int w, int h, int bpc, enum TvmafPixelLayout layout,
                                       const TvmafSpeedChromaOptions *opt);

/**
 * Scores one frame pair. ref[1], ref[2], dis[1], dis[2] are the U and V
 * planes (ref[0]/dis[0], luma, are not read); each must be at least the
 * chroma size init derived and have the init depth (ceil-sized planes, as
 * TvmafPicture holds them, are fine: the extra column/row is ignored).
 * @param out u, v, uv, each min(score, max_val)
 * @return 0, -EINVAL (plane size or depth mismatch)
 */
int tvmaf_speed_chroma_compute(TvmafSpeedChroma *s, const TvmafPlane ref[3],
                               const TvmafPlane dis[3], double out[3]);

/** NULL-safe; sets *s = NULL. */
void tvmaf_speed_chroma_free(TvmafSpeedChroma **s);


/* ---- Private: DSP table shared by the C reference, each ISA and checksimd ----
 *
 * Both kernels are float/double arithmetic in a fixed order (a multiply, then
 * an add, never fused), so every ISA equals the C version bit for bit. */

/** SpEED's block is 5x5: its covariance matrix is 25x25. */
#define TVMAF_SPEED_BLOCK 5
#define TVMAF_SPEED_DIM (TVMAF_SPEED_BLOCK * TVMAF_SPEED_BLOCK)
/** Row pitch (doubles) of the centred samples and of the covariance sums. */
#define TVMAF_SPEED_PITCH 28

/**
 * Vertical Gaussian pass of one output row: dst[j] = sum over k = 0..n-1, in
 * that order, of f[k] * rows[k][j] (float, starting from 0), j in [0, w).
 * Kernels may read rows up to TVMAF_SPEED_SLACK floats past w and write dst
 * there too.
 */
#define TVMAF_SPEED_SLACK 16
#define decl_speed_filter_vert_fn(name) \
    void name(float *dst, const float *const *rows, const float *f, int n, int w)
typedef decl_speed_filter_vert_fn((*tvmaf_speed_filter_vert_fn));

/**
 * Covariance sums of one row of n positions: c[j * TVMAF_SPEED_PITCH + o]
 * (o < 25) holds sample o of position j's 5x5 neighbourhood minus that
 * offset's mean, in double. For every x < 25 and y <= x, in position order:
 * acc[x * TVMAF_SPEED_PITCH + y] += c[j][x] * c[j][y]. Kernels may also write
 * acc[x * TVMAF_SPEED_PITCH + y] for x < y < TVMAF_SPEED_PITCH (unused).
 */
#define decl_speed_cov_row_fn(name) void name(double *acc, const double *c, int n)
typedef decl_speed_cov_row_fn((*tvmaf_speed_cov_row_fn));

typedef struct TvmafSpeedDSPContext {
    tvmaf_speed_filter_vert_fn filter_vert;
    tvmaf_speed_cov_row_fn cov_row;
} TvmafSpeedDSPContext;

/** Fills `c` with the C reference, then the best kernels `cpu_flags` allows. */
void tvmaf_speed_dsp_init(TvmafSpeedDSPContext *c, unsigned cpu_flags);

#endif /* TVMAF_SRC_FEATURE_SPEED_H */
