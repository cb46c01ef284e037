#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "input/input_priv.h"
#include "util/util.h"

/* Longer than any real header: libvmaf allows 255 bytes, ffmpeg writes
 * about 80; extra X tags can grow it. */
#define Y4M_MAX_HEADER 4096
#define Y4M_MAX_FRAME_HEADER 1024

typedef struct ChromaTag {
    const char *tag;
    enum TvmafPixelLayout layout;
    int bpc;
    int alpha;
} ChromaTag;

/* Every sampling whose luma we can read. 4:2:0 siting variants (jpeg,
 * mpeg2, paldv) differ only in where chroma sits, which luma ignores. */
static const ChromaTag chroma_tags[] = {
    { "420", TVMAF_PIX_LAYOUT_420, 8, 0 },
    { "420jpeg", TVMAF_PIX_LAYOUT_420, 8, 0 },
    { "420mpeg2", TVMAF_PIX_LAYOUT_420, 8, 0 },
    { "420paldv", TVMAF_PIX_LAYOUT_420, 8, 0 },
    { "420p10", TVMAF_PIX_LAYOUT_420, 10, 0 },
    { "420p12", TVMAF_PIX_LAYOUT_420, 12, 0 },
    { "420p16", TVMAF_PIX_LAYOUT_420, 16, 0 },
    { "422", TVMAF_PIX_LAYOUT_422, 8, 0 },
    { "422p10", TVMAF_PIX_LAYOUT_422, 10, 0 },
    { "422p12", TVMAF_PIX_LAYOUT_422, 12, 0 },
    { "422p16", TVMAF_PIX_LAYOUT_422, 16, 0 },
    { "444", TVMAF_PIX_LAYOUT_444, 8, 0 },
    { "444p10", TVMAF_PIX_LAYOUT_444, 10, 0 },
    { "444p12", TVMAF_PIX_LAYOUT_444, 12, 0 },
    { "444p16", TVMAF_PIX_LAYOUT_444, 16, 0 },
    { "444alpha", TVMAF_PIX_LAYOUT_444, 8, 1 },
    { "mono", TVMAF_PIX_LAYOUT_400, 8, 0 },
    { "mono10", TVMAF_PIX_LAYOUT_400, 10, 0 },
    { "mono12", TVMAF_PIX_LAYOUT_400, 12, 0 },
    { "mono16", TVMAF_PIX_LAYOUT_400, 16, 0 },
};

static int parse_int(const char *s, int *out)
{
    char *end;
    errno = 0;
    const long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 0 || v > 1000000)
        return -1;
    *out = (int)v;
    return 0;
}

static int parse_ratio(const char *s, unsigned *num, unsigned *den)
{
    char *end;
    errno = 0;
    const unsigned long n = strtoul(s, &end, 10);
    if (errno || end == s || *end != ':')
        return -1;
    const char *d = end + 1;
    const unsigned long m = strtoul(d, &end, 10);
    if (errno || end == d || *end || n > 0xffffffffu || m > 0xffffffffu)
        return -1;
    *num = (unsigned)n;
    *den = (unsigned)m;
    return 0;
}

/* Header text echoed in a message: control bytes (a terminal escape
 * sequence, say) are shown as \xNN, never sent to the terminal. */
#define ECHO(v) tvmaf_escape_text(echo, sizeof(echo), (v), 32)

