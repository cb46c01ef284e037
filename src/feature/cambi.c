#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "feature/cambi.h"
#if TVMAF_ENABLE_SIMD
#include "feature/x86/cambi.h"
#endif

#define DEF_TOPK 0.6
#define DEF_WINDOW 65
#define DEF_TVI 0.019
#define DEF_MAX_VAL 1000.0
#define MIN_SIDE 216
#define SCALES 5
#define MASK_SIZE 7

static const char *const eotf_names[] = { "bt1886", "pq", NULL };

#define OPT(field) offsetof(TvmafCambiOptions, field)
const TvmafOption tvmaf_cambi_options[] = {
    { "cambi_max_val", "cmxv", TVMAF_OPTION_DOUBLE, OPT(cambi_max_val), DEF_MAX_VAL, 0.0, 1000.0,
      NULL, TVMAF_OPTION_KEY },
    { "enc_width", "encw", TVMAF_OPTION_INT, OPT(enc_width), 0, 180, 7680, NULL, TVMAF_OPTION_KEY },
    { "enc_height", "ench", TVMAF_OPTION_INT, OPT(enc_height), 0, 150, 7680, NULL,
      TVMAF_OPTION_KEY },
    { "enc_bitdepth", "encbd", TVMAF_OPTION_INT, OPT(enc_bitdepth), 0, 6, 16, NULL,
      TVMAF_OPTION_KEY },
    { "src_width", "srcw", TVMAF_OPTION_INT, OPT(src_width), 0, 320, 7680, NULL, TVMAF_OPTION_KEY },
    { "src_height", "srch", TVMAF_OPTION_INT, OPT(src_height), 0, 200, 4320, NULL,
      TVMAF_OPTION_KEY },
    { "window_size", "ws", TVMAF_OPTION_INT, OPT(window_size), DEF_WINDOW, 15, 127, NULL,
      TVMAF_OPTION_KEY },
    { "topk", NULL, TVMAF_OPTION_DOUBLE, OPT(topk), DEF_TOPK, 0.0001, 1.0, NULL, TVMAF_OPTION_KEY },
    { "cambi_topk", "ctpk", TVMAF_OPTION_DOUBLE, OPT(cambi_topk), DEF_TOPK, 0.0001, 1.0, NULL,
      TVMAF_OPTION_KEY },
    { "tvi_threshold", "tvit", TVMAF_OPTION_DOUBLE, OPT(tvi_threshold), DEF_TVI, 0.0001, 1.0, NULL,
      TVMAF_OPTION_KEY },
    { "cambi_vis_lum_threshold", "vlt", TVMAF_OPTION_DOUBLE, OPT(cambi_vis_lum_threshold), 0.0,
      0.0, 300.0, NULL, TVMAF_OPTION_KEY },
    { "max_log_contrast", "mlc", TVMAF_OPTION_INT, OPT(max_log_contrast), 2, 0, 5, NULL,
      TVMAF_OPTION_KEY },
    { "full_ref", NULL, TVMAF_OPTION_BOOL, OPT(full_ref), 0, 0, 1, NULL, 0 },
    { "eotf", NULL, TVMAF_OPTION_ENUM, OPT(eotf), TVMAF_CAMBI_EOTF_BT1886, 0, 0, eotf_names,
      TVMAF_OPTION_KEY },
    { "cambi_eotf", "ceot", TVMAF_OPTION_ENUM, OPT(cambi_eotf), TVMAF_CAMBI_EOTF_BT1886, 0, 0,
      eotf_names, TVMAF_OPTION_KEY },
    { "cambi_high_res_speedup", "hrs", TVMAF_OPTION_INT, OPT(cambi_high_res_speedup), 0, 0, 2160,
      NULL, TVMAF_OPTION_KEY },
    { NULL, NULL, 0, 0, 0, 0, 0, NULL, 0 },
};
#undef OPT

const char *const tvmaf_cambi_output_names[TVMAF_CAMBI_OUTPUTS] = {
    "cambi",
    "cambi_source",
    "cambi_full_reference",
};

int tvmaf_cambi_output_count(const TvmafCambiOptions *const o)
{
    return o && o->full_ref ? TVMAF_CAMBI_OUTPUTS : 1;
}

/* Suprathreshold contrast response per luma-level difference, and the weight
 * of each of the five scales (finest first). */
static const int contrast_weight[TVMAF_CAMBI_MAX_DIFFS] = {
    1, 2, 3, 4, 4, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7, 8, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
};
static const int scale_weight[SCALES] = { 16, 8, 4, 2, 1 };

/* ---- Luminance model (10-bit limited range: 64..940) ---- */

