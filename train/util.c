#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "log.h"
#include "train.h"

void tvmaf_train_sha256(const void *const data, const size_t len, uint8_t out[32])
{
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    /* nettle takes size_t lengths; feed in bounded pieces anyway so the
     * call is the same on every nettle version (3.x took unsigned). */
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

void tvmaf_train_hex(const uint8_t d[32], char out[65])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[64] = '\0';
}

char *tvmaf_tmp_path(const char *const path)
{
    const size_t n = strlen(path) + 32;
    char *const tmp = malloc(n);
    if (tmp)
        snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
    return tmp;
}

int tvmaf_write_file(const char *const path, const void *const data, const size_t len,
                     const TvmafLogger *const log)
{
    FILE *const f = fopen(path, "wb");
    if (!f) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: cannot create: %s", path, strerror(errno));
        return TVMAF_ERR(EIO);
    }
    int ok = fwrite(data, 1, len, f) == len;
    ok &= fflush(f) == 0;
    const int err = errno;
    ok &= fclose(f) == 0;
    if (!ok) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: write failed: %s", path, strerror(err));
        remove(path);
        return TVMAF_ERR(EIO);
    }
    return 0;
}

int tvmaf_write_file_atomic(const char *const path, const void *const data, const size_t len,
                            const TvmafLogger *const log)
{
    char *const tmp = tvmaf_tmp_path(path);
    if (!tmp) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "out of memory");
        return TVMAF_ERR(ENOMEM);
    }
    int ret = tvmaf_write_file(tmp, data, len, log);
    if (ret >= 0 && rename(tmp, path)) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: rename failed: %s", path, strerror(errno));
        remove(tmp);
        ret = TVMAF_ERR(EIO);
    }
    free(tmp);
    return ret;
}

void tvmaf_json_double(char *const out, const size_t size, const double v)
{
    if (!isfinite(v)) {
        snprintf(out, size, "null");
        return;
    }
    /* Shortest of %.15g..%.17g that round-trips, which for most values is
     * what Python's repr() prints, so sidecars diff cleanly with upstream. */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, size, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            break;
    }
}

static void str_reserve(TvmafStr *const b, const size_t extra)
{
    if (b->oom || b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *const s = realloc(b->s, cap);
    if (!s) {
        b->oom = 1;
        return;
    }
    b->s = s;
    b->cap = cap;
}

void tvmaf_str_printf(TvmafStr *const b, const char *const fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    str_reserve(b, (size_t)n);
    if (b->oom)
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void tvmaf_str_json_string(TvmafStr *const b, const char *const s)
{
    tvmaf_str_printf(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            tvmaf_str_printf(b, "\\%c", *p);
        else if (*p < 0x20)
            tvmaf_str_printf(b, "\\u%04x", *p);
        else
            tvmaf_str_printf(b, "%c", *p);
    }
    tvmaf_str_printf(b, "\"");
}

void tvmaf_str_json_double(TvmafStr *const b, const double v)
{
    char buf[40];
    tvmaf_json_double(buf, sizeof(buf), v);
    tvmaf_str_printf(b, "%s", buf);
}

void tvmaf_str_free(TvmafStr *const b)
{
    free(b->s);
    memset(b, 0, sizeof(*b));
}
