/*
 * Integer VIF (libvmaf integer_vif.c, C path): four scales of Gaussian
 * filtering, decimation and the log-domain information statistic.
 *
 * Numerics contract: every per-scale score is bit-identical to libvmaf's C
 * path (docs/algorithms.md, section 2). Integer kernels of every
 * ISA must equal the C reference bit for bit (checked by tests/checksimd).
 */
#ifndef TVMAF_SRC_FEATURE_VIF_H
#define TVMAF_SRC_FEATURE_VIF_H

#include "feature/plane.h"

#define TVMAF_VIF_SCALES 4

typedef struct TvmafVifOptions {
    double enhn_gain_limit; ///< libvmaf vif_enhn_gain_limit, [1, 100], default 100
} TvmafVifOptions;

/** Per-worker state: scratch buffers sized for one geometry. */
typedef struct TvmafVif TvmafVif;

/**
 * @param cpu_flags TVMAF_CPU_FLAG_* bits usable (after the context's mask)
 * @return 0, -EINVAL (bad size/depth/options), -ENOMEM
 */
int tvmaf_vif_init(TvmafVif **out, int w, int h, int bpc, const TvmafVifOptions *opt,
                   unsigned cpu_flags);

/** Scores one frame pair (luma planes of the geometry given to init). */
int tvmaf_vif_compute(TvmafVif *v, const TvmafPlane *ref, const TvmafPlane *dis,
                      double score[TVMAF_VIF_SCALES]);

void tvmaf_vif_free(TvmafVif **v);

/** Bytes tvmaf_vif_init() allocates for a w x h geometry (SIZE_MAX on overflow). */
size_t tvmaf_vif_scratch_size(int w, int h);


/* ---- Private: DSP table and constants shared by the C and SIMD kernels ---- */

#define TVMAF_VIF_FILTER_MAX 17

/** Q16 Gaussian taps per scale (algorithms.md 2.1); each row sums to 65536, unused taps 0. */
extern const uint16_t tvmaf_vif_filter[TVMAF_VIF_SCALES][TVMAF_VIF_FILTER_MAX];
extern const int tvmaf_vif_filter_width[TVMAF_VIF_SCALES];

/** Q11 log2 of 32767..65535 (algorithms.md 2.6):
 * tvmaf_vif_log2_table[i - TVMAF_VIF_LOG2_TABLE_BASE]. */
#define TVMAF_VIF_LOG2_TABLE_BASE 32767
#define TVMAF_VIF_LOG2_TABLE_SIZE (65536 - TVMAF_VIF_LOG2_TABLE_BASE)
extern const uint16_t tvmaf_vif_log2_table[TVMAF_VIF_LOG2_TABLE_SIZE];

/**
 * Vertical moments of one row. mu1/mu2 hold the vertically filtered samples
 * in Q8 8-bit units, xx/yy/xy the filtered products in Q16. Each row has
 * TVMAF_VIF_PAD writable elements before index 0 and after index w-1, so the
 * caller can mirror the borders in place.
 */
typedef struct TvmafVifMomRow {
    uint16_t *mu1, *mu2;
    uint32_t *xx, *yy, *xy;
} TvmafVifMomRow;

/** Horizontally filtered moments of one row: mu in Q24, xx/yy/xy in Q16. */
typedef struct TvmafVifFiltRow {
    uint32_t *mu1, *mu2;
    uint32_t *xx, *yy, *xy;
} TvmafVifFiltRow;

/** Per-scale sums of algorithms.md 2.6; int64, so any summation order gives the same. */
typedef struct TvmafVifAccum {
    int64_t num_log, den_log, num_non_log, den_non_log;
} TvmafVifAccum;

#define TVMAF_VIF_PAD 8

/*
 * SIMD kernels work in whole vectors. Every buffer a kernel reads or writes
 * (moment rows, filtered rows, down-sampling rows, scale images) has
 * TVMAF_VIF_SLACK writable elements past its last element (w-1+TVMAF_VIF_PAD
 * for padded rows, w-1 otherwise). Kernels may leave anything there; outputs
 * are defined for columns 0..w-1 only. Source rows at scale 0 are picture
 * rows, which may be over-read by 64 bytes (picture.h).
 */
