/*
 * The table of subject facts, expanded from HOGO__SUBJECT_FACTS (facts.h). Common layer.
 */
#include "facts.h"

const struct hogo__fact_def hogo__facts[HOGO__F_COUNT] = {
#define HOGO__FACT_DEF(e, id, type) [HOGO__F_##e] = {#id, HOGO__FT_##type},
    HOGO__SUBJECT_FACTS(HOGO__FACT_DEF)
#undef HOGO__FACT_DEF
};
