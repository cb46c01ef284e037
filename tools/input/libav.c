/*
 * Any input FFmpeg reads (mp4, mkv, webm, mov, avi, ivf, mpeg-ts, raw
 * streams, ...), decoded with libavformat/libavcodec on a thread of its own
 * that runs ahead of the scoring workers through a small bounded queue.
 *
 * Pixel formats (docs/inputs.md):
 *   - planar YUV or gray at 8, 10, 12 or 16 bits in native byte order
 *     (yuv420p, yuv422p10, yuv444p12, yuvj420p, gray10, yuva420p, ...) and
 *     semi-planar 8-bit YUV (nv12, nv21, nv16, nv24): luma is copied as is;
 *   - anything else is converted by swscale to the nearest planar YUV
 *     format: 4:2:0, 4:2:2 or 4:4:4 from its chroma subsampling (RGB gives
 *     4:4:4, 4:1:1 gives 4:2:2, 4:1:0 gives 4:2:0, 4:4:0 gives 4:4:4), at
 *     the first depth of 8, 10, 12, 16 that holds its luma depth (p010 ->
 *     yuv420p10, rgb24 -> yuv444p, gbrp12 -> yuv444p12).
 *
 * --scale resizes with sws_getContext(src_fmt -> same fmt, method flag);
 * ffmpeg's "-vf scale=W:H:flags=METHOD" does the same on the same frames.
 *
 * Without a conversion, frame-threaded decoders (H.264, HEVC, VP8/9,
 * ProRes, MPEG-4, ...) decode straight into pictures of our pool
 * (get_buffer2), and the scorer gets the decoded luma plane itself, with
 * no copy. Only frame-threaded decoders qualify: they never write to a
 * frame once it is output, so the scorer can read it while the decoder
 * keeps it as a reference. Other decoders (FFV1 and MPEG-2 in FFmpeg 5.1,
 * libdav1d), and frames of another geometry, use FFmpeg's own buffers and
 * their luma is copied.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "input/input_priv.h"
#include "util/util.h"

/* Decoded pictures waiting for the scoring loop: enough to cover a
 * decoder's burst (reordering, frame threads), small enough to keep memory
 * flat at 8K (8 luma planes of 8192x8192x2 = 1 GiB at worst). */
#define QUEUE_LEN 8

/* Above this a queued whole frame (all planes, while only luma is read)
 * costs too much memory; the luma is copied instead. 8 queued frames of
 * 64 MiB cover 8K 4:2:0 at 8 bits and 4K 4:4:4 at 16. */
#define WRAP_MAX_BYTES (64u << 20)

/* One decoder buffer: a pool picture lent to libavcodec. Registered in its
 * reader's list so that a decoded frame's buffer can be recognised. */
typedef struct DecBuf {
    TvmafPicture pic;                /* the pool picture, at the aligned size */
    struct TvmafLibav *owner;
    struct DecBuf *prev, *next;
} DecBuf;

typedef struct Item {
    TvmafPicture pic;
    int status;              /* 1 picture, 0 end, <0 error */
    char err[256];
} Item;

struct TvmafLibav {
    int chroma;                 /* pictures carry the chroma planes (TvmafInput.chroma) */
    AVFormatContext *fmt;
    AVCodecContext *dec;
    int stream;
    AVPacket *pkt;
    AVFrame *frame, *conv;
    struct SwsContext *sws;
    int sws_w, sws_h, sws_fmt;       /* source geometry the context was made for */
    int src_w, src_h, src_fmt;       /* the stream's first geometry */
    int direct;                      /* luma of src_fmt can be copied */
    enum AVPixelFormat out_fmt;      /* swscale's output when converting */
    int out_w, out_h;                /* after --scale */
    int scale_flags;                 /* 0: no resize */
    int bpc;
    int draining;
    unsigned decoded;                /* frames decoded so far, for messages */
    TvmafPicturePool *pool;

    /* Decoder buffers (get_buffer2), guarded by buf_lock: the pool is made
     * on the first frame that qualifies; frames of another format or
     * coded size get FFmpeg's buffers. */
    pthread_mutex_t buf_lock;
    TvmafPicturePool *dec_pool;
    int dec_fmt, dec_w, dec_h;       /* what dec_pool was made for */
    int dec_off;                     /* no pool for this stream */
    DecBuf *bufs;                    /* buffers alive (lent or referenced) */

