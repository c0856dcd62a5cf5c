/*
 * Corporate numbers (法人番号, National Tax Agency): the check-digit test every module shares.
 * Common layer: depends on nothing else in lib/.
 */
#ifndef HOGO_COMMON_CORPNUM_H
#define HOGO_COMMON_CORPNUM_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..len) is 13 half-width digits whose first is the check digit of the other
 * twelve. */
bool hogo__corporate_number_valid(const char *s, size_t len);

#endif
