/*
 * Integer ADM (libvmaf 3.2.0 integer_adm.c, C path): four scales of db2 DWT,
 * decoupling, CSF weighting (Watson, Barten or the Barten/Watson blends),
 * contrast masking and Minkowski pooling; the DLM score adm2, the additive
 * impairment measure aim (a second masking pass with restored signal and
 * impairment swapped) and their mix adm3.
 *
 * Numerics contract: every output is bit-identical to libvmaf's C path for
 * every option value it accepts (docs/algorithms.md, section 3). Integer
 * kernels of every ISA must equal the C reference bit for bit
 * (tests/checksimd). An instance depends on its options and frame size only:
 * frames may be scored in any order, by any number of instances.
 */
#ifndef TVMAF_SRC_FEATURE_ADM_H
#define TVMAF_SRC_FEATURE_ADM_H

#include <stdbool.h>

#include "feature/option.h"
#include "feature/plane.h"

#define TVMAF_ADM_SCALES 4

/** adm_csf_mode: the contrast sensitivity function weighting each band. */
enum TvmafAdmCsfMode {
    TVMAF_ADM_CSF_WATSON97 = 0,              ///< Watson 1997 wavelet thresholds (default)
    TVMAF_ADM_CSF_BARTEN = 1,                ///< Barten's CSF
    TVMAF_ADM_CSF_BARTEN_WATSON_BLEND = 2,   ///< Barten/Watson blend (the VMAF v1 models)
    TVMAF_ADM_CSF_BARTEN_WATSON_BLEND_MAE = 3, ///< blend, mean-absolute-error fitted
};

/**
 * libvmaf 3.2.0's integer ADM options (names, aliases, ranges and defaults in
 * tvmaf_adm_options). Fill with tvmaf_option_defaults(tvmaf_adm_options, &o)
 * before changing any field: a zeroed struct is not the default.
 */
typedef struct TvmafAdmOptions {
    double csf_scale;       ///< adm_csf_scale (scf), [0, 50], default 1: h/v CSF terms
    double csf_diag_scale;  ///< adm_csf_diag_scale (scfd), [0, 50], default 1: diagonal term
    double dlm_weight;      ///< adm_dlm_weight (dlmw), [0, 1], default 0.5: adm3 = DLM/AIM mix
    double enhn_gain_limit; ///< adm_enhn_gain_limit (egl), [1, 100], default 100
    double norm_view_dist;  ///< adm_norm_view_dist (nvd), [0.75, 24], default 3.0
    int ref_display_height; ///< adm_ref_display_height (rdh), [1, 4320], default 1080
    int csf_mode;           ///< adm_csf_mode (csf), enum TvmafAdmCsfMode, default 0
    double noise_weight;    ///< adm_noise_weight (nw), [0, 1500], default 0.03125
    bool skip_aim;          ///< adm_skip_aim (not in the key): aim is 0, adm3 uses aim = 0
    bool skip_scale0;       ///< adm_skip_scale0 (ssz): scale 0 contributes nothing
    double min_val;         ///< adm_min_val (min), [0, 1], default 0: floor of adm3
} TvmafAdmOptions;

/** The option table (option.h); ends with a NULL name. */
extern const TvmafOption tvmaf_adm_options[];

/** One frame's outputs. */
typedef struct TvmafAdmScores {
    double adm2;                     ///< DLM: num / den over the four scales (1 when den is 0)
    double aim;                      ///< additive impairment: aim_num / den (0 when den is 0 or skip_aim)
    double adm3;                     ///< max(adm2 * dlmw + (1 - aim) * (1 - dlmw), min_val)
    double scale[TVMAF_ADM_SCALES];  ///< num_s / den_s per scale
} TvmafAdmScores;