    pthread_t thread;
    int started;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    Item q[QUEUE_LEN];
    unsigned head, count;
    int stop;                        /* the reader is closing */
    int done;                        /* the decoder pushed its last item */
};

static void av_errstr(int e, char *buf, size_t n)
{
    if (av_strerror(e, buf, n) < 0)
        snprintf(buf, n, "error %d", e);
}

/* Which planar format carries the luma of `fmt`: itself when its luma plane
 * can be copied, or the planar YUV/gray format swscale converts it to. */
static int map_format(enum AVPixelFormat fmt, enum AVPixelFormat *out, int *bpc,
                      enum TvmafPixelLayout *layout)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(fmt);
    if (!d || (d->flags & (AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_BITSTREAM)) ||
        d->nb_components < 1)
        return -1;
    const int rgb = !!(d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL));
    const int gray = !rgb && d->nb_components <= 2;
    const int depth = d->comp[0].depth;
    const int lw = d->log2_chroma_w, lh = d->log2_chroma_h;
    const int be = !!(d->flags & AV_PIX_FMT_FLAG_BE);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    const int native = be || depth <= 8;
#else
    const int native = !be || depth <= 8;
#endif
    const int bytes = depth > 8 ? 2 : 1;
    const int direct = !rgb && !(d->flags & AV_PIX_FMT_FLAG_FLOAT) && native &&
                       d->comp[0].plane == 0 && d->comp[0].step == bytes &&
                       d->comp[0].shift == 0 && d->comp[0].offset == 0 &&
                       (depth == 8 || depth == 10 || depth == 12 || depth == 16) &&
                       (gray || lw <= 1) && lh <= 1 && !(lw == 0 && lh == 1);
    *bpc = depth <= 8 ? 8 : depth <= 10 ? 10 : depth <= 12 ? 12 : 16;
    if (gray)
        *layout = TVMAF_PIX_LAYOUT_400;
    else if (rgb || lw == 0)
        *layout = TVMAF_PIX_LAYOUT_444;
    else if (lh == 0)
        *layout = TVMAF_PIX_LAYOUT_422;
    else
        *layout = TVMAF_PIX_LAYOUT_420;
    if (direct) {
        *out = fmt;
        return 1;
    }
    static const enum AVPixelFormat table[4][4] = {
        { AV_PIX_FMT_GRAY8, AV_PIX_FMT_GRAY10, AV_PIX_FMT_GRAY12, AV_PIX_FMT_GRAY16 },
        { AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUV420P10, AV_PIX_FMT_YUV420P12, AV_PIX_FMT_YUV420P16 },
        { AV_PIX_FMT_YUV422P, AV_PIX_FMT_YUV422P10, AV_PIX_FMT_YUV422P12, AV_PIX_FMT_YUV422P16 },
        { AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUV444P10, AV_PIX_FMT_YUV444P12, AV_PIX_FMT_YUV444P16 },
    };
    const int li = *layout == TVMAF_PIX_LAYOUT_400 ? 0 : *layout == TVMAF_PIX_LAYOUT_420 ? 1 :
                   *layout == TVMAF_PIX_LAYOUT_422 ? 2 : 3;
    const int di = *bpc == 8 ? 0 : *bpc == 10 ? 1 : *bpc == 12 ? 2 : 3;
    *out = table[li][di];
    return 0;
}

static void release_buf(void *opaque, uint8_t *data)
{
    DecBuf *const d = opaque;
    struct TvmafLibav *const av = d->owner;
    (void)data;
    pthread_mutex_lock(&av->buf_lock);
    if (d->prev)
        d->prev->next = d->next;
    else
        av->bufs = d->next;
    if (d->next)
        d->next->prev = d->prev;
    pthread_mutex_unlock(&av->buf_lock);
    tvmaf_picture_unref(&d->pic);
    free(d);
}

/* Planes of a format our pool can hold as the decoder lays them out:
 * planar gray or YUV 4:2:0/4:2:2/4:4:4 without alpha, whose luma we score
 * as is. 0 when it cannot. */
