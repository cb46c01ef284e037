/*
 * Tiny-model throughput: rows/s through tvmaf_tiny_model_run() at batch 1
 * (one call per row, as a per-frame caller would) and batch 1000, on the
 * 1000 realistic rows of the upstream vectors.csv. Single thread.
 *
 *   tiny_bench UPSTREAM_DIR MODEL.onnx...
 * prints "<model> <batch> <rows/s>" per line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tinyvmaf/tiny.h"

#define ROWS 1000
#define MIN_SECONDS 1.0

static float x[ROWS * 6], y[ROWS];

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int read_rows(const char *dir)
{
    char path[4096], line[1024];
    snprintf(path, sizeof(path), "%s/vectors.csv", dir);
    FILE *const f = fopen(path, "r");
    if (!f)
        return -1;
    /* Header, then 47 probe rows; the realistic block follows. */
    for (int i = 0; i < 48; i++)
        if (!fgets(line, sizeof(line), f))
            return -1;
    for (int r = 0; r < ROWS; r++) {
        if (!fgets(line, sizeof(line), f))
            return -1;
        char *p = line;
        for (int c = 0; c < 6; c++) {
            x[r * 6 + c] = strtof(p, &p);
            p++;
        }
    }
    fclose(f);
    return 0;
}

static double bench(const TvmafTinyModel *m, const int batch)
{
    double t0 = now(), t;
    long rows = 0;
    do {
        for (int i = 0; i < ROWS; i += batch)
            if (tvmaf_tiny_model_run(m, x + i * 6, batch, y + i))
                return -1;
        rows += ROWS;
    } while ((t = now() - t0) < MIN_SECONDS);
    return rows / t;
}

int main(int argc, char **argv)
{
    if (argc < 3 || read_rows(argv[1])) {
        fprintf(stderr, "usage: tiny_bench UPSTREAM_DIR MODEL.onnx... (vectors.csv needed)\n");
        return 77;
    }
    for (int i = 2; i < argc; i++) {
        TvmafTinyModel *m;
        if (tvmaf_tiny_model_load(&m, argv[i], NULL))
            return 1;
        const char *const base = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
        for (int b = 1; b <= ROWS; b *= ROWS) {
            bench(m, b); /* warm-up */
            printf("%s %d %.0f\n", base, b, bench(m, b));
        }
        tvmaf_tiny_model_free(&m);
    }
    return 0;
}
