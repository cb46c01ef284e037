/*
 * Integer ADM, C reference (libvmaf integer_adm.c, C path).
 *
 * Every constant, shift and rounding below is libvmaf's; the derivations and
 * quirks are in docs/algorithms.md, section 3 (the section numbers
 * below refer to it). Where libvmaf's fixed point wraps, we wrap the same way on
 * purpose, through the helpers below, so that no C-level signed overflow (UB)
 * is involved: the wrap is a conversion, which GCC and Clang define as
 * modulo 2^n. Right shifts of negative values are arithmetic (implementation
 * defined in C11, arithmetic on every compiler we support), which is the
 * floor division libvmaf relies on. Left shifts of negative values are never
 * used.
 *
 * Data flow per frame: one pass over the rows of all four scales at once. A
 * DWT row of both pictures is made, then decoupled (with its CSF and
 * denominator) while it is in cache, into a three-row ring per scale that
 * the masking reads; its LL row goes to a four-row ring that the next
 * scale's DWT reads as soon as it has the rows it needs. Nothing is
 * plane-sized.
 *
 * Sizes that libvmaf itself does not handle (a band input of fewer than five
 * samples at some scale, i.e. a width or height below 33; see the notes at
 * tvmaf_adm_mirror() in adm.h and at the shift clamps) get the same mirror
 * rule and non-negative shifts instead of libvmaf's out-of-bounds reads;
 * those scores are ours, not libvmaf's.
 */

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "feature/arena.h"
#include "feature/adm.h"
#include "tinyvmaf/common.h"
#include "tinyvmaf/tinyvmaf.h"
#if TVMAF_ENABLE_SIMD
#include "feature/x86/adm.h"
#endif

#define ADM_MIN_SIZE 16
/* Keeps size arithmetic (int products, offsets, log2 shifts) well inside int range. */
#define ADM_MAX_SIZE 65536

/* Q15 db2 taps (algorithms.md 3.2); the lo taps sum to 46342. */
#define LO0 15826
#define LO1 27411
#define LO2 7345
#define LO3 (-4240)
#define LO_SUM 46342

/* M_PI is not in strict C11; this is libvmaf's literal. */
#define ADM_PI 3.14159265358979323846264338327

/* --- wrapping helpers: modulo-2^n stores, as libvmaf's int16/int32 stores do --- */

static inline int16_t wrap16(const int64_t v)
{
    return (int16_t)(uint16_t)(uint64_t)v;
}

static inline int32_t wrap32(const int64_t v)
{
    return (int32_t)(uint32_t)(uint64_t)v;
}

/* |v| as an unsigned value, defined for INT32_MIN too. */
static inline uint32_t uabs32(const int32_t v)
{
    return v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
}

static inline int64_t rnd64(const int64_t v, const int s)
{
    return s ? (v + ((int64_t)1 << (s - 1))) >> s : v;
}

static inline uint64_t rndu64(const uint64_t v, const int s)
{
    return s ? (v + ((uint64_t)1 << (s - 1))) >> s : v;
}

/* --- algorithms.md 3.4 CSF: Watson 1997 wavelet noise visibility, luma, subject "sfl" --- */

static const float watson_amp[4][4] = {
    { 0.62171f, 0.67234f, 0.72709f, 0.67234f },
    { 0.34537f, 0.41317f, 0.49428f, 0.41317f },
    { 0.18004f, 0.22727f, 0.28688f, 0.22727f },
    { 0.091401f, 0.11792f, 0.15214f, 0.11792f },
};

/*
 * 1/Q(lambda, theta). The float/double mix reproduces libvmaf's
 * dwt_quant_step exactly: r and temp are stored as float, k*temp*temp is a
 * float product, the rest is double, and Q is stored as float before the
 * float reciprocal.
 */
static float watson_rf(const int lambda, const int theta, const double nvd, const int rdh)
{
    static const float a = 0.495f, k = 0.466f, f0 = 0.401f;
    static const float g[4] = { 1.501f, 1.0f, 0.534f, 1.0f };
    const float r = (float)(nvd * rdh * ADM_PI / 180.0);
    const float temp = (float)log10(pow(2.0, lambda + 1) * f0 * g[theta] / r);
    const float q = (float)(2.0 * a * pow(10.0, k * temp * temp) / watson_amp[lambda][theta]);
    return 1.0f / q;
}

/* --- algorithms.md 3.4 CSF: Barten (HDR-VDP-2's simplified form) at 100 cd/m^2 --- */

/* Every intermediate is stored as float where libvmaf stores one, and each
 * libm call is the double one, as in libvmaf's barten_csf(). */
static float lerp_f(const float x0, const float y0, const float x1, const float y1, const float x)
{
    return y0 + ((y1 - y0) / (x1 - x0)) * (x - x0);
}

static float barten_rf(const int lambda, const double nvd, const int rdh, const double scale)
{
    /* HDR-VDP-2.2.1 CSF parameters p0..p3 at 20 and 150 cd/m^2 (the anchors
     * around 100, interpolated in log10 luminance); MTF and rod/cone
     * sensitivity constants. */
    static const float lum_lo = 20.0f, lum_hi = 150.0f;
    static const float p_lo[4] = { 0.334278f, 3.79542f, 1.07327f, 6.4635f };
    static const float p_hi[4] = { 0.394533f, 2.7755f, 1.16577f, 7.45665f };
    static const float sa[4] = { 30.162f, 4.0627f, 1.6596f, 0.2712f };
    static const float mtf_a[4] = { 0.424838596301290f, 0.572435103936480f,
                                    0.000167576239164937f, 0.00255872352306433f };
    static const float mtf_b[4] = { 0.028f, 0.37f, 37.0f, 360.0f };
    const double lum = 100.0;

    const float r = (float)(nvd * rdh * ADM_PI / 180.0);
    const float sf = (float)(r / pow(2, lambda + 1));
    const float x0 = (float)log10(lum_lo), x1 = (float)log10(lum_hi), x = (float)log10(lum);
    float q[4];
    for (int i = 0; i < 4; i++) q[i] = lerp_f(x0, p_lo[i], x1, p_hi[i], x);
    const float fa = (float)(1.0f + pow(q[0] * sf, q[1]));
    const float fb = (float)(1.0f / pow(1 - exp(-pow(sf / 7, 2)), q[2]));
    const float ncsf = (float)(q[3] / pow(fa * fb, 0.5));
    float mtf = 0.0f;
    for (int i = 0; i < 4; i++) mtf = (float)(mtf + mtf_a[i] * exp(-mtf_b[i] * sf));
    const float rod_cone =
        (float)(sa[0] * pow(pow(sa[1] / (float)lum, sa[2]) + 1, -sa[3]));
    return (float)(ncsf * mtf * rod_cone * scale);
}

/* --- algorithms.md 3.4 CSF: Barten/Watson blends, tabulated per viewing condition --- */

