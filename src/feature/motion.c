#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "feature/motion.h"
#if TVMAF_ENABLE_SIMD
#include "feature/x86/motion.h"
#endif

/* The 5-tap Gaussian (sigma 1.0) in Q16; it is VIF's scale-2 kernel. */
static const int32_t motion_filter[5] = { 3571, 16004, 26386, 16004, 3571 };

/* reflect-101: -k -> k, n-1+k -> n-1-k (libvmaf >= 3.2.0). */
static inline int mirror101(int i, int n)
{
    if (i < 0)
        return -i;
    if (i >= n)
        return 2 * n - 2 - i;
    return i;
}

/* Edge-repeat at the far end: n+m -> n-1-m (libvmaf 3.0/3.1). */
static inline int mirror_classic(int i, int n)
{
    if (i < 0)
        return -i;
    if (i >= n)
        return 2 * n - 1 - i;
    return i;
}

/* The vertical passes read either uint8_t or uint16_t rows; one body, two
 * instantiations. 8-bit sums fit int32; deeper ones use int64 as libvmaf
 * does (16-bit differences times 65536 overflow int32). */
#define DEF_FUSED_VERT(sfx, pixel, acc_t)                                              \
    static int32_t fused_vert_##sfx(const void *const p[5], const void *const c[5],      \
                                    int32_t *y, int w, int bpc)                           \
    {                                                                                      \
        const pixel *p0 = p[0], *p1 = p[1], *p2 = p[2], *p3 = p[3], *p4 = p[4];           \
        const pixel *c0 = c[0], *c1 = c[1], *c2 = c[2], *c3 = c[3], *c4 = c[4];           \
        const acc_t round = (acc_t)1 << (bpc - 1);                                         \
        int32_t any = 0;                                                                   \
        for (int j = 0; j < w; j++) {                                                      \
            const acc_t s = (acc_t)motion_filter[0] * (p0[j] - c0[j]) +                   \
                            (acc_t)motion_filter[1] * (p1[j] - c1[j]) +                   \
                            (acc_t)motion_filter[2] * (p2[j] - c2[j]) +                   \
                            (acc_t)motion_filter[3] * (p3[j] - c3[j]) +                   \
                            (acc_t)motion_filter[4] * (p4[j] - c4[j]);                    \
            y[j] = (int32_t)((s + round) >> bpc);                                          \
            any |= y[j];                                                                   \
        }                                                                                  \
        return any;                                                                        \
    }
DEF_FUSED_VERT(8, uint8_t, int32_t)
DEF_FUSED_VERT(16, uint16_t, int64_t)

static int32_t fused_vert_c(const void *const p[5], const void *const c[5], int32_t *y, int w,
                            int bpc)
{
    return bpc == 8 ? fused_vert_8(p, c, y, w, bpc) : fused_vert_16(p, c, y, w, bpc);
}

static inline int32_t fused_horiz_at(const int32_t *y, int j, int w)
{
    int64_t s = 0;
    for (int k = 0; k < 5; k++)
        s += (int64_t)motion_filter[k] * y[mirror101(j - 2 + k, w)];
    return (int32_t)((s + (1 << 15)) >> 16);
}

static uint32_t fused_horiz_sad_c(const int32_t *y, int w)
{
    uint32_t sad = 0;
    const int inner_end = w - 2;
    int j = 0;
    for (; j < 2 && j < w; j++)
        sad += (uint32_t)abs(fused_horiz_at(y, j, w));
    for (; j < inner_end; j++) {
        const int64_t s = (int64_t)motion_filter[0] * y[j - 2] +
                          (int64_t)motion_filter[1] * y[j - 1] +
                          (int64_t)motion_filter[2] * y[j] +
                          (int64_t)motion_filter[3] * y[j + 1] +
                          (int64_t)motion_filter[4] * y[j + 2];
        sad += (uint32_t)abs((int32_t)((s + (1 << 15)) >> 16));
    }
    for (; j < w; j++)
        sad += (uint32_t)abs(fused_horiz_at(y, j, w));
    return sad;
}

