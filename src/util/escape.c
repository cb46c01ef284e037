#include <stdio.h>
#include <string.h>

#include "util/util.h"

/* One escaper per format, writing either to a stream or to a bounded
 * buffer with snprintf's contract, so the two outputs cannot drift. */
typedef struct Sink {
    FILE *f;
    char *dst;
    size_t size, len;
} Sink;

static void put(Sink *const s, const char *const p, const size_t n)
{
    if (s->f) {
        fwrite(p, 1, n, s->f);
    } else if (s->size && s->len < s->size - 1) {
        const size_t room = s->size - 1 - s->len;
        memcpy(s->dst + s->len, p, n < room ? n : room);
    }
    s->len += n;
}

static void put_str(Sink *const s, const char *const p)
{
    put(s, p, strlen(p));
}

/* Length of the well-formed UTF-8 sequence at p (1..4), or 0 (RFC 3629:
 * no overlong forms, no surrogates, nothing above U+10FFFF). The string's
 * NUL stops every continuation test before it reads past the end. */
static size_t utf8_seq(const unsigned char *const p)
{
    const unsigned c = p[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        return (p[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
            return 0;
        if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0))
            return 0;
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
            return 0;
        if ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90))
            return 0;
        return 4;
    }
    return 0;
}

static void json_escape(Sink *const s, const char *const str)
{
    put(s, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)str; *p;) {
        const unsigned char c = *p;
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            put(s, esc, 2);
            p++;
        } else if (c < 0x20) {
            switch (c) {
            case '\b': put_str(s, "\\b"); break;
            case '\f': put_str(s, "\\f"); break;
            case '\n': put_str(s, "\\n"); break;
            case '\r': put_str(s, "\\r"); break;
            case '\t': put_str(s, "\\t"); break;
            default:
                snprintf(esc, sizeof(esc), "\\u%04x", c);
                put_str(s, esc);
            }
            p++;
        } else {
            const size_t n = utf8_seq(p);
            if (n) {
                put(s, (const char *)p, n);
                p += n;
            } else {
                put_str(s, "\\ufffd");
                p++;
            }
        }
    }
    put(s, "\"", 1);
}

size_t tvmaf_json_quote(char *const dst, const size_t size, const char *const s)
{
    Sink k = { .dst = dst, .size = size };
    json_escape(&k, s);
    if (size)
        dst[k.len < size ? k.len : size - 1] = '\0';
    return k.len;
}

int tvmaf_json_put(FILE *const f, const char *const s)
{
    Sink k = { .f = f };
    json_escape(&k, s);
    return ferror(f) ? -1 : 0;
}

int tvmaf_xml_put_attr(FILE *const f, const char *const str)
{
    Sink k = { .f = f };
    for (const unsigned char *p = (const unsigned char *)str; *p;) {
        const unsigned char c = *p;
        const char *rep = NULL;
        switch (c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&apos;"; break;
        case '\t': rep = "&#9;"; break;
        case '\n': rep = "&#10;"; break;
        case '\r': rep = "&#13;"; break;
        default:
            if (c < 0x20)
                rep = "&#xFFFD;";
        }
        if (rep) {
            put_str(&k, rep);
            p++;
            continue;
        }
        const size_t n = utf8_seq(p);
        /* U+FFFE and U+FFFF are not XML characters either. */
        if (!n || (n == 3 && c == 0xef && p[1] == 0xbf && p[2] >= 0xbe)) {
            put_str(&k, "&#xFFFD;");
            p += n ? n : 1;
        } else {
            put(&k, (const char *)p, n);
            p += n;
        }
    }
    return ferror(f) ? -1 : 0;
}

int tvmaf_xml_is_name(const char *const s)
{
    if (!s || !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return 0;
    for (const char *p = s + 1; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-' || *p == '.'))
            return 0;
    return 1;
}

int tvmaf_csv_put_field(FILE *const f, const char *const s)
{
    const size_t n = strlen(s);
    const int quote = strpbrk(s, ",\"\r\n") || (n && (s[0] == ' ' || s[0] == '\t' ||
                                                       s[n - 1] == ' ' || s[n - 1] == '\t'));
    if (!quote) {
        fputs(s, f);
        return ferror(f) ? -1 : 0;
    }
    fputc('"', f);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
    return ferror(f) ? -1 : 0;
}

char *tvmaf_escape_text(char *const dst, const size_t size, const char *const s,
                        const size_t max_in)
{
    if (!size)
        return dst;
    /* Room is kept for "..." and the NUL, so a cut is always visible. */
    const size_t limit = size > 4 ? size - 4 : 0;
    size_t o = 0, i = 0;
    for (; s[i] && i < max_in; i++) {
        const unsigned char c = (unsigned char)s[i];
        char e[8];
        switch (c) {
        case '\\': strcpy(e, "\\\\"); break;
        case '"': strcpy(e, "\\\""); break;
        case '\n': strcpy(e, "\\n"); break;
        case '\r': strcpy(e, "\\r"); break;
        case '\t': strcpy(e, "\\t"); break;
        default:
            if (c < 0x20 || c >= 0x7f)
                snprintf(e, sizeof(e), "\\x%02x", c);
            else {
                e[0] = (char)c;
                e[1] = '\0';
            }
        }
        const size_t n = strlen(e);
        if (o + n > limit)
            break;
        memcpy(dst + o, e, n);
        o += n;
    }
    if (s[i] && o + 3 < size) {
        memcpy(dst + o, "...", 3);
        o += 3;
    }
    dst[o < size ? o : size - 1] = '\0';
    return dst;
}
