#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/util.h"

static int load_error(TvmafCsv *const c, FILE *const f, const int e, char *const err,
                      const size_t errlen, const char *const what)
{
    if (f && f != stdin)
        fclose(f);
    tvmaf_csv_free(c);
    c->next_line = 1;
    snprintf(err, errlen, "%s%s%s", what ? what : "", what ? ": " : "", strerror(e));
    return -e;
}

int tvmaf_csv_load(TvmafCsv *const c, const char *const path, const size_t max_bytes,
                   char *const err, const size_t errlen)
{
    memset(c, 0, sizeof(*c));
    c->next_line = 1;
    FILE *const f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f)
        return load_error(c, NULL, errno, err, errlen, NULL);
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode))
        return load_error(c, f, EISDIR, err, errlen, NULL);

    size_t cap = 1 << 16;
    c->buf = malloc(cap + 1);
    if (!c->buf)
        return load_error(c, f, ENOMEM, err, errlen, NULL);
    for (;;) {
        if (c->len == cap) {
            if (cap > max_bytes) {
                snprintf(err, errlen, "larger than %zu bytes", max_bytes);
                load_error(c, f, EFBIG, NULL, 0, NULL);
                return -EFBIG;
            }
            char *const nb = realloc(c->buf, 2 * cap + 1);
            if (!nb)
                return load_error(c, f, ENOMEM, err, errlen, NULL);
            c->buf = nb;
            cap *= 2;
        }
        errno = 0;
        const size_t got = fread(c->buf + c->len, 1, cap - c->len, f);
        c->len += got;
        if (c->len < cap) {
            /* A short read is the end only when the stream says so: a
             * failing disk or pipe must not pass for a shorter table. */
            if (ferror(f))
                return load_error(c, f, errno ? errno : EIO, err, errlen, "read error");
            if (feof(f))
                break;
        }
    }
    if (c->len > max_bytes) {
        snprintf(err, errlen, "larger than %zu bytes", max_bytes);
        load_error(c, f, EFBIG, NULL, 0, NULL);
        return -EFBIG;
    }
    if (f != stdin)
        fclose(f);
    c->buf[c->len] = '\0';
    if (c->len >= 3 && !memcmp(c->buf, "\xef\xbb\xbf", 3))
        c->pos = 3;
    return 0;
}

static int add_field(TvmafCsv *const c, const size_t n, char *const start, char *const err,
                     const size_t errlen)
{
    if (n == TVMAF_CSV_MAX_FIELDS) {
        snprintf(err, errlen, "more than %d fields", TVMAF_CSV_MAX_FIELDS);
        return -EBADMSG;
    }
    if (n == c->cap_fields) {
        const size_t nc = c->cap_fields ? 2 * c->cap_fields : 64;
        char **const nf = realloc(c->fields, nc * sizeof(*nf));
        if (!nf) {
            snprintf(err, errlen, "out of memory");
            return -ENOMEM;
        }
        c->fields = nf;
        c->cap_fields = nc;
    }
    c->fields[n] = start;
    return 0;
}

static int nul_byte(char *const err, const size_t errlen)
{
    snprintf(err, errlen, "NUL byte in the text");
    return -EBADMSG;
}

int tvmaf_csv_next(TvmafCsv *const c, char ***const fields, char *const err,
                   const size_t errlen)
{
    char *const end = c->buf + c->len;
    char *p;
    for (;;) {
        if (!c->buf || c->pos >= c->len)
            return 0;
        p = c->buf + c->pos;
        char *q = p;
        while (q < end && (*q == ' ' || *q == '\t' || *q == '\r'))
            q++;
        if (q < end && *q != '\n')
            break;
        c->pos = (size_t)(q - c->buf) + 1;
        c->next_line++;
    }
    c->line = c->next_line;

    /* Fields are unquoted in place: a quoted field only gets shorter, so it
     * fits where it was, and the separator after it becomes its NUL. */
    size_t n = 0;
    for (;;) {
        char *const start = p;
        char *out = p;
        if (p < end && *p == '"') {
            p++;
            for (;;) {
                if (p >= end) {
                    snprintf(err, errlen, "unterminated quoted field");
                    return -EBADMSG;
                }
                if (!*p)
                    return nul_byte(err, errlen);
                if (*p == '"') {
                    if (p + 1 < end && p[1] == '"') {
                        *out++ = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                if (*p == '\n')
                    c->next_line++;
                *out++ = *p++;
            }
            if (p < end && *p != ',' && *p != '\n' && *p != '\r') {
                snprintf(err, errlen, "text after a closing quote");
                return -EBADMSG;
            }
        } else {
            while (p < end && *p != ',' && *p != '\n') {
                if (!*p)
                    return nul_byte(err, errlen);
                p++;
            }
            out = p;
            if (out > start && out[-1] == '\r' && (p >= end || *p == '\n'))
                out--;
        }
        if (p < end && *p == '\r')
            p++;
        const char sep = p < end ? *p : '\n';
        const int r = add_field(c, n, start, err, errlen);
        if (r < 0)
            return r;
        n++;
        *out = '\0';
        if (p < end)
            p++;
        if (sep != ',')
            break;
    }
    c->pos = (size_t)(p - c->buf);
    c->next_line++;
    *fields = c->fields;
    return (int)n;
}

void tvmaf_csv_free(TvmafCsv *const c)
{
    if (!c)
        return;
    free(c->buf);
    free(c->fields);
    memset(c, 0, sizeof(*c));
}
