/* CAMBI module: option refusals (table parsing and init), printed keys as
 * libvmaf 3.2.0 prints them, compute argument checks, and properties of the
 * score that follow from its definition (docs/algorithms.md, CAMBI): a flat
 * picture has no banding, a staircase of one-level steps does, the clip at
 * cambi_max_val, scores independent of the instance's history and of the
 * depth the same levels arrive in. Values against libvmaf: tests/cambi. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feature/cambi.h"

#include "heap_probe.h"
#include "unit_check.h"

static int parse(TvmafCambiOptions *o, const char *name, const char *value)
{
    const TvmafOption *opt = tvmaf_option_find(tvmaf_cambi_options, name);
    if (!opt)
        return -ENOENT;
    char err[160];
    return tvmaf_option_parse(opt, o, value, err, sizeof(err));
}

static void defaults(TvmafCambiOptions *o)
{
    tvmaf_option_defaults(tvmaf_cambi_options, o);
}

static void test_options(void)
{
    TvmafCambiOptions o;
    defaults(&o);
    CHECK(o.window_size == 65 && o.cambi_max_val == 1000.0 && o.topk == 0.6 &&
              o.tvi_threshold == 0.019 && o.max_log_contrast == 2 && !o.full_ref &&
              o.eotf == TVMAF_CAMBI_EOTF_BT1886 && o.enc_width == 0,
          "defaults");
    static const char *const bad[][2] = {
        { "enc_width", "-5" },           { "enc_width", "179" },
        { "enc_height", "7681" },        { "enc_bitdepth", "5" },
        { "src_width", "100" },          { "src_height", "4321" },
        { "window_size", "14" },         { "window_size", "128" },
        { "topk", "0" },                 { "cambi_topk", "1.5" },
        { "tvi_threshold", "0" },        { "cambi_vis_lum_threshold", "301" },
        { "max_log_contrast", "6" },     { "cambi_max_val", "-1" },
        { "eotf", "hlg" },               { "cambi_eotf", "BT1886" },
        { "cambi_high_res_speedup", "2161" }, { "full_ref", "yes" },
        { "enc_width", "1280x" },        { "cambi_max_val", "nan" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        CHECK(parse(&o, bad[i][0], bad[i][1]) == -EINVAL, "%s=%s accepted", bad[i][0], bad[i][1]);
    CHECK(tvmaf_option_find(tvmaf_cambi_options, "heatmaps_path") == NULL,
          "debug-only option listed");
    CHECK(parse(&o, "enc_width", "1280") == 0 && o.enc_width == 1280, "enc_width=1280");
    CHECK(parse(&o, "cambi_eotf", "pq") == 0 && o.cambi_eotf == TVMAF_CAMBI_EOTF_PQ, "ceot pq");
    CHECK(parse(&o, "cambi_max_val", "17.0") == 0 && o.cambi_max_val == 17.0, "cmxv 17.0");
}

static void key_is(const TvmafCambiOptions *o, const char *want)
{
    char key[256];
    CHECK(tvmaf_option_key(tvmaf_cambi_options, o, tvmaf_cambi_output_names[0], key,
                           sizeof(key)) == 0 && !strcmp(key, want),
          "key %s, want %s", key, want);
}

static void test_keys(void)
{
    TvmafCambiOptions o;
    defaults(&o);
    key_is(&o, "cambi");
    parse(&o, "full_ref", "true"); /* not part of the key */
    key_is(&o, "cambi");
    CHECK(tvmaf_cambi_output_count(&o) == 3, "full_ref outputs");
    defaults(&o);
    CHECK(tvmaf_cambi_output_count(&o) == 1, "outputs");
    parse(&o, "cambi_high_res_speedup", "1080");
    parse(&o, "cambi_vis_lum_threshold", "0.06");
    parse(&o, "cambi_max_val", "17");
    key_is(&o, "cambi_hrs_1080_cmxv_17_vlt_0.06");
    defaults(&o);
    parse(&o, "eotf", "pq");
    parse(&o, "cambi_vis_lum_threshold", "1");
    key_is(&o, "cambi_vlt_1_eotf_pq");
    defaults(&o);
    parse(&o, "enc_width", "500");
    parse(&o, "enc_height", "320");
    parse(&o, "enc_bitdepth", "9");
    parse(&o, "src_width", "400");
    parse(&o, "src_height", "300");
    key_is(&o, "cambi_encbd_9_ench_320_encw_500_srch_300_srcw_400");
    CHECK(!strcmp(tvmaf_cambi_output_names[1], "cambi_source") &&
              !strcmp(tvmaf_cambi_output_names[2], "cambi_full_reference"),
          "output names");
}

