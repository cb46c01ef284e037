/*
 * tinyvmaf — pictures: planar YUV frames with reference-counted storage.
 */
#ifndef TVMAF_PICTURE_H
#define TVMAF_PICTURE_H

#include <stddef.h>
#include <stdint.h>

#include "tinyvmaf/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Chroma layout of a picture. Only luma feeds the VMAF features. */
enum TvmafPixelLayout {
    TVMAF_PIX_LAYOUT_400 = 0, ///< luma only (monochrome)
    TVMAF_PIX_LAYOUT_420 = 1, ///< chroma planes ceil(w/2) x ceil(h/2)
    TVMAF_PIX_LAYOUT_422 = 2, ///< chroma planes ceil(w/2) x h
    TVMAF_PIX_LAYOUT_444 = 3, ///< chroma planes w x h
};

/** Smallest width and height a context scores. At 32 or less ADM's scale-3
 *  bands are two samples wide, and libvmaf 3.2.0's DWT border indices then
 *  reach sample -1 (an out-of-bounds read), so its score is undefined there;
 *  from 33 on every feature is defined and tinyvmaf equals libvmaf. */
#define TVMAF_PICTURE_MIN_DIM 33

/** Largest accepted width or height, and largest accepted w*h. */
#define TVMAF_PICTURE_MAX_DIM 16384
#define TVMAF_PICTURE_MAX_AREA (8192 * 8192)

/**
 * A planar picture. Samples are uint8_t when bpc == 8 and native-endian
 * uint16_t (values < 2^bpc) when 8 < bpc <= 16.
 *
 * The storage is owned by a reference-counted buffer (`buf`): copy a
 * picture with tvmaf_picture_ref() and release every copy with
 * tvmaf_picture_unref(). Rows are padded so that reading up to 64 bytes
 * past the end of any row stays inside the allocation.
 */
typedef struct TvmafPicture {
    void *data[3];               ///< plane pointers (data[1], data[2] NULL for 4:0:0)
    ptrdiff_t stride[3];         ///< bytes between rows of each plane
    int w[3], h[3];              ///< plane sizes in samples
    int bpc;                     ///< bits per component: 8, 10, 12 or 16
    enum TvmafPixelLayout layout;
    struct TvmafPictureBuffer *buf; ///< storage owner (opaque); NULL = empty picture
} TvmafPicture;

/**
 * Allocates a picture of the given layout, depth and size. Planes are
 * uninitialised.
 *
 * @param p      receives the picture; untouched on failure
 * @param layout chroma layout
 * @param bpc    8, 10, 12 or 16
 * @param w, h   1..TVMAF_PICTURE_MAX_DIM, with w*h <= TVMAF_PICTURE_MAX_AREA
 * @return 0, TVMAF_ERR(EINVAL) for a bad argument, TVMAF_ERR(ENOMEM).
 *         On success the caller owns one reference.
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_picture_alloc(TvmafPicture *p, enum TvmafPixelLayout layout,
                                                    int bpc, int w, int h);

/**
 * Makes `dst` a new reference to the storage of `src`. `dst` must be empty
 * or already released. Thread-safe with respect to other references.
 * @return 0 or TVMAF_ERR(EINVAL) if `src` is empty.
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_picture_ref(TvmafPicture *dst, const TvmafPicture *src);

/**
 * Releases one reference and clears `p`. NULL-safe; an empty picture is a
 * no-op. The storage is freed with its last reference.
 */
TVMAF_API void tvmaf_picture_unref(TvmafPicture *p);

/**
 * A pool of same-geometry pictures. A picture taken from the pool goes back
 * to it when its last reference is released, so a stream reuses a small,
 * bounded set of buffers instead of allocating (and page-faulting) one per
 * frame. Thread-safe: pictures may be released from any thread.
 */
typedef struct TvmafPicturePool TvmafPicturePool;

/**
 * Creates a pool for pictures of one layout, depth and size (arguments as
 * tvmaf_picture_alloc()).
 * @return 0, TVMAF_ERR(EINVAL), TVMAF_ERR(ENOMEM). The caller owns the pool
 *         and closes it with tvmaf_picture_pool_close().
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_picture_pool_open(TvmafPicturePool **out,
                                                        enum TvmafPixelLayout layout, int bpc,
                                                        int w, int h);

/**
 * Takes a picture from the pool, allocating one when none is free. Planes
 * hold whatever the previous user wrote.
 * @return 0, TVMAF_ERR(EINVAL), TVMAF_ERR(ENOMEM). The caller owns one
 *         reference, released with tvmaf_picture_unref().
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_picture_pool_get(TvmafPicturePool *pool, TvmafPicture *p);

/**
 * Closes the pool and frees its idle pictures; pictures still referenced
 * stay valid and are freed with their last reference. Sets *pool to NULL.
 * NULL-safe.
 */
TVMAF_API void tvmaf_picture_pool_close(TvmafPicturePool **pool);

#ifdef __cplusplus
}
#endif

#endif /* TVMAF_PICTURE_H */