enum TvmafAdmOutput {
    TVMAF_ADM_OUT_ADM2,
    TVMAF_ADM_OUT_AIM,
    TVMAF_ADM_OUT_ADM3,
    TVMAF_ADM_OUT_SCALE0, ///< scale s is TVMAF_ADM_OUT_SCALE0 + s
    TVMAF_ADM_OUT_COUNT = TVMAF_ADM_OUT_SCALE0 + TVMAF_ADM_SCALES,
};

/** libvmaf's names for each output, in enum TvmafAdmOutput order: the
 *  provided-feature name a model lists ("VMAF_integer_feature_adm3_score")
 *  and the base of the printed key ("integer_adm3", to be suffixed by
 *  tvmaf_option_key() with tvmaf_adm_options). */
extern const char *const tvmaf_adm_feature_names[TVMAF_ADM_OUT_COUNT];
extern const char *const tvmaf_adm_key_names[TVMAF_ADM_OUT_COUNT];

/** Copies the scores into out[TVMAF_ADM_OUT_COUNT] in enum TvmafAdmOutput order. */
void tvmaf_adm_scores_array(const TvmafAdmScores *s, double out[TVMAF_ADM_OUT_COUNT]);

typedef struct TvmafAdm TvmafAdm;

/**
 * @return 0, -EINVAL (bad size/depth/options, including nvd * rdh < 3 * 1080,
 *         which libvmaf refuses too), -ENOMEM
 */
int tvmaf_adm_init(TvmafAdm **out, int w, int h, int bpc, const TvmafAdmOptions *opt,
                   unsigned cpu_flags);

/** Scores one frame pair. Depends on this frame pair only. */
int tvmaf_adm_compute(TvmafAdm *a, const TvmafPlane *ref, const TvmafPlane *dis,
                      TvmafAdmScores *out);

void tvmaf_adm_free(TvmafAdm **a);

/** Most bytes tvmaf_adm_init() allocates for a w x h geometry, whatever the options
 *  (SIZE_MAX on overflow). ADM keeps rows only: this grows with w, not h. */
size_t tvmaf_adm_scratch_size(int w, int h);

/* ------------------------------------------------------------------------
 * Private: the DSP table (kernels shared by the C reference, each ISA and
 * tests/checksimd). Not part of the module's caller-facing interface.
 *
 * Orientation order is always h, v, d (index 0, 1, 2). Row kernels take
 * pointers already offset to the first column they process; n is the number
 * of columns. Every kernel is pure integer arithmetic (the few float steps are
 * IEEE operations done in the same order), so each ISA must match the C
 * version bit for bit, for every n and every input value.
 *
 * Memory contract: a kernel may read up to TVMAF_ADM_OVERREAD bytes past the
 * last element of every input row (for cf rows: past column n), so pictures
 * and every buffer the driver hands in carry that slack; the values read there
 * never reach a result. Outputs are written at [0, n) only.
 * ------------------------------------------------------------------------ */

#define TVMAF_ADM_OVERREAD 64

/* Elements of DWT row scratch (int16_t at scale 0, int32_t above) for an input
 * row of w samples: room for two padded rows in whatever layout a kernel
 * picks, with slack for full-vector stores past w. */
#define TVMAF_ADM_DWT_ROW(w) ((w) + 192)
#define TVMAF_ADM_DWT_TMP(w) (2 * TVMAF_ADM_DWT_ROW(w))

/*
 * DWT border rule (docs/algorithms.md 3.2): reflect-101 before the start
 * (-1 -> 1) and symmetric with the edge repeated after the end (n -> n-1,
 * n+1 -> n-2). libvmaf builds its index tables so that for inputs of 3 or 4
 * samples the first output reads index -1 unmirrored (out of bounds) and for
 * 2 samples reads index 2; we mirror those too, and clamp for n < 3.
 */
/* Two's-complement int64 arithmetic for sums that only overflow on inputs no
 * real band produces (the checksimd stress cases): unsigned, hence defined,
 * and equal to what the compiled signed code does on x86. */