static int init_with(int w, int h, int bpc, const char *name, const char *value)
{
    TvmafCambiOptions o;
    defaults(&o);
    if (name && parse(&o, name, value))
        return -1000;
    TvmafCambi *c = NULL;
    const int rc = tvmaf_cambi_init(&c, w, h, bpc, &o, 0);
    CHECK(rc ? c == NULL : c != NULL, "out on rc %d", rc);
    tvmaf_cambi_free(&c);
    return rc;
}

/* The memory budget's figure covers what init allocates (allocator overhead
 * aside: two allocations) and is within 2x of it. */
static void test_scratch_size(void)
{
    /* Init runs either way (the sanitizer run sees its buffers used). */
    const int probe = heap_probe_works();
    if (!probe)
        printf("test_cambi: scratch size check skipped (allocator does not report)\n");
    static const struct {
        int w, h, bpc;
        const char *name[2], *value[2];
    } cases[] = {
        { 1920, 1080, 8, { NULL, NULL }, { NULL, NULL } },
        { 3840, 2160, 10, { "cambi_high_res_speedup", NULL }, { "1080", NULL } },
        { 1920, 1080, 8, { "enc_width", "enc_height" }, { "1280", "720" } },
        { 1280, 720, 10, { "full_ref", "src_width" }, { "true", "1920" } },
        { 640, 360, 12, { "max_log_contrast", "window_size" }, { "5", "127" } },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        TvmafCambiOptions o;
        defaults(&o);
        for (int k = 0; k < 2 && cases[i].name[k]; k++)
            CHECK(!parse(&o, cases[i].name[k], cases[i].value[k]), "case %zu: option %s", i,
                  cases[i].name[k]);
        if (cases[i].name[1] && !strcmp(cases[i].name[1], "src_width"))
            CHECK(!parse(&o, "src_height", "1080"), "case %zu: src_height", i);
        const size_t stated = tvmaf_cambi_scratch_size(cases[i].w, cases[i].h, cases[i].bpc, &o);
        TvmafCambi *c = NULL;
        const size_t before = heap_in_use();
        const int rc = tvmaf_cambi_init(&c, cases[i].w, cases[i].h, cases[i].bpc, &o, 0);
        const size_t used = heap_in_use() - before;
        tvmaf_cambi_free(&c);
        CHECK(rc == 0, "case %zu: init %d", i, rc);
        CHECK(!probe || (stated + 2 * HEAP_PROBE_SLACK >= used && stated <= 2 * used),
              "case %zu (%dx%d): stated %zu bytes, init allocated %zu", i, cases[i].w,
              cases[i].h, stated, used);
    }
    TvmafCambiOptions o;
    defaults(&o);
    CHECK(tvmaf_cambi_scratch_size(200, 200, 8, &o) == 0, "refused size: nonzero scratch");
}

