#include <string.h>

#include "model/builtin.h"

const TvmafBuiltinFile *tvmaf_builtin_find(const TvmafBuiltinFile *table, const char *name)
{
    for (; name && table->name; table++)
        if (!strcmp(table->name, name))
            return table;
    return NULL;
}
