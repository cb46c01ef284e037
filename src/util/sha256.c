#include <nettle/sha2.h>

#include "util/util.h"

void tvmaf_sha256(const void *const data, const size_t len, uint8_t out[32])
{
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    /* Bounded pieces: nettle 3.x took unsigned lengths, later size_t. */
    const uint8_t *p = data;
    size_t left = len;
    while (left) {
        const size_t chunk = left > (1u << 30) ? (1u << 30) : left;
        sha256_update(&ctx, chunk, p);
        p += chunk;
        left -= chunk;
    }
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
}

void tvmaf_hex(const uint8_t *const d, const size_t n, char *const out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * n] = '\0';
}

void tvmaf_tiny_sha256_hex(const uint8_t *const buf, const size_t len, char hex[65])
{
    uint8_t d[32];
    tvmaf_sha256(buf, len, d);
    tvmaf_hex(d, sizeof(d), hex);
}
