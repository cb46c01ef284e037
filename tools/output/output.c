#include <errno.h>
#include <math.h>
#include <string.h>

#include "output/output.h"
#include "tinyvmaf/tinyvmaf.h"
#include "util/util.h"

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

void tvmaf_output_print_number(FILE *f, double v, int precision)
{
    if (!isfinite(v))
        fputs("null", f);
    else if (precision > 0)
        fprintf(f, "%.*g", precision, v);
    else
        fprintf(f, count_leading_zeros(v) <= 6 ? "%.6f" : "%.16f", v);
}

/* Only reached with values check_report() accepted; "nan" is libvmaf's
 * spelling and stays as a last resort. */
static void print_xml_number(FILE *f, const TvmafReport *r, double v)
{
    if (!isfinite(v))
        fputs("nan", f);
    else
        tvmaf_output_print_number(f, v, r->precision);
}

/* Pool methods written per metric: libvmaf's four, then ours. */
static const enum TvmafPoolMethod pool_methods[] = {
    TVMAF_POOL_MIN, TVMAF_POOL_MAX, TVMAF_POOL_MEAN, TVMAF_POOL_HARMONIC_MEAN,
    TVMAF_POOL_MEDIAN, TVMAF_POOL_P5, TVMAF_POOL_P10,
};
#define N_POOL ((int)(sizeof(pool_methods) / sizeof(pool_methods[0])))

/* Frames --subsample skips carry NAN in every metric computed from
 * ADM/VIF and are not written; every other frame is. */
static int frame_scored(const TvmafReport *r, unsigned i)
{
    return r->subsample <= 1 || i % r->subsample == 0;
}

static int frame_printed(const TvmafReport *r, unsigned i)
{
    if (!frame_scored(r, i))
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

/* SUB separates metrics with '|' on one line per frame. */
static int sub_name_ok(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '|' || *p == '{' || *p == '}')
            return 0;
    return 1;
}

/* Refuses what the layouts cannot carry faithfully: a non-finite value on
 * a scored frame or in a pooled result (it would print as nan/null and
 * pass for a score), and names XML or SUB cannot hold. */
static int check_report(const TvmafReport *r, enum TvmafOutputFormat fmt, char *err,
                        size_t errlen)
{
    for (int m = 0; m < r->n_metrics; m++) {
        const TvmafReportMetric *const x = &r->metrics[m];
        char name[160];
        tvmaf_escape_text(name, sizeof(name), x->name, 64);
        if (fmt == TVMAF_OUTPUT_XML && !tvmaf_xml_is_name(x->name)) {
            snprintf(err, errlen, "metric name \"%s\" cannot be an XML attribute name "
                     "(letters, digits, _ - . only); rename it or use --json or --csv", name);
            return -1;
        }
        if (fmt == TVMAF_OUTPUT_SUB && !sub_name_ok(x->name)) {
            snprintf(err, errlen, "metric name \"%s\" cannot be written in the SUB layout; "
                     "rename it or use --json or --csv", name);
            return -1;
        }
        int scored = 0;
        for (unsigned i = 0; i < r->n_frames; i++) {
            if (!frame_scored(r, i))
                continue;
            scored = 1;
            if (!isfinite(x->v[i])) {
                snprintf(err, errlen, "metric \"%s\" is not finite at frame %u (%s); "
                         "nothing was written", name, i, isnan(x->v[i]) ? "nan" : "inf");
                return -1;
            }
        }
        for (int p = 0; p < N_POOL && scored; p++) {
            double v;
            if (pooled(r, x, pool_methods[p], &v) < 0) {
                snprintf(err, errlen, "metric \"%s\": cannot pool %s (out of memory)", name,
                         tvmaf_pool_name(pool_methods[p]));
                return -1;
            }
            if (!isfinite(v)) {
                snprintf(err, errlen, "metric \"%s\": pooled %s is not finite; nothing was written",
                         name, tvmaf_pool_name(pool_methods[p]));
                return -1;
            }
        }
    }
    return 0;
}

static int write_json(FILE *f, const TvmafReport *r)
{
    fputs("{\n  \"version\": ", f);
    tvmaf_json_put(f, r->version);
    fputs(",\n", f);
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
            fputs("        ", f);
            tvmaf_json_put(f, r->metrics[m].name);
            fputs(": ", f);
            tvmaf_output_print_number(f, v, r->precision);
            fputs(++k < cnt ? ",\n" : "\n", f);
        }
        fputs("      }\n    }", f);
    }
    fputs("\n  ],\n  \"pooled_metrics\": {", f);
    for (int m = 0; m < r->n_metrics; m++) {
        fputs(m ? ",\n    " : "\n    ", f);
        tvmaf_json_put(f, r->metrics[m].name);
        fputs(": {", f);
        for (int p = 0; p < N_POOL; p++) {
            double v;
            if (pooled(r, &r->metrics[m], pool_methods[p], &v) < 0)
                return -1;
            fprintf(f, "%s      \"%s\": ", p ? ",\n" : "\n", tvmaf_pool_name(pool_methods[p]));
            tvmaf_output_print_number(f, v, r->precision);
        }
        fputs("\n    }", f);
    }
    fputs("\n  },\n  \"aggregate_metrics\": {\n  }", f);
    for (int b = 0; b < r->n_blocks; b++) {
        fputs(",\n  ", f);
        tvmaf_json_put(f, r->blocks[b].key);
        fprintf(f, ": %s", r->blocks[b].json);
    }
    fputs("\n}\n", f);
    return 0;
}