#define DEF_BLUR_VERT(sfx, pixel)                                                         \
    static void blur_vert_##sfx(const void *const x[5], uint16_t *t, int w, int bpc)      \
    {                                                                                      \
        const pixel *x0 = x[0], *x1 = x[1], *x2 = x[2], *x3 = x[3], *x4 = x[4];           \
        const uint32_t round = 1u << (bpc - 1);                                            \
        for (int j = 0; j < w; j++) {                                                      \
            const uint64_t s = (uint64_t)motion_filter[0] * x0[j] +                        \
                               (uint64_t)motion_filter[1] * x1[j] +                        \
                               (uint64_t)motion_filter[2] * x2[j] +                        \
                               (uint64_t)motion_filter[3] * x3[j] +                        \
                               (uint64_t)motion_filter[4] * x4[j];                         \
            t[j] = (uint16_t)((s + round) >> bpc);                                         \
        }                                                                                  \
    }
DEF_BLUR_VERT(8, uint8_t)
DEF_BLUR_VERT(16, uint16_t)

static void blur_vert_c(const void *const x[5], uint16_t *t, int w, int bpc)
{
    if (bpc == 8)
        blur_vert_8(x, t, w, bpc);
    else
        blur_vert_16(x, t, w, bpc);
}

static void blur_horiz_c(const uint16_t *t, uint16_t *b, int w)
{
    for (int j = 0; j < w; j++) {
        uint32_t s = 0;
        if (j >= 2 && j + 2 < w) {
            for (int k = 0; k < 5; k++)
                s += (uint32_t)motion_filter[k] * t[j - 2 + k];
        } else {
            for (int k = 0; k < 5; k++)
                s += (uint32_t)motion_filter[k] * t[mirror_classic(j - 2 + k, w)];
        }
        b[j] = (uint16_t)((s + (1u << 15)) >> 16);
    }
}

static uint32_t sad_row_c(const uint16_t *a, const uint16_t *b, int w)
{
    uint32_t s = 0;
    for (int j = 0; j < w; j++)
        s += (uint32_t)abs((int)a[j] - (int)b[j]);
    return s;
}

void tvmaf_motion_dsp_init(TvmafMotionDSPContext *c, unsigned cpu_flags)
{
    c->fused_vert = fused_vert_c;
    c->fused_horiz_sad = fused_horiz_sad_c;
    c->blur_vert = blur_vert_c;
    c->blur_horiz = blur_horiz_c;
    c->sad_row = sad_row_c;
#if TVMAF_ENABLE_SIMD
    motion_dsp_init_x86(c, cpu_flags);
#else
    (void)cpu_flags;
#endif
}

const TvmafOption tvmaf_motion_options[] = {
    { "motion_force_zero", "force_0", TVMAF_OPTION_BOOL,
      offsetof(TvmafMotionOptions, force_zero), 0, 0, 1, NULL, TVMAF_OPTION_KEY },
    { "motion_blend_factor", "mbf", TVMAF_OPTION_DOUBLE,
      offsetof(TvmafMotionOptions, blend_factor), 1.0, 0.0, 1.0, NULL, TVMAF_OPTION_KEY },
    { "motion_blend_offset", "mbo", TVMAF_OPTION_DOUBLE,
      offsetof(TvmafMotionOptions, blend_offset), 40.0, 0.0, 1000.0, NULL, TVMAF_OPTION_KEY },
    { "motion_fps_weight", "mfw", TVMAF_OPTION_DOUBLE,
      offsetof(TvmafMotionOptions, fps_weight), 1.0, 0.0, 5.0, NULL, TVMAF_OPTION_KEY },
    { "motion_max_val", "mmxv", TVMAF_OPTION_DOUBLE,
      offsetof(TvmafMotionOptions, max_val), 10000.0, 0.0, 10000.0, NULL, TVMAF_OPTION_KEY },
    { "motion_five_frame_window", "mffw", TVMAF_OPTION_BOOL,
      offsetof(TvmafMotionOptions, five_frame_window), 0, 0, 1, NULL, TVMAF_OPTION_KEY },
    { "motion_moving_average", "mma", TVMAF_OPTION_BOOL,
      offsetof(TvmafMotionOptions, moving_average), 0, 0, 1, NULL, TVMAF_OPTION_KEY },
    { NULL, NULL, 0, 0, 0, 0, 0, NULL, 0 },
};

