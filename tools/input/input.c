#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "input/input_priv.h"

#ifndef TVMAF_HAVE_LIBAV
#define TVMAF_HAVE_LIBAV 0
#endif

#if TVMAF_HAVE_LIBAV
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <libswscale/swscale.h>

static pthread_once_t libav_once = PTHREAD_ONCE_INIT;
static const TvmafLibavApi *libav_api;
static char libav_error[3 * PATH_MAX];

/* Beside the executable first (a build tree, or a relocated install), then
 * where `meson install` puts it. */
static void libav_load(void)
{
    char dirs[2][PATH_MAX];
    int n = 0;
    const ssize_t len = readlink("/proc/self/exe", dirs[0], sizeof(dirs[0]) - 1);
    if (len > 0) {
        dirs[0][len] = 0;
        char *const slash = strrchr(dirs[0], '/');
        if (slash) {
            *slash = 0;
            n++;
        }
    }
    snprintf(dirs[n++], sizeof(dirs[0]), "%s", TVMAF_LIBAV_MODULE_DIR);
    for (int i = 0; i < n; i++) {
        char path[2 * PATH_MAX + 64];
        snprintf(path, sizeof(path), "%s/%s", dirs[i], TVMAF_LIBAV_MODULE);
        if (access(path, F_OK))
            continue;
        void *const h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            snprintf(libav_error, sizeof(libav_error), "cannot load the FFmpeg input module: %s",
                     dlerror());
            return;
        }
        const TvmafLibavApi *const api = dlsym(h, TVMAF_LIBAV_API_SYMBOL);
        if (!api || api->input_size != sizeof(TvmafInput)) {
            snprintf(libav_error, sizeof(libav_error), "%s is not this build's FFmpeg input module "
                     "(rebuild and reinstall tinyvmaf)", path);
            dlclose(h);
            return;
        }
        libav_api = api; /* kept loaded for the life of the process */
        return;
    }
    snprintf(libav_error, sizeof(libav_error), "the FFmpeg input module %s is neither beside the "
             "executable nor in %s (build the whole project, or reinstall)", TVMAF_LIBAV_MODULE,
             TVMAF_LIBAV_MODULE_DIR);
}

static const TvmafLibavApi *libav(char *const err, const size_t errlen)
{
    pthread_once(&libav_once, libav_load);
    if (!libav_api)
        snprintf(err, errlen, "%s", libav_error);
    return libav_api;
}

int tvmaf_libav_open(struct TvmafInput *in, const char *path, const TvmafRawParams *raw,
                     char *err, size_t errlen)
{
    const TvmafLibavApi *const api = libav(err, errlen);
    return api ? api->open(in, path, raw, err, errlen) : -ENOTSUP;
}

int tvmaf_libav_set_scale(struct TvmafInput *in, int w, int h, int flags, char *err, size_t errlen)
{
    const TvmafLibavApi *const api = libav(err, errlen);
    return api ? api->set_scale(in, w, h, flags, err, errlen) : -ENOTSUP;
}

/* The three below only run on an input the module opened. */
int tvmaf_libav_read(struct TvmafInput *in, TvmafPicture *pic, char *err, size_t errlen)
{
    return libav_api->read(in, pic, err, errlen);
}

size_t tvmaf_libav_held_bytes(const struct TvmafLibav *av)
{
    return libav_api->held_bytes(av);
}

void tvmaf_libav_close(struct TvmafLibav **av)
{
    if (*av)
        libav_api->close(av);
}

/* swscale's flag values come from its header: parsing --scale needs no
 * module. */