static inline int64_t tvmaf_adm_add64(const int64_t a, const int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

static inline int64_t tvmaf_adm_dot2(const int64_t a, const int64_t b, const int64_t c,
                                     const int64_t d)
{
    return (int64_t)((uint64_t)a * (uint64_t)b + (uint64_t)c * (uint64_t)d);
}

/*
 * The < 1 degree angle test between (oh, ov) and (th, tv), trig-free. The
 * int64 -> float -> double conversions, the /4096 and the left-to-right
 * product order are libvmaf's and decide borderline pixels.
 */
static inline int tvmaf_adm_angle_within_1deg(const int64_t oh, const int64_t ov, const int64_t th,
                                              const int64_t tv, const double cos1sq)
{
    const double dp = (float)tvmaf_adm_dot2(oh, th, ov, tv) / 4096.0;
    const double om = (float)tvmaf_adm_dot2(oh, oh, ov, ov) / 4096.0;
    const double tm = (float)tvmaf_adm_dot2(th, th, tv, tv) / 4096.0;
    return dp >= 0.0 && dp * dp >= cos1sq * om * tm;
}

static inline int tvmaf_adm_mirror(int i, const int n)
{
    if (i < 0) i = -i;
    if (i >= n) i = 2 * n - 1 - i;
    if (i < 0) i = 0;
    if (i >= n) i = n - 1;
    return i;
}

/** Per-scale constants handed to the decouple, masking and denominator kernels. */
typedef struct TvmafAdmKernelParams {
    const int32_t *div_lut; ///< trunc(2^30 / i) at [32768 + i], i in [-32768, 32768]
    double enhn_gain_limit; ///< egl, [1, 100]
    double cos1sq;          ///< tvmaf_adm_cos_1deg_sq(): the angle test's bound
    uint32_t rf[3];         ///< fixed-point CSF: scale 0 Q21, Q21, Q23 (< 2^16);
                            ///< scales 1..3 Q32 (< 2^31: 1/Q < 0.5 there, algorithms.md 3.4)
    int cube_shift[3];      ///< masking cube shift e per orientation (>= 0)
    int den_sq_shift;       ///< scales 1..3: denominator square shift q (31, 30, 31)
    int den_cube_shift;     ///< scales 1..3: denominator cube shift (>= 0)
} TvmafAdmKernelParams;

/**
 * One output row of the scale-0 DWT. src: the four input rows (already
 * mirrored) of w samples, uint8_t when bpc == 8 else uint16_t (any value,
 * in range for bpc or not). tmp: TVMAF_ADM_DWT_TMP(w) int16_t. Writes
 * (w + 1) / 2 values to a (int16 range, stored widened for scale 1) and to
 * hvd[0..2].
 */
#define TVMAF_ADM_DWT_S0_FN(name)                                                                  \
    void(name)(int32_t *a, int16_t *const hvd[3], const void *const src[4], int16_t *tmp, int w,    \
               int bpc)
/** One output row of the DWT at scale 1, 2 or 3 (tmp: TVMAF_ADM_DWT_TMP(w) int32_t). */
#define TVMAF_ADM_DWT_S123_FN(name)                                                                \
    void(name)(int32_t *a, int32_t *const hvd[3], const int32_t *const src[4], int32_t *tmp, int w, \
               int scale)
/**
 * Decouples one band row and applies the CSF: writes the restored r, the
 * weighted impairment ca and its 1/30 share cf for n columns of h, v and d.
 */
#define TVMAF_ADM_DECOUPLE_S0_FN(name)                                                             \
    void(name)(int16_t *const r[3], int16_t *const ca[3], int16_t *const cf[3],                    \
               const int16_t *const ref[3], const int16_t *const dis[3], int n,                      \
               const TvmafAdmKernelParams *p)
#define TVMAF_ADM_DECOUPLE_S123_FN(name)                                                           \
    void(name)(int32_t *const r[3], int32_t *const ca[3], int32_t *const cf[3],                    \
               const int32_t *const ref[3], const int32_t *const dis[3], int n,                      \
               const TvmafAdmKernelParams *p)
/**
 * Contrast masking of one row: sum[t] = sum over the n columns of the cubed
 * masked value, before the per-row rounding. cf[t][0..2] are the rows above,
 * at and below; columns -1 and n of them are read.
 */
#define TVMAF_ADM_CM_S0_FN(name)                                                                   \
    void(name)(int64_t sum[3], const int16_t *const r[3], const int16_t *const ca[3],              \
               const int16_t *const cf[3][3], int n, const TvmafAdmKernelParams *p)
#define TVMAF_ADM_CM_S123_FN(name)                                                                 \
    void(name)(int64_t sum[3], const int32_t *const r[3], const int32_t *const ca[3],              \
               const int32_t *const cf[3][3], int n, const TvmafAdmKernelParams *p)
/** Denominator of one reference row: sum[t] = sum of |o|^3 in the scale's fixed point. */
#define TVMAF_ADM_DEN_S0_FN(name)                                                                  \
    void(name)(uint64_t sum[3], const int16_t *const o[3], int n, const TvmafAdmKernelParams *p)
#define TVMAF_ADM_DEN_S123_FN(name)                                                                \
    void(name)(uint64_t sum[3], const int32_t *const o[3], int n, const TvmafAdmKernelParams *p)

typedef TVMAF_ADM_DWT_S0_FN(*TvmafAdmDwtS0Fn);
typedef TVMAF_ADM_DWT_S123_FN(*TvmafAdmDwtS123Fn);
typedef TVMAF_ADM_DECOUPLE_S0_FN(*TvmafAdmDecoupleS0Fn);
typedef TVMAF_ADM_DECOUPLE_S123_FN(*TvmafAdmDecoupleS123Fn);
typedef TVMAF_ADM_CM_S0_FN(*TvmafAdmCmS0Fn);
typedef TVMAF_ADM_CM_S123_FN(*TvmafAdmCmS123Fn);
typedef TVMAF_ADM_DEN_S0_FN(*TvmafAdmDenS0Fn);
typedef TVMAF_ADM_DEN_S123_FN(*TvmafAdmDenS123Fn);

/* Every kernel of the table as X(SIG, name), SIG naming its TVMAF_ADM_<SIG>_FN
 * signature: what each ISA declares and installs, and what the C init installs
 * (name_c). */
#define TVMAF_ADM_KERNELS(X)                                                                       \
    X(DWT_S0, dwt_s0) X(DWT_S123, dwt_s123) X(DECOUPLE_S0, decouple_s0)                            \
    X(DECOUPLE_S123, decouple_s123) X(CM_S0, cm_s0) X(CM_S123, cm_s123) X(DEN_S0, den_s0)          \
    X(DEN_S123, den_s123)

typedef struct TvmafAdmDSPContext {
    TvmafAdmDwtS0Fn dwt_s0;
    TvmafAdmDwtS123Fn dwt_s123;
    TvmafAdmDecoupleS0Fn decouple_s0;
    TvmafAdmDecoupleS123Fn decouple_s123;
    TvmafAdmCmS0Fn cm_s0;
    TvmafAdmCmS123Fn cm_s123;
    TvmafAdmDenS0Fn den_s0;
    TvmafAdmDenS123Fn den_s123;
} TvmafAdmDSPContext;

/** Fills c with the C reference, then upgrades entries allowed by cpu_flags. */
void tvmaf_adm_dsp_init(TvmafAdmDSPContext *c, unsigned cpu_flags);

/** Fills lut[0..65536] with trunc(2^30 / i), signed, at [32768 + i] (lut[32768] = 0). */
void tvmaf_adm_div_lut_init(int32_t *lut);

/** (float)cos^2(1 deg) promoted to double, as libvmaf computes the angle test's bound. */
double tvmaf_adm_cos_1deg_sq(void);

#endif /* TVMAF_SRC_FEATURE_ADM_H */