/*
 * libvmaf tabulates the blended factors for nine viewing conditions. At
 * twice the display height a scale sees the frequencies of the next coarser
 * one: libvmaf's 2160-line tables are its 1080-line ones moved by one scale,
 * with a new finest value, and 2160 lines at 1.5H is 1080 at 3H in pixels per
 * degree. So the factors are stored once, as series over octaves
 * [legacy, mae][h/v, d][octave], and a condition reads its scale s at octave
 * s + octave0.
 */
static const float blend_series[6][2][2][5] = {
    { { { 0.00226f, 0.01183f, 0.025026f, 0.04295f, 0.058621f },
        { 0.000479f, 0.004302f, 0.011778f, 0.023918f, 0.035901f } },
      { { 0.002166f, 0.011249f, 0.022606f, 0.035930f, 0.045673f },
        { 0.000447f, 0.004097f, 0.010921f, 0.021430f, 0.031313f } } },
    { { { 0.000092f, 0.004212f, 0.014809f, 0.029642f, 0.047464f },
        { 0.000050f, 0.000984f, 0.005852f, 0.0146f, 0.027574f } },
      { { 0.000077f, 0.004052f, 0.013939f, 0.026298f, 0.038833f },
        { 0.000045f, 0.000927f, 0.005544f, 0.013415f, 0.024515f } } },
    { { { 0.018715f, 0.035637f, 0.052798f, 0.061509f }, { 0.007999f, 0.018396f, 0.031851f, 0.037718f } },
      { { 0.017329f, 0.030870f, 0.042134f, 0.047410f }, { 0.007509f, 0.016707f, 0.028072f, 0.032722f } } },
    { { { 0.010144f, 0.022561f, 0.040309f, 0.05672f }, { 0.003463f, 0.010282f, 0.021839f, 0.034641f } },
      { { 0.009689f, 0.020577f, 0.034162f, 0.044523f }, { 0.003302f, 0.009579f, 0.019661f, 0.030318f } } },
    { { { 0.027961f, 0.045875f, 0.060275f, 0.056234f }, { 0.013572f, 0.026277f, 0.036959f, 0.034511f } },
      { { 0.024969f, 0.037825f, 0.046676f, 0.043974f }, { 0.012511f, 0.023424f, 0.032139f, 0.030166f } } },
    { { { 0.016781f, 0.032822f, 0.05032f, 0.061594f }, { 0.00691f, 0.016545f, 0.029917f, 0.037777f } },
      { { 0.015665f, 0.028766f, 0.040612f, 0.047483f }, { 0.006514f, 0.015107f, 0.026476f, 0.032776f } } },
};

typedef struct BlendCsf {
    int rdh;
    double nvd;
    int series, octave0;
} BlendCsf;

static const BlendCsf blend_csf[] = {
    { 1080, 3.0, 0, 1 }, { 2160, 1.5, 0, 1 }, { 2160, 3.0, 0, 0 }, { 1080, 5.0, 1, 1 },
    { 2160, 5.0, 1, 0 }, { 720, 3.0, 2, 0 },  { 720, 5.0, 3, 0 },  { 480, 3.0, 4, 0 },
    { 480, 5.0, 5, 0 },
};

static const BlendCsf *find_blend(const TvmafAdmOptions *const o)
{
    for (size_t i = 0; i < sizeof(blend_csf) / sizeof(*blend_csf); i++)
        if (blend_csf[i].rdh == o->ref_display_height && blend_csf[i].nvd == o->norm_view_dist)
            return &blend_csf[i];
    return NULL;
}

/* The float CSF factor of band `theta` (1: h and v, 2: d) at `scale`. */
static float csf_factor(const TvmafAdmOptions *const o, const int scale, const int theta)
{
    switch (o->csf_mode) {
    case TVMAF_ADM_CSF_BARTEN:
        return barten_rf(scale, o->norm_view_dist, o->ref_display_height,
                         theta == 2 ? o->csf_diag_scale : o->csf_scale);
    case TVMAF_ADM_CSF_BARTEN_WATSON_BLEND:
    case TVMAF_ADM_CSF_BARTEN_WATSON_BLEND_MAE: {
        const BlendCsf *const b = find_blend(o); /* checked by init */
        return blend_series[b->series][o->csf_mode == TVMAF_ADM_CSF_BARTEN_WATSON_BLEND_MAE]
                           [theta == 2][scale + b->octave0];
    }
    default: return watson_rf(scale, theta, o->norm_view_dist, o->ref_display_height);
    }
}

/*
 * libvmaf converts the float factor to fixed point with a plain C cast,
 * undefined when out of range (only Barten's factors are, by far). These
 * give what x86-64 compilers emit: a truncating conversion to int32 (for
 * uint16_t) or int64 (for uint32_t), the "integer indefinite" minimum when
 * out of range, then the low bits.
 */
static uint16_t fix_u16(const double v)
{
    const int32_t i = v > -2147483649.0 && v < 2147483648.0 ? (int32_t)v : INT32_MIN;
    return (uint16_t)(uint32_t)i;
}

static uint32_t fix_u32(const double v)
{
    const int64_t i =
        v >= -9223372036854775808.0 && v < 9223372036854775808.0 ? (int64_t)v : INT64_MIN;
    return (uint32_t)(uint64_t)i;
}

void tvmaf_adm_div_lut_init(int32_t *const lut)
{
    lut[32768] = 0;
    for (int i = 1; i <= 32768; i++) {
        const int32_t q = (int32_t)(1073741824 / i);
        lut[32768 + i] = q;
        lut[32768 - i] = -q;
    }
}

/* --- algorithms.md 3.2 DWT, scale 0 --- */

/*
 * Vertical pass. The lo sum is done in uint32: for b = 16 the int32 sum of
 * libvmaf's formula overflows before the mid-grey offset is removed, but the
 * final value always fits int32, so the modulo-2^32 sum converted back to
 * int32 is the exact result (and what libvmaf's wrapping int32 gives).
 */
static inline void dwt_s0_vert(int16_t *const lo, int16_t *const hi, const void *const src[4],
                               const int w, const int bpc, const int hbd)
{
    const uint32_t half = 1u << (bpc - 1);
    const uint32_t offset = (uint32_t)LO_SUM * half - half;
    for (int j = 0; j < w; j++) {
        uint32_t x[4];
        for (int k = 0; k < 4; k++)
            x[k] = hbd ? ((const uint16_t *)src[k])[j] : ((const uint8_t *)src[k])[j];
        const uint32_t l = (uint32_t)LO0 * x[0] + (uint32_t)LO1 * x[1] + (uint32_t)LO2 * x[2] -
                           (uint32_t)-LO3 * x[3] - offset;
        const uint32_t h = (uint32_t)LO1 * x[2] + half - (uint32_t)-LO3 * x[0] -
                           (uint32_t)LO2 * x[1] - (uint32_t)LO0 * x[3];
        lo[j] = wrap16(wrap32(l) >> bpc);
        hi[j] = wrap16(wrap32(h) >> bpc);
    }
}