static int libav_scale_flags(const char *method)
{
    static const struct { const char *name; int flags; } m[] = {
        { "bicubic", SWS_BICUBIC }, { "bilinear", SWS_BILINEAR },
        { "lanczos", SWS_LANCZOS }, { "spline", SWS_SPLINE },
    };
    for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
        if (!strcmp(method, m[i].name))
            return m[i].flags;
    return -1;
}
#else
/* Stubs: this build reads Y4M and raw YUV only. */
int tvmaf_libav_open(struct TvmafInput *in, const char *path, const TvmafRawParams *raw,
                     char *err, size_t errlen)
{
    (void)in; (void)path; (void)raw;
    snprintf(err, errlen, "not a YUV4MPEG2 file (bad magic); for raw YUV give -w, -h, -p and -b "
             "(this build reads no other formats: FFmpeg's libraries were not found when it "
             "was built)");
    return -ENOTSUP;
}
int tvmaf_libav_set_scale(struct TvmafInput *in, int w, int h, int flags, char *err, size_t errlen)
{
    (void)in; (void)w; (void)h; (void)flags;
    snprintf(err, errlen, "--scale needs FFmpeg's libraries, which this build lacks");
    return -ENOTSUP;
}
int tvmaf_libav_read(struct TvmafInput *in, TvmafPicture *pic, char *err, size_t errlen)
{
    (void)in; (void)pic;
    snprintf(err, errlen, "no libav");
    return -ENOTSUP;
}
static int libav_scale_flags(const char *method)
{
    (void)method;
    return -1;
}
size_t tvmaf_libav_held_bytes(const struct TvmafLibav *av)
{
    (void)av;
    return 0;
}
void tvmaf_libav_close(struct TvmafLibav **av)
{
    (void)av;
}
#endif

int tvmaf_input_have_libav(void)
{
    return TVMAF_HAVE_LIBAV;
}

int tvmaf_input_scale_flags(const char *method)
{
    return libav_scale_flags(method);
}