#define LUMA_FOOT 64
#define LUMA_HEAD 940

static double bt1886(const double v)
{
    const double gamma = 2.4, lw = 300.0, lb = 0.01;
    const double rw = pow(lw, 1.0 / gamma), rb = pow(lb, 1.0 / gamma);
    const double a = pow(rw - rb, gamma);
    const double b = rb / (rw - rb);
    const double x = v + b;
    return a * pow(x > 0 ? x : 0, gamma);
}

static double pq(const double v)
{
    const double m1 = 0.1593017578125, m2 = 78.84375;
    const double c1 = 0.8359375, c2 = 18.8515625, c3 = 18.6875;
    const double num = pow(v, 1.0 / m2) - c1;
    const double den = c2 - c3 * pow(v, 1.0 / m2);
    return 10000 * pow((num > 0 ? num : 0) / den, 1.0 / m1);
}

static double luminance(int sample, const int eotf)
{
    sample = sample < LUMA_FOOT ? LUMA_FOOT : sample > LUMA_HEAD ? LUMA_HEAD : sample;
    const double v = (double)(sample - LUMA_FOOT) / (LUMA_HEAD - LUMA_FOOT);
    return eotf == TVMAF_CAMBI_EOTF_PQ ? pq(v) : bt1886(v);
}

/* Is a step of `diff` levels above `sample` visible (Weber-like threshold)? */
static int visible(const int sample, const int diff, const double tvi, const int eotf)
{
    const double l = luminance(sample, eotf);
    return luminance(sample + diff, eotf) - l > tvi * l;
}

/* -1: the step is visible at `sample + 1` too (threshold lies higher);
 * +1: not visible at `sample` (lies lower); 0: `sample` is the last level
 * where it is visible. */
static int tvi_side(const int sample, const int diff, const double tvi, const int eotf)
{
    if (!visible(sample, diff, tvi, eotf))
        return 1;
    return visible(sample + 1, diff, tvi, eotf) ? -1 : 0;
}

/* The largest 10-bit level at which a step of `diff` is still visible,
 * bisected between the range's foot and head - diff - 1 (libvmaf's search:
 * the end points are tried first, the result depends on its exact order). */
static int tvi_for_diff(const int diff, const double tvi, const int eotf)
{
    int lo = LUMA_FOOT, hi = LUMA_HEAD - diff - 1;
    int side = tvi_side(lo, diff, tvi, eotf);
    if (side > 0)
        return 0;
    if (side == 0)
        return lo;
    side = tvi_side(hi, diff, tvi, eotf);
    if (side < 0)
        return (1 << 10) - 1;
    if (side == 0)
        return hi;
    for (;;) {
        const int mid = lo + (hi - lo) / 2;
        side = tvi_side(mid, diff, tvi, eotf);
        if (side == 0)
            return mid;
        if (side > 0)
            hi = mid;
        else
            lo = mid;
    }
}

/* The smallest level whose luminance reaches `threshold`, 0 when the foot
 * does. -1 when no level does (libvmaf loops forever there). */
static int vis_lum_level(const double threshold, const int eotf)
{
    int s = LUMA_FOOT;
    while (luminance(s, eotf) < threshold) {
        if (++s > LUMA_HEAD)
            return -1;
    }
    return s == LUMA_FOOT ? 0 : s;
}

/* libvmaf multiplies by a table of 1/n written with 9 significant digits,
 * which differs from 1.0f / n in 42 entries below 4226: rebuild it from
 * the same rounding (m = 10^k / n rounded to 9 digits, then m / 10^k). */
static void reciprocal_table(float *const t)
{
    t[0] = 0.0f;
    for (int n = 1; n < TVMAF_CAMBI_RECIP_SIZE; n++) {
        int64_t p = 1; /* the least power of ten with p / n >= 1e8 */
        while (p < (int64_t)100000000 * n)
            p *= 10;
        const int64_t m = (p + n / 2) / n;
        t[n] = (float)((double)m / (double)p);
    }
}

/* ---- State ---- */

struct TvmafCambi {
    int w, h, bpc;
    int enc_w, enc_h, enc_bpc, src_w, src_h;
    int speedup;            ///< high-res speed-up in effect
    int window, src_window; ///< adjusted odd window sizes
    int full_ref;
    double max_val, topk;
    TvmafCambiParams par;
    TvmafCambiDSPContext dsp;