/* Pads a row of n values for the horizontal taps at -1, n and n+1 (algorithms.md 3.2). */
#define PAD_ROW(row, n)                                                                            \
    do {                                                                                           \
        (row)[-1] = (row)[tvmaf_adm_mirror(-1, (n))];                                              \
        (row)[(n)] = (row)[tvmaf_adm_mirror((n), (n))];                                            \
        (row)[(n) + 1] = (row)[tvmaf_adm_mirror((n) + 1, (n))];                                    \
    } while (0)

/* The horizontal lo/hi taps of one padded row, every other column. */
#define DWT_S0_HORIZ(name, TL)                                                                     \
    static void name(TL *restrict const lo_out, int16_t *restrict const hi_out,                    \
                     const int16_t *restrict const in, const int w)                               \
    {                                                                                              \
        for (int j = 0; j < (w + 1) / 2; j++) {                                                    \
            const int16_t *const x = in + 2 * j - 1;                                               \
            const int32_t l = LO0 * x[0] + LO1 * x[1] + LO2 * x[2] + LO3 * x[3];                  \
            const int32_t h = LO3 * x[0] - LO2 * x[1] + LO1 * x[2] - LO0 * x[3];                  \
            lo_out[j] = wrap16((l + 32768) >> 16);                                                 \
            hi_out[j] = wrap16((h + 32768) >> 16);                                                 \
        }                                                                                          \
    }
DWT_S0_HORIZ(dwt_s0_horiz, int32_t)
DWT_S0_HORIZ(dwt_s0_horiz_16, int16_t)

static TVMAF_ADM_DWT_S0_FN(dwt_s0_c)
{
    int16_t *const lo = tmp + 1;
    int16_t *const hi = tmp + TVMAF_ADM_DWT_ROW(w) + 1;
    if (bpc == 8)
        dwt_s0_vert(lo, hi, src, w, 8, 0);
    else
        dwt_s0_vert(lo, hi, src, w, bpc, 1);
    PAD_ROW(lo, w);
    PAD_ROW(hi, w);

    /* Sum of |taps| x int16 stays below 2^31: plain int32 is exact here. One
     * input row per loop, outputs restrict: with four outputs in one loop GCC
     * needs more run-time alias checks than it allows and keeps it scalar. */
    dwt_s0_horiz(a, hvd[1], lo, w);
    dwt_s0_horiz_16(hvd[0], hvd[2], hi, w);
}

/* --- algorithms.md 3.2 DWT, scales 1..3 (int64 sums, per-scale shifts) --- */

static TVMAF_ADM_DWT_S123_FN(dwt_s123_c)
{
    static const int vshift[3] = { 0, 16, 16 };
    static const int hshift[3] = { 15, 16, 15 };
    const int vs = vshift[scale - 1], hs = hshift[scale - 1];
    int32_t *const lo = tmp + 1;
    int32_t *const hi = tmp + TVMAF_ADM_DWT_ROW(w) + 1;

    for (int j = 0; j < w; j++) {
        const int64_t x0 = src[0][j], x1 = src[1][j], x2 = src[2][j], x3 = src[3][j];
        lo[j] = wrap32(rnd64(LO0 * x0 + LO1 * x1 + LO2 * x2 + LO3 * x3, vs));
        hi[j] = wrap32(rnd64(LO3 * x0 - LO2 * x1 + LO1 * x2 - LO0 * x3, vs));
    }
    PAD_ROW(lo, w);
    PAD_ROW(hi, w);

    for (int j = 0; j < (w + 1) / 2; j++) {
        const int32_t *const l = lo + 2 * j - 1;
        const int32_t *const h = hi + 2 * j - 1;
        a[j] = wrap32(rnd64((int64_t)LO0 * l[0] + (int64_t)LO1 * l[1] + (int64_t)LO2 * l[2] +
                                (int64_t)LO3 * l[3], hs));
        hvd[1][j] = wrap32(rnd64((int64_t)LO3 * l[0] - (int64_t)LO2 * l[1] +
                                     (int64_t)LO1 * l[2] - (int64_t)LO0 * l[3], hs));
        hvd[0][j] = wrap32(rnd64((int64_t)LO0 * h[0] + (int64_t)LO1 * h[1] +
                                     (int64_t)LO2 * h[2] + (int64_t)LO3 * h[3], hs));
        hvd[2][j] = wrap32(rnd64((int64_t)LO3 * h[0] - (int64_t)LO2 * h[1] +
                                     (int64_t)LO1 * h[2] - (int64_t)LO0 * h[3], hs));
    }
}

/* --- algorithms.md 3.3 decouple, fused with the 3.5 CSF of the impairment --- */

double tvmaf_adm_cos_1deg_sq(void)
{
    const double c = cos(1.0 * ADM_PI / 180.0);
    return (float)(c * c);
}

/*
 * Enhancement gain clamp on the restored value. libvmaf tests the sign of
 * f32(k/32768) * f32(o/64); with k in [0, 32768] that product never
 * underflows, so its sign is the sign of k*o, tested here in integers. The
 * min/max is taken in double and truncated back, as libvmaf's MIN/MAX of
 * (r * egl, t) does; the result lies between r and t, so it fits.
 */
static inline int64_t egl_clamp(const int64_t r, const int64_t t, const int64_t k, const int64_t o,
                                const int angle, const double egl)
{
    if (!angle || k == 0 || o == 0) return r;
    const double re = (double)r * egl, td = (double)t;
    if (o > 0) return (int64_t)(re < td ? re : td);
    return (int64_t)(re > td ? re : td);
}

/* CSF of one scale-0 value of orientation t: Q6 band x Q21/Q23 factor -> Q12;
 * d rounds with 65535, not 65536 (algorithms.md 3.5). */
static inline int16_t csf_s0(const uint32_t rf, const int32_t v, const int t)
{
    static const int shift[3] = { 15, 15, 17 };
    static const int32_t add[3] = { 16384, 16384, 65535 };
    return wrap16(((int32_t)rf * v + add[t]) >> shift[t]);
}

/* Its 1/30 share, the masking neighbours' contribution; 4369 = 2^17/30. */
static inline int16_t csf_f_s0(const int16_t c)
{
    return wrap16((4369 * (int32_t)uabs32(c) + 2048) >> 12);
}

/* The gain k = clamp(d / o, 0, 1) in Q15 through the reciprocal table; 1 for o = 0. */
static inline int64_t gain_s0(const int32_t *const div, const int32_t o, const int32_t d)
{
    if (!o) return 32768;
    const int64_t k = ((int64_t)div[o] * d + 16384) >> 15;
    return k < 0 ? 0 : k > 32768 ? 32768 : k;
}

