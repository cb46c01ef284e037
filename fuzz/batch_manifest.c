/*
 * libFuzzer target: the batch manifest parser (tools/batch/manifest.c):
 * CSV and JSON Lines rows, option values, duplicate ids, row limits, and
 * the flat JSON reader that also reads the results' "batch" block. The
 * first byte picks the reader; the checks below are the parser's promises.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "batch/manifest.h"

#define MAX_INPUT (1 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > MAX_INPUT)
        return 0;
    const char *const s = (const char *)data + 1;
    const size_t n = size - 1;
    if (data[0] & 1) {
        TvmafFlatKV *kv;
        const char *end;
        char err[256];
        const int k = tvmaf_flat_json_parse(s, n, &kv, &end, err, sizeof(err));
        if (k >= 0) {
            if (end < s || end > s + n)
                abort();
            for (int i = 0; i < k; i++)
                if (!kv[i].key)
                    abort();
            tvmaf_flat_json_free(kv, k);
        }
        return 0;
    }
    TvmafManifest m;
    if (tvmaf_batch_manifest_parse(&m, s, n, "fuzz", "dir", NULL) != 0)
        return 0;
    if (!m.n_jobs)
        abort();
    for (size_t i = 0; i < m.n_jobs; i++) {
        const TvmafBatchJob *const j = &m.jobs[i];
        for (int f = 0; f <= TVMAF_BF_DISTORTED; f++)
            if (!j->field[f] || !j->field[f][0])
                abort();
        if (j->id_safe != tvmaf_batch_id_safe(j->field[TVMAF_BF_ID]) || (!j->id_safe && !j->bad))
            abort();
        if (j->id_safe && (strchr(j->field[TVMAF_BF_ID], '/') || j->field[TVMAF_BF_ID][0] == '.'))
            abort();
        if (tvmaf_batch_shard_of(j->field[TVMAF_BF_ID], 7) >= 7)
            abort();
        if (!j->bad && (j->opts.subsample < 1 || (j->opts.raw && (j->opts.w < 1 || j->opts.h < 1))))
            abort();
        char *const r = tvmaf_batch_resolve(m.dir, j->field[TVMAF_BF_REFERENCE]);
        free(r);
    }
    tvmaf_batch_manifest_free(&m);
    return 0;
}
