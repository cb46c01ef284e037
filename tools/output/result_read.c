/*
 * Reads a JSON result (tinyvmaf or libvmaf --json) with jansson, refusing
 * anything but the layout they write with a one-line reason.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "output/result_read.h"
#include "util/util.h"

/* frameNum above this is refused: the per-frame arrays are dense, so a
 * hostile frameNum must not size an allocation (2^22 frames is over 19
 * hours at 60 fps). */
#define MAX_FRAME_NUM (1u << 22)

/* The frame count: one past the largest frameNum, every frame checked. */
static int count_frames(const json_t *const frames, unsigned *const n_frames, char *const err,
                        const size_t errlen)
{
    json_int_t last = -1;
    for (size_t k = 0; k < json_array_size(frames); k++) {
        const json_t *const fr = json_array_get(frames, k);
        const json_t *const num = json_object_get(fr, "frameNum");
        if (!json_is_object(fr) || !json_is_integer(num) ||
            !json_is_object(json_object_get(fr, "metrics"))) {
            snprintf(err, errlen, "frames[%zu] is not {\"frameNum\": N, \"metrics\": {...}}", k);
            return -1;
        }
        const json_int_t i = json_integer_value(num);
        if (i < 0 || i >= MAX_FRAME_NUM) {
            snprintf(err, errlen, "frames[%zu]: frameNum %lld is out of range (0..%u)", k,
                     (long long)i, MAX_FRAME_NUM - 1);
            return -1;
        }
        last = i > last ? i : last;
    }
    *n_frames = (unsigned)(last + 1);
    return 0;
}

static int load_metrics(TvmafResultFile *const r, const json_t *const frames,
                        int (*const keep)(const char *), char *const err, const size_t errlen)
{
    TvmafReport *const rep = &r->rep;
    if (count_frames(frames, &rep->n_frames, err, errlen) < 0)
        return -1;
    int n = 0;
    for (size_t k = 0; k < json_array_size(frames); k++) {
        const json_t *const fr = json_array_get(frames, k);
        const size_t i = (size_t)json_integer_value(json_object_get(fr, "frameNum"));
        const char *name;
        const json_t *val;
        json_object_foreach(json_object_get(fr, "metrics"), name, val) {
            if (json_is_null(val))
                continue; /* libvmaf's spelling of a value it could not compute */
            if (!json_is_number(val)) {
                char echo[160];
                snprintf(err, errlen, "frame %zu: metric \"%s\" is not a number", i,
                         tvmaf_escape_text(echo, sizeof(echo), name, 64));
                return -1;
            }
            if (!keep(name))
                continue;
            int m = 0;
            while (m < n && strcmp(r->metrics[m].name, name))
                m++;
            if (m == n) {
                if (n == TVMAF_RESULT_MAX_METRICS)
                    continue;
                if (!(r->v[n] = malloc(rep->n_frames * sizeof(double)))) {
                    snprintf(err, errlen, "out of memory");
                    return -1;
                }
                for (unsigned j = 0; j < rep->n_frames; j++)
                    r->v[n][j] = NAN;
                r->metrics[n] = (TvmafReportMetric){ .name = name, .v = r->v[n] };
                rep->n_metrics = ++n;
            }
            if (!isnan(r->v[m][i])) {
                snprintf(err, errlen, "frame %zu appears twice", i);
                return -1;
            }
            r->v[m][i] = json_number_value(val);
        }
    }
    return 0;
}

int tvmaf_result_read(TvmafResultFile *const r, const char *const path,
                      int (*const keep)(const char *), char *const err, const size_t errlen)
{
    memset(r, 0, sizeof(*r));
    r->rep = (TvmafReport){ .version = "unknown", .fps = NAN, .subsample = 1,
                            .metrics = r->metrics };
    FILE *const f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        return -1;
    }
    struct stat st;
    if (!fstat(fileno(f), &st) && S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "is a directory, not a JSON result");
        fclose(f);
        return -1;
    }
    json_error_t jerr;
    json_t *const root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
    if (f != stdin)
        fclose(f);
    if (!(r->json = root)) {
        char echo[160];
        snprintf(err, errlen, "not a JSON result (line %d, column %d: %s)", jerr.line,
                 jerr.column, tvmaf_escape_text(echo, sizeof(echo), jerr.text, 100));
        return -1;
    }
    const json_t *const frames = json_object_get(root, "frames");
    if (!json_is_array(frames) || !json_array_size(frames)) {
        snprintf(err, errlen, "no frames (expected the JSON of tinyvmaf --json: "
                 "\"frames\": [{\"frameNum\": N, \"metrics\": {...}}, ...])");
        return -1;
    }
    const json_t *const ver = json_object_get(root, "version");
    if (json_is_string(ver))
        r->rep.version = json_string_value(ver);
    return load_metrics(r, frames, keep, err, errlen);
}

void tvmaf_result_free(TvmafResultFile *const r)
{
    if (!r)
        return;
    for (int m = 0; m < TVMAF_RESULT_MAX_METRICS; m++)
        free(r->v[m]);
    json_decref(r->json);
    memset(r, 0, sizeof(*r));
}