static int pool_planes(enum AVPixelFormat fmt, enum TvmafPixelLayout *layout, int *bpc)
{
    enum AVPixelFormat out;
    if (map_format(fmt, &out, bpc, layout) != 1)
        return 0;
    const int n = av_pix_fmt_count_planes(fmt);
    return n == (*layout == TVMAF_PIX_LAYOUT_400 ? 1 : 3) ? n : 0;
}

/* Called once per pool: the aligned geometry libavcodec asks for, and a
 * check that our strides and plane alignment satisfy it. */
static void open_dec_pool(struct TvmafLibav *av, AVCodecContext *s, const AVFrame *f)
{
    enum TvmafPixelLayout layout;
    int bpc, w = f->width, h = f->height, align[AV_NUM_DATA_POINTERS];
    av->dec_off = 1;
    const int n = pool_planes(f->format, &layout, &bpc);
    if (!n)
        return;
    avcodec_align_dimensions2(s, &w, &h, align);
    const size_t bytes = (size_t)w * h * (bpc > 8 ? 2 : 1) *
                         (layout == TVMAF_PIX_LAYOUT_400 ? 2 : layout == TVMAF_PIX_LAYOUT_420 ? 3
                          : layout == TVMAF_PIX_LAYOUT_422 ? 4 : 6) / 2;
    TvmafPicture p = { 0 };
    if (bytes > WRAP_MAX_BYTES ||
        tvmaf_picture_pool_open(&av->dec_pool, layout, bpc, w, h) < 0)
        return;
    if (tvmaf_picture_pool_get(av->dec_pool, &p) < 0) {
        tvmaf_picture_pool_close(&av->dec_pool);
        return;
    }
    int ok = 1;
    for (int i = 0; i < n; i++)
        ok &= align[i] > 0 && p.stride[i] % align[i] == 0 &&
              (uintptr_t)p.data[i] % 64 == 0; /* AVX-512 alignment, FFmpeg's largest */
    tvmaf_picture_unref(&p);
    if (!ok) {
        tvmaf_picture_pool_close(&av->dec_pool);
        return;
    }
    av->dec_fmt = f->format;
    av->dec_w = f->width;
    av->dec_h = f->height;
    av->dec_off = 0;
}

static int get_buffer(AVCodecContext *s, AVFrame *f, int flags)
{
    struct TvmafLibav *const av = s->opaque;
    DecBuf *d = NULL;
    pthread_mutex_lock(&av->buf_lock);
    if (!av->dec_pool && !av->dec_off)
        open_dec_pool(av, s, f);
    if (av->dec_pool && f->format == av->dec_fmt && f->width == av->dec_w &&
        f->height == av->dec_h && (d = calloc(1, sizeof(*d)))) {
        if (tvmaf_picture_pool_get(av->dec_pool, &d->pic) < 0) {
            free(d);
            d = NULL;
        } else {
            d->owner = av;
            d->next = av->bufs;
            if (av->bufs)
                av->bufs->prev = d;
            av->bufs = d;
        }
    }
    pthread_mutex_unlock(&av->buf_lock);
    if (!d)
        return avcodec_default_get_buffer2(s, f, flags);
    /* One buffer for the whole picture: its planes lie one after the other,
     * the tail padding included. */
    const TvmafPicture *const p = &d->pic;
    const int n = p->layout == TVMAF_PIX_LAYOUT_400 ? 1 : 3;
    const uint8_t *const end = (const uint8_t *)p->data[n - 1] +
                               (size_t)p->stride[n - 1] * (size_t)p->h[n - 1];
    f->buf[0] = av_buffer_create(p->data[0], (size_t)(end - (const uint8_t *)p->data[0]),
                                 release_buf, d, 0);
    if (!f->buf[0]) {
        release_buf(d, NULL);
        return AVERROR(ENOMEM);
    }
    for (int i = 0; i < n; i++) {
        f->data[i] = p->data[i];
        f->linesize[i] = (int)p->stride[i];
    }
    f->extended_data = f->data;
    return 0;
}

/* The pool picture under a decoded frame, as a new reference of the
 * frame's size (luma only unless chroma was asked for); 0 when the frame is in FFmpeg's own buffer or cropped
 * on the left or top (its luma would start unaligned). */
