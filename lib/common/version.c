/*
 * The library version string.
 * Common layer.
 */
#include <hogo/hogo.h>

const char *hogo_version(void)
{
    return HOGO_VERSION_STRING;
}