#define TVMAF_VIF_SLACK 64

/*
 * Vertical filter of `scale` (fw = tvmaf_vif_filter_width[scale] taps) for
 * nrows (1 or 2) consecutive output rows: out[n] from the row lists
 * ref[n..n+fw-1], dis[n..n+fw-1], whose border rows the caller has already
 * mirrored, for columns 0..w-1. Rows are uint8_t (the _8 entries) or
 * uint16_t (the _16 ones) and hold values below 2^sh_mu. sh_mu rounds the
 * mean back to Q8 8-bit units, sh_sq the products to Q16; a shift of 0 means
 * no rounding. Two rows per call let SIMD share loads and products.
 */
#define decl_vif_vfilt_mom_fn(name)                                                       \
    void(name)(const TvmafVifMomRow *out, const void *const *ref, const void *const *dis,  \
               int w, int nrows, int scale, int sh_mu, int sh_sq)
typedef decl_vif_vfilt_mom_fn(*tvmaf_vif_vfilt_mom_fn);

/* Horizontal filter of `scale` over a padded TvmafVifMomRow, for columns 0..w-1. */
#define decl_vif_hfilt_mom_fn(name)                                                       \
    void(name)(const TvmafVifFiltRow *out, const TvmafVifMomRow *in, int w, int scale)
typedef decl_vif_hfilt_mom_fn(*tvmaf_vif_hfilt_mom_fn);

/* The per-pixel VIF statistic (algorithms.md 2.5, 2.6) of columns 0..w-1, added to *acc. */
#define decl_vif_stat_fn(name)                                                            \
    void(name)(TvmafVifAccum *acc, const TvmafVifFiltRow *in, int w, double enhn_gain_limit)
typedef decl_vif_stat_fn(*tvmaf_vif_stat_fn);

/*
 * Vertical part of the down-sampling (algorithms.md 2.4) with the filter of `scale` (the
 * target scale): t = uint16(R(sum, sh)) into ref_out/dis_out[0..w-1]. Rows
 * hold values below 2^sh (the input depth, or Q8 with sh = 16).
 */
#define decl_vif_vfilt_sub_fn(name)                                                       \
    void(name)(uint16_t *ref_out, uint16_t *dis_out, const void *const *ref,              \
               const void *const *dis, int w, int scale, int sh)
typedef decl_vif_vfilt_sub_fn(*tvmaf_vif_vfilt_sub_fn);

/*
 * Horizontal part of the down-sampling, kept at even columns only:
 * out[j] = uint16(R(sum around in[2j], 16)) for j < w_out; `in` is padded.
 */
#define decl_vif_hfilt_dec_fn(name)                                                       \
    void(name)(uint16_t *ref_out, uint16_t *dis_out, const uint16_t *ref_in,              \
               const uint16_t *dis_in, int w_out, int scale)
typedef decl_vif_hfilt_dec_fn(*tvmaf_vif_hfilt_dec_fn);

typedef struct TvmafVifDSPContext {
    tvmaf_vif_vfilt_mom_fn vfilt_mom[2]; ///< [0]: uint8_t rows, [1]: uint16_t rows
    tvmaf_vif_hfilt_mom_fn hfilt_mom;
    tvmaf_vif_stat_fn stat;
    tvmaf_vif_vfilt_sub_fn vfilt_sub[2]; ///< [0]: uint8_t rows, [1]: uint16_t rows
    tvmaf_vif_hfilt_dec_fn hfilt_dec;
} TvmafVifDSPContext;

/** Fills c with the C kernels, then upgrades entries allowed by cpu_flags. */
void tvmaf_vif_dsp_init(TvmafVifDSPContext *c, unsigned cpu_flags);

#endif /* TVMAF_SRC_FEATURE_VIF_H */