    int alloc_w, alloc_h;
    int rows; ///< rows of img, mask and cval: alloc_h, or more for windows taller than it
    ptrdiff_t stride;             ///< samples between rows of img and mask
    uint16_t *img, *mask;         ///< working picture, decimated in place
    uint16_t *mode_buf;           ///< 3 rows
    uint16_t *deriv;              ///< MASK_SIZE + 1 rows
    uint16_t *colsum;             ///< alloc_w + MASK_SIZE
    float *cval;                  ///< alloc_w * alloc_h
    uint16_t *hist;               ///< alloc_w * band_size
    int *rx_enc, *ry_enc, *rx_src, *ry_src; ///< resampling maps
    float recip[TVMAF_CAMBI_RECIP_SIZE];
    void *mem;
};

/* libvmaf's window scaling: 65 is about one degree at 4K (3840 + 2160 =
 * 375 * 16), halved on the speed-up path, odd. */
static int adjust_window(const int ws, const int w, const int h, const int speedup)
{
    unsigned s = (((unsigned)ws * (unsigned)(w + h)) / 375) >> 4;
    s &= 0xffff;
    if (speedup)
        s = (s + 1) >> 1;
    return (int)((s | 1) & 0xffff);
}

/* Nearest-neighbour source index per output index, in libvmaf's float
 * stepping: start = ratio / 2 - 0.5 (double, stored as float), accumulated
 * in float, rounded by adding 0.5 in double and truncating. */
static void resample_map(int *const map, const int in, const int out)
{
    if (in == out) {
        for (int i = 0; i < out; i++)
            map[i] = i;
        return;
    }
    const float ratio = (float)in / (float)out;
    float x = (float)(ratio / 2 - 0.5);
    for (int i = 0; i < out; i++) {
        map[i] = (int)(x + 0.5);
        x += ratio;
    }
}

#define ALIGN_BYTES 64
#define SLACK TVMAF_CAMBI_SLACK

static size_t align_up(const size_t n)
{
    return (n + ALIGN_BYTES - 1) & ~(size_t)(ALIGN_BYTES - 1);
}

static size_t layout(TvmafCambi *const c, uint8_t *const base)
{
    size_t off = 0;
    const size_t aw = (size_t)c->alloc_w, ah = (size_t)c->rows;
    const size_t plane = (size_t)c->stride * ah * sizeof(uint16_t);
#define TAKE(ptr, bytes)                                                 \
    do {                                                                 \
        if (base)                                                        \
            ptr = (void *)(base + off);                                  \
        off += align_up(bytes);                                          \
    } while (0)
    TAKE(c->img, plane);
    TAKE(c->mask, plane);
    TAKE(c->mode_buf, 3 * (aw + SLACK) * sizeof(uint16_t));
    TAKE(c->deriv, (MASK_SIZE + 1) * (aw + SLACK) * sizeof(uint16_t));
    TAKE(c->colsum, (aw + MASK_SIZE + SLACK) * sizeof(uint16_t));
    TAKE(c->cval, (aw * ah + SLACK) * sizeof(float));
    TAKE(c->hist, (aw * (size_t)c->par.band_size + SLACK) * sizeof(uint16_t));
    TAKE(c->rx_enc, aw * sizeof(int));
    TAKE(c->ry_enc, (size_t)c->alloc_h * sizeof(int));
    /* One entry per source sample: without full_ref the source size may
     * exceed the encode size the planes are allocated for. */
    TAKE(c->rx_src, (size_t)c->src_w * sizeof(int));
    TAKE(c->ry_src, (size_t)c->src_h * sizeof(int));
#undef TAKE
    return off;
}

/* Checks the options and fills every field but the DSP table and the
 * buffers: what init keeps and what tvmaf_cambi_scratch_size() sizes. */
