/* Extractor instances (tvmaf_use_feature) and v1 models on a context:
 * default-option instances equal the fixed feature set bit for bit, keys are
 * libvmaf's, instances are deduplicated, values do not depend on the thread
 * count, and every refusal has its documented code. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinyvmaf/model.h"
#include "tinyvmaf/tinyvmaf.h"

#include "unit_check.h"

#define W 256
#define H 240
#define FRAMES 7

static void count_log(void *cookie, enum TvmafLogLevel l, const char *fmt, va_list ap)
{
    (void)l;
    (void)fmt;
    (void)ap;
    (*(int *)cookie)++;
}

static void fill(TvmafPicture *p, unsigned frame, int dis)
{
    unsigned seed = frame * 7919u + (unsigned)dis;
    const int planes = p->layout == TVMAF_PIX_LAYOUT_400 ? 1 : 3;
    for (int i = 0; i < planes; i++)
        for (int y = 0; y < p->h[i]; y++) {
            uint8_t *row = (uint8_t *)p->data[i] + y * p->stride[i];
            for (int x = 0; x < p->w[i]; x++) {
                seed = seed * 1103515245u + 12345u;
                int v = ((x + (int)frame * 3) * (i + 2) + y * 5 + (x * y) % 23) & 255;
                if (dis)
                    v += (int)((seed >> 16) % 11) - 5;
                row[x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
            }
        }
}

static int send_frames(TvmafContext *c, enum TvmafPixelLayout layout)
{
    for (unsigned f = 0; f < FRAMES; f++) {
        TvmafPicture r, d;
        if (tvmaf_picture_alloc(&r, layout, 8, W, H) < 0)
            return -1;
        if (tvmaf_picture_alloc(&d, layout, 8, W, H) < 0) {
            tvmaf_picture_unref(&r);
            return -1;
        }
        fill(&r, f, 0);
        fill(&d, f, 1);
        const int err = tvmaf_send_pictures(c, &r, &d);
        if (err < 0) {
            tvmaf_picture_unref(&r);
            tvmaf_picture_unref(&d);
            return err;
        }
    }
    return tvmaf_flush(c);
}

static TvmafContext *open_ctx(int threads, int no_fixed, int *logs)
{
    TvmafSettings s;
    tvmaf_default_settings(&s);
    s.n_threads = threads;
    s.no_fixed_features = no_fixed;
    s.logger.callback = count_log;
    s.logger.cookie = logs;
    TvmafContext *c = NULL;
    CHECK(tvmaf_open(&c, &s) == 0, "open");
    return c;
}

/* Default-option adm, vif, motion instances give the fixed set's values. */
static void defaults_equal_fixed(void)
{
    int logs = 0;
    TvmafContext *c = open_ctx(2, 0, &logs);
    unsigned adm, vif, motion;
    CHECK(tvmaf_use_feature(c, "adm", NULL, &adm) == 0, "adm");
    CHECK(tvmaf_use_feature(c, "vif", "", &vif) == 0, "vif");
    CHECK(tvmaf_use_feature(c, "motion", NULL, &motion) == 0, "motion");
    CHECK(!strcmp(tvmaf_output_key(c, adm), "integer_adm2"), "adm key %s", tvmaf_output_key(c, adm));
    CHECK(!strcmp(tvmaf_output_key(c, vif), "integer_vif_scale0"), "vif key");
    CHECK(!strcmp(tvmaf_output_key(c, motion), "VMAF_integer_feature_motion_sad_score"),
          "motion key");
    CHECK(send_frames(c, TVMAF_PIX_LAYOUT_420) == 0, "send");
    static const struct {
        const char *key;
        enum TvmafFeature f;
    } pairs[] = {
        { "integer_adm2", TVMAF_FEATURE_ADM2 },
        { "integer_adm_scale2", TVMAF_FEATURE_ADM_SCALE2 },
        { "integer_vif_scale0", TVMAF_FEATURE_VIF_SCALE0 },
        { "integer_vif_scale3", TVMAF_FEATURE_VIF_SCALE3 },
        { "VMAF_integer_feature_motion_sad_score", TVMAF_FEATURE_MOTION },
        { "integer_motion2", TVMAF_FEATURE_MOTION2 },
    };
    for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
        unsigned o;
        CHECK(tvmaf_output_find(c, pairs[k].key, &o) == 0, "find %s", pairs[k].key);
        for (unsigned i = 0; i < FRAMES; i++) {
            double a = -1, b = -2;
            CHECK(tvmaf_output_score_at_index(c, o, i, &a) == 0 &&
                      tvmaf_feature_score_at_index(c, pairs[k].f, i, &b) == 0 && a == b,
                  "%s frame %u: instance %.17g, fixed %.17g", pairs[k].key, i, a, b);
        }
        double pa, pb;
        CHECK(tvmaf_output_score_pooled(c, o, TVMAF_POOL_HARMONIC_MEAN, &pa) == 0 &&
                  tvmaf_feature_score_pooled(c, pairs[k].f, TVMAF_POOL_HARMONIC_MEAN, &pb) == 0 &&
                  pa == pb,
              "%s pooled", pairs[k].key);
    }
    CHECK(logs == 0, "no log lines");
    tvmaf_close(&c);
}

