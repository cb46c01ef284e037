/*
 * Unit test of the integer ADM module (src/feature/adm.c), no framework:
 * returns non-zero on failure.
 *
 * Checks properties that hold by construction of libvmaf's integer ADM
 * (docs/algorithms.md sections 3 and 4.5), on small synthetic pictures:
 *   - depth invariance: the same content scaled by 2^(b-8) gives bit-identical
 *     doubles at b = 10, 12 and 16 (the scale-0 DWT normalises to 8-bit units
 *     exactly);
 *   - ref == dis scores about 1 (slightly above: the #955 rounding quirk);
 *   - the enhancement gain limit: with egl = 1 a sharpened picture cannot
 *     score higher than with the default 100;
 *   - argument validation, and odd sizes down to the 16x16 minimum.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feature/adm.h"

static int failures;

static void check(const int ok, const char *const what, const int line)
{
    if (ok) return;
    fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, line, what);
    failures++;
}
#define CHECK(cond) check(!!(cond), #cond, __LINE__)

static uint32_t lcg(uint32_t *const s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static int clip8(const int v)
{
    return v < 0 ? 0 : v > 255 ? 255 : v;
}

/* Mean of the 3x3 neighbourhood of (x, y) in v, clipped to the picture. */
static int box3(const int *const v, const int w, const int h, const int x, const int y)
{
    int s = 0, c = 0;
    for (int yy = y - 1; yy <= y + 1; yy++) {
        for (int xx = x - 1; xx <= x + 1; xx++) {
            if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
            s += v[yy * w + xx];
            c++;
        }
    }
    return s / c;
}

/* Textured 8-bit content: a gradient plus box-blurred noise, so that every
 * DWT scale has energy. */
static void make_ref(uint8_t *const p, const int w, const int h, uint32_t seed)
{
    int *const n = malloc(sizeof(*n) * (size_t)w * h);
    for (int i = 0; i < w * h; i++) n[i] = (int)(lcg(&seed) % 161) - 80;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            p[y * w + x] = (uint8_t)clip8(40 + (x * 150) / w + (y * 40) / h + box3(n, w, h, x, y));
    free(n);
}

static void add_noise(uint8_t *const d, const uint8_t *const r, const int n, uint32_t seed)
{
    for (int i = 0; i < n; i++) d[i] = (uint8_t)clip8(r[i] + (int)(lcg(&seed) % 13) - 6);
}

/* Unsharp mask: r + 2 * (r - box3(r)), an enhancement rather than a loss. */
static void sharpen(uint8_t *const d, const uint8_t *const r, const int w, const int h)
{
    int *const v = malloc(sizeof(*v) * (size_t)w * h);
    if (!v) {
        failures++;
        return;
    }
    for (int i = 0; i < w * h; i++) v[i] = r[i];
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            d[y * w + x] = (uint8_t)clip8(3 * v[y * w + x] - 2 * box3(v, w, h, x, y));
    free(v);
}

/* Scores an 8-bit pair at depth bpc (samples scaled by 2^(bpc-8)). */
static int score(const uint8_t *const r8, const uint8_t *const d8, const int w, const int h,
                 const int bpc, const double egl, double out[1 + TVMAF_ADM_SCALES])
{
    TvmafAdmOptions opt;
    tvmaf_option_defaults(tvmaf_adm_options, &opt);
    opt.enhn_gain_limit = egl;
    TvmafAdm *a = NULL;
    int err = tvmaf_adm_init(&a, w, h, bpc, &opt, 0);
    if (err) return err;

    const size_t n = (size_t)w * h;
    const void *rb = r8, *db = d8;
    uint16_t *r16 = NULL, *d16 = NULL;
    ptrdiff_t stride = w;
    if (bpc > 8) {
        r16 = malloc(n * sizeof(*r16));
        d16 = malloc(n * sizeof(*d16));
        if (!r16 || !d16) {
            free(r16);
            free(d16);
            tvmaf_adm_free(&a);
            return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
            r16[i] = (uint16_t)(r8[i] << (bpc - 8));
            d16[i] = (uint16_t)(d8[i] << (bpc - 8));
        }
        rb = r16;
        db = d16;
        stride = 2 * (ptrdiff_t)w;
    }
    const TvmafPlane ref = { rb, stride, w, h, bpc };
    const TvmafPlane dis = { db, stride, w, h, bpc };
    TvmafAdmScores sc;
    err = tvmaf_adm_compute(a, &ref, &dis, &sc);
    out[0] = sc.adm2;
    for (int i = 0; i < TVMAF_ADM_SCALES; i++) out[1 + i] = sc.scale[i];
    free(r16);
    free(d16);
    tvmaf_adm_free(&a);
    CHECK(a == NULL);
    return err;
}

