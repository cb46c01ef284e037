/*
 * tinyvmaf — VMAF feature extraction.
 *
 * A context computes libvmaf's integer features (ADM, VIF, motion) for a
 * stream of reference/distorted picture pairs. Values are bit-identical to
 * libvmaf's C path (see docs/numerics.md); they never depend on the thread
 * count or on the CPU features used.
 *
 * Threading: one thread at a time drives a context (use one context per
 * thread that scores). The context runs its own worker threads; the logger
 * callback can be called from any of them.
 *
 * Typical use:
 *
 *     TvmafSettings s;
 *     tvmaf_default_settings(&s);
 *     TvmafContext *c;
 *     if (tvmaf_open(&c, &s) < 0) ...
 *     while (read ref, dis)  tvmaf_send_pictures(c, &ref, &dis);
 *     tvmaf_flush(c);
 *     tvmaf_feature_score_at_index(c, TVMAF_FEATURE_ADM2, i, &v);
 *     tvmaf_close(&c);
 */
#ifndef TVMAF_TINYVMAF_H
#define TVMAF_TINYVMAF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "tinyvmaf/common.h"
#include "tinyvmaf/picture.h"
#include "tinyvmaf/version.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct TvmafContext TvmafContext;

enum TvmafLogLevel {
    TVMAF_LOG_ERROR = 0,
    TVMAF_LOG_WARNING = 1,
    TVMAF_LOG_INFO = 2,
    TVMAF_LOG_DEBUG = 3,
};

/**
 * Log sink. `callback` receives one message per call, without a trailing
 * newline. A NULL callback silences the library.
 */
typedef struct TvmafLogger {
    void *cookie; ///< passed back unchanged (default NULL)
    void (*callback)(void *cookie, enum TvmafLogLevel level, const char *fmt, va_list ap);
    ///< default: prints "tinyvmaf: message" to stderr for ERROR and WARNING
} TvmafLogger;

/** Integer motion pipeline to reproduce. */
enum TvmafMotionCompat {
    TVMAF_MOTION_FUSED = 0,   ///< libvmaf >= 3.2.0: difference, then blur; reflect-101 borders
    TVMAF_MOTION_CLASSIC = 1, ///< libvmaf 3.0/3.1: blur each frame, then SAD; edge-repeat borders
};

/** CPU feature bits: libvmaf's values (libvmaf/src/x86/cpu.h), so a
 *  --cpumask means the same in both tools (bits to disable; 63 = plain C). */
#define TVMAF_CPU_FLAG_SSE2 (1u << 0)
#define TVMAF_CPU_FLAG_SSSE3 (1u << 1)
#define TVMAF_CPU_FLAG_SSE41 (1u << 2)
#define TVMAF_CPU_FLAG_AVX2 (1u << 3)
#define TVMAF_CPU_FLAG_AVX512 (1u << 4)
#define TVMAF_CPU_FLAG_AVX512ICL (1u << 5)

typedef struct TvmafSettings {
    int n_threads;              ///< worker threads; 0 = one per logical core (default 0)
    unsigned cpu_mask;          ///< TVMAF_CPU_FLAG_* bits to disable (default 0)
    enum TvmafMotionCompat motion_compat; ///< default TVMAF_MOTION_FUSED
    unsigned subsample;         ///< compute ADM/VIF on frames i % subsample == 0 only;
                                ///< motion always runs on every frame (default 1)
    double adm_enhn_gain_limit; ///< ADM enhancement gain limit, [1, 100] (default 100)
    double vif_enhn_gain_limit; ///< VIF enhancement gain limit, [1, 100] (default 100)
    TvmafLogger logger;         ///< default: ERROR and WARNING to stderr
    unsigned memory_limit_mib;  ///< memory budget in MiB (2^20 bytes) for the worker
                                ///< scratch and the pictures in flight; 0 = half of the
                                ///< physical memory (default 0). See "Memory budget".
    int no_fixed_features;      ///< 1: compute only the instances asked for with
                                ///< tvmaf_use_feature(), not the enum TvmafFeature set
                                ///< (default 0)
    uint8_t reserved[24];       ///< must stay zero
} TvmafSettings;

/*
 * Memory budget. At the first picture a context sizes what it will hold:
 *
 *     need(n) = n * (S + 2 * P) + 2 * P
 *
 * for n worker threads, where S is one worker's scratch for the picture
 * size: the fixed features' (about 1.5 bytes per luma pixel) plus that of
 * each extractor instance asked for with tvmaf_use_feature() (those whose
 * kind states its size), and P the bytes of one reference + distorted pair
 * as sent (every plane, stride x height). A frame is scored as one or two
 * jobs (VIF, and the rest), which any workers may run; n jobs run and at
 * most n wait, so at most 2n frames are in flight, and two more pairs cover
 * the previous reference and the pair being read: 2n + 2 pairs. When
 * need(n_threads) exceeds the limit, the context runs the largest n that
 * fits and logs one WARNING saying from how many threads to how many and
 * why; when need(1) exceeds it, tvmaf_send_pictures() fails with
 * TVMAF_ERR(ENOMEM) and an ERROR naming the size one thread needs. Not
 * counted: the per-frame results (8 bytes per output and frame), thread
 * stacks, models, and what the caller holds besides the pair it is sending
 * (a TvmafScorer takes that off the limit, see
 * tvmaf_scorer_reserve_memory()). Scores never depend on the thread
 * count, so a reduced count changes speed, never results.
 */

