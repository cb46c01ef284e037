/*
 * Result writers in libvmaf's layouts (libvmaf src/output.c): XML, JSON,
 * CSV and SUB, with its number formatting.
 */
#ifndef TVMAF_TOOLS_OUTPUT_OUTPUT_H
#define TVMAF_TOOLS_OUTPUT_OUTPUT_H

#include <stdio.h>

typedef struct TvmafReportMetric {
    const char *name;
    const double *v;       ///< n_frames values; NAN where the metric has none
} TvmafReportMetric;

/** Extra top-level JSON block (e.g. the tiny-model description). */
typedef struct TvmafReportBlock {
    const char *key;
    const char *json;      ///< a complete JSON value, already formatted
} TvmafReportBlock;

typedef struct TvmafReport {
    const char *version;
    double fps;
    int width, height;
    unsigned n_frames;
    unsigned subsample;
    int precision;         ///< scores as "%.{precision}g" (1..17); 0 = libvmaf's rule
    const TvmafReportMetric *metrics;
    int n_metrics;
    const TvmafReportBlock *blocks;
    int n_blocks;
} TvmafReport;

enum TvmafOutputFormat {
    TVMAF_OUTPUT_XML = 0,
    TVMAF_OUTPUT_JSON,
    TVMAF_OUTPUT_CSV,
    TVMAF_OUTPUT_SUB,
};

/**
 * Writes the report. Refused, before anything is written: a value that is
 * not finite on a frame the report scores (every frame, or every
 * --subsample'th; NAN on the frames in between marks them as skipped), a
 * pooled value that is not finite, and, for XML and SUB, a metric name the
 * layout cannot hold (XML writes names as attribute names). Names are
 * escaped per format (JSON strings, XML attribute values, CSV fields).
 * Returns 0, or -1 with a one-line reason in `err`.
 */
int tvmaf_output_write(FILE *f, enum TvmafOutputFormat fmt, const TvmafReport *r, char *err,
                       size_t errlen);

/**
 * Writes to `path` with the checks above, atomically (util.h,
 * tvmaf_atomic_open(): a temporary beside it renamed over the target when
 * complete; the target's mode is kept; a symbolic link is written through;
 * a file with several hard links is refused). "-", FIFOs and devices are
 * written directly. On failure nothing is left behind and a reason goes
 * to `err`.
 */
int tvmaf_output_write_file(const char *path, enum TvmafOutputFormat fmt, const TvmafReport *r,
                            char *err, size_t errlen);

/**
 * Prints a score: with precision 0 the way libvmaf >= 3.1 does (%.6f, %.16f
 * for tiny fractions), else as "%.{precision}g" (17 reads back as the same
 * double). "null" when not finite.
 */
void tvmaf_output_print_number(FILE *f, double v, int precision);

#endif /* TVMAF_TOOLS_OUTPUT_OUTPUT_H */
