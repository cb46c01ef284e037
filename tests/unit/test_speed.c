/*
 * src/feature/speed.c: option table (libvmaf's names, defaults, ranges, the
 * printed keys of the golden outputs), refusals of bad options, sizes,
 * layouts, depths and planes, and libvmaf's rule for a flat chroma plane
 * (uv takes the other plane's score). The scores themselves are checked
 * against libvmaf by tests/golden/test_speed_chroma.py.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feature/speed.h"
#include "cpu.h"
#include "heap_probe.h"
#include "unit_check.h"

static int set(TvmafSpeedChromaOptions *o, const char *name, const char *text)
{
    char err[160];
    const TvmafOption *const opt = tvmaf_option_find(tvmaf_speed_chroma_options, name);
    return opt ? tvmaf_option_parse(opt, o, text, err, sizeof(err)) : -ENOENT;
}

static int init(int w, int h, int bpc, enum TvmafPixelLayout l, const TvmafSpeedChromaOptions *o)
{
    TvmafSpeedChroma *s = NULL;
    const int err = tvmaf_speed_chroma_init(&s, w, h, bpc, l, o, 0);
    CHECK(err ? s == NULL : s != NULL, "init %dx%d: result %d with instance %p", w, h, err,
          (void *)s);
    tvmaf_speed_chroma_free(&s);
    CHECK(s == NULL, "free left the pointer set");
    return err;
}

/* The memory budget's figure covers what init allocates (allocator overhead
 * aside: two allocations) and is within 2x of it. */