static int write_xml(FILE *f, const TvmafReport *r)
{
    fputs("<VMAF version=\"", f);
    tvmaf_xml_put_attr(f, r->version);
    fputs("\">\n", f);
    fprintf(f, "  <params qualityWidth=\"%d\" qualityHeight=\"%d\" />\n", r->width, r->height);
    fprintf(f, "  <fyi fps=\"%.2f\" />\n", isfinite(r->fps) ? r->fps : 0.0);
    fputs("  <frames>\n", f);
    for (unsigned i = 0; i < r->n_frames; i++) {
        if (!frame_printed(r, i))
            continue;
        fprintf(f, "    <frame frameNum=\"%u\" ", i);
        for (int m = 0; m < r->n_metrics; m++) {
            const double v = r->metrics[m].v[i];
            if (isnan(v))
                continue;
            /* check_report() made sure the name is a valid XML name. */
            fprintf(f, "%s=\"", r->metrics[m].name);
            print_xml_number(f, r, v);
            fputs("\" ", f);
        }
        fputs("/>\n", f);
    }
    fputs("  </frames>\n  <pooled_metrics>\n", f);
    for (int m = 0; m < r->n_metrics; m++) {
        fputs("    <metric name=\"", f);
        tvmaf_xml_put_attr(f, r->metrics[m].name);
        fputs("\" ", f);
        for (int p = 0; p < N_POOL; p++) {
            double v;
            if (pooled(r, &r->metrics[m], pool_methods[p], &v) < 0)
                return -1;
            fprintf(f, "%s=\"", tvmaf_pool_name(pool_methods[p]));
            print_xml_number(f, r, v);
            fputs("\" ", f);
        }
        fputs("/>\n", f);
    }
    fputs("  </pooled_metrics>\n  <aggregate_metrics />\n</VMAF>\n", f);
    return 0;
}

static void write_csv(FILE *f, const TvmafReport *r)
{
    fputs("Frame,", f);
    for (int m = 0; m < r->n_metrics; m++) {
        tvmaf_csv_put_field(f, r->metrics[m].name);
        fputc(',', f);
    }
    fputc('\n', f);
    for (unsigned i = 0; i < r->n_frames; i++) {
        if (!frame_printed(r, i))
            continue;
        fprintf(f, "%u,", i);
        for (int m = 0; m < r->n_metrics; m++) {
            const double v = r->metrics[m].v[i];
            if (isnan(v))
                continue;
            print_xml_number(f, r, v);
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
            print_xml_number(f, r, v);
            fputc('|', f);
        }
        fputc('\n', f);
    }
}

/* -1 when a pooled value could not be computed (out of memory). */
static int write_report(FILE *f, enum TvmafOutputFormat fmt, const TvmafReport *r)
{
    switch (fmt) {
    case TVMAF_OUTPUT_XML: return write_xml(f, r);
    case TVMAF_OUTPUT_JSON: return write_json(f, r);
    case TVMAF_OUTPUT_CSV: write_csv(f, r); break;
    case TVMAF_OUTPUT_SUB: write_sub(f, r); break;
    }
    return 0;
}

int tvmaf_output_write(FILE *f, enum TvmafOutputFormat fmt, const TvmafReport *r, char *err,
                       size_t errlen)
{
    if (check_report(r, fmt, err, errlen) < 0)
        return -1;
    if (write_report(f, fmt, r) < 0) {
        snprintf(err, errlen, "out of memory while pooling; the output is incomplete");
        return -1;
    }
    if (ferror(f)) {
        snprintf(err, errlen, "write failed: %s", strerror(errno ? errno : EIO));
        return -1;
    }
    return 0;
}

int tvmaf_output_write_file(const char *path, enum TvmafOutputFormat fmt, const TvmafReport *r,
                            char *err, size_t errlen)
{
    if (check_report(r, fmt, err, errlen) < 0)
        return -1;
    TvmafAtomicFile af;
    if (tvmaf_atomic_open(&af, path, err, errlen) < 0)
        return -1;
    if (write_report(af.f, fmt, r) < 0) {
        tvmaf_atomic_abort(&af);
        snprintf(err, errlen, "out of memory while pooling; nothing was written");
        return -1;
    }
    return tvmaf_atomic_commit(&af, err, errlen) < 0 ? -1 : 0;
}
