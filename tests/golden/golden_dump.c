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
 * The reader is deliberately minimal (it only has to read the files that
 * tests/golden/local_inputs.py writes): W, H and C tags; chroma planes
 * ceil-sized; samples above 8 bits little-endian. Only the luma is used.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinyvmaf/model.h"
#include "tinyvmaf/tinyvmaf.h"

typedef struct {
    FILE *f;
    int w, h, bpc, cw, ch;
} Y4m;

static int y4m_open(Y4m *y, const char *path)
{
    char line[512];
    memset(y, 0, sizeof(*y));
    y->f = fopen(path, "rb");
    if (!y->f || !fgets(line, sizeof(line), y->f) || strncmp(line, "YUV4MPEG2 ", 10)) {
        fprintf(stderr, "%s: not a Y4M file\n", path);
        return -1;
    }
    const char *chroma = "420";
    y->bpc = 8;
    for (char *save = NULL, *t = strtok_r(line + 10, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
        if (t[0] == 'W')
            y->w = atoi(t + 1);
        else if (t[0] == 'H')
            y->h = atoi(t + 1);
        else if (t[0] == 'C') {
            chroma = t + 1;
            const char *p = strchr(chroma, 'p');
            if (p && p[1] >= '1' && p[1] <= '9')
                y->bpc = atoi(p + 1);
            /* keep the chroma type: copy before strtok moves on */
            static char keep[32];
            snprintf(keep, sizeof(keep), "%s", chroma);
            chroma = keep;
        }
    }
    if (!strncmp(chroma, "444", 3)) {
        y->cw = y->w;
        y->ch = y->h;
    } else if (!strncmp(chroma, "422", 3)) {
        y->cw = (y->w + 1) / 2;
        y->ch = y->h;
    } else if (!strncmp(chroma, "420", 3)) {
        y->cw = (y->w + 1) / 2;
        y->ch = (y->h + 1) / 2;
    } else {
        fprintf(stderr, "%s: chroma %s not handled\n", path, chroma);
        return -1;
    }
    if (y->w <= 0 || y->h <= 0 || (y->bpc != 8 && y->bpc != 10 && y->bpc != 12 && y->bpc != 16)) {
        fprintf(stderr, "%s: bad header\n", path);
        return -1;
    }
    return 0;
}

/* 1: a frame was read into a new picture, 0: end of file, -1: error. */
static int y4m_read(Y4m *y, TvmafPicture *pic)
{
    char line[128];
    if (!fgets(line, sizeof(line), y->f))
        return 0;
    if (strncmp(line, "FRAME", 5))
        return -1;
    const size_t bps = y->bpc > 8 ? 2 : 1;
    if (tvmaf_picture_alloc(pic, TVMAF_PIX_LAYOUT_400, y->bpc, y->w, y->h))
        return -1;
    uint8_t *row = malloc((size_t)y->w * bps);
    int ok = row != NULL;
    for (int r = 0; ok && r < y->h; r++) {
        ok = fread(row, bps, (size_t)y->w, y->f) == (size_t)y->w;
        uint8_t *dst = (uint8_t *)pic->data[0] + r * pic->stride[0];
        if (bps == 1)
            memcpy(dst, row, (size_t)y->w);
        else
            for (int x = 0; x < y->w; x++)
                ((uint16_t *)dst)[x] = (uint16_t)(row[2 * x] | row[2 * x + 1] << 8);
    }
    free(row);
    ok = ok && fseek(y->f, (long)(2 * (size_t)y->cw * y->ch * bps), SEEK_CUR) == 0;
    if (!ok) {
        tvmaf_picture_unref(pic);
        return -1;
    }
    return 1;
}

static const enum TvmafPoolMethod pools[] = { TVMAF_POOL_MIN, TVMAF_POOL_MAX, TVMAF_POOL_MEAN,
                                              TVMAF_POOL_HARMONIC_MEAN };

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: golden_dump REF.y4m DIS.y4m [path=MODEL.json | version=NAME]\n");
        return 2;
    }
    Y4m r, d;
    if (y4m_open(&r, argv[1]) || y4m_open(&d, argv[2]))
        return 1;
    if (r.w != d.w || r.h != d.h || r.bpc != d.bpc) {
        fprintf(stderr, "geometry differs\n");
        return 1;
    }
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
