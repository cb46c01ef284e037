/*
 * Video readers for the CLI: YUV4MPEG2 and raw planar YUV, and, when the
 * build found FFmpeg's libraries, anything FFmpeg reads (input/libav.c,
 * docs/inputs.md). They deliver luma-only pictures and skip chroma, unless
 * asked for whole pictures (TvmafRawParams.chroma: a model with a chroma
 * feature such as speed_chroma).
 */
#ifndef TVMAF_TOOLS_INPUT_INPUT_H
#define TVMAF_TOOLS_INPUT_INPUT_H

#include <stdio.h>

#include "tinyvmaf/picture.h"

typedef struct TvmafInputInfo {
    int w, h, bpc;
    enum TvmafPixelLayout layout;
    unsigned fps_num, fps_den;   ///< 0/0 when unknown
    char chroma_tag[32];         ///< as written in the Y4M header, "raw", or FFmpeg's pixel format
    unsigned long long n_frames; ///< frames in the file when known, else 0
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

/**
 * What the reference and distorted inputs of one run share (optional):
 * the first input opened with it is the reference. With `scale_flags`, a
 * distorted input of another size is resized to the reference's; with
 * `progress`, reading the reference updates one line on stderr.
 */
typedef struct TvmafInputLink {
    int scale_flags;      ///< swscale method flag for --scale; 0: sizes must match
    int progress;         ///< print the progress line (stderr is a TTY, no -q)
    unsigned frame_cnt;   ///< --frame_cnt (0 = all), for the progress total
    unsigned skip_ref;    ///< --frame_skip_ref, for the progress total
    TvmafInput *ref;      ///< set by tvmaf_input_open()
    double t0, last;      ///< progress clock
    unsigned done;        ///< reference frames delivered
    int line_open;        ///< a progress line without its newline is on stderr
    int finished;         ///< the last progress line has been printed
} TvmafInputLink;

/** Raw input parameters (all required for raw YUV, ignored for Y4M). */
typedef struct TvmafRawParams {
    int w, h, bpc;
    enum TvmafPixelLayout layout;
    int set;    ///< non-zero when -w/-h/-p/-b were given
    /** Optional (NULL: none): the first two inputs opened with these
     *  parameters watch each other's length (TvmafInputPair). */
    TvmafInputPair *pair;
    TvmafInputLink *link; ///< optional (NULL: none), see TvmafInputLink
    int chroma;           ///< non-zero: deliver the chroma planes too (the input's layout)
} TvmafRawParams;

/** 1 when this build reads inputs through FFmpeg's libraries. */
int tvmaf_input_have_libav(void);

/**
 * The swscale flag of a --scale method ("bicubic", "bilinear", "lanczos",
 * "spline"), or -1 for an unknown one or a build without libav.
 */
int tvmaf_input_scale_flags(const char *method);

/** Raw YUV chroma by name: "420"/"yuv420p", "422"/"yuv422p", "444"/"yuv444p",
 *  "400"/"gray" (the -p option and the batch column). @return 0 or -1. */
int tvmaf_input_layout_by_name(const char *s, enum TvmafPixelLayout *l);

/**
 * Opens `path` ("-" = stdin). A file starting with "YUV4MPEG2" is read as
 * Y4M; with `raw->set`, any other file is raw YUV; else FFmpeg's libraries
 * read it (when built with them). On failure writes a one-line reason
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

/**
 * Bytes the reader holds besides the pictures it hands out (read-ahead
 * queue and decoder frames for FFmpeg input, an estimate; chroma scratch),
 * for the memory budget. Pictures it handed out are the caller's to count.
 */
size_t tvmaf_input_held_bytes(const TvmafInput *in);

void tvmaf_input_close(TvmafInput **in);

#endif /* TVMAF_TOOLS_INPUT_INPUT_H */
