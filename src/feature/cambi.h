/*
 * CAMBI, the banding detector of libvmaf (cambi.c, C path): a no-reference
 * measure of contouring (false edges in smooth gradients). docs/algorithms.md,
 * section "CAMBI".
 *
 * Pipeline per frame: luma resampled (nearest neighbour) to the encode
 * resolution and converted to 10 bits, anti-dithering 2x2 average when the
 * encode bit depth is below 10; a spatial mask of flat 7x7 areas; then five
 * scales (each a 2x decimation of the previous one, the first one already
 * decimated on the high-res speed-up path) of a 3x3 mode filter, per-pixel
 * contrast values from windowed histograms of luma levels, and top-k pooling.
 * The score is the scale-weighted sum, clipped at cambi_max_val.
 *
 * Numerics contract: everything up to the per-pixel contrast values is
 * integer and bit-identical to libvmaf; a contrast value is one float
 * product (weight * p0 * p1 as float, times the float reciprocal of
 * p0 + p1), the pooled mean is a double sum in libvmaf's quick-select order.
 * Scores equal libvmaf's C and AVX2 paths bit for bit on every ISA here.
 *
 * State is per worker: a compute call uses only its arguments (no previous
 * frame), so frames may run on any instance in any order.
 */
#ifndef TVMAF_SRC_FEATURE_CAMBI_H
#define TVMAF_SRC_FEATURE_CAMBI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feature/option.h"
#include "feature/plane.h"

enum TvmafCambiEotf {
    TVMAF_CAMBI_EOTF_BT1886 = 0, ///< "bt1886" (default)
    TVMAF_CAMBI_EOTF_PQ = 1,     ///< "pq"
};

/** libvmaf's cambi options, under libvmaf's names (heatmaps_path left out). */
typedef struct TvmafCambiOptions {
    double cambi_max_val;           ///< clip of the score, [0, 1000], default 1000 (cmxv)
    int enc_width, enc_height;      ///< encode size, default 0 = input size (encw, ench)
    int enc_bitdepth;               ///< encode bit depth [6, 16], default 0 = input (encbd)
    int src_width, src_height;      ///< source size for full_ref, default 0 = input (srcw, srch)
    int window_size;                ///< [15, 127] at 4K, default 65 (ws)
    double topk;                    ///< pooled fraction (0, 1], default 0.6 (topk)
    double cambi_topk;              ///< same; topk wins when not at its default (ctpk)
    double tvi_threshold;           ///< visibility threshold, default 0.019 (tvit)
    double cambi_vis_lum_threshold; ///< luminance (cd/m2) below which banding is invisible (vlt)
    int max_log_contrast;           ///< [0, 5], default 2 (mlc)
    int eotf;                       ///< enum TvmafCambiEotf (eotf)
    int cambi_eotf;                 ///< same; wins when not at its default (ceot)
    bool full_ref;                  ///< also score the reference; not part of the key
    int cambi_high_res_speedup;     ///< 0, 1080, 1440 or 2160 (others = off), default 0 (hrs)
} TvmafCambiOptions;

/** The option table (option.h): defaults, parsing, key suffix. */
extern const TvmafOption tvmaf_cambi_options[];

/* Outputs, in the order compute writes them. */
enum {
    TVMAF_CAMBI_SCORE = 0,          ///< the distorted frame's CAMBI
    TVMAF_CAMBI_SOURCE = 1,         ///< full_ref only: the reference's CAMBI
    TVMAF_CAMBI_FULL_REFERENCE = 2, ///< full_ref only: max(0, score - source), clipped
    TVMAF_CAMBI_OUTPUTS = 3,
};

/**
 * Printed base names, indexed as above. libvmaf prints the first one with the
 * option suffix (tvmaf_option_key(tvmaf_cambi_options, opts, name, ...):
 * "cambi_hrs_1080_cmxv_17_vlt_0.06") and the other two bare, whatever the
 * options.
 */
extern const char *const tvmaf_cambi_output_names[TVMAF_CAMBI_OUTPUTS];

/** Number of outputs compute writes: 1, or 3 with full_ref. */
int tvmaf_cambi_output_count(const TvmafCambiOptions *o);

typedef struct TvmafCambi TvmafCambi;

/**
 * @param w, h, bpc luma plane of the input (bpc 8, 10, 12 or 16)
 * @param o options (NULL: defaults)
 * @return 0; -EINVAL for sizes or options libvmaf refuses (encode or source
 *         size below 216x216, source and encode sizes scaled in opposite
 *         directions, a window too large for the encode size, values out of
 *         range); -ENOMEM
 */