static int wrap_frame(struct TvmafLibav *av, const AVFrame *f, TvmafPicture *pic)
{
    const void *const key = f->buf[0] ? av_buffer_get_opaque(f->buf[0]) : NULL;
    int found = 0;
    pthread_mutex_lock(&av->buf_lock);
    for (const DecBuf *d = av->bufs; d && key; d = d->next)
        if (d == key) {
            found = d->pic.data[0] == f->data[0] && !tvmaf_picture_ref(pic, &d->pic);
            break;
        }
    pthread_mutex_unlock(&av->buf_lock);
    if (!found)
        return 0;
    pic->w[0] = av->out_w;
    pic->h[0] = av->out_h;
    if (av->chroma && pic->layout != TVMAF_PIX_LAYOUT_400) {
        /* The chroma planes of the frame's (cropped) size. */
        const int sx = pic->layout != TVMAF_PIX_LAYOUT_444, sy = pic->layout == TVMAF_PIX_LAYOUT_420;
        for (int i = 1; i < 3; i++) {
            pic->w[i] = (av->out_w + sx) >> sx;
            pic->h[i] = (av->out_h + sy) >> sy;
        }
        return 1;
    }
    for (int i = 1; i < 3; i++) {
        pic->data[i] = NULL;
        pic->stride[i] = 0;
        pic->w[i] = pic->h[i] = 0;
    }
    pic->layout = TVMAF_PIX_LAYOUT_400;
    return 1;
}

/* Decodes the next frame into av->frame: 1, 0 at the end, <0 with `err`. */
static int decode_next(struct TvmafLibav *av, char *err, size_t errlen)
{
    char e[128];
    for (;;) {
        int r = avcodec_receive_frame(av->dec, av->frame);
        if (r == 0) {
            if (av->frame->flags & AV_FRAME_FLAG_CORRUPT || av->frame->decode_error_flags) {
                snprintf(err, errlen, "frame %u: corrupt data (the decoder reported errors)",
                         av->decoded);
                return -EBADMSG;
            }
            return 1;
        }
        if (r == AVERROR_EOF)
            return 0;
        if (r != AVERROR(EAGAIN)) {
            av_errstr(r, e, sizeof(e));
            snprintf(err, errlen, "frame %u: cannot decode: %s", av->decoded, e);
            return -EBADMSG;
        }
        if (av->draining) {
            snprintf(err, errlen, "frame %u: decoder stalled", av->decoded);
            return -EIO;
        }
        r = av_read_frame(av->fmt, av->pkt);
        if (r == AVERROR_EOF) {
            av->draining = 1;
            r = avcodec_send_packet(av->dec, NULL);
        } else if (r < 0) {
            av_errstr(r, e, sizeof(e));
            snprintf(err, errlen, "frame %u: cannot read: %s", av->decoded, e);
            return -EIO;
        } else {
            if (av->pkt->stream_index != av->stream) {
                av_packet_unref(av->pkt);
                continue;
            }
            if (av->pkt->flags & AV_PKT_FLAG_CORRUPT) {
                av_packet_unref(av->pkt);
                snprintf(err, errlen, "frame %u: corrupt or truncated packet", av->decoded);
                return -EBADMSG;
            }
            r = avcodec_send_packet(av->dec, av->pkt);
            av_packet_unref(av->pkt);
        }
        if (r < 0 && r != AVERROR(EAGAIN) && r != AVERROR_EOF) {
            av_errstr(r, e, sizeof(e));
            snprintf(err, errlen, "frame %u: cannot decode: %s", av->decoded, e);
            return -EBADMSG;
        }
    }
}

