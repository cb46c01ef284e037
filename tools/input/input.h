/*
 * Video readers for the CLI: YUV4MPEG2 and raw planar YUV. They deliver
 * luma-only pictures (the features read nothing else) and skip chroma.
 */
#ifndef TVMAF_TOOLS_INPUT_INPUT_H
#define TVMAF_TOOLS_INPUT_INPUT_H

#include <stdio.h>

#include "tinyvmaf/picture.h"

typedef struct TvmafInputInfo {
    int w, h, bpc;
    enum TvmafPixelLayout layout;
    unsigned fps_num, fps_den;   ///< 0/0 when unknown
    char chroma_tag[32];         ///< as written in the Y4M header, or "raw"
} TvmafInputInfo;

typedef struct TvmafInput TvmafInput;

/**
 * Two inputs read in lockstep, one frame of each per step (reference,
 * then distorted). When one ends while the other still delivers a frame,
 * one warning naming both goes to stderr:
 *   tinyvmaf: warning: "SHORT" ended before "LONG"; scored N frames
 */
typedef struct TvmafInputPair {
    TvmafInput *in[2];
    int warned;
} TvmafInputPair;

/** Raw input parameters (all required for raw YUV, ignored for Y4M). */
typedef struct TvmafRawParams {
    int w, h, bpc;
    enum TvmafPixelLayout layout;
    int set;    ///< non-zero when -w/-h/-p/-b were given
    /** Optional (NULL: none): the first two inputs opened with these
     *  parameters watch each other's length (TvmafInputPair). */
    TvmafInputPair *pair;
} TvmafRawParams;

/**
 * Opens `path` ("-" = stdin). A file starting with "YUV4MPEG2" is read as
 * Y4M; anything else needs `raw->set`. On failure writes a one-line reason
 * (without the path) to `err` and returns NULL.
 */
TvmafInput *tvmaf_input_open(const char *path, const TvmafRawParams *raw, char *err, size_t errlen);

/**
 * The same on an open stream (the fuzz target reads memory through
 * fmemopen). `seekable` allows probing by seeking; with `owns` set the
 * stream is closed by tvmaf_input_close() (and on failure).
 */
TvmafInput *tvmaf_input_open_stream(FILE *f, int seekable, int owns, const TvmafRawParams *raw,
                                    char *err, size_t errlen);

const TvmafInputInfo *tvmaf_input_info(const TvmafInput *in);

/**
 * Reads the next frame's luma into a new picture (layout 400).
 * @return 1 frame read, 0 clean end of stream, <0 error (reason in `err`).
 */
int tvmaf_input_read(TvmafInput *in, TvmafPicture *pic, char *err, size_t errlen);

/** Discards the next frame. Same returns as tvmaf_input_read(). */
int tvmaf_input_skip(TvmafInput *in, char *err, size_t errlen);

void tvmaf_input_close(TvmafInput **in);

#endif /* TVMAF_TOOLS_INPUT_INPUT_H */