/* Keys with libvmaf's option suffixes; deduplication by value, not text. */
static void keys_and_dedup(void)
{
    int logs = 0;
    TvmafContext *c = open_ctx(1, 1, &logs);
    unsigned a, b, m;
    CHECK(tvmaf_use_feature(c, "adm",
                            "adm_csf_mode=2:adm_dlm_weight=0.7:adm_enhn_gain_limit=1:"
                            "adm_noise_weight=0.02:adm_min_val=0.5:adm_norm_view_dist=5",
                            &a) == 0,
          "adm v1 options");
    CHECK(tvmaf_use_feature(c, "adm",
                            "adm_norm_view_dist=5.0:adm_min_val=0.5:adm_noise_weight=0.02:"
                            "adm_enhn_gain_limit=1.0:adm_dlm_weight=0.7:adm_csf_mode=2",
                            &b) == 0 && a == b,
          "same options in another order and spelling: same instance (%u, %u)", a, b);
    CHECK(!strcmp(tvmaf_output_key(c, a + 2),
                  "integer_adm3_csf_2_dlmw_0.7_egl_1_min_0.5_nw_0.02_nvd_5"),
          "adm3 key %s", tvmaf_output_key(c, a + 2));
    CHECK(tvmaf_use_feature(c, "motion",
                            "motion_max_val=18:motion_five_frame_window=true:"
                            "motion_moving_average=true", &m) == 0, "motion hfr");
    CHECK(!strcmp(tvmaf_output_key(c, m), "VMAF_integer_feature_motion_sad_score_mffw_mmxv_18_mma"),
          "motion key %s", tvmaf_output_key(c, m));
    CHECK(!strcmp(tvmaf_output_key(c, m + 2), "integer_motion3_mffw_mmxv_18_mma"), "motion3 key");
    unsigned s;
    CHECK(tvmaf_use_feature(c, "speed_chroma",
                            "speed_max_val=45:speed_nn_floor=0.1:speed_sigma_nn=0.19:"
                            "speed_weight_var_mode=5", &s) == 0, "speed_chroma");
    CHECK(!strcmp(tvmaf_output_key(c, s + 2), "speed_chroma_uv_mxv_45_nnf_0.1_snn_0.19_wvm_5"),
          "speed key %s", tvmaf_output_key(c, s + 2));
    unsigned k;
    CHECK(tvmaf_use_feature(c, "cambi",
                            "cambi_high_res_speedup=1080:cambi_vis_lum_threshold=0.06:"
                            "cambi_max_val=17", &k) == 0, "cambi");
    CHECK(!strcmp(tvmaf_output_key(c, k), "cambi_hrs_1080_cmxv_17_vlt_0.06"), "cambi key %s",
          tvmaf_output_key(c, k));
    CHECK(tvmaf_output_count(c) == 7 + 3 + 3 + 1, "%u outputs", tvmaf_output_count(c));
    CHECK(logs == 0, "no log lines");

    /* Refusals, each with one log line. */
    int before = logs;
    CHECK(tvmaf_use_feature(c, "nosuch", NULL, NULL) == TVMAF_ERR(ENOENT), "unknown extractor");
    CHECK(tvmaf_use_feature(c, "cambi", "no_such_option=1", NULL) == TVMAF_ERR(ENOENT),
          "unknown option");
    CHECK(tvmaf_use_feature(c, "cambi", "enc_width=-1", NULL) == TVMAF_ERR(EINVAL), "bad value");
    CHECK(tvmaf_use_feature(c, "cambi", "enc_width", NULL) == TVMAF_ERR(EINVAL), "no value");
    CHECK(tvmaf_use_feature(c, "cambi",
                            "cambi_high_res_speedup=1080:cambi_vis_lum_threshold=0.06:"
                            "cambi_max_val=17:full_ref=true", NULL) == TVMAF_ERR(EINVAL),
          "an option outside the key: the same key as another instance");
    CHECK(logs == before + 5, "one log line per refusal (%d)", logs - before);

    CHECK(send_frames(c, TVMAF_PIX_LAYOUT_420) == 0, "send");
    double v;
    CHECK(tvmaf_feature_score_at_index(c, TVMAF_FEATURE_ADM2, 0, &v) == TVMAF_ERR(ENOENT),
          "no fixed features in a no_fixed_features context");
    CHECK(tvmaf_use_feature(c, "vif", NULL, NULL) == TVMAF_ERR(EINVAL), "after the first picture");
    CHECK(tvmaf_output_score_at_index(c, 99, 0, &v) == TVMAF_ERR(ENOENT), "bad output");
    CHECK(tvmaf_output_find(c, "integer_adm2", &k) == TVMAF_ERR(ENOENT), "unknown key");
    tvmaf_close(&c);
}

