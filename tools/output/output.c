#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/output.h"
#include "tinyvmaf/tinyvmaf.h"

/* libvmaf >= 3.1 (output.c, count_leading_zeros_d): counts how many times
 * the fractional part must be multiplied by 10 to reach 1. The loop itself
 * is reproduced, not a threshold, since values near 1e-6 depend on its
 * double rounding. */
static int count_leading_zeros(double x)
{
    if (x < 0)
        x = fabs(x);
    const int ip = (int)x;
    double frac = x - ip;
    int n = 0;
    while (frac < 1.0 && frac != 0) {
        frac *= 10;
        n++;
    }
    return n;
}

void tvmaf_output_print_number(FILE *f, double v)
{
    if (!isfinite(v)) {
        fputs("null", f);
        return;
    }
    fprintf(f, count_leading_zeros(v) <= 6 ? "%.6f" : "%.16f", v);
}

static void print_xml_number(FILE *f, double v)
{
    if (!isfinite(v))
        fputs("nan", f);
    else
        tvmaf_output_print_number(f, v);
}

/* Pool methods written per metric: libvmaf's four, then ours. */
static const enum TvmafPoolMethod pool_methods[] = {
    TVMAF_POOL_MIN, TVMAF_POOL_MAX, TVMAF_POOL_MEAN, TVMAF_POOL_HARMONIC_MEAN,
    TVMAF_POOL_MEDIAN, TVMAF_POOL_P5, TVMAF_POOL_P10,
};
#define N_POOL ((int)(sizeof(pool_methods) / sizeof(pool_methods[0])))

static int frame_printed(const TvmafReport *r, unsigned i)
{
    if (r->subsample > 1 && i % r->subsample)
        return 0;
    for (int m = 0; m < r->n_metrics; m++)
        if (!isnan(r->metrics[m].v[i]))
            return 1;
    return 0;
}

static int pooled(const TvmafReport *r, const TvmafReportMetric *m, enum TvmafPoolMethod p,
                  double *out)
{
    return tvmaf_pool(m->v, r->n_frames, r->subsample, p, out);
}

static void write_json(FILE *f, const TvmafReport *r)
{
    fprintf(f, "{\n  \"version\": \"%s\",\n", r->version);
    if (isfinite(r->fps))
        fprintf(f, "  \"fps\": %.2f,\n", r->fps);
    else
        fputs("  \"fps\": null,\n", f);
    fputs("  \"frames\": [", f);
    int first = 1;
    for (unsigned i = 0; i < r->n_frames; i++) {
        if (!frame_printed(r, i))
            continue;
        fputs(first ? "\n" : ",\n", f);
        first = 0;
        fprintf(f, "    {\n      \"frameNum\": %u,\n      \"metrics\": {\n", i);
        int cnt = 0, k = 0;
        for (int m = 0; m < r->n_metrics; m++)
            cnt += !isnan(r->metrics[m].v[i]);
        for (int m = 0; m < r->n_metrics; m++) {
            const double v = r->metrics[m].v[i];
            if (isnan(v))
                continue;
            fprintf(f, "        \"%s\": ", r->metrics[m].name);
            tvmaf_output_print_number(f, v);
            fputs(++k < cnt ? ",\n" : "\n", f);
        }
        fputs("      }\n    }", f);
    }
    fputs("\n  ],\n  \"pooled_metrics\": {", f);
    for (int m = 0; m < r->n_metrics; m++) {
        fprintf(f, "%s    \"%s\": {", m ? ",\n" : "\n", r->metrics[m].name);
        for (int p = 0; p < N_POOL; p++) {
            double v = NAN;
            if (pooled(r, &r->metrics[m], pool_methods[p], &v) < 0)
                v = NAN;
            fprintf(f, "%s      \"%s\": ", p ? ",\n" : "\n", tvmaf_pool_name(pool_methods[p]));
            tvmaf_output_print_number(f, v);
        }
        fputs("\n    }", f);
    }
    fputs("\n  },\n  \"aggregate_metrics\": {\n  }", f);
    for (int b = 0; b < r->n_blocks; b++)
        fprintf(f, ",\n  \"%s\": %s", r->blocks[b].key, r->blocks[b].json);
    fputs("\n}\n", f);
}