static void test_scratch_size(void)
{
    /* Init runs either way (the sanitizer run sees its buffers used). */
    const int probe = heap_probe_works();
    if (!probe)
        printf("test_speed: scratch size check skipped (allocator does not report)\n");
    static const struct {
        int w, h;
        enum TvmafPixelLayout l;
        const char *prescale, *method, *kernelscale;
    } cases[] = {
        { 1920, 1080, TVMAF_PIX_LAYOUT_420, "1.0", "nearest", "1.0" },
        { 3840, 2160, TVMAF_PIX_LAYOUT_420, "1.0", "nearest", "1.0" },
        { 1920, 1080, TVMAF_PIX_LAYOUT_444, "1.0", "nearest", "2.0" },
        { 1280, 720, TVMAF_PIX_LAYOUT_422, "2.0", "bicubic", "1.0" },
        { 640, 480, TVMAF_PIX_LAYOUT_420, "1.5", "lanczos4", "0.5" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        TvmafSpeedChromaOptions o;
        tvmaf_option_defaults(tvmaf_speed_chroma_options, &o);
        CHECK(!set(&o, "speed_prescale", cases[i].prescale) &&
                  !set(&o, "speed_prescale_method", cases[i].method) &&
                  !set(&o, "speed_kernelscale", cases[i].kernelscale),
              "case %zu: options refused", i);
        const size_t stated =
            tvmaf_speed_chroma_scratch_size(cases[i].w, cases[i].h, 8, cases[i].l, &o);
        TvmafSpeedChroma *s = NULL;
        const size_t before = heap_in_use();
        const int rc = tvmaf_speed_chroma_init(&s, cases[i].w, cases[i].h, 8, cases[i].l, &o, 0);
        const size_t used = heap_in_use() - before;
        tvmaf_speed_chroma_free(&s);
        CHECK(rc == 0, "case %zu: init %d", i, rc);
        CHECK(!probe || (stated + 2 * HEAP_PROBE_SLACK >= used && stated <= 2 * used),
              "case %zu (%dx%d): stated %zu bytes, init allocated %zu", i, cases[i].w,
              cases[i].h, stated, used);
    }
    CHECK(tvmaf_speed_chroma_scratch_size(100, 100, 8, TVMAF_PIX_LAYOUT_420, NULL) == 0,
          "refused size: nonzero scratch");
}

static uint32_t rng = 12345;
static uint8_t noise(void)
{
    rng = rng * 1664525u + 1013904223u;
    return (uint8_t)(rng >> 24);
}

int main(void)
{
    TvmafSpeedChromaOptions o;
    memset(&o, 0x55, sizeof(o));
    tvmaf_option_defaults(tvmaf_speed_chroma_options, &o);
    CHECK(o.kernelscale == 1.0 && o.prescale == 1.0 &&
              o.prescale_method == TVMAF_SPEED_SCALE_NEAREST && o.sigma_nn == 0.29 &&
              o.nn_floor == 0.0 && o.max_val == 1000.0 && o.weight_var_mode == 0,
          "defaults differ from libvmaf's");

    /* Keys exactly as libvmaf 3.2.0 prints them in the golden v1 outputs. */
    char key[256];
    CHECK(!tvmaf_option_key(tvmaf_speed_chroma_options, &o, tvmaf_speed_chroma_names[2], key,
                            sizeof(key)) && !strcmp(key, "speed_chroma_uv"),
          "default key %s", key);
    CHECK(!set(&o, "speed_nn_floor", "0.1") && !set(&o, "speed_sigma_nn", "0.19") &&
              !set(&o, "speed_weight_var_mode", "5") && !set(&o, "speed_max_val", "45") &&
              !set(&o, "speed_kernelscale", "1.0"),
          "3d0h options refused");
    CHECK(!tvmaf_option_key(tvmaf_speed_chroma_options, &o, tvmaf_speed_chroma_names[0], key,
                            sizeof(key)) &&
              !strcmp(key, "speed_chroma_u_mxv_45_nnf_0.1_snn_0.19_wvm_5"),
          "3d0h key %s", key);
    CHECK(!set(&o, "speed_prescale", "0.6") && !set(&o, "speed_prescale_method", "bilinear"),
          "5d0h options refused");
    CHECK(!tvmaf_option_key(tvmaf_speed_chroma_options, &o, tvmaf_speed_chroma_names[2], key,
                            sizeof(key)) &&
              !strcmp(key, "speed_chroma_uv_mxv_45_nnf_0.1_ps_0.6_psm_bilinear_snn_0.19_wvm_5"),
          "5d0h key %s", key);
    CHECK(init(640, 360, 8, TVMAF_PIX_LAYOUT_420, &o) == 0, "5d0h options at 640x360 refused");

    /* Option values outside libvmaf's ranges or names. */
    static const char *const bad[][2] = {
        { "speed_kernelscale", "0.05" }, { "speed_kernelscale", "4.5" },
        { "speed_prescale", "0" },       { "speed_prescale", "5" },
        { "speed_prescale_method", "area" }, { "speed_prescale_method", "" },
        { "speed_sigma_nn", "0.09" },    { "speed_sigma_nn", "nan" },
        { "speed_nn_floor", "-0.1" },    { "speed_nn_floor", "1.5" },
        { "speed_max_val", "-1" },       { "speed_max_val", "1001" },
        { "speed_weight_var_mode", "7" }, { "speed_weight_var_mode", "-1" },
        { "speed_weight_var_mode", "2.5" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        TvmafSpeedChromaOptions t = o;
        CHECK(set(&t, bad[i][0], bad[i][1]) == -EINVAL, "%s=%s accepted", bad[i][0], bad[i][1]);
    }
    CHECK(set(&o, "speed_temporal", "1") == -ENOENT, "unknown option found");

    /* init refusals */
    TvmafSpeedChromaOptions d;
    tvmaf_option_defaults(tvmaf_speed_chroma_options, &d);
    CHECK(init(160, 160, 8, TVMAF_PIX_LAYOUT_420, NULL) == 0, "160x160 4:2:0 refused");
    CHECK(init(158, 160, 8, TVMAF_PIX_LAYOUT_420, &d) == -EINVAL, "79-wide chroma accepted");
    CHECK(init(80, 80, 8, TVMAF_PIX_LAYOUT_444, &d) == 0, "80x80 4:4:4 refused");
    CHECK(init(160, 79, 8, TVMAF_PIX_LAYOUT_422, &d) == -EINVAL, "79-high 4:2:2 accepted");
    CHECK(init(640, 360, 8, TVMAF_PIX_LAYOUT_400, &d) == -EINVAL, "4:0:0 accepted");
    CHECK(init(640, 360, 9, TVMAF_PIX_LAYOUT_420, &d) == -EINVAL, "9-bit accepted");
    CHECK(init(0, 360, 8, TVMAF_PIX_LAYOUT_420, &d) == -EINVAL, "width 0 accepted");
    CHECK(init(1 << 20, 360, 8, TVMAF_PIX_LAYOUT_420, &d) == -EINVAL, "huge width accepted");
    {
        TvmafSpeedChromaOptions t = d;
        t.kernelscale = 0.7; /* within [0.1, 4] but not one of libvmaf's kernel scales */
        CHECK(init(640, 360, 8, TVMAF_PIX_LAYOUT_420, &t) == -EINVAL, "kernelscale 0.7 accepted");
        t.kernelscale = 360.0 / 97.0;
        CHECK(init(640, 360, 8, TVMAF_PIX_LAYOUT_420, &t) == 0, "kernelscale 360/97 refused");
        t = d;
        t.prescale = 0.2; /* 320x180 chroma becomes 64x36 */
        CHECK(init(640, 360, 8, TVMAF_PIX_LAYOUT_420, &t) == -EINVAL, "prescale 0.2 accepted");
        t = d;
        t.weight_var_mode = 7;
        CHECK(init(640, 360, 8, TVMAF_PIX_LAYOUT_420, &t) == -EINVAL, "mode 7 accepted");
        t = d;
        t.prescale_method = 4;
        CHECK(init(640, 360, 8, TVMAF_PIX_LAYOUT_420, &t) == -EINVAL, "method 4 accepted");
    }
    CHECK(tvmaf_speed_chroma_init(NULL, 640, 360, 8, TVMAF_PIX_LAYOUT_420, &d, 0) == -EINVAL,
          "NULL out accepted");

    /* Frames: U flat in both (singular covariance), V distorted. */
    enum { W = 640, H = 640, CW = 320, CH = 320 };
    static uint8_t y[W * H], u[CW * CH], vr[CW * CH], vd[CW * CH];
    memset(y, 128, sizeof(y));
    memset(u, 90, sizeof(u));
    /* V: random blocks of 16x16 (detail that survives the 1/16 decimation),
     * the distorted copy with every fourth block flattened. */
    for (int i = 0; i < CH; i++)
        for (int j = 0; j < CW; j++) {
            if (i % 16 == 0 && j % 16 == 0) {
                const uint8_t v = noise(), f = (i / 16 + j / 16) % 4 ? v : 128;
                for (int a = 0; a < 16; a++)
                    for (int b = 0; b < 16; b++) {
                        vr[(i + a) * CW + j + b] = v;
                        vd[(i + a) * CW + j + b] = f;
                    }
            }
        }
    TvmafSpeedChroma *s = NULL;
    CHECK(!tvmaf_speed_chroma_init(&s, W, H, 8, TVMAF_PIX_LAYOUT_420, &d, tvmaf_cpu_flags_usable(0)),
          "init");
    if (s) {
        TvmafPlane ref[3] = { { y, W, W, H, 8 }, { u, CW, CW, CH, 8 }, { vr, CW, CW, CH, 8 } };
        TvmafPlane dis[3] = { { y, W, W, H, 8 }, { u, CW, CW, CH, 8 }, { vd, CW, CW, CH, 8 } };
        double out[3] = { -1, -1, -1 };
        CHECK(!tvmaf_speed_chroma_compute(s, ref, dis, out), "compute");
        CHECK(out[0] == 0.0 && out[1] > 0.0 && out[2] == out[1],
              "flat U: u %g v %g uv %g (want u 0, uv = v > 0)", out[0], out[1], out[2]);
        /* identical pair scores 0 */
        CHECK(!tvmaf_speed_chroma_compute(s, ref, ref, out) && out[0] == 0 && out[1] == 0 &&
                  out[2] == 0,
              "identical: %g %g %g", out[0], out[1], out[2]);
        TvmafPlane small[3] = { ref[0], ref[1], { vr, CW, CW - 1, CH, 8 } };
        CHECK(tvmaf_speed_chroma_compute(s, ref, small, out) == -EINVAL, "short plane accepted");
        TvmafPlane deep[3] = { ref[0], ref[1], { vr, CW, CW / 2, CH, 10 } };
        CHECK(tvmaf_speed_chroma_compute(s, deep, dis, out) == -EINVAL, "10-bit plane accepted");
        CHECK(tvmaf_speed_chroma_compute(s, NULL, dis, out) == -EINVAL, "NULL planes accepted");
        tvmaf_speed_chroma_free(&s);
    }
    tvmaf_speed_chroma_free(&s);
    tvmaf_speed_chroma_free(NULL);
    test_scratch_size();
    return fails ? 1 : 0;
}