/* The decoded frame's luma, converted or resized when needed, into `pic`. */
static int frame_to_picture(struct TvmafLibav *av, TvmafPicture *pic, char *err, size_t errlen)
{
    const AVFrame *f = av->frame;
    if (f->width != av->src_w || f->height != av->src_h || f->format != av->src_fmt) {
        const char *n0 = av_get_pix_fmt_name(av->src_fmt), *n1 = av_get_pix_fmt_name(f->format);
        snprintf(err, errlen, "frame %u changes from %dx%d %s to %dx%d %s mid-stream",
                 av->decoded, av->src_w, av->src_h, n0 ? n0 : "?", f->width, f->height,
                 n1 ? n1 : "?");
        return -ENOTSUP;
    }
    uint8_t *dst;
    if (av->direct && !av->scale_flags && wrap_frame(av, f, pic)) {
        dst = pic->data[0];
        goto check_range;
    }
    if (tvmaf_picture_pool_get(av->pool, pic) < 0) {
        snprintf(err, errlen, "cannot allocate a %dx%d picture", av->out_w, av->out_h);
        return -ENOMEM;
    }
    const uint8_t *const *planes = (const uint8_t *const *)f->data;
    const int *strides = f->linesize;
    if (!av->direct || av->scale_flags) {
        if (!av->sws) {
            av->sws = sws_getContext(av->src_w, av->src_h, av->src_fmt, av->out_w, av->out_h,
                                     av->out_fmt, av->scale_flags ? av->scale_flags : SWS_BICUBIC,
                                     NULL, NULL, NULL);
            av->conv->format = av->out_fmt;
            av->conv->width = av->out_w;
            av->conv->height = av->out_h;
            if (!av->sws || av_frame_get_buffer(av->conv, 0) < 0) {
                tvmaf_picture_unref(pic);
                snprintf(err, errlen, "cannot set up swscale for %dx%d -> %dx%d", av->src_w,
                         av->src_h, av->out_w, av->out_h);
                return -ENOMEM;
            }
        }
        sws_scale(av->sws, (const uint8_t *const *)f->data, f->linesize, 0, av->src_h,
                  av->conv->data, av->conv->linesize);
        planes = (const uint8_t *const *)av->conv->data;
        strides = av->conv->linesize;
    }
    /* Luma, and the chroma planes when the pool's pictures have them (the
     * output format is planar in the picture's layout). */
    const int n_planes = pic->layout == TVMAF_PIX_LAYOUT_400 ? 1 : 3;
    for (int p = 0; p < n_planes; p++) {
        const size_t prow = (size_t)pic->w[p] * (av->bpc > 8 ? 2 : 1);
        for (int y = 0; y < pic->h[p]; y++)
            memcpy((uint8_t *)pic->data[p] + (size_t)y * (size_t)pic->stride[p],
                   planes[p] + (ptrdiff_t)y * strides[p], prow);
    }
    dst = pic->data[0];
check_range:
    if (av->bpc > 8 && av->bpc < 16) {
        /* A decoder may leave bits above the depth set on broken input;
         * the features' fixed-point headroom needs them clear. */
        const uint16_t maxv = (uint16_t)((1u << av->bpc) - 1);
        for (int y = 0; y < av->out_h; y++) {
            const uint16_t *p = (const uint16_t *)(dst + (size_t)y * (size_t)pic->stride[0]);
            for (int x = 0; x < av->out_w; x++)
                if (p[x] > maxv) {
                    tvmaf_picture_unref(pic);
                    snprintf(err, errlen, "frame %u: sample value %u exceeds %d-bit range",
                             av->decoded, p[x], av->bpc);
                    return -EBADMSG;
                }
        }
    }
    return 0;
}

static void *decode_thread(void *arg)
{
    struct TvmafLibav *const av = arg;
    for (;;) {
        Item it = { .status = 0 };
        it.status = decode_next(av, it.err, sizeof(it.err));
        if (it.status > 0) {
            const int r = frame_to_picture(av, &it.pic, it.err, sizeof(it.err));
            av_frame_unref(av->frame);
            if (r < 0)
                it.status = r;
            else
                av->decoded++;
        }
        pthread_mutex_lock(&av->lock);
        while (av->count == QUEUE_LEN && !av->stop)
            pthread_cond_wait(&av->cond, &av->lock);
        if (av->stop) {
            pthread_mutex_unlock(&av->lock);
            tvmaf_picture_unref(&it.pic);
            break;
        }
        av->q[(av->head + av->count) % QUEUE_LEN] = it;
        av->count++;
        const int last = it.status <= 0;
        if (last)
            av->done = 1;
        pthread_cond_broadcast(&av->cond);
        pthread_mutex_unlock(&av->lock);
        if (last)
            break;
    }
    return NULL;
}