int tvmaf_input_layout_by_name(const char *s, enum TvmafPixelLayout *l)
{
    static const struct { const char *name; enum TvmafPixelLayout l; } map[] = {
        { "420", TVMAF_PIX_LAYOUT_420 }, { "yuv420p", TVMAF_PIX_LAYOUT_420 },
        { "422", TVMAF_PIX_LAYOUT_422 }, { "yuv422p", TVMAF_PIX_LAYOUT_422 },
        { "444", TVMAF_PIX_LAYOUT_444 }, { "yuv444p", TVMAF_PIX_LAYOUT_444 },
        { "400", TVMAF_PIX_LAYOUT_400 }, { "gray", TVMAF_PIX_LAYOUT_400 },
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (!strcmp(s, map[i].name)) {
            *l = map[i].l;
            return 0;
        }
    return -1;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The progress line: "\r" rewrites it in place, "\x1b[K" clears what a
 * longer earlier line left. At most four updates a second. */
static void progress(TvmafInputLink *l, const TvmafInput *ref, int r)
{
    const double t = now_seconds();
    if (!l->done && r > 0)
        l->t0 = l->last = t;
    if (r > 0)
        l->done++;
    unsigned long long total = ref->info.n_frames;
    if (total)
        total = total > l->skip_ref ? total - l->skip_ref : 0;
    if (l->frame_cnt && (!total || l->frame_cnt < total))
        total = l->frame_cnt;
    const int final = r <= 0 || (total && l->done >= total);
    if (!final && t - l->last < 0.25)
        return;
    if (l->finished || r < 0 || (r == 0 && !l->done))
        return;
    l->last = t;
    const double el = t - l->t0;
    const double fps = el > 0 ? l->done / el : 0;
    char eta[48] = "";
    if (total && fps > 0 && !final)
        snprintf(eta, sizeof(eta), ", ETA %.0f s", (double)(total - l->done) / fps);
    char tot[32] = "";
    if (total)
        snprintf(tot, sizeof(tot), "/%llu", total);
    fprintf(stderr, "\rtinyvmaf: frame %u%s, %.1f fps, %.1f s elapsed%s\x1b[K%s", l->done, tot,
            fps, el, eta, final ? "\n" : "");
    fflush(stderr);
    l->line_open = !final;
    l->finished = final;
}

static void join_pair(TvmafInput *in, const TvmafRawParams *raw)
{
    in->chroma = raw->chroma;
    if (raw->pair)
        for (int i = 0; i < 2; i++)
            if (!raw->pair->in[i]) {
                raw->pair->in[i] = in;
                in->pair = raw->pair;
                break;
            }
}

static TvmafInput *open_libav(const char *path, const TvmafRawParams *raw, char *err, size_t errlen)
{
    TvmafInput *in = calloc(1, sizeof(*in));
    if (!in) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (tvmaf_libav_open(in, path, raw, err, errlen) < 0) {
        tvmaf_input_close(&in);
        return NULL;
    }
    in->path = path;
    join_pair(in, raw);
    return in;
}

/* The reference is the first input opened with a link; a distorted input
 * of another size is resized under --scale (Y4M and raw YUV are reopened
 * through libav for it). */
static TvmafInput *attach_link(TvmafInput *in, const char *path, const TvmafRawParams *raw,
                               char *err, size_t errlen)
{
    TvmafInputLink *const l = raw->link;
    if (!l)
        return in;
    if (!l->ref) {
        l->ref = in;
        in->link = l;
        return in;
    }
    const TvmafInputInfo *const ri = &l->ref->info;
    if (!l->scale_flags || (in->info.w == ri->w && in->info.h == ri->h))
        return in;
    if (!in->av) {
        if (!strcmp(path, "-") || !in->seekable) {
            snprintf(err, errlen, "--scale cannot resize a stream (stdin or a pipe); give a file");
            tvmaf_input_close(&in);
            return NULL;
        }
        tvmaf_input_close(&in);
        const TvmafRawParams none = { 0 };
        in = open_libav(path, raw->set ? raw : &none, err, errlen);
        if (!in)
            return NULL;
        join_pair(in, raw);
    }
    if (tvmaf_libav_set_scale(in, ri->w, ri->h, l->scale_flags, err, errlen) < 0)
        tvmaf_input_close(&in);
    return in;
}

void tvmaf_input_set_sizes(struct TvmafInput *in, int extra_alpha)
{
    const TvmafInputInfo *i = &in->info;
    const size_t bytes = i->bpc > 8 ? 2 : 1;
    const size_t w = (size_t)i->w, h = (size_t)i->h;
    size_t cw = 0, ch = 0;
    switch (i->layout) {
    case TVMAF_PIX_LAYOUT_420: cw = (w + 1) / 2; ch = (h + 1) / 2; break;
    case TVMAF_PIX_LAYOUT_422: cw = (w + 1) / 2; ch = h; break;
    case TVMAF_PIX_LAYOUT_444: cw = w; ch = h; break;
    default: break;
    }
    /* Dimensions are capped at 16384, so none of this can overflow size_t. */
    in->luma_bytes = w * h * bytes;
    in->skip_bytes = 2 * cw * ch * bytes + (extra_alpha ? w * h * bytes : 0);
    /* ffmpeg's Y4M muxer (5.x) halves the luma row's *byte* width for the
     * chroma rows, so odd-width files deeper than 8 bits carry chroma rows
     * one byte short. Only luma is scored; accept that layout too. */
    in->alt_skip_bytes = in->y4m && bytes == 2 && (w & 1) && cw && cw != w ? 2 * w * ch : 0;
}

TvmafInput *tvmaf_input_open(const char *path, const TvmafRawParams *raw, char *err, size_t errlen)
{
    if (!strcmp(path, "-")) {
        TvmafInput *const in = tvmaf_input_open_stream(stdin, 0, 0, raw, err, errlen);
        if (in)
            in->path = path;
        return in;
    }
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "is a directory");
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        return NULL;
    }
    const int regular = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
    if (regular && !raw->set) {
        /* Not Y4M and no raw parameters: FFmpeg's libraries read it. */
        char magic[9];
        const size_t n = fread(magic, 1, sizeof(magic), f);
        rewind(f);
        if (n == 0 && !ferror(f)) {
            fclose(f);
            snprintf(err, errlen, "is empty");
            return NULL;
        }
        if (n != 9 || memcmp(magic, "YUV4MPEG2", 9)) {
            fclose(f);
            TvmafInput *const in = open_libav(path, raw, err, errlen);
            return in ? attach_link(in, path, raw, err, errlen) : NULL;
        }
    }
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    TvmafInput *const in = tvmaf_input_open_stream(f, regular, 1, raw, err, errlen);
    if (!in)
        return NULL;
    in->path = path;
    return attach_link(in, path, raw, err, errlen);
}