static int setup(TvmafCambi *const c, const int w, const int h, const int bpc,
                 const TvmafCambiOptions *const opt)
{
    if (w < 1 || h < 1 || w > 16384 || h > 16384)
        return -EINVAL;
    if (bpc != 8 && bpc != 10 && bpc != 12 && bpc != 16)
        return -EINVAL;
    TvmafCambiOptions o;
    if (opt)
        o = *opt;
    else
        tvmaf_option_defaults(tvmaf_cambi_options, &o);
    /* Option ranges (defaults 0 mean "from the input"). */
    if (!(o.cambi_max_val >= 0.0 && o.cambi_max_val <= 1000.0) ||
        (o.enc_width && (o.enc_width < 180 || o.enc_width > 7680)) ||
        (o.enc_height && (o.enc_height < 150 || o.enc_height > 7680)) ||
        (o.enc_bitdepth && (o.enc_bitdepth < 6 || o.enc_bitdepth > 16)) ||
        (o.src_width && (o.src_width < 320 || o.src_width > 7680)) ||
        (o.src_height && (o.src_height < 200 || o.src_height > 4320)) ||
        o.window_size < 15 || o.window_size > 127 || !(o.topk >= 0.0001 && o.topk <= 1.0) ||
        !(o.cambi_topk >= 0.0001 && o.cambi_topk <= 1.0) ||
        !(o.tvi_threshold >= 0.0001 && o.tvi_threshold <= 1.0) ||
        !(o.cambi_vis_lum_threshold >= 0.0 && o.cambi_vis_lum_threshold <= 300.0) ||
        o.max_log_contrast < 0 || o.max_log_contrast > 5 || o.eotf < 0 || o.eotf > 1 ||
        o.cambi_eotf < 0 || o.cambi_eotf > 1 || o.cambi_high_res_speedup < 0 ||
        o.cambi_high_res_speedup > 2160)
        return -EINVAL;

    int enc_w = o.enc_width, enc_h = o.enc_height, src_w = o.src_width, src_h = o.src_height;
    const int enc_bpc = o.enc_bitdepth ? o.enc_bitdepth : bpc;
    if (!enc_w || !enc_h) {
        enc_w = w;
        enc_h = h;
    }
    if (!src_w || !src_h) {
        src_w = w;
        src_h = h;
    }
    /* A downscaled encode is not scaled back up. */
    if (enc_h > h || enc_w > w) {
        enc_w = w;
        enc_h = h;
    }
    if ((enc_w < MIN_SIDE && enc_h < MIN_SIDE) || (src_w < MIN_SIDE && src_h < MIN_SIDE) ||
        (src_w > enc_w && src_h < enc_h) || (src_w < enc_w && src_h > enc_h))
        return -EINVAL;

    const int64_t enc_pix = (int64_t)enc_w * enc_h;
    int speedup = 0;
    switch (o.cambi_high_res_speedup) {
    case 1080: speedup = enc_pix >= 1920 * 1080; break;
    case 1440: speedup = enc_pix >= 2560 * 1440; break;
    case 2160: speedup = enc_pix >= 3840 * 2160; break;
    default: break;
    }

    const int eotf = o.cambi_eotf != TVMAF_CAMBI_EOTF_BT1886 ? o.cambi_eotf : o.eotf;
    const int n = 1 << o.max_log_contrast;
    TvmafCambiParams par = { 0 };
    par.num_diffs = n;
    for (int d = 0; d < n; d++) {
        par.tvi[d] = (uint16_t)(tvi_for_diff(d + 1, o.tvi_threshold, eotf) + n);
        par.weight[d] = contrast_weight[d];
    }
    /* A pixel at the last visible level of step d reads the count d levels
     * up, which must be inside the histogram band (top: tvi[n-1]). The
     * luminance models give tvi[d] + d rising with d for every threshold
     * we tried; refuse rather than read outside the band if one did not. */
    for (int d = 0; d < n; d++)
        if (par.tvi[d] + d + 1 > par.tvi[n - 1] + n)
            return -EINVAL;
    const int vlt = vis_lum_level(o.cambi_vis_lum_threshold, eotf);
    if (vlt < 0)
        return -EINVAL;
    par.vlt_luma = (uint16_t)vlt;
    const int lo = vlt - 3 * n + 1;
    par.band_base = (uint16_t)(lo > 0 ? lo : 0);
    /* With a visibility level above every threshold no level can score
     * (libvmaf's unsigned band size wraps there and it crashes): empty band. */
    const int band = par.tvi[n - 1] + 1 - par.band_base;
    par.band_size = (uint16_t)(band > 0 ? band : 0);

    const int window = adjust_window(o.window_size, enc_w, enc_h, speedup);
    const int src_window = adjust_window(o.window_size, src_w, src_h, speedup);
    const int max_window = window > src_window ? window : src_window;
    if (max_window * max_window >= TVMAF_CAMBI_RECIP_SIZE)
        return -EINVAL;

    c->w = w;
    c->h = h;
    c->bpc = bpc;
    c->enc_w = enc_w;
    c->enc_h = enc_h;
    c->enc_bpc = enc_bpc;
    c->src_w = src_w;
    c->src_h = src_h;
    c->speedup = speedup;
    c->window = window;
    c->src_window = src_window;
    c->full_ref = o.full_ref;
    c->max_val = o.cambi_max_val;
    /* topk wins when set away from its default, else cambi_topk. */
    c->topk = o.topk != DEF_TOPK ? o.topk : o.cambi_topk;
    c->par = par;
    c->alloc_w = o.full_ref && src_w > enc_w ? src_w : enc_w;
    c->alloc_h = o.full_ref && src_h > enc_h ? src_h : enc_h;
    c->stride = (ptrdiff_t)c->alloc_w + SLACK;
    /* The contrast pass reads and writes rows up to the window's half
     * height even past the picture's last row (libvmaf's loop bounds). */
    c->rows = c->alloc_h > max_window + 1 ? c->alloc_h : max_window + 1;
    return 0;
}