static inline int bit_length(const uint32_t v)
{
#if defined(__GNUC__)
    return 32 - __builtin_clz(v); /* v != 0 */
#else
    int n = 0;
    for (uint32_t x = v; x; x >>= 1) n++;
    return n;
#endif
}

/*
 * Scales 1..3: o no longer fits the 16-bit reciprocal table, so |o| is first
 * rounded to its top 15 (or 16, after rounding up) significant bits and the
 * shift is added back after the multiply.
 */
static inline int64_t gain_s123(const int32_t *const div, const int32_t o, const int32_t d)
{
    if (!o) return 32768;
    const uint32_t m0 = uabs32(o);
    uint32_t m = m0;
    int sh = 0;
    if (m0 >= 32768) {
        sh = bit_length(m0) - 15;
        m = (m0 + (1u << (sh - 1))) >> sh;
    }
    const int64_t prod = (int64_t)div[m] * d * (o < 0 ? -1 : 1);
    const int64_t k = (prod + ((int64_t)1 << (14 + sh))) >> (15 + sh);
    return k < 0 ? 0 : k > 32768 ? 32768 : k;
}

/*
 * Q32 reciprocals of 30 and 15 with libvmaf's rounding constant: it stores
 * 1u << 31 in an int32_t, which wraps to -2^31 (upstream #955), so these
 * values round down and are -1 for a zero input. Every golden depends on it.
 */
#define I4_ONE_BY_30 143165577
#define I4_ONE_BY_15 286331153
#define I4_ROUND_955 (-(int64_t)2147483648)

static inline int32_t csf_s123(const uint32_t rf, const int32_t v, const int t)
{
    (void)t; /* one rounding for every orientation */
    return wrap32(((int64_t)rf * v + (1 << 27)) >> 28);
}

static inline int32_t csf_f_s123(const int32_t c)
{
    return wrap32(((int64_t)I4_ONE_BY_30 * uabs32(c) + I4_ROUND_955) >> 32);
}

/* The kernels, decouple_s0_c and decouple_s123_c, are in adm_band_tmpl.c,
 * instantiated with the driver below. */

/* --- algorithms.md 3.5 masking threshold and 3.7 numerator --- */

static TVMAF_ADM_CM_S0_FN(cm_s0_c)
{
    /* x = r * rf is Q27 (h, v) or Q29 (d); the Q17 threshold is aligned by u. */
    static const int usub[3] = { 10, 10, 12 };
    static const int qsq[3] = { 29, 29, 30 };
    int64_t acc[3] = { 0, 0, 0 };

    for (int j = 0; j < n; j++) {
        int32_t thr = 0;
        for (int t = 0; t < 3; t++) {
            const int16_t *const u = cf[t][0], *const m = cf[t][1], *const b = cf[t][2];
            int32_t s = u[j - 1] + u[j] + u[j + 1] + m[j - 1] + m[j + 1] + b[j - 1] + b[j] +
                        b[j + 1];
            /* 8738 = 2^17/15; the int16 store wraps for |ca| >= 15360, as in libvmaf's C. */
            s += wrap16((8738 * (int32_t)uabs32(ca[t][j]) + 2048) >> 12);
            thr += s;
        }
        for (int t = 0; t < 3; t++) {
            const int32_t x = r[t][j] * (int32_t)p->rf[t];
            const int32_t tq = wrap32((int64_t)((uint32_t)thr << usub[t]));
            int32_t xm = wrap32((int64_t)uabs32(x) - tq);
            if (xm < 0) xm = 0;
            const int32_t x2 = wrap32(rnd64((int64_t)xm * xm, qsq[t]));
            acc[t] = tvmaf_adm_add64(acc[t], rnd64((int64_t)x2 * xm, p->cube_shift[t]));
        }
    }
    for (int t = 0; t < 3; t++) sum[t] = acc[t];
}

static TVMAF_ADM_CM_S123_FN(cm_s123_c)
{
    int64_t acc[3] = { 0, 0, 0 };

    for (int j = 0; j < n; j++) {
        int32_t thr = 0;
        for (int t = 0; t < 3; t++) {
            const int32_t *const u = cf[t][0], *const m = cf[t][1], *const b = cf[t][2];
            int32_t s = wrap32((int64_t)u[j - 1] + u[j] + u[j + 1] + m[j - 1] + m[j + 1] +
                               b[j - 1] + b[j] + b[j + 1]);
            s = wrap32((int64_t)s +
                       wrap32(((int64_t)I4_ONE_BY_15 * uabs32(ca[t][j]) + I4_ROUND_955) >> 32));
            thr = wrap32((int64_t)thr + s);
        }
        for (int t = 0; t < 3; t++) {
            const int32_t x = wrap32(((int64_t)r[t][j] * p->rf[t] + (1 << 27)) >> 28);
            int32_t xm = wrap32((int64_t)uabs32(x) - thr);
            if (xm < 0) xm = 0;
            const int32_t x2 = wrap32(rnd64((int64_t)xm * xm, 30));
            acc[t] = tvmaf_adm_add64(acc[t], rnd64((int64_t)x2 * xm, p->cube_shift[t]));
        }
    }
    for (int t = 0; t < 3; t++) sum[t] = acc[t];
}

/* --- algorithms.md 3.8 denominator --- */

static TVMAF_ADM_DEN_S0_FN(den_s0_c)
{
    (void)p;
    uint64_t acc[3] = { 0, 0, 0 };
    for (int j = 0; j < n; j++) {
        for (int t = 0; t < 3; t++) {
            const uint64_t v = (uint16_t)uabs32(o[t][j]);
            acc[t] += v * v * v;
        }
    }
    for (int t = 0; t < 3; t++) sum[t] = acc[t];
}

static TVMAF_ADM_DEN_S123_FN(den_s123_c)
{
    const int q = p->den_sq_shift, e = p->den_cube_shift;
    /* The square rounds with 2^q, not 2^(q-1): libvmaf's constant, kept. */
    const uint64_t addq = (uint64_t)1 << q;
    uint64_t acc[3] = { 0, 0, 0 };
    for (int j = 0; j < n; j++) {
        for (int t = 0; t < 3; t++) {
            const uint64_t v = uabs32(o[t][j]);
            acc[t] += rndu64(((v * v + addq) >> q) * v, e);
        }
    }
    for (int t = 0; t < 3; t++) sum[t] = acc[t];
}

/* --- options and output names --- */