int tvmaf_cambi_init(TvmafCambi **out, int w, int h, int bpc, const TvmafCambiOptions *o,
                     unsigned cpu_flags);

/** Bytes tvmaf_cambi_init() allocates for these arguments (0 where it refuses them). */
size_t tvmaf_cambi_scratch_size(int w, int h, int bpc, const TvmafCambiOptions *o);

/**
 * Scores one frame.
 * @param ref reference luma; only read (and required) with full_ref
 * @param dis distorted luma
 * @param score TVMAF_CAMBI_OUTPUTS values; entries 1 and 2 are written with
 *        full_ref only
 * @return 0; -EINVAL for a NULL or mis-sized plane, or samples above the
 *         bit depth's maximum (as libvmaf refuses them)
 */
int tvmaf_cambi_compute(TvmafCambi *c, const TvmafPlane *ref, const TvmafPlane *dis,
                        double score[TVMAF_CAMBI_OUTPUTS]);

void tvmaf_cambi_free(TvmafCambi **c);


/* ---- Private: DSP table shared by the C and SIMD kernels ---- */

#define TVMAF_CAMBI_MAX_DIFFS 32   /* 1 << max_log_contrast */
#define TVMAF_CAMBI_RECIP_SIZE 4226 /* window^2 + 1 for the largest window (65) */

/* What the contrast values of one frame depend on, fixed at init. Levels
 * are 10-bit; tvi[] is shifted up by num_diffs, as libvmaf compares it. */
typedef struct TvmafCambiParams {
    int num_diffs;
    uint16_t tvi[TVMAF_CAMBI_MAX_DIFFS]; ///< last visible level per step d+1, + num_diffs
    int weight[TVMAF_CAMBI_MAX_DIFFS];   ///< contrast weight per step
    uint16_t vlt_luma;                   ///< levels up to this are invisible
    uint16_t band_base, band_size;       ///< histogram rows: levels base..base+size-1
    const float *recip;                  ///< [TVMAF_CAMBI_RECIP_SIZE], libvmaf's 1/n table
} TvmafCambiParams;

/*
 * Kernels work on 16-bit rows of 10-bit levels. SIMD kernels may read and
 * write whole vectors: every row buffer has TVMAF_CAMBI_SLACK spare
 * elements past its last column (histogram rows: past the last row).
 */
#define TVMAF_CAMBI_SLACK 64

/** out[j] = cur[j] equals cur[j+1] (true at the last column) and next[j]
 *  (true when next is NULL, the last row). */
#define decl_cambi_derivative_row_fn(name) \
    void name(const uint16_t *cur, const uint16_t *next, uint16_t *out, int w)
typedef decl_cambi_derivative_row_fn((*tvmaf_cambi_derivative_row_fn));

/** out[j] = sum(colsum[j..j+6]) > threshold (colsum is zero-padded by 3;
 *  column sums are at most 7, the threshold below 32768). */
#define decl_cambi_mask_row_fn(name) \
    void name(const uint16_t *colsum, uint16_t *out, int w, unsigned threshold)
typedef decl_cambi_mask_row_fn((*tvmaf_cambi_mask_row_fn));

/** dst[j] = src[2j]; dst may be src (in place). */
#define decl_cambi_decimate_row_fn(name) void name(const uint16_t *src, uint16_t *dst, int w)
typedef decl_cambi_decimate_row_fn((*tvmaf_cambi_decimate_row_fn));

/** Horizontal 3-tap mode (first and last column copied). */
#define decl_cambi_mode_h_row_fn(name) void name(const uint16_t *src, uint16_t *dst, int w)
typedef decl_cambi_mode_h_row_fn((*tvmaf_cambi_mode_h_row_fn));

/** Vertical 3-tap mode of three rows. */
#define decl_cambi_mode_v_row_fn(name) \
    void name(const uint16_t *a, const uint16_t *b, const uint16_t *c, uint16_t *dst, int w)
typedef decl_cambi_mode_v_row_fn((*tvmaf_cambi_mode_v_row_fn));

/** Slides the windowed histograms (rows of w counts per level) by one picture
 *  row: for columns 0..ncols-1, a masked in-band sample of the sub row
 *  decrements, one of the add row increments, columns j-pad..j+pad (clipped
 *  to 0..w-1) of its level's row. sub or add may be NULL. */
#define decl_cambi_hist_update_fn(name)                                                  \
    void name(uint16_t *hist, int w, const uint16_t *sub_img, const uint16_t *sub_mask,  \
              const uint16_t *add_img, const uint16_t *add_mask, int ncols, int pad,     \
              const TvmafCambiParams *par)