TvmafInput *tvmaf_input_open_stream(FILE *f, int seekable, int owns, const TvmafRawParams *raw,
                                    char *err, size_t errlen)
{
    TvmafInput *in = calloc(1, sizeof(*in));
    if (!in) {
        snprintf(err, errlen, "out of memory");
        if (owns)
            fclose(f);
        return NULL;
    }
    in->f = f;
    in->owns_file = owns;
    in->seekable = seekable;

    /* ungetc guarantees one byte of push-back only: a seekable file is
     * probed and rewound, a pipe is judged by its first byte. */
    int is_y4m = 0;
    if (in->seekable) {
        char magic[9];
        const size_t n = fread(magic, 1, 9, in->f);
        is_y4m = n == 9 && !memcmp(magic, "YUV4MPEG2", 9);
        rewind(in->f);
    } else {
        int c = getc(in->f);
        if (c != EOF) {
            ungetc(c, in->f);
            is_y4m = c == 'Y' && !raw->set;
        }
    }

    if (is_y4m || (!in->seekable && !raw->set)) {
        if (tvmaf_y4m_parse_header(in, err, errlen) < 0)
            goto fail;
        if (raw->set && (raw->w != in->info.w || raw->h != in->info.h)) {
            /* -w/-h with a Y4M file: the header wins, but a disagreement
             * most likely means the wrong file. */
            snprintf(err, errlen, "Y4M header says %dx%d but -w/-h say %dx%d", in->info.w,
                     in->info.h, raw->w, raw->h);
            goto fail;
        }
    } else {
        if (!raw->set) {
            snprintf(err, errlen, "not a YUV4MPEG2 file (bad magic); for raw YUV give -w, -h, -p and -b");
            goto fail;
        }
        in->info.w = raw->w;
        in->info.h = raw->h;
        in->info.bpc = raw->bpc;
        in->info.layout = raw->layout;
        snprintf(in->info.chroma_tag, sizeof(in->info.chroma_tag), "raw");
        tvmaf_input_set_sizes(in, 0);
    }
    if (in->y4m && in->seekable && in->luma_bytes) {
        /* Frames of a Y4M file: the header, then fixed-size frames with a
         * FRAME line (the shortest one counted; close enough for progress). */
        const long pos = ftell(in->f);
        struct stat st;
        if (pos > 0 && fstat(fileno(in->f), &st) == 0 && st.st_size > pos)
            in->info.n_frames = (unsigned long long)(st.st_size - pos) /
                                (in->luma_bytes + in->skip_bytes + 6);
    }
    join_pair(in, raw);
    return in;

fail:
    tvmaf_input_close(&in);
    return NULL;
}

size_t tvmaf_input_held_bytes(const TvmafInput *in)
{
    return in->scratch_size + (in->av ? tvmaf_libav_held_bytes(in->av) : 0);
}

const TvmafInputInfo *tvmaf_input_info(const TvmafInput *in)
{
    return &in->info;
}

static int skip_bytes(TvmafInput *in, size_t n)
{
    if (!n)
        return 0;
    if (in->seekable) {
        /* Seeking past EOF succeeds silently; check the size separately
         * by reading the last byte we skip. */
        if (n > 1 && fseeko(in->f, (off_t)(n - 1), SEEK_CUR))
            return -1;
        return getc(in->f) == EOF ? -1 : 0;
    }
    if (!in->scratch) {
        in->scratch_size = 1 << 16;
        in->scratch = malloc(in->scratch_size);
        if (!in->scratch)
            return -1;
    }
    while (n) {
        const size_t chunk = n < in->scratch_size ? n : in->scratch_size;
        if (fread(in->scratch, 1, chunk, in->f) != chunk)
            return -1;
        n -= chunk;
    }
    return 0;
}