static size_t lav_held_bytes(const struct TvmafLibav *av)
{
    const int bytes = av->bpc > 8 ? 2 : 1;
    /* The queue, the picture being filled, and the decoder's frames: one
     * per frame thread (one per core, plus one) and two references, each
     * at most three full planes at the source size. */
    const size_t queued = (QUEUE_LEN + 1) * ((size_t)av->out_w * av->out_h * bytes + 256);
    const long cores = sysconf(_SC_NPROCESSORS_ONLN);
    const size_t frames = (size_t)(cores > 0 ? cores : 1) + 3;
    return queued + frames * 3 * (size_t)av->src_w * av->src_h * bytes;
}

static void lav_close(struct TvmafLibav **pav)
{
    struct TvmafLibav *av = *pav;
    if (!av)
        return;
    if (av->started) {
        pthread_mutex_lock(&av->lock);
        av->stop = 1;
        pthread_cond_broadcast(&av->cond);
        pthread_mutex_unlock(&av->lock);
        pthread_join(av->thread, NULL);
        for (unsigned i = 0; i < av->count; i++)
            tvmaf_picture_unref(&av->q[(av->head + i) % QUEUE_LEN].pic);
    }
    pthread_mutex_destroy(&av->lock);
    pthread_cond_destroy(&av->cond);
    sws_freeContext(av->sws);
    av_frame_free(&av->frame);
    av_frame_free(&av->conv);
    av_packet_free(&av->pkt);
    avcodec_free_context(&av->dec); /* releases the decoder's buffers (release_buf) */
    avformat_close_input(&av->fmt);
    tvmaf_picture_pool_close(&av->pool);
    tvmaf_picture_pool_close(&av->dec_pool);
    pthread_mutex_destroy(&av->buf_lock);
    free(av);
    *pav = NULL;
}

static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;

/* FFmpeg's last error message on this thread ("moov atom not found"): the
 * detail behind a bare AVERROR_INVALIDDATA, for our one line. */
static _Thread_local char last_log[160];

static void log_cb(void *avcl, int level, const char *fmt, va_list vl)
{
    (void)avcl;
    if (level > AV_LOG_ERROR)
        return;
    char msg[160];
    vsnprintf(msg, sizeof(msg), fmt, vl);
    msg[strcspn(msg, "\r\n")] = 0;
    if (*msg)
        tvmaf_escape_text(last_log, sizeof(last_log), msg, 100);
}

static void quiet_log(void)
{
    av_log_set_level(AV_LOG_QUIET);
    av_log_set_callback(log_cb);
}

