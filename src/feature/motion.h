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

#include <stdint.h>

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

typedef struct TvmafMotion TvmafMotion;

/** @param classic 0 = fused (3.2), 1 = classic (3.0). @return 0, -EINVAL, -ENOMEM */
int tvmaf_motion_init(TvmafMotion **out, int w, int h, int bpc, int classic, unsigned cpu_flags);

/** Raw motion score between two consecutive reference frames. */
int tvmaf_motion_compute(TvmafMotion *m, const TvmafPlane *prev, const TvmafPlane *cur,
                         double *score);

void tvmaf_motion_free(TvmafMotion **m);

/** motion2[i] = min(motion[i], motion[i+1]) for 1 <= i <= n-2; motion2[0] = 0;
 *  motion2[n-1] = motion[n-1]. */
void tvmaf_motion2_from_motion(const double *motion, unsigned n, double *motion2);

#endif /* TVMAF_SRC_FEATURE_MOTION_H */