size_t tvmaf_cambi_scratch_size(const int w, const int h, const int bpc,
                                const TvmafCambiOptions *const opt)
{
    TvmafCambi c = { 0 };
    if (setup(&c, w, h, bpc, opt))
        return 0;
    return sizeof(c) + layout(&c, NULL) + ALIGN_BYTES;
}

int tvmaf_cambi_init(TvmafCambi **const out, const int w, const int h, const int bpc,
                     const TvmafCambiOptions *const opt, const unsigned cpu_flags)
{
    if (!out)
        return -EINVAL;
    *out = NULL;
    TvmafCambi *const c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    const int err = setup(c, w, h, bpc, opt);
    if (err) {
        free(c);
        return err;
    }
    reciprocal_table(c->recip);
    c->par.recip = c->recip;
    tvmaf_cambi_dsp_init(&c->dsp, cpu_flags);

    const size_t size = layout(c, NULL) + ALIGN_BYTES;
    c->mem = calloc(1, size);
    if (!c->mem) {
        free(c);
        return -ENOMEM;
    }
    uint8_t *const base =
        (uint8_t *)c->mem + ((ALIGN_BYTES - (uintptr_t)c->mem % ALIGN_BYTES) % ALIGN_BYTES);
    layout(c, base);
    resample_map(c->rx_enc, w, c->enc_w);
    resample_map(c->ry_enc, h, c->enc_h);
    resample_map(c->rx_src, w, c->src_w);
    resample_map(c->ry_src, h, c->src_h);
    *out = c;
    return 0;
}

void tvmaf_cambi_free(TvmafCambi **const p)
{
    if (!p || !*p)
        return;
    free((*p)->mem);
    free(*p);
    *p = NULL;
}

/* ---- Per frame ---- */

/* One row of the anti-dithering average, in place: r0[j] reads r0[j + 1]
 * before it is written, and r1 (the next row) is not written. */
static void dither_row(uint16_t *restrict const r0, const uint16_t *restrict const r1, const int w)
{
    for (int j = 0; j < w - 1; j++)
        r0[j] = (uint16_t)((r0[j] + r0[j + 1] + r1[j] + r1[j + 1]) >> 2);
    r0[w - 1] = (uint16_t)((r0[w - 1] + r1[w - 1]) >> 1);
}

/* Resamples the input luma to out_w x out_h, converts it to 10 bits (8 and
 * 9 bits shift up, deeper ones round down), and for encodes below 10 bits
 * applies the in-place 2x2 averaging that undoes dithering. Refuses samples
 * above the input's maximum, as libvmaf does. */
static int preprocess(TvmafCambi *const c, const TvmafPlane *const p, const int out_w,
                      const int out_h, const int *const rx, const int *const ry)
{
    const int bpc = p->bpc;
    const int maxv = (1 << bpc) - 1;
    if (bpc > 8 && bpc < 16) {
        for (int i = 0; i < p->h; i++) {
            const uint16_t *const s = (const uint16_t *)((const uint8_t *)p->data + i * p->stride);
            unsigned top = 0; /* a max reduction vectorizes; an early exit would not */
            for (int j = 0; j < p->w; j++)
                top = s[j] > top ? s[j] : top;
            if (top > (unsigned)maxv)
                return -EINVAL;
        }
    }
    const int up = bpc < 10 ? 10 - bpc : 0;
    const int down = bpc > 10 ? bpc - 10 : 0;
    const int round = down ? 1 << (down - 1) : 0;
    for (int i = 0; i < out_h; i++) {
        const uint8_t *const row = (const uint8_t *)p->data + ry[i] * p->stride;
        uint16_t *const d = c->img + i * c->stride;
        const uint16_t *const s = (const uint16_t *)row;
        if (out_w == p->w && bpc == 8) {
            for (int j = 0; j < out_w; j++)
                d[j] = (uint16_t)(row[j] << up);
        } else if (out_w == p->w) {
            for (int j = 0; j < out_w; j++)
                d[j] = (uint16_t)((s[j] + round) >> down);
        } else if (bpc == 8) {
            for (int j = 0; j < out_w; j++)
                d[j] = (uint16_t)(row[rx[j]] << up);
        } else {
            for (int j = 0; j < out_w; j++)
                d[j] = (uint16_t)((s[rx[j]] + round) >> down);
        }
    }
    if (c->enc_bpc < 10) {
        uint16_t *const d = c->img;
        const ptrdiff_t st = c->stride;
        /* Forward in place: each output reads only samples not yet written. */
        for (int i = 0; i < out_h - 1; i++)
            dither_row(d + i * st, d + (i + 1) * st, out_w);
        uint16_t *const rl = d + (out_h - 1) * st;
        for (int j = 0; j < out_w - 1; j++)
            rl[j] = (uint16_t)((rl[j] + rl[j + 1]) >> 1);
    }
    return 0;
}