const TvmafOption tvmaf_adm_options[] = {
    { "adm_csf_scale", "scf", TVMAF_OPTION_DOUBLE, offsetof(TvmafAdmOptions, csf_scale), 1.0, 0.0,
      50.0, NULL, TVMAF_OPTION_KEY },
    { "adm_csf_diag_scale", "scfd", TVMAF_OPTION_DOUBLE, offsetof(TvmafAdmOptions, csf_diag_scale),
      1.0, 0.0, 50.0, NULL, TVMAF_OPTION_KEY },
    { "adm_dlm_weight", "dlmw", TVMAF_OPTION_DOUBLE, offsetof(TvmafAdmOptions, dlm_weight), 0.5,
      0.0, 1.0, NULL, TVMAF_OPTION_KEY },
    { "adm_enhn_gain_limit", "egl", TVMAF_OPTION_DOUBLE,
      offsetof(TvmafAdmOptions, enhn_gain_limit), 100.0, 1.0, 100.0, NULL, TVMAF_OPTION_KEY },
    { "adm_norm_view_dist", "nvd", TVMAF_OPTION_DOUBLE, offsetof(TvmafAdmOptions, norm_view_dist),
      3.0, 0.75, 24.0, NULL, TVMAF_OPTION_KEY },
    { "adm_ref_display_height", "rdh", TVMAF_OPTION_INT,
      offsetof(TvmafAdmOptions, ref_display_height), 1080, 1, 4320, NULL, TVMAF_OPTION_KEY },
    { "adm_csf_mode", "csf", TVMAF_OPTION_INT, offsetof(TvmafAdmOptions, csf_mode), 0, 0, 3, NULL,
      TVMAF_OPTION_KEY },
    { "adm_noise_weight", "nw", TVMAF_OPTION_DOUBLE, offsetof(TvmafAdmOptions, noise_weight),
      0.03125, 0.0, 1500.0, NULL, TVMAF_OPTION_KEY },
    { "adm_skip_aim", NULL, TVMAF_OPTION_BOOL, offsetof(TvmafAdmOptions, skip_aim), 0, 0, 1, NULL,
      0 },
    { "adm_skip_scale0", "ssz", TVMAF_OPTION_BOOL, offsetof(TvmafAdmOptions, skip_scale0), 0, 0, 1,
      NULL, TVMAF_OPTION_KEY },
    { "adm_min_val", "min", TVMAF_OPTION_DOUBLE, offsetof(TvmafAdmOptions, min_val), 0.0, 0.0, 1.0,
      NULL, TVMAF_OPTION_KEY },
    { NULL, NULL, 0, 0, 0, 0, 0, NULL, 0 },
};

const char *const tvmaf_adm_feature_names[TVMAF_ADM_OUT_COUNT] = {
    "VMAF_integer_feature_adm2_score", "VMAF_integer_feature_aim_score",
    "VMAF_integer_feature_adm3_score", "integer_adm_scale0", "integer_adm_scale1",
    "integer_adm_scale2", "integer_adm_scale3",
};

const char *const tvmaf_adm_key_names[TVMAF_ADM_OUT_COUNT] = {
    "integer_adm2",       "integer_aim",        "integer_adm3",       "integer_adm_scale0",
    "integer_adm_scale1", "integer_adm_scale2", "integer_adm_scale3",
};

void tvmaf_adm_scores_array(const TvmafAdmScores *const s, double out[TVMAF_ADM_OUT_COUNT])
{
    out[TVMAF_ADM_OUT_ADM2] = s->adm2;
    out[TVMAF_ADM_OUT_AIM] = s->aim;
    out[TVMAF_ADM_OUT_ADM3] = s->adm3;
    for (int i = 0; i < TVMAF_ADM_SCALES; i++) out[TVMAF_ADM_OUT_SCALE0 + i] = s->scale[i];
}

static int options_ok(const TvmafAdmOptions *const o)
{
    for (const TvmafOption *t = tvmaf_adm_options; t->name; t++) {
        const char *const f = (const char *)o + t->offset;
        double v;
        if (t->type == TVMAF_OPTION_DOUBLE) v = *(const double *)(const void *)f;
        else if (t->type == TVMAF_OPTION_INT) v = *(const int *)(const void *)f;
        else continue;
        if (!(v >= t->min && v <= t->max)) return 0;
    }
    /* The blended CSFs exist for nine viewing conditions only; elsewhere
     * libvmaf computes with -EINVAL as the factor. */
    if ((o->csf_mode == TVMAF_ADM_CSF_BARTEN_WATSON_BLEND ||
         o->csf_mode == TVMAF_ADM_CSF_BARTEN_WATSON_BLEND_MAE) &&
        !find_blend(o))
        return 0;
    /* libvmaf refuses this too: its 16-bit scale-0 pipeline cannot represent
     * angular frequencies below 1080 lines at 3H. */
    return o->norm_view_dist * o->ref_display_height >= 3.0 * 1080;
}

/* --- driver --- */

enum { RING_R, RING_CA, RING_CF, RING_A, RING_CA_R, RING_CF_R, RING_KINDS };

/* Rows of LL kept per scale: the next scale's DWT row y reads rows 2y-1 .. 2y+2. */
#define LL_SLOTS 4

typedef struct AdmScale {
    int w, h;                     /* band size */
    int left, top, right, bottom; /* scoring window (algorithms.md 3.6) */
    int rho;                      /* numerator per-row shift, ceil(log2 h) */
    int den_row_shift;            /* per-row shift of the denominator */
    double num_div[3];            /* 2^(final exponent) of the numerator, per orientation */
    double den_div;               /* 2^(final exponent) of the denominator */
    double rf_cube[3];            /* pow(rf, 3) of the float CSF factor */
    float noise;                  /* powf(area * nw, 1/3) */
    TvmafAdmKernelParams kp;
    /* [slot][kind][theta]: column 0 of a padded row. kinds: RING_R, RING_CA,
     * RING_CF (DLM: restored signal, CSF of the impairment, its 1/30 share),
     * then, for AIM, RING_A, RING_CA_R, RING_CF_R (the impairment, CSF of the
     * restored signal, its 1/30 share). */
    void *ring[3][RING_KINDS][3];
} AdmScale;

/* One scale's progress and sums over the frame being scored. */
typedef struct AdmPass {
    int next;                   /* next band row to make */
    int cm_next;                /* next window row to mask */
    int64_t num[3], aim[3];     /* per-row rounded masked sums (DLM, AIM) */
    uint64_t den[3];            /* per-row rounded denominator sums */
} AdmPass;

struct TvmafAdm {
    int w, h, bpc;
    TvmafAdmDSPContext dsp;
    AdmScale sc[TVMAF_ADM_SCALES];

    int32_t *div_lut;
    int16_t *b16[2][3];  /* the scale-0 band row being made: h, v, d of ref [0] and dis [1] */
    int32_t *b32[2][3];  /* the same at scales 1..3 */
    int32_t *ll[2][TVMAF_ADM_SCALES][LL_SLOTS]; /* LL row y of ref/dis at slot y % LL_SLOTS */
    void *tmp;           /* DWT row scratch */
    AdmPass pass[TVMAF_ADM_SCALES];
    int aim;             /* AIM measured (not skip_aim) */
    int skip_scale0;     /* scale 0 only feeds the DWT of scale 1 */
    double dlm_weight, min_val;
    int n_kinds;         /* ring kinds in use */
    const TvmafPlane *pic[2]; /* the pair being scored (ref, dis) */
    void *mem;
};

