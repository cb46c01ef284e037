/* train_synth OUT.csv ROWS GROUPS SEED: writes a synthetic feature table (synth.h). */
#include <stdio.h>
#include <stdlib.h>

#include "synth.h"

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: train_synth OUT.csv ROWS GROUPS SEED\n");
        return 2;
    }
    FILE *const f = fopen(argv[1], "w");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    const int r = tvmaf_synth_write(f, strtoul(argv[2], NULL, 10), atoi(argv[3]),
                                    strtoull(argv[4], NULL, 10));
    if (fclose(f) || r) {
        fprintf(stderr, "train_synth: writing %s failed\n", argv[1]);
        return 1;
    }
    return 0;
}
