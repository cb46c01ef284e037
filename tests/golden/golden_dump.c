/*
 * Full-precision dump for the self-contained golden tier (test_local.py):
 * scores a Y4M pair through the public library API and prints every
 * per-frame feature, and the classic model's per-frame and pooled score,
 * with "%.17g" (enough digits to round-trip any double, so two equal lines
 * mean bit-identical values):
 *
 *   golden_dump REF.y4m DIS.y4m [path=MODEL.json | version=NAME]
 *
 * Output lines: "F <frame> <libvmaf key> <value>", "P <key> <method> <value>"
 * and, with a model, the same with the key "vmaf". Exit 0, 1 on error, 2 on
 * usage, 3 when the model cannot be loaded (the features were printed).
 *
 * The Y4M reader (y4m_reader.h) is deliberately minimal.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinyvmaf/model.h"
#include "tinyvmaf/tinyvmaf.h"
#include "y4m_reader.h"

static const enum TvmafPoolMethod pools[] = { TVMAF_POOL_MIN, TVMAF_POOL_MAX, TVMAF_POOL_MEAN,
                                              TVMAF_POOL_HARMONIC_MEAN };

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: golden_dump REF.y4m DIS.y4m [path=MODEL.json | version=NAME]\n");
        return 2;
    }
    Y4m r, d;
    if (y4m_open_pair(&r, &d, argv[1], argv[2]))
        return 1;
    TvmafSettings s;
    tvmaf_default_settings(&s);
    TvmafContext *c;
    if (tvmaf_open(&c, &s))
        return 1;
    for (;;) {
        TvmafPicture pr, pd;
        const int a = y4m_read(&r, &pr);
        if (a <= 0) {
            if (a < 0)
                return 1;
            break;
        }
        if (y4m_read(&d, &pd) != 1 || tvmaf_send_pictures(c, &pr, &pd))
            return 1;
    }
    if (tvmaf_flush(c))
        return 1;
    const unsigned n = tvmaf_frame_count(c);
    for (unsigned i = 0; i < n; i++)
        for (int f = 0; f < TVMAF_FEATURE_COUNT; f++) {
            double v;
            char key[96];
            if (tvmaf_feature_key(c, (enum TvmafFeature)f, key, sizeof(key)) ||
                tvmaf_feature_score_at_index(c, (enum TvmafFeature)f, i, &v))
                return 1;
            printf("F %u %s %.17g\n", i, key, v);
        }
    for (int f = 0; f < TVMAF_FEATURE_COUNT; f++)
        for (size_t k = 0; k < sizeof(pools) / sizeof(pools[0]); k++) {
            double v;
            char key[96];
            if (tvmaf_feature_key(c, (enum TvmafFeature)f, key, sizeof(key)) ||
                tvmaf_feature_score_pooled(c, (enum TvmafFeature)f, pools[k], &v))
                return 1;
            printf("P %s %s %.17g\n", key, tvmaf_pool_name(pools[k]), v);
        }
    int rc = 0;
    if (argc == 4) {
        TvmafModel *m = NULL;
        const int err = !strncmp(argv[3], "path=", 5) ? tvmaf_model_load_path(&m, argv[3] + 5, NULL)
                        : !strncmp(argv[3], "version=", 8) ? tvmaf_model_load_version(&m, argv[3] + 8, NULL)
                                                           : -1;
        if (err) {
            fprintf(stderr, "model %s not loaded (%d)\n", argv[3], err);
            rc = 3;
        } else {
            for (unsigned i = 0; i < n; i++) {
                double v;
                if (tvmaf_model_score_at_index(m, c, i, &v))
                    return 1;
                printf("F %u vmaf %.17g\n", i, v);
            }
            for (size_t k = 0; k < sizeof(pools) / sizeof(pools[0]); k++) {
                double v;
                if (tvmaf_model_score_pooled(m, c, pools[k], &v))
                    return 1;
                printf("P vmaf %s %.17g\n", tvmaf_pool_name(pools[k]), v);
            }
            tvmaf_model_free(&m);
        }
    }
    tvmaf_close(&c);
    fclose(r.f);
    fclose(d.f);
    return rc;
}