static int ceil_log2(uint32_t n)
{
    int s = 0;
    if (!n)
        return 0;
    for (n--; n; n >>= 1)
        s++;
    return s;
}

/* Marks the flat areas: a pixel is in the mask when more than `threshold`
 * of the 7x7 pixels around it (zero outside the picture) equal both their
 * right and lower neighbours (the last column and row count as equal). */
static void spatial_mask(TvmafCambi *const c, const int w, const int h)
{
    const int pad = MASK_SIZE / 2;
    const uint32_t shifted = (uint32_t)(w >> 6) * (uint32_t)(h >> 6);
    const unsigned threshold =
        (uint16_t)((MASK_SIZE * MASK_SIZE + 3 * (ceil_log2(shifted) - 11) - 1) >> 1);
    const size_t dstride = (size_t)c->alloc_w + SLACK;
    uint16_t *const col = c->colsum + pad;
    memset(c->colsum, 0, ((size_t)w + MASK_SIZE) * sizeof(uint16_t));
    /* Column sums over rows r-3..r+3, kept by adding row r+3 and removing r-4. */
    for (int r = -pad; r < h; r++) {
        const int add = r + pad;
        if (add < h) {
            uint16_t *const dr = c->deriv + (size_t)(add % (MASK_SIZE + 1)) * dstride;
            c->dsp.derivative_row(c->img + add * c->stride,
                                  add + 1 < h ? c->img + (add + 1) * c->stride : NULL, dr, w);
            for (int j = 0; j < w; j++)
                col[j] = (uint16_t)(col[j] + dr[j]);
        }
        if (r < 0)
            continue;
        const int sub = r - pad - 1;
        if (sub >= 0) {
            const uint16_t *const dr = c->deriv + (size_t)(sub % (MASK_SIZE + 1)) * dstride;
            for (int j = 0; j < w; j++)
                col[j] = (uint16_t)(col[j] - dr[j]);
        }
        c->dsp.mask_row(c->colsum, c->mask + r * c->stride, w, threshold);
    }
}

/* Windowed histograms of in-band, masked luma levels, slid down the rows in
 * libvmaf's order; its quirks on pictures smaller than the window (rows
 * and columns past the end read as left over from the previous scale) are
 * kept: the working picture is decimated in place, so the same samples are
 * there. */
static void c_values(TvmafCambi *const c, const int w, const int h, const int window)
{
    const int pad = window >> 1;
    const TvmafCambiParams *const par = &c->par;
    const ptrdiff_t st = c->stride;
    const int ncols = w > pad ? w : pad;
    /* Every row 0..h-1 is computed at least once below: no clearing of cval. */
    memset(c->hist, 0, sizeof(uint16_t) * (size_t)w * par->band_size);

#define ROW(buf, r) ((buf) + (ptrdiff_t)(r) * st)
    for (int i = 0; i < pad; i++)
        c->dsp.hist_update(c->hist, w, NULL, NULL, ROW(c->img, i), ROW(c->mask, i), ncols, pad,
                           par);
    for (int i = 0; i < pad + 1; i++) {
        if (i + pad < h)
            c->dsp.hist_update(c->hist, w, NULL, NULL, ROW(c->img, i + pad),
                               ROW(c->mask, i + pad), ncols, pad, par);
        c->dsp.c_values_row(c->cval + (size_t)i * w, c->hist, w, ROW(c->img, i), ROW(c->mask, i),
                            par);
    }
    for (int i = pad + 1; i < h - pad; i++) {
        c->dsp.hist_update(c->hist, w, ROW(c->img, i - pad - 1), ROW(c->mask, i - pad - 1),
                           ROW(c->img, i + pad), ROW(c->mask, i + pad), ncols, pad, par);
        c->dsp.c_values_row(c->cval + (size_t)i * w, c->hist, w, ROW(c->img, i), ROW(c->mask, i),
                            par);
    }
    for (int i = h - pad > 0 ? h - pad : 0; i < h; i++) {
        if (i - pad - 1 >= 0)
            c->dsp.hist_update(c->hist, w, ROW(c->img, i - pad - 1), ROW(c->mask, i - pad - 1),
                               NULL, NULL, ncols, pad, par);
        c->dsp.c_values_row(c->cval + (size_t)i * w, c->hist, w, ROW(c->img, i), ROW(c->mask, i),
                            par);
    }
#undef ROW
}

