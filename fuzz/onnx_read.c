/*
 * libFuzzer target: the ONNX loader and interpreter on arbitrary bytes.
 *
 * Parses the input as a model (no external data: there is no directory),
 * and when it loads, runs it on a small batch, so shape inference and every
 * kernel see whatever graph the fuzzer builds. Built as a libFuzzer binary
 * with -Dfuzzing_engine=libfuzzer, and as a corpus replay test otherwise.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "model/tiny/tiny_graph.h"

/* Bigger inputs add no coverage: tiny models are a few KiB. */
#define MAX_INPUT (64 * 1024)
#define ROWS 3

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    const TvmafLogger silent = { NULL, NULL };
    TinyGraph *g;
    const TinyParseOptions po = { .what = "fuzz", .log = &silent };
    if (tvmaf_tiny_graph_parse(&g, data, size, &po))
        return 0;
    const int64_t k = g->n_features;
    if (k <= 4096) {
        float *const in = malloc((size_t)(ROWS * k) * sizeof(float));
        float out[ROWS];
        if (in) {
            /* Mixed signs and magnitudes, including exact zeros. */
            for (int64_t i = 0; i < ROWS * k; i++)
                in[i] = (float)((i % 7) - 3) * (i % 5 ? 0.37f : 1e3f);
            (void)tvmaf_tiny_graph_run(g, in, ROWS, out);
            (void)tvmaf_tiny_graph_run(g, in, 1, out);
            free(in);
        }
    }
    tvmaf_tiny_graph_free(&g);
    return 0;
}