const char *const tvmaf_motion_feature_names[TVMAF_MOTION_OUT_COUNT] = {
    "VMAF_integer_feature_motion_sad_score",
    "VMAF_integer_feature_motion2_score",
    "VMAF_integer_feature_motion3_score",
};

const char *const tvmaf_motion_key_names[TVMAF_MOTION_OUT_COUNT] = {
    "VMAF_integer_feature_motion_sad_score",
    "integer_motion2",
    "integer_motion3",
};

int tvmaf_motion_lag(const TvmafMotionOptions *o)
{
    if (!o || o->force_zero)
        return 0;
    return o->five_frame_window ? 2 : 1;
}

static int options_ok(const TvmafMotionOptions *o)
{
    return o->blend_factor >= 0.0 && o->blend_factor <= 1.0 && o->blend_offset >= 0.0 &&
           o->blend_offset <= 1000.0 && o->fps_weight >= 0.0 && o->fps_weight <= 5.0 &&
           o->max_val >= 0.0 && o->max_val <= 10000.0;
}

struct TvmafMotion {
    int w, h, bpc, classic;
    TvmafMotionOptions o;
    TvmafMotionDSPContext dsp;
    int32_t *y_row;        /* fused: one filtered row */
    uint16_t *tmp;         /* classic: one vertically blurred row */
    uint16_t *blur[2];     /* classic: two blurred rows being compared */
};

static size_t row_elems(const int w)
{
    return (size_t)w + TVMAF_MOTION_SLACK;
}

size_t tvmaf_motion_scratch_size(const int w)
{
    TvmafMotion *m;
    return sizeof(*m) + row_elems(w) * (sizeof(*m->y_row) + sizeof(*m->tmp) + 2 * sizeof(uint16_t));
}

static int motion_init(TvmafMotion **out, int w, int h, int bpc, const TvmafMotionOptions *o,
                       int classic, unsigned cpu_flags)
{
    if (!out)
        return -EINVAL;
    *out = NULL;
    if (!o || !options_ok(o) || w < 3 || h < 3 || w > 65536 || h > 65536 ||
        (bpc != 8 && bpc != 10 && bpc != 12 && bpc != 16))
        return -EINVAL;
    TvmafMotion *m = calloc(1, sizeof(*m));
    if (!m)
        return -ENOMEM;
    m->w = w;
    m->h = h;
    m->bpc = bpc;
    m->classic = classic;
    m->o = *o;
    tvmaf_motion_dsp_init(&m->dsp, cpu_flags);
    /* Row slack for whole-vector kernels (motion.h); zeroed so lanes past
     * the row end read defined values. */
    const size_t n = row_elems(w);
    m->y_row = calloc(n, sizeof(*m->y_row));
    m->tmp = calloc(n, sizeof(*m->tmp));
    m->blur[0] = calloc(n, sizeof(uint16_t));
    m->blur[1] = calloc(n, sizeof(uint16_t));
    if (!m->y_row || !m->tmp || !m->blur[0] || !m->blur[1]) {
        tvmaf_motion_free(&m);
        return -ENOMEM;
    }
    *out = m;
    return 0;
}

int tvmaf_motion_init(TvmafMotion **out, int w, int h, int bpc, const TvmafMotionOptions *o,
                      unsigned cpu_flags)
{
    return motion_init(out, w, h, bpc, o, 0, cpu_flags);
}

int tvmaf_motion_init_classic(TvmafMotion **out, int w, int h, int bpc, unsigned cpu_flags)
{
    TvmafMotionOptions o;
    tvmaf_option_defaults(tvmaf_motion_options, &o);
    return motion_init(out, w, h, bpc, &o, 1, cpu_flags);
}

void tvmaf_motion_free(TvmafMotion **pm)
{
    if (!pm || !*pm)
        return;
    TvmafMotion *m = *pm;
    free(m->y_row);
    free(m->tmp);
    free(m->blur[0]);
    free(m->blur[1]);
    free(m);
    *pm = NULL;
}

