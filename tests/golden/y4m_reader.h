/*
 * Minimal Y4M reader for the golden test programs (golden_dump, the module
 * dumps): W, H and C tags; chroma planes ceil-sized and skipped; samples
 * above 8 bits little-endian. Only the luma is read, into a 4:0:0 picture.
 * It only has to read the golden clips and the files tests/golden/local_inputs.py
 * writes.
 */
#ifndef TVMAF_TESTS_GOLDEN_Y4M_READER_H
#define TVMAF_TESTS_GOLDEN_Y4M_READER_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinyvmaf/tinyvmaf.h"

typedef struct {
    FILE *f;
    int w, h, bpc, cw, ch;
} Y4m;

static int y4m_open(Y4m *y, const char *path)
{
    char line[512];
    memset(y, 0, sizeof(*y));
    y->f = fopen(path, "rb");
    if (!y->f || !fgets(line, sizeof(line), y->f) || strncmp(line, "YUV4MPEG2 ", 10)) {
        fprintf(stderr, "%s: not a Y4M file\n", path);
        return -1;
    }
    const char *chroma = "420";
    y->bpc = 8;
    for (char *save = NULL, *t = strtok_r(line + 10, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
        if (t[0] == 'W')
            y->w = atoi(t + 1);
        else if (t[0] == 'H')
            y->h = atoi(t + 1);
        else if (t[0] == 'C') {
            chroma = t + 1;
            const char *p = strchr(chroma, 'p');
            if (p && p[1] >= '1' && p[1] <= '9')
                y->bpc = atoi(p + 1);
            /* keep the chroma type: copy before strtok moves on */
            static char keep[32];
            snprintf(keep, sizeof(keep), "%s", chroma);
            chroma = keep;
        }
    }
    if (!strncmp(chroma, "444", 3)) {
        y->cw = y->w;
        y->ch = y->h;
    } else if (!strncmp(chroma, "422", 3)) {
        y->cw = (y->w + 1) / 2;
        y->ch = y->h;
    } else if (!strncmp(chroma, "420", 3)) {
        y->cw = (y->w + 1) / 2;
        y->ch = (y->h + 1) / 2;
    } else {
        fprintf(stderr, "%s: chroma %s not handled\n", path, chroma);
        return -1;
    }
    if (y->w <= 0 || y->h <= 0 || (y->bpc != 8 && y->bpc != 10 && y->bpc != 12 && y->bpc != 16)) {
        fprintf(stderr, "%s: bad header\n", path);
        return -1;
    }
    return 0;
}

/* 1: a frame was read into a new picture, 0: end of file, -1: error. */
static int y4m_read(Y4m *y, TvmafPicture *pic)
{
    char line[128];
    if (!fgets(line, sizeof(line), y->f))
        return 0;
    if (strncmp(line, "FRAME", 5))
        return -1;
    const size_t bps = y->bpc > 8 ? 2 : 1;
    if (tvmaf_picture_alloc(pic, TVMAF_PIX_LAYOUT_400, y->bpc, y->w, y->h))
        return -1;
    uint8_t *row = malloc((size_t)y->w * bps);
    int ok = row != NULL;
    for (int r = 0; ok && r < y->h; r++) {
        ok = fread(row, bps, (size_t)y->w, y->f) == (size_t)y->w;
        uint8_t *dst = (uint8_t *)pic->data[0] + r * pic->stride[0];
        if (bps == 1)
            memcpy(dst, row, (size_t)y->w);
        else
            for (int x = 0; x < y->w; x++)
                ((uint16_t *)dst)[x] = (uint16_t)(row[2 * x] | row[2 * x + 1] << 8);
    }
    free(row);
    ok = ok && fseek(y->f, (long)(2 * (size_t)y->cw * y->ch * bps), SEEK_CUR) == 0;
    if (!ok) {
        tvmaf_picture_unref(pic);
        return -1;
    }
    return 1;
}

/* Opens a reference/distorted pair of the same size and depth; 0 or -1 (said on stderr). */
static int y4m_open_pair(Y4m *r, Y4m *d, const char *ref, const char *dis)
{
    if (y4m_open(r, ref) || y4m_open(d, dis))
        return -1;
    if (r->w != d->w || r->h != d->h || r->bpc != d->bpc) {
        fprintf(stderr, "geometry differs\n");
        return -1;
    }
    return 0;
}

#endif
