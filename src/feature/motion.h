/*
 * Integer motion (libvmaf integer_motion.c, C path), in both pipelines:
 *  - fused (libvmaf >= 3.2.0): blur the difference of consecutive reference
 *    frames, reflect-101 borders, score in double;
 *  - classic (libvmaf 3.0/3.1): blur each frame, SAD of the blurred frames,
 *    edge-repeat at the bottom/right border, score in float32.
 * Only the reference luma is used. docs/algorithms.md, section 4.
 *
 * Numerics contract: SADs are exact integers, identical for every ISA;
 * scores are bit-identical to libvmaf's C path.
 */
#ifndef TVMAF_SRC_FEATURE_MOTION_H
#define TVMAF_SRC_FEATURE_MOTION_H

#include <stdbool.h>
#include <stdint.h>

#include "feature/option.h"

#include "feature/plane.h"

/* Kernel signatures: one row at a time, rows chosen (and mirrored) by the
 * caller; columns are mirrored inside the kernel.
 *
 * SIMD kernels work in whole vectors: the row buffers they write (y, t, b)
 * and read (y, t, a, b) have TVMAF_MOTION_SLACK spare elements past w-1,
 * whose contents are unspecified; source picture rows may be over-read by 64
 * bytes (picture.h). Results depend only on columns 0..w-1. */
#define TVMAF_MOTION_SLACK 64

/** Fused vertical pass: y[j] = (sum_k f_k (p_k[j] - c_k[j]) + 2^(bpc-1)) >> bpc.
 *  p[5], c[5] are the 5 source rows of prev and cur. Returns OR of all y. */
#define decl_motion_fused_vert_fn(name) \
    int32_t name(const void *const p[5], const void *const c[5], int32_t *y, int w, int bpc)
typedef decl_motion_fused_vert_fn((*tvmaf_motion_fused_vert_fn));

/** Fused horizontal pass + |.| sum over one row of y (reflect-101 columns). */
#define decl_motion_fused_horiz_sad_fn(name) uint32_t name(const int32_t *y, int w)
typedef decl_motion_fused_horiz_sad_fn((*tvmaf_motion_fused_horiz_sad_fn));

/** Classic vertical blur of one row: t[j] = uint16(R(sum_k f_k x_k[j], bpc)). */
#define decl_motion_blur_vert_fn(name) \
    void name(const void *const x[5], uint16_t *t, int w, int bpc)
typedef decl_motion_blur_vert_fn((*tvmaf_motion_blur_vert_fn));

/** Classic horizontal blur of one row (edge-repeat mirror at the right). */
#define decl_motion_blur_horiz_fn(name) void name(const uint16_t *t, uint16_t *b, int w)
typedef decl_motion_blur_horiz_fn((*tvmaf_motion_blur_horiz_fn));

/** Sum of |a - b| over one row (uint32, as libvmaf accumulates rows). */
#define decl_motion_sad_row_fn(name) uint32_t name(const uint16_t *a, const uint16_t *b, int w)
typedef decl_motion_sad_row_fn((*tvmaf_motion_sad_row_fn));

typedef struct TvmafMotionDSPContext {
    tvmaf_motion_fused_vert_fn fused_vert;
    tvmaf_motion_fused_horiz_sad_fn fused_horiz_sad;
    tvmaf_motion_blur_vert_fn blur_vert;
    tvmaf_motion_blur_horiz_fn blur_horiz;
    tvmaf_motion_sad_row_fn sad_row;
} TvmafMotionDSPContext;

/** Fills `c` with the C reference, then the best kernels `cpu_flags` allows. */
void tvmaf_motion_dsp_init(TvmafMotionDSPContext *c, unsigned cpu_flags);

/**
 * libvmaf 3.2.0's integer motion options (names, aliases, ranges and
 * defaults in tvmaf_motion_options). Fill with
 * tvmaf_option_defaults(tvmaf_motion_options, &o) first: a zeroed struct is
 * not the default.
 */
typedef struct TvmafMotionOptions {
    bool force_zero;        ///< motion_force_zero (force_0): every score is 0
    double blend_factor;    ///< motion_blend_factor (mbf), [0, 1], default 1 (motion3)
    double blend_offset;    ///< motion_blend_offset (mbo), [0, 1000], default 40 (motion3)
    double fps_weight;      ///< motion_fps_weight (mfw), [0, 5], default 1: SAD score factor
    double max_val;         ///< motion_max_val (mmxv), [0, 10000], default 10000: clip
    bool five_frame_window; ///< motion_five_frame_window (mffw): compare frame i with i-2
    bool moving_average;    ///< motion_moving_average (mma): motion3 averages two frames
} TvmafMotionOptions;