static int same_doubles(const double *const x, const double *const y)
{
    return memcmp(x, y, sizeof(double) * (1 + TVMAF_ADM_SCALES)) == 0;
}

static void test_depth_invariance(void)
{
    const int w = 64, h = 48;
    uint8_t r[64 * 48], d[64 * 48];
    make_ref(r, w, h, 1);
    add_noise(d, r, w * h, 2);

    double s8[5], s[5];
    CHECK(score(r, d, w, h, 8, 100.0, s8) == 0);
    CHECK(s8[0] > 0.5 && s8[0] < 1.0);
    for (int k = 0; k < 5; k++) CHECK(s8[k] > 0.0);
    static const int depths[] = { 10, 12, 16 };
    for (int i = 0; i < 3; i++) {
        CHECK(score(r, d, w, h, depths[i], 100.0, s) == 0);
        if (!same_doubles(s, s8)) {
            fprintf(stderr, "depth %d: adm2 %.17g vs 8-bit %.17g\n", depths[i], s[0], s8[0]);
            failures++;
        }
    }
}

static void test_identical(void)
{
    const int w = 64, h = 48;
    uint8_t r[64 * 48];
    make_ref(r, w, h, 3);
    double s[5];
    CHECK(score(r, r, w, h, 8, 100.0, s) == 0);
    CHECK(s[0] >= 0.999 && s[0] <= 1.0001);
    CHECK(score(r, r, w, h, 10, 1.0, s) == 0);
    CHECK(s[0] >= 0.999 && s[0] <= 1.0001);
}

static void test_gain_limit(void)
{
    const int w = 64, h = 48;
    uint8_t r[64 * 48], d[64 * 48];
    make_ref(r, w, h, 4);
    sharpen(d, r, w, h);
    double s100[5], s1[5];
    CHECK(score(r, d, w, h, 8, 100.0, s100) == 0);
    CHECK(score(r, d, w, h, 8, 1.0, s1) == 0);
    CHECK(s1[0] <= s100[0]);
    CHECK(s1[0] < s100[0]); /* the sharpening must actually be discounted */
}

static void test_odd_sizes(void)
{
    static const int sizes[][2] = { { 16, 16 }, { 17, 17 }, { 33, 21 }, { 37, 100 }, { 101, 37 } };
    uint8_t *const r = malloc(101 * 100), *const d = malloc(101 * 100);
    if (!r || !d) {
        failures++;
        free(r);
        free(d);
        return;
    }
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        const int w = sizes[i][0], h = sizes[i][1];
        make_ref(r, w, h, 5 + (uint32_t)i);
        add_noise(d, r, w * h, 9);
        double s8[5], s10[5];
        CHECK(score(r, d, w, h, 8, 100.0, s8) == 0);
        CHECK(score(r, d, w, h, 10, 100.0, s10) == 0);
        CHECK(same_doubles(s8, s10));
        for (int k = 0; k < 5; k++) CHECK(s8[k] > 0.0 && s8[k] < 2.0);
    }
    free(r);
    free(d);
}

