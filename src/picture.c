#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "tinyvmaf/picture.h"

struct TvmafPictureBuffer {
    atomic_int refs;
    void *mem;
    TvmafPicture layout;                   /* plane pointers, sizes: restored on reuse */
    struct TvmafPicturePool *picture_pool; /* NULL for tvmaf_picture_alloc() */
    struct TvmafPictureBuffer *next;       /* picture pool free list */
};

struct TvmafPicturePool {
    pthread_mutex_t lock;
    atomic_int refs;                  /* the owner + every buffer it made */
    int closed;
    struct TvmafPictureBuffer *free_list;
    enum TvmafPixelLayout layout;
    int bpc, w, h;
};

/* Row padding and alignment: SIMD kernels may read a full vector past the
 * last sample of a row. */
#define ROW_ALIGN 64
#define TAIL_PAD 128

static size_t align_up(size_t v, size_t a)
{
    return (v + a - 1) / a * a;
}

static int check_geometry(enum TvmafPixelLayout layout, int bpc, int w, int h)
{
    if (w < 1 || h < 1 || w > TVMAF_PICTURE_MAX_DIM || h > TVMAF_PICTURE_MAX_DIM ||
        (long long)w * h > TVMAF_PICTURE_MAX_AREA)
        return TVMAF_ERR(EINVAL);
    if (bpc != 8 && bpc != 10 && bpc != 12 && bpc != 16)
        return TVMAF_ERR(EINVAL);
    if (layout < TVMAF_PIX_LAYOUT_400 || layout > TVMAF_PIX_LAYOUT_444)
        return TVMAF_ERR(EINVAL);
    return 0;
}

static struct TvmafPictureBuffer *new_buffer(enum TvmafPixelLayout layout, int bpc, int w, int h)
{
    const size_t bytes = bpc > 8 ? 2 : 1;
    int pw[3] = { w, 0, 0 }, ph[3] = { h, 0, 0 };
    const int nplanes = layout == TVMAF_PIX_LAYOUT_400 ? 1 : 3;
    for (int i = 1; i < nplanes; i++) {
        pw[i] = layout == TVMAF_PIX_LAYOUT_444 ? w : (w + 1) >> 1;
        ph[i] = layout == TVMAF_PIX_LAYOUT_420 ? (h + 1) >> 1 : h;
    }
    size_t off[3], total = 0;
    ptrdiff_t stride[3] = { 0 };
    for (int i = 0; i < nplanes; i++) {
        stride[i] = (ptrdiff_t)align_up((size_t)pw[i] * bytes, ROW_ALIGN);
        off[i] = total;
        total += (size_t)stride[i] * (size_t)ph[i];
    }
    total += TAIL_PAD;

    struct TvmafPictureBuffer *buf = calloc(1, sizeof(*buf));
    if (!buf)
        return NULL;
    buf->mem = aligned_alloc(ROW_ALIGN, align_up(total, ROW_ALIGN));
    if (!buf->mem) {
        free(buf);
        return NULL;
    }
    /* The padding (the tail and every row's end past the width) is read by
     * vector loads but never used in results. Writers fill only the width,
     * so zeroing it once here keeps recycled buffers defined too, and
     * valgrind quiet. */
    memset((uint8_t *)buf->mem + total - TAIL_PAD, 0, TAIL_PAD);
    TvmafPicture *p = &buf->layout;
    for (int i = 0; i < nplanes; i++) {
        const size_t used = (size_t)pw[i] * bytes;
        for (int y = 0; y < ph[i]; y++)
            memset((uint8_t *)buf->mem + off[i] + (size_t)y * (size_t)stride[i] + used, 0,
                   (size_t)stride[i] - used);
        p->data[i] = (uint8_t *)buf->mem + off[i];
        p->stride[i] = stride[i];
        p->w[i] = pw[i];
        p->h[i] = ph[i];
    }
    p->bpc = bpc;
    p->layout = layout;
    p->buf = buf;
    return buf;
}

static void hand_out(struct TvmafPictureBuffer *buf, TvmafPicture *p)
{
    atomic_store_explicit(&buf->refs, 1, memory_order_relaxed);
    *p = buf->layout;
}

