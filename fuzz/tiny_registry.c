/*
 * libFuzzer target: the tiny-model trust root's JSON parsers — registry.json
 * (ids, files, every pin) and the sidecar (features, tensor names, data
 * pins) — on the same bytes. Both must refuse cleanly or accept; an
 * accepted registry is walked so every parsed field is touched.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "model/tiny/tiny_registry.h"

#define FUZZ_MAX_INPUT (256 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return 0;
    const TvmafLogger silent = { NULL, NULL };
    TvmafTinyRegistry *r = NULL;
    if (tvmaf_tiny_registry_parse(&r, data, size, "fuzz", size && (data[0] & 1), &silent) == 0) {
        size_t total = 0;
        for (unsigned i = 0; i < tvmaf_tiny_registry_count(r); i++) {
            const TvmafTinyRegistryEntry *const e = tvmaf_tiny_registry_entry(r, i);
            total += strlen(e->id) + strlen(e->file) + strlen(e->sha256) + strlen(e->kind);
            if (e->int8_file)
                total += strlen(e->int8_file) + strlen(e->int8_sha256);
            for (unsigned j = 0; j < e->n_data; j++)
                total += strlen(e->data_file[j]) + strlen(e->data_sha256[j]);
            if (strlen(e->sha256) != 64)
                __builtin_trap(); /* the parser promised a checked digest */
        }
        (void)total;
        tvmaf_tiny_registry_free(&r);
    }
    (void)tvmaf_tiny_sidecar_check(data, size, &silent);
    return 0;
}