/* Hoare quick-select as libvmaf does it, largest first: afterwards the k
 * largest values are a[0..k-1], in the order the summation below sees. */
static void select_largest(float *const a, const int n, const int k)
{
    if (n == k)
        return;
    int left = 0, right = n - 1;
    while (left < right) {
        const float pivot = a[k];
        int i = left, j = right;
        do {
            while (a[i] > pivot)
                i++;
            while (a[j] < pivot)
                j--;
            if (i <= j) {
                const float t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        } while (i <= j);
        if (j < k)
            left = i;
        if (k < i)
            right = j;
    }
}

static double pool(const TvmafCambiDSPContext *const dsp, float *const v, const double topk,
                   const int w, const int h)
{
    const int n = w * h;
    int k = (int)(topk * n);
    k = k < 1 ? 1 : k > n ? n : k;
    /* Fast path, same bits: a contrast value is 0 or in [0.5, 16384) (w p0
     * p1 / (p0 + p1) with counts >= 1 and w <= 9), so a multiple of 2^-24.
     * While a sum of such values stays below 2^29 it is exact in a double,
     * whatever the order: when the k largest are all the non-zero values,
     * libvmaf's sum in quick-select order equals the plain sum. */
    double all;
    const int nonzero = dsp->pool_sum(v, n, &all);
    if (nonzero >= 0 && nonzero <= k && all < TVMAF_CAMBI_EXACT_SUM)
        return all / k;
    select_largest(v, n, k);
    double sum = 0;
    for (int t = 0; t < k; t++)
        sum += v[t];
    return sum / k;
}

static double score_picture(TvmafCambi *const c, int w, int h, const int window)
{
    double per_scale[SCALES];
    const ptrdiff_t mstride = (ptrdiff_t)c->alloc_w + SLACK;
    spatial_mask(c, w, h);
    for (int s = 0; s < SCALES; s++) {
        if (s > 0 || c->speedup) {
            w = (w + 1) >> 1;
            h = (h + 1) >> 1;
            for (int i = 0; i < h; i++) {
                c->dsp.decimate_row(c->img + 2 * i * c->stride, c->img + i * c->stride, w);
                c->dsp.decimate_row(c->mask + 2 * i * c->stride, c->mask + i * c->stride, w);
            }
        }
        /* 3x3 mode filter, separable: rows into a 3-row ring, then columns
         * written back one row behind (first and last rows and columns kept). */
        for (int i = 0; i < h; i++) {
            c->dsp.mode_h_row(c->img + i * c->stride, c->mode_buf + (i % 3) * mstride, w);
            if (i > 1)
                c->dsp.mode_v_row(c->mode_buf, c->mode_buf + mstride, c->mode_buf + 2 * mstride,
                                  c->img + (i - 1) * c->stride, w);
        }
        c_values(c, w, h, window);
        per_scale[s] = pool(&c->dsp, c->cval, c->topk, w, h);
    }
    const int side = 2 * (window >> 1) + 1;
    const uint16_t in_window = (uint16_t)(side * side);
    double score = 0.0;
    for (int s = 0; s < SCALES; s++)
        score += per_scale[s] * scale_weight[s];
    return score / in_window;
}

static int check_plane(const TvmafCambi *const c, const TvmafPlane *const p)
{
    return p && p->data && p->w == c->w && p->h == c->h && p->bpc == c->bpc &&
           p->stride >= (ptrdiff_t)c->w * (c->bpc > 8 ? 2 : 1);
}

int tvmaf_cambi_compute(TvmafCambi *const c, const TvmafPlane *const ref,
                        const TvmafPlane *const dis, double score[TVMAF_CAMBI_OUTPUTS])
{
    if (!c || !score || !check_plane(c, dis) || (c->full_ref && !check_plane(c, ref)))
        return -EINVAL;
    int err = preprocess(c, dis, c->enc_w, c->enc_h, c->rx_enc, c->ry_enc);
    if (err)
        return err;
    const double dist = score_picture(c, c->enc_w, c->enc_h, c->window);
    score[TVMAF_CAMBI_SCORE] = dist < c->max_val ? dist : c->max_val;
    if (c->full_ref) {
        err = preprocess(c, ref, c->src_w, c->src_h, c->rx_src, c->ry_src);
        if (err)
            return err;
        const double src = score_picture(c, c->src_w, c->src_h, c->src_window);
        const double diff = dist - src > 0 ? dist - src : 0;
        score[TVMAF_CAMBI_SOURCE] = src < c->max_val ? src : c->max_val;
        score[TVMAF_CAMBI_FULL_REFERENCE] = diff < c->max_val ? diff : c->max_val;
    }
    return 0;
}

/* ---- C kernels ---- */

static void derivative_row_c(const uint16_t *const cur, const uint16_t *const next,
                             uint16_t *const out, const int w)
{
    if (next) {
        for (int j = 0; j < w - 1; j++)
            out[j] = (uint16_t)((cur[j] == cur[j + 1]) & (cur[j] == next[j]));
        out[w - 1] = cur[w - 1] == next[w - 1];
    } else {
        for (int j = 0; j < w - 1; j++)
            out[j] = cur[j] == cur[j + 1];
        out[w - 1] = 1;
    }
}

static void mask_row_c(const uint16_t *const colsum, uint16_t *const out, const int w,
                       const unsigned threshold)
{
    /* colsum has MASK_SIZE/2 zeros before column 0 and after column w-1. */
    for (int j = 0; j < w; j++)
        out[j] = tvmaf_cambi_mask7(colsum + j, threshold);
}

static void decimate_row_c(const uint16_t *const src, uint16_t *const dst, const int w)
{
    for (int j = 0; j < w; j++)
        dst[j] = src[2 * j];
}

static void mode_h_row_c(const uint16_t *const src, uint16_t *const dst, const int w)
{
    dst[0] = src[0];
    for (int j = 1; j < w - 1; j++)
        dst[j] = tvmaf_cambi_mode3(src[j - 1], src[j], src[j + 1]);
    dst[w - 1] = src[w - 1];
}

static void mode_v_row_c(const uint16_t *const a, const uint16_t *const b, const uint16_t *const c,
                         uint16_t *const dst, const int w)
{
    for (int j = 0; j < w; j++)
        dst[j] = tvmaf_cambi_mode3(a[j], b[j], c[j]);
}

static inline void add_range(uint16_t *const h, const int l, const int r, const uint16_t d)
{
    for (int x = l; x < r; x++)
        h[x] = (uint16_t)(h[x] + d);
}

static void hist_update_c(uint16_t *const hist, const int w, const uint16_t *const sub_img,
                          const uint16_t *const sub_mask, const uint16_t *const add_img,
                          const uint16_t *const add_mask, const int ncols, const int pad,
                          const TvmafCambiParams *const par)
{
    const unsigned base = par->band_base, size = par->band_size;
    for (int j = 0; j < ncols; j++) {
        const int l = j - pad > 0 ? j - pad : 0;
        const int r = j + pad + 1 < w ? j + pad + 1 : w;
        const unsigned vs = sub_mask && sub_mask[j] ? (uint16_t)(sub_img[j] - base) : size;
        const unsigned va = add_mask && add_mask[j] ? (uint16_t)(add_img[j] - base) : size;
        if (vs == va)
            continue; /* both out of band, or the same level: no change */
        if (vs < size)
            add_range(hist + vs * (size_t)w, l, r, (uint16_t)-1);
        if (va < size)
            add_range(hist + va * (size_t)w, l, r, 1);
    }
}

static void c_values_row_c(float *const out, const uint16_t *const hist, const int w,
                           const uint16_t *const img, const uint16_t *const mask,
                           const TvmafCambiParams *const par)
{
    for (int j = 0; j < w; j++)
        out[j] = tvmaf_cambi_c_value(hist, w, j, img[j], mask[j], par);
}

static int pool_sum_c(const float *const v, const int n, double *const sum)
{
    double s = 0;
    int nonzero = 0;
    if (tvmaf_cambi_pool_add(v, n, &s, &nonzero))
        return -1;
    *sum = s;
    return nonzero;
}

void tvmaf_cambi_dsp_init(TvmafCambiDSPContext *const c, const unsigned cpu_flags)
{
    c->derivative_row = derivative_row_c;
    c->mask_row = mask_row_c;
    c->decimate_row = decimate_row_c;
    c->mode_h_row = mode_h_row_c;
    c->mode_v_row = mode_v_row_c;
    c->hist_update = hist_update_c;
    c->c_values_row = c_values_row_c;
    c->pool_sum = pool_sum_c;
#if TVMAF_ENABLE_SIMD
    cambi_dsp_init_x86(c, cpu_flags);
#else
    (void)cpu_flags;
#endif
}
