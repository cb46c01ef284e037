/* Motion: the row-streamed kernels against a direct whole-frame evaluation
 * of the formulas in docs/algorithms.md (section 4), on random content with
 * odd sizes, both pipelines, 8 and 10 bits; the flush-time post-pass and
 * option refusals. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feature/motion.h"

static const int F[5] = { 3571, 16004, 26386, 16004, 3571 };
#include "unit_check.h"

static uint32_t rng = 12345;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static int m101(int i, int n) { return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i; }
static int mcl(int i, int n) { return i < 0 ? -i : i >= n ? 2 * n - 1 - i : i; }

static double ref_fused(const uint16_t *p, const uint16_t *c, int w, int h, int b)
{
    long long *y = malloc(sizeof(*y) * w * h);
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
            long long s = 0;
            for (int k = 0; k < 5; k++) {
                const int r = m101(i - 2 + k, h);
                s += (long long)F[k] * ((int)p[r * w + j] - (int)c[r * w + j]);
            }
            y[i * w + j] = (s + (1LL << (b - 1))) >> b;
        }
    unsigned long long sad = 0;
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
            long long s = 0;
            for (int k = 0; k < 5; k++)
                s += (long long)F[k] * y[i * w + m101(j - 2 + k, w)];
            long long v = (s + (1 << 15)) >> 16;
            sad += (unsigned long long)(v < 0 ? -v : v);
        }
    free(y);
    return (double)sad / 256. / ((double)w * h);
}

static void blur(const uint16_t *x, uint16_t *out, int w, int h, int b)
{
    uint16_t *t = malloc(sizeof(*t) * w * h);
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
            unsigned long long s = 0;
            for (int k = 0; k < 5; k++)
                s += (unsigned long long)F[k] * x[mcl(i - 2 + k, h) * w + j];
            t[i * w + j] = (uint16_t)((s + (1u << (b - 1))) >> b);
        }
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
            unsigned long long s = 0;
            for (int k = 0; k < 5; k++)
                s += (unsigned long long)F[k] * t[i * w + mcl(j - 2 + k, w)];
            out[i * w + j] = (uint16_t)((s + (1u << 15)) >> 16);
        }
    free(t);
}

static double ref_classic(const uint16_t *p, const uint16_t *c, int w, int h, int b)
{
    uint16_t *bp = malloc(sizeof(*bp) * w * h), *bc = malloc(sizeof(*bc) * w * h);
    blur(p, bp, w, h, b);
    blur(c, bc, w, h, b);
    unsigned long long sad = 0;
    for (int i = 0; i < w * h; i++)
        sad += (unsigned long long)abs((int)bp[i] - (int)bc[i]);
    free(bp);
    free(bc);
    return (float)((float)(sad / 256.) / (float)(w * h));
}

static void run_case(int w, int h, int b, int classic)
{
    uint16_t *p16 = malloc(sizeof(uint16_t) * w * h), *c16 = malloc(sizeof(uint16_t) * w * h);
    uint8_t *p8 = malloc(w * h), *c8 = malloc(w * h);
    const int maxv = (1 << b) - 1;
    for (int i = 0; i < w * h; i++) {
        p16[i] = (uint16_t)(rnd() % (maxv + 1));
        int d = (int)(rnd() % 41) - 20;
        int v = p16[i] + d * (1 << (b - 8));
        c16[i] = (uint16_t)(v < 0 ? 0 : v > maxv ? maxv : v);
        p8[i] = (uint8_t)p16[i];
        c8[i] = (uint8_t)c16[i];
    }
    TvmafMotion *m = NULL;
    TvmafMotionOptions o;
    tvmaf_option_defaults(tvmaf_motion_options, &o);
    CHECK((classic ? tvmaf_motion_init_classic(&m, w, h, b, 0) : tvmaf_motion_init(&m, w, h, b, &o, 0)) == 0,
          "init");
    TvmafPlane pp = { b == 8 ? (const void *)p8 : p16, (ptrdiff_t)w * (b == 8 ? 1 : 2), w, h, b };
    TvmafPlane cp = { b == 8 ? (const void *)c8 : c16, (ptrdiff_t)w * (b == 8 ? 1 : 2), w, h, b };
    if (b == 8)
        for (int i = 0; i < w * h; i++) {
            p16[i] = p8[i];
            c16[i] = c8[i];
        }
    double got = -1;
    CHECK(tvmaf_motion_compute(m, &pp, &cp, &got) == 0, "compute");
    const double want = classic ? ref_classic(p16, c16, w, h, b) : ref_fused(p16, c16, w, h, b);
    CHECK(got == want, "%dx%d %d-bit %s: got %.17g want %.17g", w, h, b, classic ? "classic" : "fused",
          got, want);
    double same = -1;
    CHECK(tvmaf_motion_compute(m, &pp, &pp, &same) == 0 && same == 0.0, "identical frames -> 0");
    tvmaf_motion_free(&m);
    CHECK(m == NULL, "free clears the pointer");
    free(p16);
    free(c16);
    free(p8);
    free(c8);
}

int main(void)
{
    const int sizes[][2] = { { 3, 3 }, { 5, 7 }, { 32, 32 }, { 33, 17 }, { 100, 37 }, { 321, 243 } };
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
        for (int b = 8; b <= 12; b += 2)
            for (int classic = 0; classic < 2; classic++)
                run_case(sizes[s][0], sizes[s][1], b, classic);

    TvmafMotionOptions def;
    tvmaf_option_defaults(tvmaf_motion_options, &def);
    const double mo[5] = { 0, 4, 2, 7, 5 };
    double m2[5];
    CHECK(tvmaf_motion_finish(&def, mo, 5, m2, NULL) == 0, "finish");
    CHECK(m2[0] == 0 && m2[1] == 2 && m2[2] == 2 && m2[3] == 5 && m2[4] == 5, "motion2 rule");
    CHECK(tvmaf_motion_finish(&def, mo, 1, m2, NULL) == 0, "finish 1");
    CHECK(m2[0] == 0, "single frame motion2");

    /* libvmaf 3.2's flush rules, worked by hand: five-frame window (lag 2),
     * moving average, then a blend with a max_val clip. */
    const double sad[6] = { 0, 0, 4, 2, 7, 5 };
    double w2[6], w3[6];
    TvmafMotionOptions o = def;
    o.five_frame_window = true;
    o.moving_average = true;
    CHECK(tvmaf_motion_lag(&o) == 2 && tvmaf_motion_lag(&def) == 1, "lag");
    CHECK(tvmaf_motion_finish(&o, sad, 6, w2, w3) == 0, "finish mffw");
    CHECK(w2[0] == 0 && w2[1] == 0 && w2[2] == 2 && w2[3] == 4 && w2[4] == 2 && w2[5] == 5,
          "five-frame motion2: %g %g %g %g %g %g", w2[0], w2[1], w2[2], w2[3], w2[4], w2[5]);
    CHECK(w3[0] == 4 && w3[1] == 4 && w3[2] == 3 && w3[3] == 3 && w3[4] == 3 && w3[5] == 3.5,
          "five-frame motion3: %g %g %g %g %g %g", w3[0], w3[1], w3[2], w3[3], w3[4], w3[5]);
    o = def;
    o.blend_factor = 0.5; /* blend(x) = x/2 + min(3, x)/2 */
    o.blend_offset = 3;
    o.max_val = 4;
    CHECK(tvmaf_motion_finish(&o, sad, 6, NULL, w3) == 0, "finish blend");
    /* motion2 = 0, 0(min(0,4)), 2, 2, 5, 5 -> blend 0, 0, 2, 2, 4 (clipped 4), 4; stamp blend(0) */
    CHECK(w3[0] == 0 && w3[1] == 0 && w3[2] == 2 && w3[3] == 2 && w3[4] == 4 && w3[5] == 4,
          "blended motion3: %g %g %g %g %g %g", w3[0], w3[1], w3[2], w3[3], w3[4], w3[5]);
    CHECK(tvmaf_motion_finish(NULL, sad, 6, w2, w3) < 0, "finish without options refused");
    CHECK(tvmaf_motion_finish(&def, NULL, 6, w2, w3) < 0, "finish without scores refused");
    CHECK(tvmaf_motion_finish(&def, NULL, 0, NULL, NULL) == 0, "empty series");

    /* Option refusals (-EINVAL), each alone. */
    uint8_t px[16 * 16] = { 0 };
    const TvmafPlane flat = { px, 16, 16, 16, 8 };
    TvmafMotion *m = NULL;
    struct {
        const char *what;
        TvmafMotionOptions o;
    } bad[5];
    for (int i = 0; i < 5; i++) bad[i].o = def;
    bad[0].what = "max_val -1", bad[0].o.max_val = -1;
    bad[1].what = "blend_factor 2", bad[1].o.blend_factor = 2;
    bad[2].what = "fps_weight 6", bad[2].o.fps_weight = 6;
    bad[3].what = "blend_offset 1001", bad[3].o.blend_offset = 1001;
    bad[4].what = "max_val NaN", bad[4].o.max_val = NAN;
    for (int i = 0; i < 5; i++) {
        CHECK(tvmaf_motion_init(&m, 16, 16, 8, &bad[i].o, 0) == -EINVAL, "%s refused", bad[i].what);
        CHECK(m == NULL, "no instance after a refusal");
    }
    char err[128];
    TvmafMotionOptions parsed = def;
    CHECK(tvmaf_option_parse(tvmaf_option_find(tvmaf_motion_options, "motion_max_val"), &parsed,
                             "10001", err, sizeof(err)) == -EINVAL, "motion_max_val 10001 refused");

    /* force_zero reads nothing; a frame without its earlier frame scores 0. */
    o = def;
    o.force_zero = true;
    CHECK(tvmaf_motion_lag(&o) == 0, "force_zero lag");
    CHECK(tvmaf_motion_init(&m, 16, 16, 8, &o, 0) == 0, "force_zero init");
    double z = -1;
    CHECK(tvmaf_motion_compute(m, NULL, &flat, &z) == 0 && z == 0.0, "force_zero score");
    tvmaf_motion_free(&m);
    CHECK(tvmaf_motion_init(&m, 16, 16, 8, &def, 0) == 0, "init");
    z = -1;
    CHECK(tvmaf_motion_compute(m, NULL, &flat, &z) == 0 && z == 0.0, "first frame scores 0");
    CHECK(tvmaf_motion_compute(m, &flat, &flat, NULL) < 0, "no output refused");
    tvmaf_motion_free(&m);

    CHECK(tvmaf_motion_init(&m, 2, 10, 8, &def, 0) < 0, "too small refused");
    CHECK(tvmaf_motion_init(&m, 10, 10, 9, &def, 0) < 0, "bad depth refused");
    CHECK(tvmaf_motion_init(&m, 10, 10, 8, NULL, 0) < 0, "no options refused");
    tvmaf_motion_free(NULL);
    printf("%s\n", fails ? "FAIL" : "PASS");
    return fails != 0;
}