static int ceil_log2(const double v)
{
    return (int)ceil(log2(v));
}

/* libvmaf converts negative shift amounts to unsigned (only for bands under
 * 16 samples); a shift of 0 is the nearest defined behaviour. */
static int nonneg(const int v)
{
    return v < 0 ? 0 : v;
}

static void setup_scale(AdmScale *const s, const int scale, const int w, const int h,
                        const TvmafAdmOptions *const opt)
{
    s->w = w;
    s->h = h;
    s->left = (int)(w * 0.1 - 0.5);
    s->top = (int)(h * 0.1 - 0.5);
    s->right = w - s->left;
    s->bottom = h - s->top;
    const int ww = s->right - s->left, wh = s->bottom - s->top;

    const float rf_hv = csf_factor(opt, scale, 1);
    const float rf_d = csf_factor(opt, scale, 2);
    const float rf[3] = { rf_hv, rf_hv, rf_d };
    for (int t = 0; t < 3; t++) s->rf_cube[t] = pow(rf[t], 3);

    s->noise = powf((float)(wh * ww * opt->noise_weight), 1.0f / 3.0f);
    s->rho = nonneg(ceil_log2(h));

    TvmafAdmKernelParams *const kp = &s->kp;
    kp->enhn_gain_limit = opt->enhn_gain_limit;
    kp->cos1sq = tvmaf_adm_cos_1deg_sq();
    if (scale == 0) {
        /* libvmaf hard-codes these for the default viewing condition; they are
         * not what the formula gives (36451, 49414), see algorithms.md 3.4. */
        if (fabs(opt->norm_view_dist * opt->ref_display_height - 3.0 * 1080) < 1.0e-8 &&
            opt->csf_mode == TVMAF_ADM_CSF_WATSON97) {
            kp->rf[0] = kp->rf[1] = 36453;
            kp->rf[2] = 49417;
        } else {
            kp->rf[0] = kp->rf[1] = fix_u16(rf_hv * pow(2, 21));
            kp->rf[2] = fix_u16(rf_d * pow(2, 23));
        }
        const int ehv = nonneg((int)ceil(log2(w) - 4)), ed = nonneg((int)ceil(log2(w) - 3));
        kp->cube_shift[0] = kp->cube_shift[1] = ehv;
        kp->cube_shift[2] = ed;
        /* Q6 bands, Q21/Q23 factors: cubes of Q27 (Q29) squared down by 2^29 (2^30). */
        s->num_div[0] = s->num_div[1] = ldexp(1.0, 52 - ehv - s->rho);
        s->num_div[2] = ldexp(1.0, 57 - ed - s->rho);
        kp->den_sq_shift = kp->den_cube_shift = 0;
        /* Keeps the uint64 sum of Q6 cubes in range for large windows. */
        s->den_row_shift = nonneg(ceil_log2((double)wh * ww) - 20);
        s->den_div = ldexp(1.0, 18 - s->den_row_shift);
    } else {
        static const int num_exp[3] = { 45, 39, 36 };
        static const int den_sq[3] = { 31, 30, 31 };
        static const int den_exp[3] = { 32, 27, 23 };
        for (int t = 0; t < 3; t++) kp->rf[t] = fix_u32(rf[t] * pow(2, 32));
        const int e = nonneg(ceil_log2(w));
        kp->cube_shift[0] = kp->cube_shift[1] = kp->cube_shift[2] = e;
        s->num_div[0] = s->num_div[1] = s->num_div[2] =
            (float)ldexp(1.0, num_exp[scale - 1] - e - s->rho);
        kp->den_sq_shift = den_sq[scale - 1];
        kp->den_cube_shift = nonneg(ceil_log2(ww));
        s->den_row_shift = nonneg(ceil_log2(wh));
        s->den_div = ldexp(1.0, den_exp[scale - 1] - s->den_row_shift - kp->den_cube_shift);
    }
}

/* Every buffer is followed by the kernels' over-read slack (adm.h). */
static size_t arena_take(TvmafArena *const a, const size_t n, const size_t elem)
{
    return tvmaf_arena_take(a, n, elem, TVMAF_ADM_OVERREAD);
}

/* Offsets of every buffer in the block (fields as in TvmafAdm). */
typedef struct ArenaPlan {
    size_t lut, b16[2][3], b32[2][3], ll[2][TVMAF_ADM_SCALES][LL_SLOTS], tmp;
    size_t ring[TVMAF_ADM_SCALES][3][RING_KINDS][3];
} ArenaPlan;

/* Band widths halve per scale, rounding up, as setup_scale() receives them;
 * every buffer is a row, so the height does not matter. */
static TvmafArena plan_arena(const int w, const int n_kinds, ArenaPlan *const p)
{
    size_t bw[TVMAF_ADM_SCALES];
    bw[0] = ((size_t)w + 1) / 2;
    for (int s = 1; s < TVMAF_ADM_SCALES; s++) bw[s] = (bw[s - 1] + 1) / 2;
    TvmafArena ar = { 0, 0 };
    p->lut = arena_take(&ar, 65537, sizeof(int32_t));
    for (int k = 0; k < 2; k++) {
        for (int t = 0; t < 3; t++) {
            p->b16[k][t] = arena_take(&ar, bw[0], sizeof(int16_t));
            p->b32[k][t] = arena_take(&ar, bw[1], sizeof(int32_t));
        }
        for (int s = 0; s < TVMAF_ADM_SCALES; s++)
            for (int r = 0; r < LL_SLOTS; r++)
                p->ll[k][s][r] = arena_take(&ar, bw[s], sizeof(int32_t));
    }
    p->tmp = arena_take(&ar, TVMAF_ADM_DWT_TMP((size_t)w), sizeof(int32_t));
    for (int s = 0; s < TVMAF_ADM_SCALES; s++)
        for (int r = 0; r < 3; r++)
            for (int b = 0; b < n_kinds; b++)
                for (int t = 0; t < 3; t++) /* one pad column each side */
                    p->ring[s][r][b][t] = arena_take(&ar, bw[s] + 2, sizeof(int32_t));
    return ar;
}

size_t tvmaf_adm_scratch_size(const int w, const int h)
{
    (void)h; /* every buffer is a row */
    ArenaPlan p;
    const TvmafArena ar = plan_arena(w, RING_KINDS, &p);
    return ar.overflow ? SIZE_MAX : ar.off + sizeof(TvmafAdm);
}