/* Skips the chroma of a frame. On the first frame of a stream that may use
 * ffmpeg's short-chroma layout, reads the shorter size, then looks for the
 * next FRAME marker to tell which layout the file has. */
static int skip_chroma(TvmafInput *in)
{
    if (!in->alt_skip_bytes)
        return skip_bytes(in, in->skip_bytes);
    const size_t alt = in->alt_skip_bytes;
    in->alt_skip_bytes = 0;
    if (skip_bytes(in, alt))
        return -1;
    char m[5];
    const size_t got = fread(m, 1, sizeof(m), in->f);
    if (got == 0 && feof(in->f)) {
        in->skip_bytes = alt; /* the file ends right after the short layout */
        return 0;
    }
    if (got == sizeof(m) && !memcmp(m, "FRAME", 5)) {
        in->skip_bytes = alt;
        in->marker_consumed = 1;
        return 0;
    }
    return got < sizeof(m) ? -1 : skip_bytes(in, in->skip_bytes - alt - got);
}

static int frame_start(TvmafInput *in, char *err, size_t errlen)
{
    if (in->y4m)
        return tvmaf_y4m_frame_header(in, err, errlen);
    const int c = getc(in->f);
    if (c == EOF) {
        if (ferror(in->f)) {
            snprintf(err, errlen, "read error at frame %u", in->frame);
            return -EIO;
        }
        return 0;
    }
    ungetc(c, in->f);
    return 1;
}

static int truncated(TvmafInput *in, char *err, size_t errlen)
{
    if (ferror(in->f)) {
        snprintf(err, errlen, "read error at frame %u: %s", in->frame, strerror(errno));
        return -EIO;
    }
    snprintf(err, errlen, "truncated frame %u (file ends inside the frame data)", in->frame);
    return -EBADMSG;
}

/* Called after each read with its result: one of the two inputs has ended
 * while the other delivered one frame more. The caller reads the pair in
 * lockstep, so equal counts at both ends mean equal lengths. */
static void watch_pair(TvmafInput *const in, const int r)
{
    TvmafInputPair *const p = in->pair;
    if (!p || p->warned || r < 0)
        return;
    if (r == 0)
        in->ended = 1;
    const TvmafInput *const o = p->in[0] == in ? p->in[1] : p->in[0];
    if (!o)
        return;
    const TvmafInput *shorter = NULL, *longer = NULL;
    if (in->ended && !o->ended && o->reads > in->reads) {
        shorter = in;
        longer = o;
    } else if (!in->ended && o->ended && in->reads > o->reads) {
        shorter = o;
        longer = in;
    }
    if (!shorter)
        return;
    p->warned = 1;
    fprintf(stderr, "tinyvmaf: warning: \"%s\" ended before \"%s\"; scored %u frames\n",
            shorter->path ? shorter->path : "input", longer->path ? longer->path : "input",
            shorter->reads);
}

static int read_frame(TvmafInput *in, TvmafPicture *pic, char *err, size_t errlen);

int tvmaf_input_read(TvmafInput *in, TvmafPicture *pic, char *err, size_t errlen)
{
    const int r = in->av ? tvmaf_libav_read(in, pic, err, errlen) : read_frame(in, pic, err, errlen);
    if (r > 0)
        in->reads++;
    watch_pair(in, r);
    if (in->link && in->link->progress && in->link->ref == in)
        progress(in->link, in, r);
    return r;
}

