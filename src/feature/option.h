/*
 * Feature-extractor options, as libvmaf names them.
 *
 * Each extractor module describes its options with a table of TvmafOption
 * entries pointing into its own options struct. One table serves three
 * purposes: defaults, setting an option from text (a model's
 * feature_opts_dicts, a `--model ...:cambi.enc_width=1280` override), and
 * the option suffix libvmaf appends to a feature's printed key
 * ("cambi_hrs_1080_cmxv_17_vlt_0.06"): every option flagged
 * TVMAF_OPTION_KEY whose value differs from its default adds
 * "_<alias>_<value>" (a true bool adds "_<alias>"), in the alphabetical
 * order of the option names, values printed as %d, %g or the enum name.
 */
#ifndef TVMAF_SRC_FEATURE_OPTION_H
#define TVMAF_SRC_FEATURE_OPTION_H

#include <stdbool.h>
#include <stddef.h>

enum TvmafOptionType {
    TVMAF_OPTION_BOOL,   ///< bool; text "true"/"false" (also "1"/"0")
    TVMAF_OPTION_INT,    ///< int; decimal text, within [min, max]
    TVMAF_OPTION_DOUBLE, ///< double; finite decimal text, within [min, max]
    TVMAF_OPTION_ENUM,   ///< int index into `names`; text must be one of them
};

/** Part of the printed feature key when not at its default (libvmaf's FEATURE_PARAM). */
#define TVMAF_OPTION_KEY (1u << 0)

typedef struct TvmafOption {
    const char *name;          ///< libvmaf's option name ("cambi_max_val", "enc_width")
    const char *alias;         ///< short name in the key ("cmxv"); NULL: the name is used
    enum TvmafOptionType type;
    size_t offset;             ///< offsetof() the field in the module's options struct
    double def;                ///< default (BOOL: 0/1, ENUM: index)
    double min, max;           ///< accepted range (INT, DOUBLE)
    const char *const *names;  ///< ENUM: the accepted names, NULL-terminated
    unsigned flags;            ///< TVMAF_OPTION_KEY
} TvmafOption;
/* A table ends with an entry whose name is NULL. */

/** Writes every option's default into `opts_struct`. */
void tvmaf_option_defaults(const TvmafOption *table, void *opts_struct);

/** The entry called `name`, or NULL. */
const TvmafOption *tvmaf_option_find(const TvmafOption *table, const char *name);

/**
 * Parses `text` into the option's field.
 * @return 0, or -EINVAL with a one-line reason in err (may be NULL) for an
 *         unparsable or out-of-range value.
 */
int tvmaf_option_parse(const TvmafOption *opt, void *opts_struct, const char *text, char *err,
                       size_t err_size);

/**
 * Writes `base` followed by the option suffix (see above) into buf.
 * @return 0, or -EINVAL when buf is too small.
 */
int tvmaf_option_key(const TvmafOption *table, const void *opts_struct, const char *base, char *buf,
                     size_t size);

#endif /* TVMAF_SRC_FEATURE_OPTION_H */
