/*
 * The direct-identifier rule over the vocabulary's data categories (datacat.h). Common layer.
 */
#include "datacat.h"

#include <string.h>

bool hogo__data_category_direct(const char *kind, const char *id)
{
    static const char *const direct_kinds[] = {"identifier", "contact", "document"};
    static const char *const photos[] = {"profile_photo", "posted_photo"};
    for (size_t i = 0; kind && i < sizeof direct_kinds / sizeof direct_kinds[0]; i++)
        if (!strcmp(kind, direct_kinds[i]))
            return true;
    for (size_t i = 0; id && i < sizeof photos / sizeof photos[0]; i++)
        if (!strcmp(id, photos[i]))
            return true;
    return false;
}