static int lav_open(struct TvmafInput *in, const char *path, const TvmafRawParams *raw, char *err,
                     size_t errlen)
{
    char e[128];
    struct TvmafLibav *av = calloc(1, sizeof(*av));
    if (!av) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    pthread_mutex_init(&av->lock, NULL);
    pthread_mutex_init(&av->buf_lock, NULL);
    pthread_cond_init(&av->cond, NULL);
    in->av = av;
    /* Causes are reported in our one line. Set once, before any decoder
     * thread reads it (helgrind flags a second write as a race). */
    pthread_once(&quiet_once, quiet_log);
    last_log[0] = 0;

    const AVInputFormat *ifmt = NULL;
    AVDictionary *opts = NULL;
    if (raw && raw->set) {
        /* Raw YUV reopened here for --scale. */
        static const enum AVPixelFormat fmts[4][4] = {
            { AV_PIX_FMT_GRAY8, AV_PIX_FMT_GRAY10LE, AV_PIX_FMT_GRAY12LE, AV_PIX_FMT_GRAY16LE },
            { AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUV420P10LE, AV_PIX_FMT_YUV420P12LE, AV_PIX_FMT_YUV420P16LE },
            { AV_PIX_FMT_YUV422P, AV_PIX_FMT_YUV422P10LE, AV_PIX_FMT_YUV422P12LE, AV_PIX_FMT_YUV422P16LE },
            { AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUV444P10LE, AV_PIX_FMT_YUV444P12LE, AV_PIX_FMT_YUV444P16LE },
        };
        const int li = raw->layout == TVMAF_PIX_LAYOUT_400 ? 0 : raw->layout == TVMAF_PIX_LAYOUT_420 ? 1
                     : raw->layout == TVMAF_PIX_LAYOUT_422 ? 2 : 3;
        const int di = raw->bpc == 8 ? 0 : raw->bpc == 10 ? 1 : raw->bpc == 12 ? 2 : 3;
        char size[32];
        snprintf(size, sizeof(size), "%dx%d", raw->w, raw->h);
        ifmt = av_find_input_format("rawvideo");
        av_dict_set(&opts, "video_size", size, 0);
        av_dict_set(&opts, "pixel_format", av_get_pix_fmt_name(fmts[li][di]), 0);
    }
    int r = avformat_open_input(&av->fmt, path, ifmt, &opts);
    av_dict_free(&opts);
    if (r < 0) {
        av_errstr(r, e, sizeof(e));
        snprintf(err, errlen, "not a video FFmpeg can read (%s%s%s)", e, *last_log ? ": " : "",
                 last_log);
        return -EBADMSG;
    }
    r = avformat_find_stream_info(av->fmt, NULL);
    if (r < 0) {
        av_errstr(r, e, sizeof(e));
        snprintf(err, errlen, "cannot read the stream parameters: %s%s%s", e,
                 *last_log ? ": " : "", last_log);
        return -EBADMSG;
    }
    const AVCodec *codec = NULL;
    r = av_find_best_stream(av->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (r == AVERROR_STREAM_NOT_FOUND) {
        snprintf(err, errlen, "has no video stream");
        return -EBADMSG;
    }
    if (r < 0 || !codec) {
        const AVCodecDescriptor *cd = r >= 0 ? avcodec_descriptor_get(
            av->fmt->streams[r]->codecpar->codec_id) : NULL;
        snprintf(err, errlen, "no decoder for its video codec%s%s", cd ? " " : "",
                 cd ? cd->name : "");
        return -ENOTSUP;
    }
    av->stream = r;
    AVStream *const st = av->fmt->streams[r];
    av->dec = avcodec_alloc_context3(codec);
    av->pkt = av_packet_alloc();
    av->frame = av_frame_alloc();
    av->conv = av_frame_alloc();
    if (!av->dec || !av->pkt || !av->frame || !av->conv) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    avcodec_parameters_to_context(av->dec, st->codecpar);
    av->dec->thread_count = 0; /* one per core; frame threads add latency, not error */
    av->dec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    /* A damaged frame is an error, not a concealed picture to score. */
    av->dec->err_recognition |= AV_EF_CRCCHECK;
    av->dec->pkt_timebase = st->time_base;
    if ((codec->capabilities & (AV_CODEC_CAP_DR1 | AV_CODEC_CAP_FRAME_THREADS)) ==
        (AV_CODEC_CAP_DR1 | AV_CODEC_CAP_FRAME_THREADS)) {
        av->dec->opaque = av;
        av->dec->get_buffer2 = get_buffer;
    }
    r = avcodec_open2(av->dec, codec, NULL);
    if (r < 0) {
        av_errstr(r, e, sizeof(e));
        snprintf(err, errlen, "cannot open the %s decoder: %s", codec->name, e);
        return -ENOTSUP;
    }
    /* The first frame fixes the geometry: container headers can be wrong. */
    r = decode_next(av, err, errlen);
    if (r == 0) {
        snprintf(err, errlen, "has no decodable video frame");
        return -EBADMSG;
    }
    if (r < 0)
        return r;
    av->src_w = av->frame->width;
    av->src_h = av->frame->height;
    av->src_fmt = av->frame->format;
    enum TvmafPixelLayout layout;
    r = map_format(av->src_fmt, &av->out_fmt, &av->bpc, &layout);
    if (r < 0) {
        const char *n = av_get_pix_fmt_name(av->src_fmt);
        snprintf(err, errlen, "unsupported pixel format %s", n ? n : "(none)");
        return -ENOTSUP;
    }
    av->direct = r;
    if (av->src_w > TVMAF_PICTURE_MAX_DIM || av->src_h > TVMAF_PICTURE_MAX_DIM ||
        (long long)av->src_w * av->src_h > TVMAF_PICTURE_MAX_AREA) {
        snprintf(err, errlen, "frame size %dx%d exceeds the %dx%d limit", av->src_w, av->src_h,
                 TVMAF_PICTURE_MAX_DIM, TVMAF_PICTURE_MAX_DIM);
        return -ENOTSUP;
    }
    av->out_w = av->src_w;
    av->out_h = av->src_h;
    in->info.w = av->src_w;
    in->info.h = av->src_h;
    in->info.bpc = av->bpc;
    in->info.layout = layout;
    if (st->avg_frame_rate.num > 0 && st->avg_frame_rate.den > 0) {
        in->info.fps_num = (unsigned)st->avg_frame_rate.num;
        in->info.fps_den = (unsigned)st->avg_frame_rate.den;
    }
    in->info.n_frames = st->nb_frames > 0 ? (unsigned long long)st->nb_frames : 0;
    const char *n = av_get_pix_fmt_name(av->src_fmt);
    snprintf(in->info.chroma_tag, sizeof(in->info.chroma_tag), "%s", n ? n : "?");
    return 0;
}

static int lav_set_scale(struct TvmafInput *in, int w, int h, int flags, char *err, size_t errlen)
{
    struct TvmafLibav *const av = in->av;
    if (av->started || av->decoded) {
        snprintf(err, errlen, "cannot rescale a stream already being read");
        return -EINVAL;
    }
    av->out_w = w;
    av->out_h = h;
    av->scale_flags = flags;
    if (av->direct)
        av->out_fmt = av->src_fmt; /* as ffmpeg's scale filter: same format, new size */
    in->info.w = w;
    in->info.h = h;
    return 0;
}

static int start(struct TvmafInput *in, char *err, size_t errlen)
{
    struct TvmafLibav *const av = in->av;
    if (av->started)
        return 0;
    av->chroma = in->chroma;
    if (tvmaf_picture_pool_open(&av->pool, in->chroma ? in->info.layout : TVMAF_PIX_LAYOUT_400,
                                av->bpc, av->out_w, av->out_h) < 0) {
        snprintf(err, errlen, "cannot allocate a %dx%d picture", av->out_w, av->out_h);
        return -ENOMEM;
    }
    /* The first frame was decoded by open: queue it before the thread runs. */
    Item *const it = &av->q[0];
    it->status = 1;
    if (frame_to_picture(av, &it->pic, it->err, sizeof(it->err)) < 0) {
        snprintf(err, errlen, "%s", it->err);
        return -EBADMSG;
    }
    av_frame_unref(av->frame);
    av->decoded = 1;
    av->count = 1;
    if (pthread_create(&av->thread, NULL, decode_thread, av)) {
        tvmaf_picture_unref(&it->pic);
        av->count = 0;
        snprintf(err, errlen, "cannot start the decoding thread");
        return -ENOMEM;
    }
    av->started = 1;
    return 0;
}

static int lav_read(struct TvmafInput *in, TvmafPicture *pic, char *err, size_t errlen)
{
    struct TvmafLibav *const av = in->av;
    int r = start(in, err, errlen);
    if (r < 0)
        return r;
    pthread_mutex_lock(&av->lock);
    while (!av->count)
        pthread_cond_wait(&av->cond, &av->lock);
    Item *const it = &av->q[av->head];
    r = it->status;
    if (r > 0) {
        *pic = it->pic;
        memset(&it->pic, 0, sizeof(it->pic));
    } else {
        snprintf(err, errlen, "%s", it->err);
    }
    if (r > 0) { /* the final item stays, so later reads repeat it */
        av->head = (av->head + 1) % QUEUE_LEN;
        av->count--;
        pthread_cond_broadcast(&av->cond);
    }
    pthread_mutex_unlock(&av->lock);
    if (r > 0)
        in->frame++;
    return r;
}

__attribute__((visibility("default"))) const TvmafLibavApi tvmaf_libav_api = {
    .input_size = sizeof(struct TvmafInput),
    .open = lav_open,
    .set_scale = lav_set_scale,
    .read = lav_read,
    .held_bytes = lav_held_bytes,
    .close = lav_close,
};
