/* Library-owned scoring (score.h) without the CLI: a classic and a tiny
 * model scored from one picture stream, checked against the models' own
 * calls on the same features; feature sets, metric order, subsample and
 * the add/send contract. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "tinyvmaf/model.h"
#include "tinyvmaf/score.h"
#if TVMAF_HAVE_ONNX
#include "tinyvmaf/tiny.h"
#endif

#include "unit_check.h"

#define W 96
#define H 64
#define FRAMES 6

static void fill(TvmafPicture *p, unsigned seed, int noise)
{
    for (int y = 0; y < p->h[0]; y++) {
        uint8_t *row = (uint8_t *)p->data[0] + y * p->stride[0];
        for (int x = 0; x < p->w[0]; x++) {
            seed = seed * 1103515245u + 12345u;
            int v = (x * 3 + y * 5 + (int)((x * y) % 17) + (int)seed % 3) & 255;
            if (noise)
                v += (int)((seed >> 16) % 21) - 10;
            row[x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
}

static int send_all(TvmafScorer *s)
{
    for (unsigned i = 0; i < FRAMES; i++) {
        TvmafPicture r, d;
        if (tvmaf_picture_alloc(&r, TVMAF_PIX_LAYOUT_420, 8, W, H) < 0 ||
            tvmaf_picture_alloc(&d, TVMAF_PIX_LAYOUT_420, 8, W, H) < 0)
            return -1;
        fill(&r, i, 0);
        fill(&d, i * 7 + 1, 1);
        if (tvmaf_scorer_send_pictures(s, &r, &d) < 0)
            return -1;
        CHECK(!r.buf && !d.buf, "send takes the caller's references");
    }
    return 0;
}

static int find(const TvmafScorer *s, const char *name, TvmafMetric *m)
{
    for (unsigned i = 0; i < tvmaf_scorer_metric_count(s); i++)
        if (tvmaf_scorer_metric(s, i, m) == 0 && !strcmp(m->name, name))
            return (int)i;
    return -1;
}

static void defaults(void)
{
    TvmafScorer *s;
    CHECK(tvmaf_scorer_open(&s, NULL) == 0, "open");
    CHECK(tvmaf_scorer_add_defaults(s) == 0, "add the built-in defaults");
    CHECK(tvmaf_scorer_feature_set_count(s) == 1, "one feature set");
    CHECK(tvmaf_scorer_flush(s) == TVMAF_ERR(EAGAIN), "flush before any frame");
    CHECK(send_all(s) == 0, "send");
    TvmafModel *late;
    CHECK(tvmaf_model_load_version(&late, "vmaf_4k_v0.6.1", NULL) == 0, "load 4k");
    CHECK(tvmaf_scorer_add_model(s, &late) == TVMAF_ERR(EINVAL) && late,
          "adding a model after the first picture is refused and the model left to the caller");
    tvmaf_model_free(&late);
    CHECK(tvmaf_scorer_flush(s) == 0, "flush");
    CHECK(tvmaf_scorer_frame_count(s) == FRAMES, "frame count");

    TvmafMetric m, vm;
    const int iv = find(s, "vmaf", &vm);
    CHECK(iv >= 0 && vm.kind == TVMAF_METRIC_CLASSIC && vm.classic, "vmaf metric");
    CHECK(find(s, "integer_adm2", &m) == 0 && m.kind == TVMAF_METRIC_FEATURE,
          "features come first, adm2 first of them");
    const TvmafContext *const c = tvmaf_scorer_context(s, 0);
    for (unsigned i = 0; iv >= 0 && i < FRAMES; i++) {
        double ref;
        CHECK(tvmaf_model_score_at_index(vm.classic, c, i, &ref) == 0 && ref == vm.values[i],
              "frame %u: scorer vmaf %.17g = model call %.17g", i, vm.values[i], ref);
    }
    double mean, direct;
    CHECK(tvmaf_scorer_pool(s, (unsigned)iv, TVMAF_POOL_MEAN, &mean) == 0 &&
              tvmaf_model_score_pooled(vm.classic, c, TVMAF_POOL_MEAN, &direct) == 0 &&
              mean == direct, "pooled mean equals the model's");
#if TVMAF_HAVE_ONNX
    TvmafMetric tm;
    const int it = find(s, TVMAF_TINY_DEFAULT_MODEL, &tm);
    CHECK(it > iv && tm.kind == TVMAF_METRIC_TINY && tm.tiny, "the default tiny model after vmaf");
    if (it > 0) {
        const struct TvmafTinyModel *const t = tm.tiny;
        const unsigned k = tvmaf_tiny_model_n_features(t);
        float in[FRAMES * 16], out[FRAMES];
        for (unsigned i = 0; i < FRAMES; i++)
            for (unsigned j = 0; j < k && j < 16; j++) {
                char key[64];
                snprintf(key, sizeof(key), "integer_%s", tvmaf_tiny_model_feature_name(t, j));
                TvmafMetric f;
                CHECK(find(s, key, &f) >= 0, "feature %s reported", key);
                in[i * k + j] = (float)f.values[i];
            }
        CHECK(tvmaf_tiny_model_run(t, in, FRAMES, out) == 0, "run the tiny model directly");
        for (unsigned i = 0; i < FRAMES; i++)
            CHECK((double)out[i] == tm.values[i], "frame %u: scorer tiny %g = run %g", i,
                  tm.values[i], (double)out[i]);
    }
#endif
    tvmaf_scorer_close(&s);
    CHECK(!s, "close clears the pointer");
}

static void feature_sets(void)
{
    TvmafSettings st;
    tvmaf_default_settings(&st);
    st.subsample = 2;
    TvmafScorer *s;
    CHECK(tvmaf_scorer_open(&s, &st) == 0, "open");
    TvmafModel *a, *b, *dup;
    CHECK(tvmaf_model_load_version(&a, "vmaf_v0.6.1", NULL) == 0, "load v0.6.1");
    TvmafModelConfig cfg;
    tvmaf_model_default_config(&cfg);
    cfg.name = "vmaf_neg";
    CHECK(tvmaf_model_load_version(&b, "vmaf_v0.6.1neg", &cfg) == 0, "load neg");
    CHECK(tvmaf_model_load_version(&dup, "vmaf_v0.6.1", NULL) == 0, "load again");
    CHECK(tvmaf_scorer_add_model(s, &a) == 0 && !a, "add takes the model");
    CHECK(tvmaf_scorer_add_model(s, &b) == 0, "add neg");
    CHECK(tvmaf_scorer_add_model(s, &dup) == TVMAF_ERR(EINVAL) && dup,
          "a second metric named vmaf is refused");
    tvmaf_model_free(&dup);
    CHECK(tvmaf_scorer_feature_set_count(s) == 2, "neg needs its own feature set");
    CHECK(send_all(s) == 0 && tvmaf_scorer_flush(s) == 0, "score");
    TvmafMetric m;
    CHECK(find(s, "integer_adm2_egl_1", &m) >= 0 && m.feature_set == 1, "neg features reported");
    CHECK(find(s, "vmaf_neg", &m) >= 0 && m.feature_set == 1, "neg model on its set");
    for (unsigned i = 0; i < FRAMES; i++)
        CHECK((i % 2) ? isnan(m.values[i]) : isfinite(m.values[i]),
              "subsample 2: frame %u %s", i, (i % 2) ? "skipped" : "scored");
    tvmaf_scorer_close(&s);
}

int main(void)
{
    defaults();
    feature_sets();
    printf("%s\n", fails ? "FAIL" : "PASS");
    return fails ? 1 : 0;
}