int tvmaf_y4m_parse_header(struct TvmafInput *in, char *err, size_t errlen)
{
    char echo[160];
    char line[Y4M_MAX_HEADER + 1];
    size_t n = 0;
    int ch;
    while ((ch = getc(in->f)) != EOF && ch != '\n') {
        if (n == Y4M_MAX_HEADER) {
            snprintf(err, errlen, "Y4M header longer than %d bytes", Y4M_MAX_HEADER);
            return -EBADMSG;
        }
        if (ch == 0) {
            snprintf(err, errlen, "Y4M header contains a NUL byte");
            return -EBADMSG;
        }
        line[n++] = (char)ch;
    }
    line[n] = 0;
    if (ch == EOF) {
        snprintf(err, errlen, "Y4M header is not terminated by a newline");
        return -EBADMSG;
    }
    if (strncmp(line, "YUV4MPEG2", 9) || (line[9] && line[9] != ' ')) {
        snprintf(err, errlen, "not a YUV4MPEG2 file (bad magic)");
        return -EBADMSG;
    }

    int w = -1, h = -1;
    const ChromaTag *ct = &chroma_tags[0];
    int chroma_given = 0;
    char *save = NULL;
    for (char *tok = strtok_r(line + 9, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        const char key = tok[0], *val = tok + 1;
        switch (key) {
        case 'W':
            if (parse_int(val, &w) || w < 1) {
                snprintf(err, errlen, "Y4M header has a bad width \"%s\"", ECHO(val));
                return -EBADMSG;
            }
            break;
        case 'H':
            if (parse_int(val, &h) || h < 1) {
                snprintf(err, errlen, "Y4M header has a bad height \"%s\"", ECHO(val));
                return -EBADMSG;
            }
            break;
        case 'F':
            if (parse_ratio(val, &in->info.fps_num, &in->info.fps_den)) {
                snprintf(err, errlen, "Y4M header has a bad frame rate \"%s\"", ECHO(val));
                return -EBADMSG;
            }
            break;
        case 'I':
            if (strcmp(val, "p") && strcmp(val, "?")) {
                snprintf(err, errlen, "Y4M interlacing \"I%s\" is not supported (progressive only)",
                         ECHO(val));
                return -ENOTSUP;
            }
            break;
        case 'C': {
            const ChromaTag *found = NULL;
            for (size_t i = 0; i < sizeof(chroma_tags) / sizeof(chroma_tags[0]); i++)
                if (!strcmp(val, chroma_tags[i].tag))
                    found = &chroma_tags[i];
            if (!found) {
                snprintf(err, errlen, "unsupported Y4M chroma format \"C%s\"", ECHO(val));
                return -ENOTSUP;
            }
            ct = found;
            chroma_given = 1;
            break;
        }
        default: /* A, X and unknown tags carry nothing the features use */
            break;
        }
    }
    if (w < 0 || h < 0) {
        snprintf(err, errlen, "Y4M header lacks the %s tag", w < 0 ? "W (width)" : "H (height)");
        return -EBADMSG;
    }
    if (w > TVMAF_PICTURE_MAX_DIM || h > TVMAF_PICTURE_MAX_DIM ||
        (long long)w * h > TVMAF_PICTURE_MAX_AREA) {
        snprintf(err, errlen, "Y4M frame size %dx%d exceeds the %dx%d limit", w, h,
                 TVMAF_PICTURE_MAX_DIM, TVMAF_PICTURE_MAX_DIM);
        return -ENOTSUP;
    }
    in->info.w = w;
    in->info.h = h;
    in->info.bpc = ct->bpc;
    in->info.layout = ct->layout;
    snprintf(in->info.chroma_tag, sizeof(in->info.chroma_tag), "%s",
             chroma_given ? ct->tag : "420");
    in->y4m = 1;
    tvmaf_input_set_sizes(in, ct->alpha);
    return 0;
}

int tvmaf_y4m_frame_header(struct TvmafInput *in, char *err, size_t errlen)
{
    char buf[6];
    size_t got = 5;
    if (in->marker_consumed) {
        in->marker_consumed = 0;
        memcpy(buf, "FRAME", 5);
    } else {
        got = fread(buf, 1, 5, in->f);
    }
    if (got == 0 && feof(in->f))
        return 0;
    if (got < 5) {
        if (ferror(in->f)) {
            snprintf(err, errlen, "read error at frame %u", in->frame);
            return -EIO;
        }
        snprintf(err, errlen, "truncated frame %u (incomplete FRAME marker)", in->frame);
        return -EBADMSG;
    }
    if (memcmp(buf, "FRAME", 5)) {
        snprintf(err, errlen, "frame %u does not start with FRAME (corrupt stream)", in->frame);
        return -EBADMSG;
    }
    int ch, n = 0;
    while ((ch = getc(in->f)) != EOF && ch != '\n') {
        if (++n > Y4M_MAX_FRAME_HEADER) {
            snprintf(err, errlen, "frame %u: FRAME header longer than %d bytes", in->frame,
                     Y4M_MAX_FRAME_HEADER);
            return -EBADMSG;
        }
    }
    if (ch == EOF) {
        snprintf(err, errlen, "truncated frame %u (FRAME header without data)", in->frame);
        return -EBADMSG;
    }
    return 1;
}