/** Fills `s` with the defaults documented on each field. NULL-safe. */
TVMAF_API void tvmaf_default_settings(TvmafSettings *s);

/**
 * Creates a context.
 * @param c_out receives the context; set to NULL on failure
 * @param s     settings (copied); NULL means the defaults
 * @return 0, TVMAF_ERR(EINVAL) for an out-of-range setting or a non-zero
 *         reserved byte, TVMAF_ERR(ENOMEM). The caller owns the context
 *         and frees it with tvmaf_close().
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_open(TvmafContext **c_out, const TvmafSettings *s);

/** Frees a context and everything it holds; sets *c to NULL. NULL-safe. */
TVMAF_API void tvmaf_close(TvmafContext **c);

/**
 * Queues one reference/distorted pair as the next frame. The first pair
 * fixes the geometry: every later pair must match its size, layout and
 * depth, and `ref` and `dis` must match each other. The smallest accepted
 * picture is TVMAF_PICTURE_MIN_DIM (33) in each dimension (picture.h).
 *
 * Ownership: on success the context takes over the caller's reference to
 * both pictures and clears them; on failure the caller keeps them.
 * May block while all workers are busy (memory stays bounded by the thread
 * count, never by the clip length).
 *
 * @return 0, TVMAF_ERR(EINVAL) for a mismatch, an empty picture or a call
 *         after tvmaf_flush(), TVMAF_ERR(ENOTSUP) for a picture under the
 *         minimum size, TVMAF_ERR(ENOMEM).
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_send_pictures(TvmafContext *c, TvmafPicture *ref,
                                                    TvmafPicture *dis);

/**
 * Ends the stream: waits for every queued frame and finalises the values
 * that need the next frame (motion2). After it, no more pictures are
 * accepted and every score can be read.
 * @return 0, or the first error a worker met (also logged).
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_flush(TvmafContext *c);

/** The per-frame features a context computes. */
enum TvmafFeature {
    TVMAF_FEATURE_ADM2 = 0,
    TVMAF_FEATURE_ADM_SCALE0,
    TVMAF_FEATURE_ADM_SCALE1,
    TVMAF_FEATURE_ADM_SCALE2,
    TVMAF_FEATURE_ADM_SCALE3,
    TVMAF_FEATURE_MOTION2,
    TVMAF_FEATURE_MOTION,       ///< raw motion score (before the min with the next frame)
    TVMAF_FEATURE_VIF_SCALE0,
    TVMAF_FEATURE_VIF_SCALE1,
    TVMAF_FEATURE_VIF_SCALE2,
    TVMAF_FEATURE_VIF_SCALE3,
    TVMAF_FEATURE_COUNT
};

/**
 * libvmaf's output key of a feature ("integer_adm2", "integer_vif_scale0",
 * ...). TVMAF_FEATURE_MOTION is "VMAF_integer_feature_motion_sad_score"
 * (libvmaf 3.2) — see tvmaf_feature_key() for the per-context spelling.
 * @return static string, or NULL for an unknown value.
 */
TVMAF_API const char *tvmaf_feature_name(enum TvmafFeature f);

/**
 * The key a context prints for a feature: libvmaf's name, plus the option
 * suffix libvmaf adds for a non-default gain limit ("integer_adm2_egl_1"),
 * and "integer_motion" for the raw motion in TVMAF_MOTION_CLASSIC mode.
 * @return 0, TVMAF_ERR(EINVAL) for a bad argument or a buffer too small.
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_feature_key(const TvmafContext *c, enum TvmafFeature f,
                                                  char *buf, size_t size);

/**
 * Number of frames sent so far.
 */
TVMAF_API unsigned tvmaf_frame_count(const TvmafContext *c);

/**
 * Reads one per-frame value after tvmaf_flush().
 * @return 0, TVMAF_ERR(EINVAL) for a bad argument, TVMAF_ERR(EAGAIN) before
 *         the flush, TVMAF_ERR(ENOENT) for a frame out of range or skipped by
 *         `subsample`, or for a context opened with `no_fixed_features`.
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_feature_score_at_index(const TvmafContext *c,
                                                             enum TvmafFeature f, unsigned index,
                                                             double *out);

/** Pooling methods. MEDIAN and the percentiles are tinyvmaf's own. */
enum TvmafPoolMethod {
    TVMAF_POOL_MIN = 0,
    TVMAF_POOL_MAX,
    TVMAF_POOL_MEAN,
    TVMAF_POOL_HARMONIC_MEAN, ///< libvmaf's: n / sum(1/(x+1)) - 1
    TVMAF_POOL_MEDIAN,        ///< linear interpolation between order statistics
    TVMAF_POOL_P5,            ///< 5th percentile, same interpolation
    TVMAF_POOL_P10,           ///< 10th percentile, same interpolation
    TVMAF_POOL_COUNT
};