static const void *row_ptr(const TvmafPlane *p, int i)
{
    return (const uint8_t *)p->data + (ptrdiff_t)i * p->stride;
}

static void blur_row(TvmafMotion *m, const TvmafPlane *p, int i, uint16_t *dst)
{
    const void *x[5];
    for (int k = 0; k < 5; k++)
        x[k] = row_ptr(p, mirror_classic(i - 2 + k, m->h));
    m->dsp.blur_vert(x, m->tmp, m->w, m->bpc);
    m->dsp.blur_horiz(m->tmp, dst, m->w);
}

static int plane_ok(const TvmafMotion *m, const TvmafPlane *p)
{
    return p && p->data && p->w == m->w && p->h == m->h && p->bpc == m->bpc &&
           p->stride >= (ptrdiff_t)m->w * (m->bpc == 8 ? 1 : 2);
}

int tvmaf_motion_compute(TvmafMotion *m, const TvmafPlane *prev, const TvmafPlane *cur,
                         double *score)
{
    if (!m || !score || !plane_ok(m, cur) || (prev && !plane_ok(m, prev)))
        return -EINVAL;
    *score = 0.;
    if (m->o.force_zero || !prev)
        return 0;
    uint64_t sad = 0;
    if (!m->classic) {
        for (int i = 0; i < m->h; i++) {
            const void *p[5], *c[5];
            for (int k = 0; k < 5; k++) {
                const int r = mirror101(i - 2 + k, m->h);
                p[k] = row_ptr(prev, r);
                c[k] = row_ptr(cur, r);
            }
            /* An all-zero filtered row contributes nothing (static areas). */
            if (m->dsp.fused_vert(p, c, m->y_row, m->w, m->bpc))
                sad += m->dsp.fused_horiz_sad(m->y_row, m->w);
        }
        /* libvmaf's operation order: ((sad / 256) / (w * h)) * fps_weight, then the clip. */
        const double v = (double)sad / 256. / ((double)m->w * m->h) * m->o.fps_weight;
        *score = v < m->o.max_val ? v : m->o.max_val;
    } else {
        /* Blurring row by row gives the same values as blurring whole
         * frames: each blurred row depends only on source rows. */
        for (int i = 0; i < m->h; i++) {
            blur_row(m, prev, i, m->blur[0]);
            blur_row(m, cur, i, m->blur[1]);
            sad += m->dsp.sad_row(m->blur[0], m->blur[1], m->w);
        }
        /* libvmaf 3.0 divides in float32: (float)(sad / 256.) / (w * h). */
        *score = (float)((float)(sad / 256.) / (float)((unsigned)m->w * (unsigned)m->h));
    }
    return 0;
}

static double min_d(const double a, const double b)
{
    return a < b ? a : b;
}

/* libvmaf's motion_blend, then the max_val clip. */
static double blend(const TvmafMotionOptions *o, const double x)
{
    return min_d(x * o->blend_factor + (1 - o->blend_factor) * min_d(o->blend_offset, x),
                 o->max_val);
}

int tvmaf_motion_finish(const TvmafMotionOptions *o, const double *sad, unsigned n,
                        double *motion2, double *motion3)
{
    if (!o || (n && !sad))
        return -EINVAL;
    /* force_zero still has libvmaf's window start: frames before 1 (or 2) get 0. */
    const unsigned lag = o->five_frame_window ? 2 : 1;
    const double stamp = n > lag ? blend(o, sad[lag]) : 0.;
    double prev = stamp;
    for (unsigned i = 0; i < n; i++) {
        double m2;
        if (i < lag)
            m2 = 0.;
        else if (i + 1 >= n)
            m2 = sad[i];
        else if (i + 1 - lag >= lag)
            m2 = min_d(sad[i + 1 - lag], sad[i + 1]);
        else
            m2 = sad[i + 1];
        if (motion2)
            motion2[i] = m2;
        double m3;
        if (i < lag) {
            m3 = stamp;
        } else {
            const double p = blend(o, m2);
            m3 = o->moving_average ? (p + prev) / 2.0 : p;
            prev = p;
        }
        if (motion3)
            motion3[i] = m3;
    }
    return 0;
}
