/*
 * libFuzzer target: the CLI's Y4M reader (header and FRAME parsing, chroma
 * sizes, the ffmpeg odd-width layout probe) on arbitrary bytes, through
 * both the seekable and the pipe code paths.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "input/input.h"

/* Pictures are allocated before their data is read: keep them small so
 * the fuzzer spends its time in the parser, not in malloc. */
#define MAX_INPUT (1 << 20)
#define MAX_AREA (1 << 18)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > MAX_INPUT)
        return 0;
    const int seekable = data[0] & 1;
    FILE *f = fmemopen((void *)(data + 1), size - 1, "rb");
    if (!f)
        return 0;
    const TvmafRawParams raw = { 0 };
    char err[256];
    TvmafInput *in = tvmaf_input_open_stream(f, seekable, 1, &raw, err, sizeof(err));
    if (!in)
        return 0;
    const TvmafInputInfo *info = tvmaf_input_info(in);
    if ((long long)info->w * info->h <= MAX_AREA) {
        for (int i = 0; i < 16; i++) {
            TvmafPicture p = { 0 };
            const int r = (i & 1) ? tvmaf_input_skip(in, err, sizeof(err))
                                  : tvmaf_input_read(in, &p, err, sizeof(err));
            if (r <= 0)
                break;
            if (p.buf) {
                /* touch the first and last luma rows the reader filled */
                volatile uint8_t sink = ((uint8_t *)p.data[0])[0];
                sink ^= ((uint8_t *)p.data[0])[(p.h[0] - 1) * p.stride[0]];
                (void)sink;
                tvmaf_picture_unref(&p);
            }
        }
    }
    tvmaf_input_close(&in);
    return 0;
}
