/*
 * The result reader: a JSON result written earlier with --json, by
 * tinyvmaf or libvmaf (the layout is the same), back into a TvmafReport.
 */
#ifndef TVMAF_TOOLS_OUTPUT_RESULT_READ_H
#define TVMAF_TOOLS_OUTPUT_RESULT_READ_H

#include <stddef.h>

#include "output/output.h"

/** The most metrics one read keeps (the first ones in metric order). */
#define TVMAF_RESULT_MAX_METRICS 8

typedef struct TvmafResultFile {
    TvmafReport rep;       ///< version (or "unknown"), n_frames, metrics; fps NAN, no size
    TvmafReportMetric metrics[TVMAF_RESULT_MAX_METRICS];
    double *v[TVMAF_RESULT_MAX_METRICS];
    void *json;            ///< the parsed document (owns the names and the version)
} TvmafResultFile;

/**
 * Reads `path` ("-" = stdin): its "frames" array into one dense NAN-filled
 * array per metric for which keep(name) is 1, in the order the metrics
 * first appear (the order the scoring run wrote them); at most
 * TVMAF_RESULT_MAX_METRICS, the rest ignored. null values (libvmaf's
 * spelling of a value it could not compute) stay NAN. A result with no
 * kept metric reads as n_metrics 0. Returns 0, or -1 with a one-line
 * reason in `err` (not JSON, a directory, no frames, a malformed frame, a
 * non-numeric metric, a frame twice, frameNum out of range). Free r with
 * tvmaf_result_free() either way.
 */
int tvmaf_result_read(TvmafResultFile *r, const char *path, int (*keep)(const char *name),
                      char *err, size_t errlen);

void tvmaf_result_free(TvmafResultFile *r);

#endif /* TVMAF_TOOLS_OUTPUT_RESULT_READ_H */
