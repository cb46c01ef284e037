/*
 * A read-only view of one luma plane, as the feature extractors take it.
 */
#ifndef TVMAF_SRC_FEATURE_PLANE_H
#define TVMAF_SRC_FEATURE_PLANE_H

#include <stddef.h>
#include <stdint.h>

typedef struct TvmafPlane {
    const void *data;  ///< uint8_t samples when bpc == 8, uint16_t otherwise
    ptrdiff_t stride;  ///< bytes between rows
    int w, h;          ///< size in samples
    int bpc;           ///< 8, 10, 12 or 16
} TvmafPlane;

#endif /* TVMAF_SRC_FEATURE_PLANE_H */