int tvmaf_adm_init(TvmafAdm **const out, const int w, const int h, const int bpc,
                   const TvmafAdmOptions *const opt, const unsigned cpu_flags)
{
    if (!out) return TVMAF_ERR(EINVAL);
    *out = NULL;
    if (!opt || w < ADM_MIN_SIZE || h < ADM_MIN_SIZE || w > ADM_MAX_SIZE || h > ADM_MAX_SIZE)
        return TVMAF_ERR(EINVAL);
    if (bpc != 8 && bpc != 10 && bpc != 12 && bpc != 16) return TVMAF_ERR(EINVAL);
    if (!options_ok(opt)) return TVMAF_ERR(EINVAL);

    TvmafAdm *const a = calloc(1, sizeof(*a));
    if (!a) return TVMAF_ERR(ENOMEM);
    a->w = w;
    a->h = h;
    a->bpc = bpc;
    tvmaf_adm_dsp_init(&a->dsp, cpu_flags);

    int bw = w, bh = h;
    for (int s = 0; s < TVMAF_ADM_SCALES; s++) {
        bw = (bw + 1) / 2;
        bh = (bh + 1) / 2;
        setup_scale(&a->sc[s], s, bw, bh, opt);
    }
    /* The SIMD kernels take scale 1..3 factors below 2^31 (adm.h); only
     * Barten's CSF, whose fixed-point factors wrap, goes past that. */
    for (int s = 1; s < TVMAF_ADM_SCALES; s++)
        for (int t = 0; t < 3; t++)
            if (a->sc[s].kp.rf[t] >= 0x80000000u) tvmaf_adm_dsp_init(&a->dsp, 0);

    const int n_kinds = opt->skip_aim ? RING_A : RING_KINDS;
    ArenaPlan p;
    const TvmafArena ar = plan_arena(w, n_kinds, &p);
    if (ar.overflow) {
        free(a);
        return TVMAF_ERR(EINVAL);
    }

    a->mem = aligned_alloc(64, ar.off);
    if (!a->mem) {
        free(a);
        return TVMAF_ERR(ENOMEM);
    }
    /* Padding and the unscored band borders are never written by compute();
     * zero them once so every read is of initialised memory. */
    memset(a->mem, 0, ar.off);
    char *const m = a->mem;
    a->div_lut = (int32_t *)(m + p.lut);
    tvmaf_adm_div_lut_init(a->div_lut);
    for (int k = 0; k < 2; k++) {
        for (int t = 0; t < 3; t++) {
            a->b16[k][t] = (int16_t *)(m + p.b16[k][t]);
            a->b32[k][t] = (int32_t *)(m + p.b32[k][t]);
        }
        for (int s = 0; s < TVMAF_ADM_SCALES; s++)
            for (int r = 0; r < LL_SLOTS; r++) a->ll[k][s][r] = (int32_t *)(m + p.ll[k][s][r]);
    }
    a->tmp = m + p.tmp;
    for (int s = 0; s < TVMAF_ADM_SCALES; s++)
        for (int r = 0; r < 3; r++)
            for (int b = 0; b < n_kinds; b++)
                for (int t = 0; t < 3; t++) /* skip the pad */
                    a->sc[s].ring[r][b][t] = m + p.ring[s][r][b][t] + sizeof(int32_t);
    a->aim = !opt->skip_aim;
    a->skip_scale0 = opt->skip_scale0;
    a->dlm_weight = opt->dlm_weight;
    a->min_val = opt->min_val;
    a->n_kinds = n_kinds;
    for (int s = 0; s < TVMAF_ADM_SCALES; s++) a->sc[s].kp.div_lut = a->div_lut;

    *out = a;
    return 0;
}

void tvmaf_adm_free(TvmafAdm **const pa)
{
    if (!pa || !*pa) return;
    free((*pa)->mem);
    free(*pa);
    *pa = NULL;
}

/*
 * Band row y of the DWT of scale `scale` of picture k, from the picture
 * itself at scale 0, from the LL ring of the previous scale above: its LL
 * row to the LL ring, its h, v, d rows to the row buffers.
 */
static void dwt_row(TvmafAdm *const a, const int k, const int scale, const int y)
{
    const void *src[4];
    int32_t *const ll = a->ll[k][scale][y % LL_SLOTS];
    if (scale == 0) {
        const TvmafPlane *const pic = a->pic[k];
        for (int t = 0; t < 4; t++)
            src[t] = (const char *)pic->data +
                     (ptrdiff_t)tvmaf_adm_mirror(2 * y - 1 + t, a->h) * pic->stride;
        a->dsp.dwt_s0(ll, a->b16[k], src, a->tmp, a->w, a->bpc);
    } else {
        const AdmScale *const prev = &a->sc[scale - 1];
        const int32_t *in[4];
        for (int t = 0; t < 4; t++)
            in[t] = a->ll[k][scale - 1][tvmaf_adm_mirror(2 * y - 1 + t, prev->h) % LL_SLOTS];
        a->dsp.dwt_s123(ll, a->b32[k], in, a->tmp, prev->w, scale);
    }
}

/* Mirror pads of a cf row for the masking taps at -1 and w (algorithms.md 3.5). */
#define PAD_CF(row, w)                                                                             \
    do {                                                                                           \
        (row)[-1] = (row)[tvmaf_adm_mirror(-1, (w))];                                              \
        (row)[(w)] = (row)[(w)-1];                                                                 \
    } while (0)

/* Row pointers of scale s's ring slot `slot`, kind k, offset to column c. */
#define RING_ROWS(T, s, slot, k, c)                                                                \
    { (T *)(s)->ring[slot][k][0] + (c), (T *)(s)->ring[slot][k][1] + (c),                         \
      (T *)(s)->ring[slot][k][2] + (c) }

#define T int16_t
#define TN(x) x##_s0
#define BANDS b16
#define WRAP wrap16
#define DECOUPLE_C decouple_s0_c
#include "feature/adm_band_tmpl.c"
#undef T
#undef TN
#undef BANDS
#undef WRAP
#undef DECOUPLE_C

#define T int32_t
#define TN(x) x##_s123
#define BANDS b32
#define WRAP wrap32
#define DECOUPLE_C decouple_s123_c
#include "feature/adm_band_tmpl.c"
#undef T
#undef TN
#undef BANDS
#undef WRAP
#undef DECOUPLE_C

#define SET_C(sig, k) c->k = k##_c;

void tvmaf_adm_dsp_init(TvmafAdmDSPContext *const c, const unsigned cpu_flags)
{
    TVMAF_ADM_KERNELS(SET_C)
#if TVMAF_ENABLE_SIMD
    adm_dsp_init_x86(c, cpu_flags);
#else
    (void)cpu_flags;
#endif
}

/* Float rounding points are libvmaf's (algorithms.md 3.7): scale 0 divides in
 * double then narrows; scales 1..3 narrow the int64 first, then divide in
 * float. Orientation sums are float, in the order h, v, d. */
static float num_sum(const AdmScale *const s, const int scale, const int64_t acc[3],
                     const float noise)
{
    float sum = 0.0f;
    for (int t = 0; t < 3; t++) {
        float f;
        if (scale == 0)
            f = (float)((double)acc[t] / s->num_div[t]);
        else
            f = (float)acc[t] / (float)s->num_div[t];
        sum += powf(f, 1.0f / 3.0f) + noise;
    }
    return sum;
}

