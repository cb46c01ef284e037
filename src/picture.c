#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "tinyvmaf/picture.h"

struct TvmafPictureBuffer {
    atomic_int refs;
    void *mem;
};

/* Row padding and alignment: SIMD kernels may read a full vector past the
 * last sample of a row. */
#define ROW_ALIGN 64
#define TAIL_PAD 128

static size_t align_up(size_t v, size_t a)
{
    return (v + a - 1) / a * a;
}

int tvmaf_picture_alloc(TvmafPicture *p, enum TvmafPixelLayout layout, int bpc, int w, int h)
{
    if (!p || w < 1 || h < 1 || w > TVMAF_PICTURE_MAX_DIM || h > TVMAF_PICTURE_MAX_DIM ||
        (long long)w * h > TVMAF_PICTURE_MAX_AREA)
        return TVMAF_ERR(EINVAL);
    if (bpc != 8 && bpc != 10 && bpc != 12 && bpc != 16)
        return TVMAF_ERR(EINVAL);
    if (layout < TVMAF_PIX_LAYOUT_400 || layout > TVMAF_PIX_LAYOUT_444)
        return TVMAF_ERR(EINVAL);

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

    struct TvmafPictureBuffer *buf = malloc(sizeof(*buf));
    if (!buf)
        return TVMAF_ERR(ENOMEM);
    buf->mem = aligned_alloc(ROW_ALIGN, align_up(total, ROW_ALIGN));
    if (!buf->mem) {
        free(buf);
        return TVMAF_ERR(ENOMEM);
    }
    /* The padding is read by vector loads but never used in results; zero
     * it so tools like valgrind stay quiet. */
    memset((uint8_t *)buf->mem + total - TAIL_PAD, 0, TAIL_PAD);
    atomic_init(&buf->refs, 1);

    memset(p, 0, sizeof(*p));
    for (int i = 0; i < nplanes; i++) {
        p->data[i] = (uint8_t *)buf->mem + off[i];
        p->stride[i] = stride[i];
        p->w[i] = pw[i];
        p->h[i] = ph[i];
    }
    p->bpc = bpc;
    p->layout = layout;
    p->buf = buf;
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

void tvmaf_picture_unref(TvmafPicture *p)
{
    if (!p || !p->buf)
        return;
    if (atomic_fetch_sub_explicit(&p->buf->refs, 1, memory_order_acq_rel) == 1) {
        free(p->buf->mem);
        free(p->buf);
    }
    memset(p, 0, sizeof(*p));
}