/* Every instance (the HFR motion window included) with 1 and 3 threads. */
static void thread_independence(void)
{
    double *vals[2] = { NULL, NULL };
    unsigned n = 0;
    for (int t = 0; t < 2; t++) {
        int logs = 0;
        TvmafContext *c = open_ctx(t ? 3 : 1, 1, &logs);
        CHECK(tvmaf_use_feature(c, "motion",
                                "motion_max_val=18:motion_five_frame_window=true:"
                                "motion_moving_average=true", NULL) == 0, "motion");
        CHECK(tvmaf_use_feature(c, "motion", "motion_max_val=18", NULL) == 0, "motion");
        CHECK(tvmaf_use_feature(c, "speed_chroma", NULL, NULL) == 0, "speed");
        CHECK(tvmaf_use_feature(c, "cambi", NULL, NULL) == 0, "cambi");
        CHECK(tvmaf_use_feature(c, "adm", "adm_csf_mode=2", NULL) == 0, "adm");
        CHECK(send_frames(c, TVMAF_PIX_LAYOUT_420) == 0, "send");
        n = tvmaf_output_count(c);
        vals[t] = calloc((size_t)n * FRAMES, sizeof(double));
        for (unsigned o = 0; vals[t] && o < n; o++)
            for (unsigned i = 0; i < FRAMES; i++)
                CHECK(tvmaf_output_score_at_index(c, o, i, &vals[t][o * FRAMES + i]) == 0, "read");
        tvmaf_close(&c);
    }
    CHECK(vals[0] && vals[1] && !memcmp(vals[0], vals[1], sizeof(double) * n * FRAMES),
          "1 and 3 threads give the same %u x %d values", n, FRAMES);
    /* The five-frame window compares frame i with i-2: frames 0 and 1 have no score. */
    CHECK(vals[0] && vals[0][0] == 0 && vals[0][1] == 0 && vals[0][2] > 0, "window starts at 2");
    free(vals[0]);
    free(vals[1]);
}

static void chroma_refused_on_gray(void)
{
    int logs = 0;
    TvmafContext *c = open_ctx(1, 1, &logs);
    CHECK(tvmaf_use_feature(c, "speed_chroma", NULL, NULL) == 0, "speed");
    TvmafPicture r, d;
    CHECK(tvmaf_picture_alloc(&r, TVMAF_PIX_LAYOUT_400, 8, W, H) == 0 &&
              tvmaf_picture_alloc(&d, TVMAF_PIX_LAYOUT_400, 8, W, H) == 0, "alloc");
    fill(&r, 0, 0);
    fill(&d, 0, 1);
    CHECK(tvmaf_send_pictures(c, &r, &d) == TVMAF_ERR(ENOTSUP), "4:0:0 refused");
    CHECK(logs == 1, "one log line (%d)", logs);
    tvmaf_picture_unref(&r);
    tvmaf_picture_unref(&d);
    tvmaf_close(&c);
}