/* The window row i with the rows around it decoupled: its masked sums. */
static void cm_row(TvmafAdm *const a, const int scale, const int i)
{
    const AdmScale *const s = &a->sc[scale];
    AdmPass *const p = &a->pass[scale];
    const int h = s->h;
    const int rows[3] = { tvmaf_adm_mirror(i - 1, h), i, i + 1 < h ? i + 1 : h - 1 };
    int64_t cm[3], cm_aim[3] = { 0, 0, 0 };
    if (scale == 0)
        cm_row_s0(a, s, i, rows, RING_R, RING_CA, RING_CF, cm);
    else
        cm_row_s123(a, s, i, rows, RING_R, RING_CA, RING_CF, cm);
    if (a->aim) {
        if (scale == 0)
            cm_row_s0(a, s, i, rows, RING_A, RING_CA_R, RING_CF_R, cm_aim);
        else
            cm_row_s123(a, s, i, rows, RING_A, RING_CA_R, RING_CF_R, cm_aim);
    }
    for (int t = 0; t < 3; t++) {
        p->num[t] += rnd64(cm[t], s->rho);
        p->aim[t] += rnd64(cm_aim[t], s->rho);
    }
}

/*
 * Band row y of scale `scale`, then what it allows: decoupled into the ring
 * (rows top - 1 .. bottom, clamped to the band: the masking reads one row
 * around the window) with the denominator of window rows, the masking of
 * the window rows whose three rows are now decoupled, and the rows of the
 * next scale whose DWT inputs are now made. Each step reads the new rows
 * while they are in cache. The cf pads written by the decouple are only read
 * when the window touches the band edge, where they carry the -1 -> 1,
 * n -> n-1 mirror.
 */
static void make_row(TvmafAdm *const a, const int scale, const int y)
{
    const AdmScale *const s = &a->sc[scale];
    AdmPass *const p = &a->pass[scale];
    const int h = s->h;
    dwt_row(a, 0, scale, y);
    dwt_row(a, 1, scale, y);
    if (scale > 0 || !a->skip_scale0) {
        /* The masking needs ca/cf one pixel around the window (clamped to the band). */
        const int c0 = s->left > 0 ? s->left - 1 : 0;
        const int c1 = s->right < s->w ? s->right + 1 : s->w;
        const int d0 = s->top > 0 ? s->top - 1 : 0, d1 = s->bottom < h ? s->bottom : h - 1;
        if (y >= d0 && y <= d1) {
            if (scale == 0)
                decouple_row_s0(a, s, y % 3, c0, c0, c1 - c0);
            else
                decouple_row_s123(a, s, y % 3, c0, c0, c1 - c0);
        }
        if (y >= s->top && y < s->bottom) {
            uint64_t dn[3];
            if (scale == 0)
                den_row_s0(a, s, s->left, dn);
            else
                den_row_s123(a, s, s->left, dn);
            for (int t = 0; t < 3; t++) p->den[t] += rndu64(dn[t], s->den_row_shift);
        }
        while (p->cm_next < s->bottom && (p->cm_next + 1 < h ? p->cm_next + 1 : h - 1) <= y)
            cm_row(a, scale, p->cm_next++);
    }
    if (scale + 1 < TVMAF_ADM_SCALES) {
        AdmPass *const np = &a->pass[scale + 1];
        /* Row n of the next scale reads LL rows up to 2n + 2, mirrored into the band. */
        while (np->next < a->sc[scale + 1].h) {
            const int need = 2 * np->next + 2 < h ? 2 * np->next + 2 : h - 1;
            if (need > y) break;
            make_row(a, scale + 1, np->next++);
        }
    }
}

/* One scale's sums to its numerator, denominator and AIM numerator. */
static void finish_scale(const TvmafAdm *const a, const int scale, float *const num,
                         float *const den, float *const aim)
{
    const AdmScale *const s = &a->sc[scale];
    const AdmPass *const p = &a->pass[scale];
    /* algorithms.md 3.8: the denominator in double, narrowed for the cube root. */
    float dsum = 0.0f;
    for (int t = 0; t < 3; t++) {
        const double csf = (double)p->den[t] / s->den_div * s->rf_cube[t];
        dsum += powf((float)csf, 1.0f / 3.0f) + s->noise;
    }
    *num = num_sum(s, scale, p->num, s->noise);
    /* libvmaf's AIM pass runs the masking with a noise weight of 0. */
    *aim = a->aim ? num_sum(s, scale, p->aim, 0.0f) : 0.0f;
    *den = dsum;
}

static int plane_ok(const TvmafAdm *const a, const TvmafPlane *const p)
{
    const ptrdiff_t es = a->bpc == 8 ? 1 : 2;
    return p && p->data && p->w == a->w && p->h == a->h && p->bpc == a->bpc &&
           p->stride >= es * a->w;
}

int tvmaf_adm_compute(TvmafAdm *const a, const TvmafPlane *const ref, const TvmafPlane *const dis,
                      TvmafAdmScores *const out)
{
    if (!a || !out || !plane_ok(a, ref) || !plane_ok(a, dis)) return TVMAF_ERR(EINVAL);
    a->pic[0] = ref;
    a->pic[1] = dis;
    for (int s = 0; s < TVMAF_ADM_SCALES; s++)
        a->pass[s] = (AdmPass){ .next = 0, .cm_next = a->sc[s].top };
    for (int y = 0; y < a->sc[0].h; y++) make_row(a, 0, y);

    /* Scale sums are float, accumulated in double, as libvmaf does. */
    double num = 0.0, den = 0.0, aim = 0.0;
    for (int s = 0; s < TVMAF_ADM_SCALES; s++) {
        float n = 0.0f, d = 1e-10f, m = 0.0f; /* libvmaf's values for a skipped scale 0 */
        if (s > 0 || !a->skip_scale0) finish_scale(a, s, &n, &d, &m);
        num += n;
        den += d;
        aim += m;
        out->scale[s] = (double)n / (double)d;
    }

    /* libvmaf's guard against 0/0 on flat content, scaled by the frame area;
     * the AIM numerator is not guarded. With a zero denominator libvmaf
     * leaves AIM unset; we report 0. */
    const double limit = 1e-10 * ((double)a->w * a->h) / (1920.0 * 1080.0);
    if (num < limit) num = 0.0;
    if (den < limit) den = 0.0;
    out->adm2 = den == 0.0 ? 1.0 : num / den;
    out->aim = den == 0.0 ? 0.0 : aim / den;
    const double adm3 = out->adm2 * a->dlm_weight + (1 - out->aim) * (1 - a->dlm_weight);
    out->adm3 = adm3 > a->min_val ? adm3 : a->min_val;
    return 0;
}
