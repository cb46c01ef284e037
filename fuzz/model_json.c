/*
 * libFuzzer target: the libvmaf JSON model parser (jansson + libsvm text)
 * and the prediction path. Whatever loads is evaluated on a few feature
 * vectors, so transforms, knots and clipping run on fuzzer-made models.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "tinyvmaf/model.h"

/* Real models are about 20 KiB; larger inputs only slow the fuzzer. */
#define MAX_INPUT (256 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    TvmafModelConfig cfg;
    tvmaf_model_default_config(&cfg);
    cfg.logger.callback = NULL;
    cfg.flags = size ? data[0] & 3 : 0;
    TvmafModel *m = NULL;
    if (tvmaf_model_load_buffer(&m, (const char *)data, size, "fuzz", &cfg) < 0)
        return 0;
    static const double probes[3] = { 0.0, 0.5, 1.0 };
    for (int p = 0; p < 3; p++) {
        double f[TVMAF_FEATURE_COUNT], score;
        for (int i = 0; i < TVMAF_FEATURE_COUNT; i++)
            f[i] = probes[p] * (i + 1);
        if (tvmaf_model_predict(m, f, &score) == 0 && isnan(score) && !isnan(f[0]))
            score = 0; /* NaN from inf*0 in a fuzzed model is allowed, not a crash */
    }
    /* Models on extractor instances (VMAF v1): values in model order, the
     * chroma correction included (a zero speed_chroma value). */
    const unsigned n = tvmaf_model_feature_count(m);
    double v[64], score;
    for (int p = 0; p < 3 && n <= 64; p++) {
        for (unsigned i = 0; i < n; i++)
            v[i] = probes[p] * (i + 1);
        if (tvmaf_model_predict_values(m, v, n, &score) < 0)
            __builtin_trap();
    }
    /* An extractor option override with fuzzer-chosen text. */
    if (size > 8 && tvmaf_model_feature_count(m)) {
        char text[9];
        for (int i = 0; i < 8; i++)
            text[i] = (char)(data[size - 8 + i] ? data[size - 8 + i] : '0');
        text[8] = 0;
        int r = tvmaf_model_set_feature_option(m, "cambi", "enc_width", text);
        r |= tvmaf_model_set_feature_option(m, "motion", "motion_max_val", text);
        (void)r; /* refusals are expected; only crashes matter */
    }
    TvmafSettings s;
    tvmaf_default_settings(&s);
    if (tvmaf_model_apply_settings(m, &s) < 0)
        __builtin_trap();
    tvmaf_model_free(&m);
    return 0;
}