/** Short name of a pooling method ("min", "harmonic_mean", "percentile_5"...); NULL if unknown. */
TVMAF_API const char *tvmaf_pool_name(enum TvmafPoolMethod m);

/**
 * Pools `n` values, taking indices i with i % subsample == 0 (libvmaf's
 * rule), in double precision and libvmaf's summation order.
 * @return 0, TVMAF_ERR(EINVAL) for a bad argument or no value selected,
 *         TVMAF_ERR(ENOMEM) (percentiles sort a copy).
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_pool(const double *v, unsigned n, unsigned subsample,
                                           enum TvmafPoolMethod m, double *out);

/**
 * Pools one feature of a flushed context over its frames.
 * @return as tvmaf_feature_score_at_index() and tvmaf_pool().
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_feature_score_pooled(const TvmafContext *c,
                                                           enum TvmafFeature f,
                                                           enum TvmafPoolMethod m, double *out);

/*
 * Extractor instances. Besides the fixed set above, a context runs any
 * number of extractor instances, each a libvmaf extractor with its options:
 *
 *   - "adm"           integer ADM (adm_enhn_gain_limit, adm_norm_view_dist,
 *                     adm_ref_display_height, ...)
 *   - "vif"           integer VIF (vif_enhn_gain_limit)
 *   - "motion"        integer motion (motion_max_val, motion_five_frame_window, ...)
 *   - "cambi"         CAMBI banding (cambi_max_val, enc_width, ...)
 *   - "speed_chroma"  SpEED chroma (speed_max_val, speed_prescale, ...)
 *
 * with libvmaf's option names (those of its model files' feature_opts_dicts
 * and of `--feature`). Each instance produces its outputs under libvmaf's
 * printed keys: the output name plus the suffix of the options that differ
 * from their defaults ("integer_adm3_csf_2_dlmw_0.7_egl_1_min_0.5_nw_0.02",
 * "cambi_hrs_1080_cmxv_17_vlt_0.06"). Outputs are numbered in the order the
 * instances were asked for, each instance's outputs in libvmaf's order.
 * Values never depend on the thread count; extractors that need earlier
 * frames (motion) or the whole series (motion2, motion3, the five-frame
 * window) are completed by tvmaf_flush(). Chroma extractors get all planes
 * and refuse 4:0:0 input at the first picture.
 */

/** Most outputs (over all instances) one context holds. */
#define TVMAF_MAX_OUTPUTS 64

/**
 * Asks the context for an extractor instance, before the first picture.
 * An instance with the same extractor and the same option values is reused.
 *
 * @param extractor    libvmaf's extractor name (list above)
 * @param options      "name=value:name=value", NULL or "" for the defaults
 * @param first_output receives the index of the instance's first output
 *                     (its others follow); may be NULL
 * @return 0; TVMAF_ERR(ENOENT) unknown extractor or option;
 *         TVMAF_ERR(EINVAL) bad value, a call after the first picture, or
 *         an instance whose keys another instance already prints;
 *         TVMAF_ERR(ENOTSUP) more than TVMAF_MAX_OUTPUTS outputs;
 *         TVMAF_ERR(ENOMEM). Each failure logs one line.
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_use_feature(TvmafContext *c, const char *extractor,
                                                  const char *options, unsigned *first_output);

/** Number of outputs of the instances asked for (0 with none). */
TVMAF_API unsigned tvmaf_output_count(const TvmafContext *c);

/** Printed key of output `i` (valid while the context lives), or NULL. */
TVMAF_API const char *tvmaf_output_key(const TvmafContext *c, unsigned i);

/**
 * Index of the output printed as `key`.
 * @return 0, TVMAF_ERR(ENOENT) no such output, TVMAF_ERR(EINVAL).
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_output_find(const TvmafContext *c, const char *key,
                                                  unsigned *i);

/**
 * Reads output `i` of frame `index` after tvmaf_flush().
 * @return as tvmaf_feature_score_at_index() (ENOENT also for a bad `i`).
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_output_score_at_index(const TvmafContext *c, unsigned i,
                                                            unsigned index, double *out);

/**
 * Pools output `i` over the frames of a flushed context.
 * @return as tvmaf_feature_score_pooled().
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_output_score_pooled(const TvmafContext *c, unsigned i,
                                                          enum TvmafPoolMethod m, double *out);

#ifdef __cplusplus
}
#endif

#endif /* TVMAF_TINYVMAF_H */