int tvmaf_picture_alloc(TvmafPicture *p, enum TvmafPixelLayout layout, int bpc, int w, int h)
{
    if (!p)
        return TVMAF_ERR(EINVAL);
    const int err = check_geometry(layout, bpc, w, h);
    if (err)
        return err;
    struct TvmafPictureBuffer *buf = new_buffer(layout, bpc, w, h);
    if (!buf)
        return TVMAF_ERR(ENOMEM);
    hand_out(buf, p);
    return 0;
}

int tvmaf_picture_ref(TvmafPicture *dst, const TvmafPicture *src)
{
    if (!dst || !src || !src->buf)
        return TVMAF_ERR(EINVAL);
    atomic_fetch_add_explicit(&src->buf->refs, 1, memory_order_relaxed);
    *dst = *src;
    return 0;
}

static void free_buffer(struct TvmafPictureBuffer *buf)
{
    free(buf->mem);
    free(buf);
}

static void picture_pool_release(struct TvmafPicturePool *pool)
{
    if (atomic_fetch_sub_explicit(&pool->refs, 1, memory_order_acq_rel) == 1) {
        pthread_mutex_destroy(&pool->lock);
        free(pool);
    }
}

void tvmaf_picture_unref(TvmafPicture *p)
{
    if (!p || !p->buf)
        return;
    struct TvmafPictureBuffer *buf = p->buf;
    memset(p, 0, sizeof(*p));
    if (atomic_fetch_sub_explicit(&buf->refs, 1, memory_order_acq_rel) != 1)
        return;
    struct TvmafPicturePool *pool = buf->picture_pool;
    if (!pool) {
        free_buffer(buf);
        return;
    }
    pthread_mutex_lock(&pool->lock);
    const int closed = pool->closed;
    if (!closed) {
        buf->next = pool->free_list;
        pool->free_list = buf;
    }
    pthread_mutex_unlock(&pool->lock);
    if (closed) {
        free_buffer(buf);
        picture_pool_release(pool);
    }
}

int tvmaf_picture_pool_open(TvmafPicturePool **out, enum TvmafPixelLayout layout, int bpc, int w,
                            int h)
{
    if (!out)
        return TVMAF_ERR(EINVAL);
    *out = NULL;
    const int err = check_geometry(layout, bpc, w, h);
    if (err)
        return err;
    TvmafPicturePool *pool = calloc(1, sizeof(*pool));
    if (!pool)
        return TVMAF_ERR(ENOMEM);
    pthread_mutex_init(&pool->lock, NULL);
    atomic_init(&pool->refs, 1);
    pool->layout = layout;
    pool->bpc = bpc;
    pool->w = w;
    pool->h = h;
    *out = pool;
    return 0;
}

int tvmaf_picture_pool_get(TvmafPicturePool *pool, TvmafPicture *p)
{
    if (!pool || !p)
        return TVMAF_ERR(EINVAL);
    pthread_mutex_lock(&pool->lock);
    struct TvmafPictureBuffer *buf = pool->free_list;
    if (buf)
        pool->free_list = buf->next;
    pthread_mutex_unlock(&pool->lock);
    if (!buf) {
        buf = new_buffer(pool->layout, pool->bpc, pool->w, pool->h);
        if (!buf)
            return TVMAF_ERR(ENOMEM);
        buf->picture_pool = pool;
        atomic_fetch_add_explicit(&pool->refs, 1, memory_order_relaxed);
    }
    buf->next = NULL;
    hand_out(buf, p);
    return 0;
}

void tvmaf_picture_pool_close(TvmafPicturePool **ppool)
{
    if (!ppool || !*ppool)
        return;
    TvmafPicturePool *pool = *ppool;
    *ppool = NULL;
    pthread_mutex_lock(&pool->lock);
    pool->closed = 1;
    struct TvmafPictureBuffer *list = pool->free_list;
    pool->free_list = NULL;
    pthread_mutex_unlock(&pool->lock);
    while (list) {
        struct TvmafPictureBuffer *next = list->next;
        free_buffer(list);
        picture_pool_release(pool);
        list = next;
    }
    picture_pool_release(pool);
}