static void test_arguments(void)
{
    TvmafAdm *a = NULL;
    TvmafAdmOptions opt, def;
    tvmaf_option_defaults(tvmaf_adm_options, &def);
    opt = def;
    CHECK(tvmaf_adm_init(&a, 15, 64, 8, &opt, 0) == -EINVAL);
    CHECK(tvmaf_adm_init(&a, 64, 15, 8, &opt, 0) == -EINVAL);
    CHECK(tvmaf_adm_init(&a, 64, 64, 9, &opt, 0) == -EINVAL);
    CHECK(tvmaf_adm_init(&a, 64, 64, 8, NULL, 0) == -EINVAL);
    CHECK(a == NULL);
    opt.norm_view_dist = 2.9; /* 2.9 * 1080 < 3240: refused, as libvmaf does */
    CHECK(tvmaf_adm_init(&a, 64, 64, 8, &opt, 0) == -EINVAL);
    opt.norm_view_dist = 1.5;
    opt.ref_display_height = 2160; /* 3240 exactly: accepted */
    CHECK(tvmaf_adm_init(&a, 64, 64, 8, &opt, 0) == 0);
    tvmaf_adm_free(&a);
    opt = def;
    opt.enhn_gain_limit = 0.5;
    CHECK(tvmaf_adm_init(&a, 64, 64, 8, &opt, 0) == -EINVAL);
    opt = def;

    /* Each option out of range, alone, is refused. */
    static const char *const bad[] = {
        "adm_csf_mode=4",        "adm_csf_mode=-1",         "adm_dlm_weight=1.5",
        "adm_noise_weight=-0.1", "adm_noise_weight=1501",   "adm_min_val=1.01",
        "adm_csf_scale=51",      "adm_csf_diag_scale=-1",   "adm_norm_view_dist=0.5",
        "adm_ref_display_height=4321", "adm_enhn_gain_limit=0.9", "adm_skip_aim=2",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        char name[64], err[128];
        const char *const eq = strchr(bad[i], '=');
        snprintf(name, sizeof(name), "%.*s", (int)(eq - bad[i]), bad[i]);
        const TvmafOption *o = tvmaf_option_find(tvmaf_adm_options, name);
        opt = def;
        CHECK(o && tvmaf_option_parse(o, &opt, eq + 1, err, sizeof(err)) == -EINVAL);
    }
    opt = def;
    opt.csf_mode = 4;
    CHECK(tvmaf_adm_init(&a, 64, 64, 8, &opt, 0) == -EINVAL);
    opt = def;
    opt.dlm_weight = -0.5;
    CHECK(tvmaf_adm_init(&a, 64, 64, 8, &opt, 0) == -EINVAL);
    opt = def;
    opt.noise_weight = 2000;
    CHECK(tvmaf_adm_init(&a, 64, 64, 8, &opt, 0) == -EINVAL);
    opt = def;
    opt.min_val = 2;
    CHECK(tvmaf_adm_init(&a, 64, 64, 8, &opt, 0) == -EINVAL);
    /* The blended CSFs are tabulated for nine viewing conditions only. */
    opt = def;
    opt.csf_mode = TVMAF_ADM_CSF_BARTEN_WATSON_BLEND;
    opt.norm_view_dist = 4.0;
    CHECK(tvmaf_adm_init(&a, 64, 64, 8, &opt, 0) == -EINVAL);
    opt.csf_mode = TVMAF_ADM_CSF_BARTEN_WATSON_BLEND_MAE;
    CHECK(tvmaf_adm_init(&a, 64, 64, 8, &opt, 0) == -EINVAL);
    opt.norm_view_dist = 5.0;
    CHECK(tvmaf_adm_init(&a, 64, 64, 8, &opt, 0) == 0);
    tvmaf_adm_free(&a);
    opt.csf_mode = TVMAF_ADM_CSF_WATSON97;
    opt.norm_view_dist = 4.0; /* any viewing distance for Watson's formula */
    CHECK(tvmaf_adm_init(&a, 64, 64, 8, &opt, 0) == 0);
    tvmaf_adm_free(&a);
    CHECK(a == NULL);
    opt = def;

    CHECK(tvmaf_adm_init(&a, 64, 48, 8, &opt, 0) == 0);
    uint8_t buf[64 * 48] = { 0 };
    const TvmafPlane ok = { buf, 64, 64, 48, 8 };
    const TvmafPlane wrong_size = { buf, 64, 63, 48, 8 };
    const TvmafPlane wrong_depth = { buf, 128, 64, 24, 10 };
    TvmafAdmScores sc;
    CHECK(tvmaf_adm_compute(a, &ok, &wrong_size, &sc) == -EINVAL);
    CHECK(tvmaf_adm_compute(a, &wrong_depth, &ok, &sc) == -EINVAL);
    CHECK(tvmaf_adm_compute(a, &ok, &ok, NULL) == -EINVAL);
    /* Flat pictures: every band is zero, the noise floor keeps den > 0. */
    CHECK(tvmaf_adm_compute(a, &ok, &ok, &sc) == 0);
    CHECK(sc.adm2 == 1.0);
    /* No impairment: AIM is 0, adm3 = adm2 * dlmw + (1 - 0) * (1 - dlmw) = 1. */
    CHECK(sc.aim == 0.0 && sc.adm3 == 1.0);
    tvmaf_adm_free(&a);
    CHECK(a == NULL);
    tvmaf_adm_free(&a);
    tvmaf_adm_free(NULL);
}

int main(void)
{
    test_depth_invariance();
    test_identical();
    test_gain_limit();
    test_odd_sizes();
    test_arguments();
    if (failures) fprintf(stderr, "test_adm: %d failure(s)\n", failures);
    return failures != 0;
}
