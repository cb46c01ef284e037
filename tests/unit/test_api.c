/* Public API contract: argument validation, ownership, error codes, and
 * thread-count independence on synthetic content. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinyvmaf/tinyvmaf.h"

#include "unit_check.h"

static void quiet(void *cookie, enum TvmafLogLevel l, const char *fmt, va_list ap)
{
    (void)l;
    (void)fmt;
    (void)ap;
    (*(int *)cookie)++;
}

static void fill(TvmafPicture *p, unsigned seed, int noise)
{
    for (int y = 0; y < p->h[0]; y++) {
        uint8_t *row = (uint8_t *)p->data[0] + y * p->stride[0];
        for (int x = 0; x < p->w[0]; x++) {
            seed = seed * 1103515245u + 12345u;
            int v = (x * 3 + y * 5 + (int)((x * y) % 17)) & 255;
            if (noise)
                v += (int)((seed >> 16) % 9) - 4;
            row[x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
}

static int run(int threads, double *out, int frames)
{
    TvmafSettings s;
    tvmaf_default_settings(&s);
    s.n_threads = threads;
    TvmafContext *c;
    if (tvmaf_open(&c, &s) < 0)
        return -1;
    for (int i = 0; i < frames; i++) {
        TvmafPicture r, d;
        if (tvmaf_picture_alloc(&r, TVMAF_PIX_LAYOUT_420, 8, 67, 45) < 0 ||
            tvmaf_picture_alloc(&d, TVMAF_PIX_LAYOUT_420, 8, 67, 45) < 0)
            return -1;
        fill(&r, (unsigned)i, 0);
        fill(&d, (unsigned)i * 7 + 1, 1);
        if (tvmaf_send_pictures(c, &r, &d) < 0)
            return -1;
        CHECK(!r.buf && !d.buf, "send takes the references");
    }
    if (tvmaf_flush(c) < 0)
        return -1;
    int k = 0;
    for (int f = 0; f < TVMAF_FEATURE_COUNT; f++)
        for (int i = 0; i < frames; i++)
            if (tvmaf_feature_score_at_index(c, f, (unsigned)i, &out[k++]) < 0)
                return -1;
    tvmaf_close(&c);
    return 0;
}

int main(void)
{
    int logged = 0;
    TvmafSettings s;
    tvmaf_default_settings(&s);
    s.logger.callback = quiet;
    s.logger.cookie = &logged;
    TvmafContext *c = (TvmafContext *)&s;

    s.reserved[3] = 1;
    CHECK(tvmaf_open(&c, &s) == TVMAF_ERR(EINVAL) && c == NULL, "reserved bytes must be zero");
    s.reserved[3] = 0;
    s.adm_enhn_gain_limit = 0.5;
    CHECK(tvmaf_open(&c, &s) == TVMAF_ERR(EINVAL), "gain limit below 1 refused");
    s.adm_enhn_gain_limit = 1.0;
    s.n_threads = 1;
    CHECK(tvmaf_open(&c, &s) == 0 && c, "open");

    char key[64];
    CHECK(tvmaf_feature_key(c, TVMAF_FEATURE_ADM2, key, sizeof(key)) == 0 &&
              !strcmp(key, "integer_adm2_egl_1"), "non-default gain limit renames the feature");
    CHECK(tvmaf_feature_key(c, TVMAF_FEATURE_VIF_SCALE0, key, sizeof(key)) == 0 &&
              !strcmp(key, "integer_vif_scale0"), "vif keeps its name");
    CHECK(tvmaf_feature_key(c, TVMAF_FEATURE_ADM2, key, 4) == TVMAF_ERR(EINVAL), "short buffer");

    TvmafPicture a, b, small1, small2, a10;
    CHECK(tvmaf_picture_alloc(&a, TVMAF_PIX_LAYOUT_420, 8, 64, 48) == 0, "alloc");
    CHECK(tvmaf_picture_alloc(&b, TVMAF_PIX_LAYOUT_420, 8, 65, 48) == 0, "alloc");
    CHECK(tvmaf_picture_alloc(&a10, TVMAF_PIX_LAYOUT_420, 10, 64, 48) == 0, "alloc");
    CHECK(tvmaf_picture_alloc(&small1, TVMAF_PIX_LAYOUT_420, 8, 64, 32) == 0, "alloc");
    CHECK(tvmaf_picture_alloc(&small2, TVMAF_PIX_LAYOUT_420, 8, 64, 32) == 0, "alloc");
    TvmafPicture bad;
    CHECK(tvmaf_picture_alloc(&bad, TVMAF_PIX_LAYOUT_420, 9, 64, 48) == TVMAF_ERR(EINVAL), "9-bit refused");
    CHECK(tvmaf_picture_alloc(&bad, TVMAF_PIX_LAYOUT_420, 8, 0, 48) == TVMAF_ERR(EINVAL), "zero width refused");
    CHECK(tvmaf_picture_alloc(&bad, TVMAF_PIX_LAYOUT_420, 8, 20000, 48) == TVMAF_ERR(EINVAL), "huge refused");
    CHECK(a.w[1] == 32 && b.w[1] == 33 && b.h[1] == 24, "ceil chroma sizes");

    CHECK(tvmaf_send_pictures(c, &a, &b) == TVMAF_ERR(EINVAL) && a.buf && b.buf,
          "size mismatch refused, caller keeps pictures");
    CHECK(tvmaf_send_pictures(c, &a, &a10) == TVMAF_ERR(EINVAL), "depth mismatch refused");
    CHECK(tvmaf_send_pictures(c, &small1, &small2) == TVMAF_ERR(ENOTSUP),
          "64x32 below the 33x33 minimum (libvmaf's ADM is undefined at 32)");
    double v;
    CHECK(tvmaf_feature_score_at_index(c, TVMAF_FEATURE_ADM2, 0, &v) == TVMAF_ERR(EAGAIN),
          "scores need a flush");
    TvmafPicture a2;
    CHECK(tvmaf_picture_ref(&a2, &a) == 0, "ref");
    fill(&a, 1, 0);
    CHECK(tvmaf_send_pictures(c, &a, &a2) == 0, "send identical pair");
    CHECK(tvmaf_flush(c) == 0, "flush");
    CHECK(tvmaf_send_pictures(c, &b, &b) == TVMAF_ERR(EINVAL), "send after flush refused");
    CHECK(tvmaf_frame_count(c) == 1, "one frame");
    CHECK(tvmaf_feature_score_at_index(c, TVMAF_FEATURE_ADM2, 1, &v) == TVMAF_ERR(ENOENT), "index out of range");
    CHECK(tvmaf_feature_score_at_index(c, TVMAF_FEATURE_VIF_SCALE0, 0, &v) == 0 && v > 0.999 && v <= 1.0,
          "identical pictures: vif ~ 1");
    CHECK(tvmaf_feature_score_at_index(c, TVMAF_FEATURE_MOTION2, 0, &v) == 0 && v == 0.0, "motion2[0] = 0");
    CHECK(tvmaf_feature_score_pooled(c, TVMAF_FEATURE_ADM2, TVMAF_POOL_MEAN, &v) == 0, "pooled");
    CHECK(logged > 0, "errors went to the logger callback");
    tvmaf_close(&c);
    CHECK(c == NULL, "close clears the pointer");
    tvmaf_close(&c);
    tvmaf_close(NULL);
    tvmaf_picture_unref(&b);
    tvmaf_picture_unref(&a10);
    tvmaf_picture_unref(&small1);
    tvmaf_picture_unref(&small2);
    tvmaf_picture_unref(NULL);

    /* Picture pool: buffers come back and are reused; pictures outlive a
     * closed pool (ASan checks the frees). */
    TvmafPicturePool *pool = NULL;
    CHECK(tvmaf_picture_pool_open(&pool, TVMAF_PIX_LAYOUT_420, 10, 33, 17) == 0 && pool, "pool open");
    TvmafPicturePool *bad_pool = pool;
    CHECK(tvmaf_picture_pool_open(&bad_pool, TVMAF_PIX_LAYOUT_420, 9, 33, 17) == TVMAF_ERR(EINVAL) && !bad_pool,
          "pool refuses bad depth");
    TvmafPicture p1, p2, p3, p4;
    CHECK(tvmaf_picture_pool_get(pool, &p1) == 0 && tvmaf_picture_pool_get(pool, &p2) == 0, "pool get");
    CHECK(p1.data[0] != p2.data[0] && p1.w[1] == 17 && p1.h[1] == 9 && p1.bpc == 10, "pool geometry");
    void *const first = p1.data[0];
    CHECK(tvmaf_picture_ref(&p3, &p1) == 0, "ref pooled");
    tvmaf_picture_unref(&p1);
    CHECK(tvmaf_picture_pool_get(pool, &p4) == 0 && p4.data[0] != first, "a referenced buffer is not reused");
    void *const fourth = p4.data[0];
    tvmaf_picture_unref(&p3);
    tvmaf_picture_unref(&p4);
    CHECK(tvmaf_picture_pool_get(pool, &p1) == 0 && (p1.data[0] == first || p1.data[0] == fourth),
          "released buffer reused");
    tvmaf_picture_pool_close(&pool);
    CHECK(pool == NULL, "pool close clears");
    ((uint16_t *)p2.data[0])[0] = 7; /* still valid after close */
    tvmaf_picture_unref(&p1);
    tvmaf_picture_unref(&p2);
    tvmaf_picture_pool_close(NULL);

    enum { N = 9 };
    static double r1[TVMAF_FEATURE_COUNT * N], r3[TVMAF_FEATURE_COUNT * N];
    CHECK(run(1, r1, N) == 0 && run(3, r3, N) == 0, "runs");
    CHECK(!memcmp(r1, r3, sizeof(r1)), "1 and 3 threads give identical doubles");

    /* Memory budget (tinyvmaf.h): 1 MiB cannot hold one thread at 1024x1024
     * (about 1.5 MiB of scratch and 4 pairs of 2 MiB), 64 MiB holds fewer than 16 threads. */
    for (unsigned limit = 1; limit <= 64; limit += 63) {
        TvmafSettings m;
        tvmaf_default_settings(&m);
        int warned = 0;
        m.logger.callback = quiet;
        m.logger.cookie = &warned;
        m.n_threads = 16;
        m.memory_limit_mib = limit;
        TvmafContext *mc = NULL;
        TvmafPicture r = { 0 }, d = { 0 };
        CHECK(tvmaf_open(&mc, &m) == 0, "open with a memory limit");
        CHECK(tvmaf_picture_alloc(&r, TVMAF_PIX_LAYOUT_400, 8, 1024, 1024) == 0 &&
                  tvmaf_picture_alloc(&d, TVMAF_PIX_LAYOUT_400, 8, 1024, 1024) == 0, "alloc");
        fill(&r, 1, 0);
        fill(&d, 2, 1);
        const int err = tvmaf_send_pictures(mc, &r, &d);
        if (limit == 1) {
            CHECK(err == TVMAF_ERR(ENOMEM) && r.buf && d.buf && warned == 1,
                  "1 MiB: ENOMEM with one logged line, caller keeps the pictures");
        } else {
            double score;
            CHECK(err == 0 && warned == 1 && tvmaf_flush(mc) == 0 &&
                      tvmaf_feature_score_at_index(mc, TVMAF_FEATURE_VIF_SCALE0, 0, &score) == 0,
                  "64 MiB: 16 threads reduced with one note, the frame scores");
        }
        tvmaf_picture_unref(&r);
        tvmaf_picture_unref(&d);
        tvmaf_close(&mc);
    }

    CHECK(tvmaf_version() && tvmaf_version_api() ==
          TVMAF_API_VERSION(TVMAF_API_VERSION_MAJOR, TVMAF_API_VERSION_MINOR, TVMAF_API_VERSION_PATCH),
          "version");
    printf("%s\n", fails ? "FAIL" : "PASS");
    return fails != 0;
}