static int read_frame(TvmafInput *in, TvmafPicture *pic, char *err, size_t errlen)
{
    int r = frame_start(in, err, errlen);
    if (r <= 0)
        return r;
    const TvmafInputInfo *i = &in->info;
    if (in->chroma && in->alt_skip_bytes) {
        /* ffmpeg writes some of these with short chroma rows; which layout
         * a file has shows only after its first frame. */
        snprintf(err, errlen, "chroma of an odd-width Y4M deeper than 8 bits is not supported");
        return -ENOTSUP;
    }
    if (!in->pool)
        r = tvmaf_picture_pool_open(&in->pool, in->chroma ? i->layout : TVMAF_PIX_LAYOUT_400,
                                    i->bpc, i->w, i->h);
    if (r >= 0)
        r = tvmaf_picture_pool_get(in->pool, pic);
    if (r < 0) {
        snprintf(err, errlen, "cannot allocate a %dx%d picture", i->w, i->h);
        return r;
    }
    const size_t row = (size_t)i->w * (i->bpc > 8 ? 2 : 1);
    uint8_t *dst = pic->data[0];
    if ((size_t)pic->stride[0] == row) {
        if (fread(dst, 1, in->luma_bytes, in->f) != in->luma_bytes)
            goto trunc;
    } else {
        for (int y = 0; y < i->h; y++)
            if (fread(dst + (size_t)y * (size_t)pic->stride[0], 1, row, in->f) != row)
                goto trunc;
    }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    if (i->bpc > 8)
        for (int y = 0; y < i->h; y++) {
            uint16_t *p = (uint16_t *)(dst + (size_t)y * pic->stride[0]);
            for (int x = 0; x < i->w; x++)
                p[x] = (uint16_t)((p[x] >> 8) | (p[x] << 8));
        }
#endif
    if (i->bpc > 8) {
        /* Samples above the declared depth would break the fixed-point
         * headroom the features rely on. */
        const uint16_t maxv = (uint16_t)((1u << i->bpc) - 1);
        for (int y = 0; y < i->h; y++) {
            const uint16_t *p = (const uint16_t *)(dst + (size_t)y * (size_t)pic->stride[0]);
            for (int x = 0; x < i->w; x++)
                if (p[x] > maxv) {
                    snprintf(err, errlen, "frame %u: sample value %u exceeds %d-bit range",
                             in->frame, p[x], i->bpc);
                    tvmaf_picture_unref(pic);
                    return -EBADMSG;
                }
        }
    }
    if (in->chroma && pic->layout != TVMAF_PIX_LAYOUT_400) {
        size_t chroma_bytes = 0;
        for (int p = 1; p < 3; p++) {
            const size_t crow = (size_t)pic->w[p] * (i->bpc > 8 ? 2 : 1);
            for (int y = 0; y < pic->h[p]; y++)
                if (fread((uint8_t *)pic->data[p] + (size_t)y * (size_t)pic->stride[p], 1, crow,
                          in->f) != crow)
                    goto trunc;
            chroma_bytes += crow * (size_t)pic->h[p];
        }
        /* What follows (the alpha plane of C444alpha) is skipped. */
        if (skip_bytes(in, in->skip_bytes - chroma_bytes))
            goto trunc;
    } else if (skip_chroma(in)) {
        goto trunc;
    }
    in->frame++;
    return 1;

trunc:
    tvmaf_picture_unref(pic);
    return truncated(in, err, errlen);
}

int tvmaf_input_skip(TvmafInput *in, char *err, size_t errlen)
{
    if (in->av) {
        TvmafPicture pic = { 0 };
        const int r = tvmaf_libav_read(in, &pic, err, errlen);
        tvmaf_picture_unref(&pic);
        return r;
    }
    int r = frame_start(in, err, errlen);
    if (r <= 0)
        return r;
    if (skip_bytes(in, in->luma_bytes) || skip_chroma(in))
        return truncated(in, err, errlen);
    in->frame++;
    return 1;
}

void tvmaf_input_close(TvmafInput **pin)
{
    if (!pin || !*pin)
        return;
    TvmafInput *in = *pin;
    if (in->pair)
        for (int i = 0; i < 2; i++)
            if (in->pair->in[i] == in)
                in->pair->in[i] = NULL;
    if (in->link) {
        if (in->link->line_open)
            fputc('\n', stderr); /* ended early: keep the last progress line */
        in->link->line_open = 0;
        if (in->link->ref == in)
            in->link->ref = NULL;
    }
    tvmaf_libav_close(&in->av);
    if (in->f && in->owns_file)
        fclose(in->f);
    free(in->scratch);
    tvmaf_picture_pool_close(&in->pool);
    free(in);
    *pin = NULL;
}