typedef decl_cambi_hist_update_fn((*tvmaf_cambi_hist_update_fn));

/** Contrast value of every pixel of one row (0 where unmasked or out of band). */
#define decl_cambi_c_values_row_fn(name)                                                \
    void name(float *out, const uint16_t *hist, int w, const uint16_t *img,             \
              const uint16_t *mask, const TvmafCambiParams *par)
typedef decl_cambi_c_values_row_fn((*tvmaf_cambi_c_values_row_fn));

/** Pooling pre-pass: the number of non-zero values, and their sum in *sum;
 *  -1 when a non-zero value lies outside [0.5, 16384). The sum is exact (so
 *  independent of the order) while below TVMAF_CAMBI_EXACT_SUM. */
#define TVMAF_CAMBI_EXACT_SUM 536870912.0 /* 2^29: 2^53 units of 2^-24 */
#define decl_cambi_pool_sum_fn(name) int name(const float *v, int n, double *sum)
typedef decl_cambi_pool_sum_fn((*tvmaf_cambi_pool_sum_fn));

typedef struct TvmafCambiDSPContext {
    tvmaf_cambi_derivative_row_fn derivative_row;
    tvmaf_cambi_mask_row_fn mask_row;
    tvmaf_cambi_decimate_row_fn decimate_row;
    tvmaf_cambi_mode_h_row_fn mode_h_row;
    tvmaf_cambi_mode_v_row_fn mode_v_row;
    tvmaf_cambi_hist_update_fn hist_update;
    tvmaf_cambi_c_values_row_fn c_values_row;
    tvmaf_cambi_pool_sum_fn pool_sum;
} TvmafCambiDSPContext;

/** Fills `c` with the C reference, then the best kernels `cpu_flags` allows. */
void tvmaf_cambi_dsp_init(TvmafCambiDSPContext *c, unsigned cpu_flags);

/* Per-element steps shared by the C kernels and the SIMD kernels' tails. */

/** The value two of a, b, c share, else the smallest (3-tap mode). */
static inline uint16_t tvmaf_cambi_mode3(const uint16_t a, const uint16_t b, const uint16_t c)
{
    if (a == b || a == c)
        return a;
    if (b == c)
        return b;
    const uint16_t m = a < b ? a : b;
    return m < c ? m : c;
}

/** 1 when the 7 column sums from colsum[0] exceed the threshold. */
static inline uint16_t tvmaf_cambi_mask7(const uint16_t *const colsum, const unsigned threshold)
{
    const unsigned s = (unsigned)colsum[0] + colsum[1] + colsum[2] + colsum[3] + colsum[4] +
                       colsum[5] + colsum[6];
    return s > threshold;
}

/** Contrast value of column j (level v, mask m) from the histograms (algorithms.md 10.2). */
static inline float tvmaf_cambi_c_value(const uint16_t *const hist, const int w, const int j,
                                        const uint16_t v, const uint16_t m,
                                        const TvmafCambiParams *const par)
{
    const int n = par->num_diffs;
    const int value = v + n; /* libvmaf compares in this shifted space */
    const int cv = v - par->band_base;
    if (!m || (unsigned)cv >= par->band_size)
        return 0.0f;
    const uint16_t p0 = hist[(size_t)cv * w + j];
    float best = 0.0f;
    for (int d = 0; d < n; d++) {
        if (value > par->tvi[d] || value + d + 1 <= par->vlt_luma)
            continue;
        const uint16_t p1 = hist[(size_t)(cv + d + 1) * w + j];
        const uint16_t p2 = cv - d - 1 >= 0 ? hist[(size_t)(cv - d - 1) * w + j] : 0;
        const uint16_t pm = p1 > p2 ? p1 : p2;
        const float x = (float)(par->weight[d] * p0 * pm) * par->recip[pm + p0];
        if (x > best)
            best = x;
    }
    return best;
}

/** Pooling pre-pass over v[0..n-1], continuing *sum and *nonzero; returns
 *  -1 at a non-zero value outside [0.5, 16384), else 0. */
static inline int tvmaf_cambi_pool_add(const float *const v, const int n, double *const sum,
                                       int *const nonzero)
{
    for (int i = 0; i < n; i++) {
        const float x = v[i];
        if (x == 0.0f)
            continue;
        if (!(x >= 0.5f && x < 16384.0f))
            return -1;
        *sum += x;
        ++*nonzero;
    }
    return 0;
}

#endif /* TVMAF_SRC_FEATURE_CAMBI_H */
