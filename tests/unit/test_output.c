/*
 * tools/output: non-finite values and unwritable names are refused before
 * anything is written; NAN on frames --subsample skips is not an error.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/output.h"
#include "unit_check.h"

#define N 6

static int write_to_memory(enum TvmafOutputFormat fmt, const TvmafReport *r, char *err,
                           size_t errlen, char **text)
{
    size_t len = 0;
    *text = NULL;
    FILE *const f = open_memstream(text, &len);
    const int ret = tvmaf_output_write(f, fmt, r, err, errlen);
    fclose(f);
    return ret;
}

int main(void)
{
    double feat[N], score[N];
    TvmafReportMetric metrics[2] = { { "integer_adm2", feat }, { "vmaf", score } };
    TvmafReport r = { .version = "test", .fps = 10, .width = 64, .height = 48, .n_frames = N,
                      .subsample = 1, .metrics = metrics, .n_metrics = 2 };
    char err[256], *text;
    for (int i = 0; i < N; i++) {
        feat[i] = 0.5 + 0.01 * i;
        score[i] = 80 + i;
    }
    for (int fmt = TVMAF_OUTPUT_XML; fmt <= TVMAF_OUTPUT_SUB; fmt++) {
        CHECK(write_to_memory(fmt, &r, err, sizeof(err), &text) == 0, "format %d: %s", fmt, err);
        free(text);
    }

    /* A model score that is not finite is refused, naming metric and frame. */
    static const double bad[] = { NAN, INFINITY, -INFINITY };
    for (int b = 0; b < 3; b++)
        for (int fmt = TVMAF_OUTPUT_XML; fmt <= TVMAF_OUTPUT_SUB; fmt++) {
            score[3] = bad[b];
            err[0] = 0;
            CHECK(write_to_memory(fmt, &r, err, sizeof(err), &text) < 0,
                  "format %d: non-finite score %g written", fmt, bad[b]);
            CHECK(text && !*text, "format %d: refused report still wrote %zu bytes", fmt,
                  text ? strlen(text) : 0);
            CHECK(strstr(err, "\"vmaf\"") && strstr(err, "frame 3"), "message: %s", err);
            free(text);
        }
    score[3] = 83;

    /* --subsample 2: NAN marks frames 1, 3, 5 as skipped, and they are not written. */
    r.subsample = 2;
    for (int i = 1; i < N; i += 2)
        feat[i] = score[i] = NAN;
    for (int fmt = TVMAF_OUTPUT_XML; fmt <= TVMAF_OUTPUT_SUB; fmt++) {
        CHECK(write_to_memory(fmt, &r, err, sizeof(err), &text) == 0, "subsample: %s", err);
        CHECK(text && !strstr(text, "nan") && !strstr(text, "null"), "format %d wrote nan/null:\n%s",
              fmt, text);
        free(text);
    }
    score[2] = NAN;
    CHECK(write_to_memory(TVMAF_OUTPUT_JSON, &r, err, sizeof(err), &text) < 0 &&
              strstr(err, "frame 2"),
          "NAN on a scored frame accepted under --subsample: %s", err);
    free(text);
    score[2] = 82;
    r.subsample = 1;
    for (int i = 1; i < N; i += 2) {
        feat[i] = 0.5;
        score[i] = 80;
    }

    /* A pooled value that overflows is refused too. */
    for (int i = 0; i < N; i++)
        score[i] = 1e308;
    CHECK(write_to_memory(TVMAF_OUTPUT_JSON, &r, err, sizeof(err), &text) < 0 &&
              strstr(err, "pooled"),
          "overflowing mean accepted: %s", err);
    free(text);
    for (int i = 0; i < N; i++)
        score[i] = 80;

    /* Names: XML writes them as attribute names, SUB between '|'. */
    metrics[1].name = "a\"b";
    CHECK(write_to_memory(TVMAF_OUTPUT_XML, &r, err, sizeof(err), &text) < 0 &&
              strstr(err, "XML"),
          "XML with a quote in a name: %s", err);
    free(text);
    CHECK(write_to_memory(TVMAF_OUTPUT_JSON, &r, err, sizeof(err), &text) == 0 &&
              strstr(text, "\"a\\\"b\": "),
          "JSON name not escaped:\n%s", text);
    free(text);
    CHECK(write_to_memory(TVMAF_OUTPUT_CSV, &r, err, sizeof(err), &text) == 0 &&
              strstr(text, ",\"a\"\"b\","),
          "CSV name not quoted:\n%s", text);
    free(text);
    metrics[1].name = "a|b";
    CHECK(write_to_memory(TVMAF_OUTPUT_SUB, &r, err, sizeof(err), &text) < 0, "SUB with '|'");
    free(text);
    metrics[1].name = "vmaf";

    /* A refused report leaves no file at all. */
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/tvmaf_output_XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(dir)) {
        char path[600];
        snprintf(path, sizeof(path), "%s/out.json", dir);
        score[0] = NAN;
        CHECK(tvmaf_output_write_file(path, TVMAF_OUTPUT_JSON, &r, err, sizeof(err)) < 0,
              "file: NAN written");
        CHECK(access(path, F_OK) != 0 && errno == ENOENT, "file: refused report left %s", path);
        score[0] = 80;
        CHECK(tvmaf_output_write_file(path, TVMAF_OUTPUT_JSON, &r, err, sizeof(err)) == 0, "%s",
              err);
        unlink(path);
        rmdir(dir);
    }
    printf("%s\n", fails ? "FAILED" : "ok");
    return fails ? 1 : 0;
}
