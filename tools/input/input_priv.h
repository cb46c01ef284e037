#ifndef TVMAF_TOOLS_INPUT_INPUT_PRIV_H
#define TVMAF_TOOLS_INPUT_INPUT_PRIV_H

#include <stdint.h>

#include "input/input.h"

struct TvmafInput {
    FILE *f;
    int owns_file;           /* fclose at the end (not for stdin) */
    int y4m;                 /* frames are preceded by a FRAME line */
    TvmafInputInfo info;
    size_t luma_bytes;       /* w * h * bytes per sample */
    size_t skip_bytes;       /* chroma (and alpha) bytes after the luma */
    size_t alt_skip_bytes;   /* ffmpeg's odd-width high-depth chroma size, or 0 */
    int marker_consumed;     /* the next frame's "FRAME" was read while probing */
    unsigned frame;          /* frames read so far */
    uint8_t *scratch;        /* chroma sink for non-seekable streams */
    size_t scratch_size;
    int seekable;
    TvmafPicturePool *pool;  /* frames are recycled, not allocated per frame */
    const char *path;        /* for messages; NULL for streams */
    TvmafInputPair *pair;    /* the lockstep partner watch, or NULL */
    unsigned reads;          /* frames tvmaf_input_read() delivered */
    int ended;               /* tvmaf_input_read() reported the end */
    struct TvmafLibav *av;   /* FFmpeg-decoded input (input/libav.c), or NULL */
    TvmafInputLink *link;    /* shared with the other input of the run, or NULL */
    int chroma;              /* pictures carry the chroma planes */
};

/** Parses the Y4M stream header (the magic is not yet consumed). */
int tvmaf_y4m_parse_header(struct TvmafInput *in, char *err, size_t errlen);

/** Reads and checks a "FRAME[ params]\n" line. 1 = ok, 0 = clean EOF, <0 = error. */
int tvmaf_y4m_frame_header(struct TvmafInput *in, char *err, size_t errlen);

/** Fills luma_bytes/skip_bytes from info (sizes are capped, so no overflow). */
void tvmaf_input_set_sizes(struct TvmafInput *in, int extra_alpha);

/*
 * input/libav.c, built when FFmpeg's libraries are found, is a loadable
 * module (tinyvmaf-libav.so) rather than part of the executable: those
 * libraries pull in over a hundred shared objects, whose loading and
 * constructors cost about 30 ms at every start, also of runs that read
 * only Y4M. input.c loads it on the first non-Y4M input and calls through
 * this table; the module resolves the picture pool and util functions it
 * uses from the executable, which exports them.
 */
struct TvmafLibav;
typedef struct TvmafLibavApi {
    size_t input_size;       /* sizeof(struct TvmafInput) where the module was built */
    int (*open)(struct TvmafInput *in, const char *path, const TvmafRawParams *raw, char *err,
                size_t errlen);
    int (*set_scale)(struct TvmafInput *in, int w, int h, int flags, char *err, size_t errlen);
    int (*read)(struct TvmafInput *in, TvmafPicture *pic, char *err, size_t errlen);
    /* Bytes the decoder side holds: queued frames and the decoder's own (estimate). */
    size_t (*held_bytes)(const struct TvmafLibav *av);
    void (*close)(struct TvmafLibav **av);
} TvmafLibavApi;

#define TVMAF_LIBAV_MODULE "tinyvmaf-libav.so"
#define TVMAF_LIBAV_API_SYMBOL "tvmaf_libav_api"

/* input.c's entry points into the module (loaded on first use). */
int tvmaf_libav_open(struct TvmafInput *in, const char *path, const TvmafRawParams *raw,
                     char *err, size_t errlen);
int tvmaf_libav_set_scale(struct TvmafInput *in, int w, int h, int flags, char *err, size_t errlen);
int tvmaf_libav_read(struct TvmafInput *in, TvmafPicture *pic, char *err, size_t errlen);
size_t tvmaf_libav_held_bytes(const struct TvmafLibav *av);
void tvmaf_libav_close(struct TvmafLibav **av);

#endif /* TVMAF_TOOLS_INPUT_INPUT_PRIV_H */