/** The option table (option.h); ends with a NULL name. */
extern const TvmafOption tvmaf_motion_options[];

enum TvmafMotionOutput {
    TVMAF_MOTION_OUT_SAD,     ///< per-frame score (compute)
    TVMAF_MOTION_OUT_MOTION2, ///< from tvmaf_motion_finish
    TVMAF_MOTION_OUT_MOTION3, ///< from tvmaf_motion_finish
    TVMAF_MOTION_OUT_COUNT,
};

/** libvmaf's provided-feature names ("VMAF_integer_feature_motion3_score")
 *  and printed key bases ("integer_motion3"; the SAD score prints as
 *  "VMAF_integer_feature_motion_sad_score", and as "integer_motion" in the
 *  classic pipeline), in enum TvmafMotionOutput order. Suffix with
 *  tvmaf_option_key(tvmaf_motion_options, ...). */
extern const char *const tvmaf_motion_feature_names[TVMAF_MOTION_OUT_COUNT];
extern const char *const tvmaf_motion_key_names[TVMAF_MOTION_OUT_COUNT];

/*
 * Temporal structure. Frames run in parallel and in any order, so the
 * per-frame part and the temporal part are split:
 *
 *  1. Per frame i (any worker, any order): tvmaf_motion_compute(m, prev, cur)
 *     with cur = reference frame i and prev = reference frame
 *     i - tvmaf_motion_lag(o), or prev = NULL when i < lag (the score is
 *     then 0; with force_zero the lag is 0, nothing is read and the score
 *     is 0). lag is 1, or 2 with five_frame_window. Only reference luma is
 *     read. The result is libvmaf's VMAF_integer_feature_motion_sad_score:
 *     min(SAD / 256 / (w * h) * fps_weight, max_val).
 *
 *  2. At flush, over the whole series sad[0..n-1]:
 *     tvmaf_motion_finish() writes motion2 and motion3 (libvmaf's flush):
 *     with lag L (1 or 2) and blend(x) = min(x * mbf + (1 - mbf) * min(mbo, x), max_val),
 *       motion2[i] = 0                                for i < L
 *                  = sad[i]                           for i = n-1 >= L
 *                  = min(sad[i-L+1], sad[i+1])        if i-L+1 >= L
 *                  = sad[i+1]                         otherwise;
 *       stamp      = n > L ? blend(sad[L]) : 0
 *       motion3[i] = stamp                            for i < L
 *                  = blend(motion2[i]), or with moving_average the mean of
 *                    it and the previous frame's value (stamp before L).
 */

/** Frames back that frame i's compute compares with: 0 (force_zero), 1, or 2
 *  (five_frame_window). */
int tvmaf_motion_lag(const TvmafMotionOptions *o);

typedef struct TvmafMotion TvmafMotion;

/** The fused pipeline (libvmaf 3.2). @return 0, -EINVAL (bad size/depth/options), -ENOMEM */
int tvmaf_motion_init(TvmafMotion **out, int w, int h, int bpc, const TvmafMotionOptions *o,
                      unsigned cpu_flags);

/** The classic pipeline (libvmaf 3.0/3.1, which had none of the options):
 *  default options, lag 1. @return 0, -EINVAL, -ENOMEM */
int tvmaf_motion_init_classic(TvmafMotion **out, int w, int h, int bpc, unsigned cpu_flags);

/** Per-frame score of `cur` (see above); prev may be NULL when the frame has
 *  no frame `lag` back (score 0). */
int tvmaf_motion_compute(TvmafMotion *m, const TvmafPlane *prev, const TvmafPlane *cur,
                         double *score);

void tvmaf_motion_free(TvmafMotion **m);

/**
 * Flush-time post-pass over the per-frame scores sad[0..n-1] (step 2 above).
 * motion2 and motion3 have n entries; either may be NULL. With default
 * options this is also libvmaf 3.0's motion2 (the classic pipeline).
 * @return 0, -EINVAL (NULL o or sad with n > 0)
 */
int tvmaf_motion_finish(const TvmafMotionOptions *o, const double *sad, unsigned n,
                        double *motion2, double *motion3);

/** Bytes tvmaf_motion_init() allocates for a picture w samples wide. */
size_t tvmaf_motion_scratch_size(int w);

#endif /* TVMAF_SRC_FEATURE_MOTION_H */