static void test_init_refusals(void)
{
    CHECK(init_with(640, 360, 8, NULL, NULL) == 0, "640x360");
    CHECK(init_with(200, 200, 8, NULL, NULL) == -EINVAL, "both sides below 216");
    CHECK(init_with(1000, 100, 8, NULL, NULL) == 0, "one side below 216 is accepted");
    CHECK(init_with(640, 360, 9, NULL, NULL) == -EINVAL, "bpc 9");
    CHECK(init_with(0, 360, 8, NULL, NULL) == -EINVAL, "w 0");
    /* The default window at 7680x4320 is 131 > 65, past the reciprocal table. */
    CHECK(init_with(7680, 4320, 10, NULL, NULL) == -EINVAL, "8K window");
    CHECK(init_with(3840, 2160, 10, NULL, NULL) == 0, "4K");
    /* DCI 4K: the default window grows to 67 (libvmaf refuses it too); an
     * encode size or a smaller window_size brings it back. */
    CHECK(init_with(4096, 2160, 10, NULL, NULL) == -EINVAL, "4096x2160 window");
    CHECK(init_with(4096, 2160, 10, "window_size", "63") == 0, "4096x2160, window_size 63");
    CHECK(init_with(4096, 2160, 10, "cambi_high_res_speedup", "1080") == 0,
          "4096x2160 with the speed-up (window halved)");
    CHECK(init_with(640, 360, 8, "src_width", "400") == 0, "src_width alone is ignored");
    TvmafCambiOptions o;
    TvmafCambi *c = NULL;
    /* Source and encode scaled in opposite directions. */
    defaults(&o);
    o.src_width = 800;
    o.src_height = 300;
    CHECK(tvmaf_cambi_init(&c, 640, 360, 8, &o, 0) == -EINVAL && !c, "src wider, shorter");
    /* Values out of range set directly in the struct. */
    const struct { size_t off; int isint; double v; } bad[] = {
        { offsetof(TvmafCambiOptions, enc_width), 1, -1 },
        { offsetof(TvmafCambiOptions, window_size), 1, 200 },
        { offsetof(TvmafCambiOptions, max_log_contrast), 1, 6 },
        { offsetof(TvmafCambiOptions, eotf), 1, 2 },
        { offsetof(TvmafCambiOptions, cambi_high_res_speedup), 1, -1080 },
        { offsetof(TvmafCambiOptions, topk), 0, 0.0 },
        { offsetof(TvmafCambiOptions, tvi_threshold), 0, NAN },
        { offsetof(TvmafCambiOptions, cambi_max_val), 0, 1001 },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        defaults(&o);
        if (bad[i].isint)
            *(int *)((char *)&o + bad[i].off) = (int)bad[i].v;
        else
            *(double *)((char *)&o + bad[i].off) = bad[i].v;
        CHECK(tvmaf_cambi_init(&c, 640, 360, 8, &o, 0) == -EINVAL && !c, "bad field %zu", i);
    }
    CHECK(tvmaf_cambi_init(NULL, 640, 360, 8, NULL, 0) == -EINVAL, "NULL out");
    tvmaf_cambi_free(NULL);
}

/* A 10-bit picture: horizontal staircase of one-level steps, `band` columns
 * wide, starting at level `lo` (shifted for other depths). */
static uint16_t *staircase(int w, int h, int band, int lo, int bpc)
{
    uint16_t *p = malloc(sizeof(*p) * (size_t)w * h);
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
            const int v10 = band ? lo + j / band : lo;
            p[(size_t)i * w + j] = (uint16_t)(bpc >= 10 ? v10 << (bpc - 10) : v10 >> (10 - bpc));
        }
    return p;
}

static double score_of(const uint16_t *px, int w, int h, int bpc, const TvmafCambiOptions *o,
                       int *rc)
{
    TvmafCambi *c = NULL;
    double s[TVMAF_CAMBI_OUTPUTS] = { -1, -1, -1 };
    *rc = tvmaf_cambi_init(&c, w, h, bpc, o, 0);
    if (*rc)
        return -1;
    uint8_t *b8 = NULL;
    TvmafPlane pl = { px, (ptrdiff_t)w * 2, w, h, bpc };
    if (bpc == 8) {
        b8 = malloc((size_t)w * h);
        for (size_t k = 0; k < (size_t)w * h; k++)
            b8[k] = (uint8_t)px[k];
        pl.data = b8;
        pl.stride = w;
    }
    *rc = tvmaf_cambi_compute(c, &pl, &pl, s);
    free(b8);
    tvmaf_cambi_free(&c);
    return s[0];
}