/* v1 models on a context through the public model API. */
static void models(void)
{
    int logs = 0;
    TvmafModelConfig mc;
    tvmaf_model_default_config(&mc);
    mc.logger.callback = count_log;
    mc.logger.cookie = &logs;
    TvmafModel *v1, *v06;
    CHECK(tvmaf_model_load_version(&v1, "vmaf_v1.0.16_3d0h", &mc) == 0, "load v1");
    CHECK(tvmaf_model_load_version(&v06, "vmaf_v0.6.1", &mc) == 0, "load v0.6.1");
    CHECK(!tvmaf_model_runs_on_fixed_set(v1) && tvmaf_model_runs_on_fixed_set(v06), "fixed set");
    CHECK(tvmaf_model_needs_chroma(v1) && !tvmaf_model_needs_chroma(v06), "chroma");
    CHECK(tvmaf_model_feature_count(v1) == 4 &&
              !strcmp(tvmaf_model_feature_name(v1, 0), "Cambi_feature_cambi_score"),
          "feature names");
    CHECK(tvmaf_model_set_feature_option(v1, "cambi", "no_such", "1") == TVMAF_ERR(ENOENT),
          "unknown option");
    CHECK(tvmaf_model_set_feature_option(v1, "cambi", "enc_width", "-1") == TVMAF_ERR(EINVAL),
          "bad value");
    CHECK(tvmaf_model_set_feature_option(v1, "vif", "vif_enhn_gain_limit", "1") ==
              TVMAF_ERR(ENOENT),
          "extractor the model does not use");
    CHECK(logs == 3, "one log line per refusal (%d)", logs);
    double f[TVMAF_FEATURE_COUNT] = { 0 }, y;
    CHECK(tvmaf_model_predict(v1, f, &y) == TVMAF_ERR(EINVAL), "enum predict refuses v1");

    TvmafContext *c = open_ctx(2, 1, &logs);
    double v;
    CHECK(tvmaf_model_use_features(v1, c) == 0, "use features");
    CHECK(tvmaf_output_count(c) == 1 + 3 + 7 + 3, "four instances (%u outputs)",
          tvmaf_output_count(c));
    CHECK(send_frames(c, TVMAF_PIX_LAYOUT_420) == 0, "send");
    for (unsigned i = 0; i < FRAMES; i++) {
        double x[4];
        static const char *const keys[4] = {
            "cambi_hrs_1080_cmxv_17_vlt_0.06", "speed_chroma_uv_mxv_45_nnf_0.1_snn_0.19_wvm_5",
            "integer_adm3_csf_2_dlmw_0.7_egl_1_min_0.5_nw_0.02", "integer_motion3_mmxv_18",
        };
        for (int k = 0; k < 4; k++) {
            unsigned o;
            CHECK(tvmaf_output_find(c, keys[k], &o) == 0 &&
                      tvmaf_output_score_at_index(c, o, i, &x[k]) == 0,
                  "%s", keys[k]);
        }
        double a, b;
        CHECK(tvmaf_model_score_at_index(v1, c, i, &a) == 0 &&
                  tvmaf_model_predict_values(v1, x, 4, &b) == 0 && a == b && a >= 0 && a <= 100,
              "frame %u: score_at_index %.17g == predict_values %.17g", i, a, b);
    }
    CHECK(tvmaf_model_score_at_index(v06, c, 0, &v) == TVMAF_ERR(EINVAL),
          "v0.6.1 on a context with neither its instances nor the fixed set");
    tvmaf_close(&c);
    tvmaf_model_free(&v1);
    tvmaf_model_free(&v06);
}

int main(void)
{
    defaults_equal_fixed();
    keys_and_dedup();
    thread_independence();
    chroma_refused_on_gray();
    models();
    if (fails)
        fprintf(stderr, "%d failure(s)\n", fails);
    return fails ? 1 : 0;
}
