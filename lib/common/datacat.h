/*
 * Which data categories of the vocabulary are direct identifiers: the rule the vocabulary
 * loader (HOGO__FLAG_DIRECT_ID) and de-identification's column headers both apply, written
 * once. Common layer: depends on nothing else in lib/.
 */
#ifndef HOGO_COMMON_DATACAT_H
#define HOGO_COMMON_DATACAT_H

#include <stdbool.h>

/* True when a data category (its vocabulary `kind`, may be NULL, and its id) names a person
 * directly: kind identifier, contact or document, and photos of the person. De-identification
 * drops such columns whatever an obligation's drop list says (氏名や住所の情報の除外). */
bool hogo__data_category_direct(const char *kind, const char *id);

#endif