static void write_xml(FILE *f, const TvmafReport *r)
{
    fprintf(f, "<VMAF version=\"%s\">\n", r->version);
    fprintf(f, "  <params qualityWidth=\"%d\" qualityHeight=\"%d\" />\n", r->width, r->height);
    fprintf(f, "  <fyi fps=\"%.2f\" />\n", r->fps);
    fputs("  <frames>\n", f);
    for (unsigned i = 0; i < r->n_frames; i++) {
        if (!frame_printed(r, i))
            continue;
        fprintf(f, "    <frame frameNum=\"%u\" ", i);
        for (int m = 0; m < r->n_metrics; m++) {
            const double v = r->metrics[m].v[i];
            if (isnan(v))
                continue;
            fprintf(f, "%s=\"", r->metrics[m].name);
            print_xml_number(f, v);
            fputs("\" ", f);
        }
        fputs("/>\n", f);
    }
    fputs("  </frames>\n  <pooled_metrics>\n", f);
    for (int m = 0; m < r->n_metrics; m++) {
        fprintf(f, "    <metric name=\"%s\" ", r->metrics[m].name);
        for (int p = 0; p < N_POOL; p++) {
            double v;
            if (pooled(r, &r->metrics[m], pool_methods[p], &v) < 0)
                continue;
            fprintf(f, "%s=\"", tvmaf_pool_name(pool_methods[p]));
            print_xml_number(f, v);
            fputs("\" ", f);
        }
        fputs("/>\n", f);
    }
    fputs("  </pooled_metrics>\n  <aggregate_metrics />\n</VMAF>\n", f);
}

static void write_csv(FILE *f, const TvmafReport *r)
{
    fputs("Frame,", f);
    for (int m = 0; m < r->n_metrics; m++)
        fprintf(f, "%s,", r->metrics[m].name);
    fputc('\n', f);
    for (unsigned i = 0; i < r->n_frames; i++) {
        if (!frame_printed(r, i))
            continue;
        fprintf(f, "%u,", i);
        for (int m = 0; m < r->n_metrics; m++) {
            const double v = r->metrics[m].v[i];
            if (isnan(v))
                continue;
            print_xml_number(f, v);
            fputc(',', f);
        }
        fputc('\n', f);
    }
}

static void write_sub(FILE *f, const TvmafReport *r)
{
    for (unsigned i = 0; i < r->n_frames; i++) {
        if (!frame_printed(r, i))
            continue;
        fprintf(f, "{%u}{%u}frame: %u|", i, i + 1, i);
        for (int m = 0; m < r->n_metrics; m++) {
            const double v = r->metrics[m].v[i];
            if (isnan(v))
                continue;
            fprintf(f, "%s: ", r->metrics[m].name);
            print_xml_number(f, v);
            fputc('|', f);
        }
        fputc('\n', f);
    }
}

int tvmaf_output_write(FILE *f, enum TvmafOutputFormat fmt, const TvmafReport *r)
{
    switch (fmt) {
    case TVMAF_OUTPUT_XML: write_xml(f, r); break;
    case TVMAF_OUTPUT_JSON: write_json(f, r); break;
    case TVMAF_OUTPUT_CSV: write_csv(f, r); break;
    case TVMAF_OUTPUT_SUB: write_sub(f, r); break;
    }
    return ferror(f) ? -1 : 0;
}

int tvmaf_output_write_file(const char *path, enum TvmafOutputFormat fmt, const TvmafReport *r,
                            char *err, size_t errlen)
{
    struct stat st;
    const int direct = !strcmp(path, "-") || (stat(path, &st) == 0 && !S_ISREG(st.st_mode));
    if (direct) {
        FILE *f = !strcmp(path, "-") ? stdout : fopen(path, "w");
        if (!f) {
            snprintf(err, errlen, "cannot open for writing: %s", strerror(errno));
            return -1;
        }
        int ret = tvmaf_output_write(f, fmt, r);
        if (f == stdout)
            ret |= fflush(f);
        else
            ret |= fclose(f);
        if (ret)
            snprintf(err, errlen, "write failed: %s", strerror(errno));
        return ret ? -1 : 0;
    }

    const size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(tmp, n, "%s.XXXXXX", path);
    const int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a temporary file beside it: %s", strerror(errno));
        free(tmp);
        return -1;
    }
    /* mkstemp creates 0600; give the file the usual umask-derived mode. */
    const mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        unlink(tmp);
        free(tmp);
        snprintf(err, errlen, "cannot write: %s", strerror(errno));
        return -1;
    }
    int ret = tvmaf_output_write(f, fmt, r);
    ret |= fflush(f);
    ret |= fsync(fileno(f)) && errno != EINVAL;
    ret |= fclose(f);
    if (ret || rename(tmp, path)) {
        snprintf(err, errlen, "write failed: %s", strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}