static void test_scores(void)
{
    const int w = 640, h = 360;
    TvmafCambiOptions o;
    defaults(&o);
    int rc;
    uint16_t *flat = staircase(w, h, 0, 400, 10);
    const double s_flat = score_of(flat, w, h, 10, &o, &rc);
    CHECK(rc == 0 && s_flat == 0.0, "flat picture: %g (rc %d)", s_flat, rc);

    uint16_t *stairs = staircase(w, h, 24, 300, 10);
    const double s_stairs = score_of(stairs, w, h, 10, &o, &rc);
    CHECK(rc == 0 && s_stairs > 0.1, "staircase: %g (rc %d)", s_stairs, rc);

    /* Same levels as 16-bit samples (x 64): identical 10-bit picture. */
    uint16_t *stairs16 = staircase(w, h, 24, 300, 16);
    CHECK(score_of(stairs16, w, h, 16, &o, &rc) == s_stairs && rc == 0, "16-bit input");

    o.cambi_max_val = 0.05;
    CHECK(score_of(stairs, w, h, 10, &o, &rc) == 0.05, "clipped at cambi_max_val");

    /* Banding in the dark, below a visibility threshold of 100 cd/m2, is ignored. */
    defaults(&o);
    uint16_t *dark = staircase(w, h, 24, 80, 10);
    const double s_dark = score_of(dark, w, h, 10, &o, &rc);
    o.cambi_vis_lum_threshold = 100;
    const double s_dark_vlt = score_of(dark, w, h, 10, &o, &rc);
    CHECK(s_dark > 0 && s_dark_vlt == 0.0, "dark staircase %g, with vlt 100: %g", s_dark,
          s_dark_vlt);
    /* A threshold above every level's luminance scores 0 (libvmaf crashes). */
    o.cambi_vis_lum_threshold = 299;
    CHECK(score_of(stairs, w, h, 10, &o, &rc) == 0.0 && rc == 0, "vlt 299");

    /* History independence: A, B, A on one instance gives A twice, equal to a fresh one. */
    defaults(&o);
    o.full_ref = true;
    TvmafCambi *c = NULL;
    CHECK(tvmaf_cambi_init(&c, w, h, 10, &o, 0) == 0, "init");
    const TvmafPlane a = { stairs, (ptrdiff_t)w * 2, w, h, 10 }, b = { flat, (ptrdiff_t)w * 2, w, h, 10 };
    double s1[3], s2[3], s3[3];
    CHECK(tvmaf_cambi_compute(c, &b, &a, s1) == 0, "compute");
    CHECK(tvmaf_cambi_compute(c, &a, &b, s2) == 0, "compute");
    CHECK(tvmaf_cambi_compute(c, &b, &a, s3) == 0, "compute");
    CHECK(!memcmp(s1, s3, sizeof(s1)) && s1[0] == s_stairs, "history");
    CHECK(s1[1] == 0.0 && s1[2] == s1[0], "full_ref: source %g, full %g", s1[1], s1[2]);
    CHECK(s2[0] == 0.0 && s2[1] == s_stairs && s2[2] == 0.0, "full_ref reversed");

    /* Argument checks. */
    CHECK(tvmaf_cambi_compute(c, NULL, &a, s1) == -EINVAL, "full_ref without ref");
    CHECK(tvmaf_cambi_compute(c, &a, NULL, s1) == -EINVAL, "NULL dis");
    const TvmafPlane small = { stairs, (ptrdiff_t)w * 2, w - 2, h, 10 };
    CHECK(tvmaf_cambi_compute(c, &a, &small, s1) == -EINVAL, "mis-sized");
    const TvmafPlane deep = { stairs, (ptrdiff_t)w * 2, w, h, 12 };
    CHECK(tvmaf_cambi_compute(c, &a, &deep, s1) == -EINVAL, "other depth");
    stairs[w * 7 + 3] = 1024;
    CHECK(tvmaf_cambi_compute(c, &a, &a, s1) == -EINVAL, "sample above 10 bits");
    tvmaf_cambi_free(&c);
    CHECK(c == NULL, "free clears");
    free(flat);
    free(stairs);
    free(stairs16);
    free(dark);
}

int main(void)
{
    test_options();
    test_keys();
    test_init_refusals();
    test_scratch_size();
    test_scores();
    if (fails)
        fprintf(stderr, "%d check(s) failed\n", fails);
    else
        printf("test_cambi: all checks passed\n");
    return fails ? 1 : 0;
}
