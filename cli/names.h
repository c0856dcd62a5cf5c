/*
 * The Japanese names of vocabulary ids, for text written to a person: a listing shows
 * 「採用選考」 where JSON and CSV keep the id `recruitment_selection`. Loaded once from the
 * vocabulary the policies are compiled over. CLI layer, over include/hogo/policy.h.
 */
#ifndef HOGO_CLI_NAMES_H
#define HOGO_CLI_NAMES_H

struct cli_names;

/* Loads the names of the default vocabulary; NULL (after a warning on stderr) when it cannot
 * be read, and then every lookup answers the id itself. */
struct cli_names *cli_names_load(void);
/* The Japanese name of id among kinds purpose, data category, recipient, recipient class and
 * service (in that order), else id itself. Borrowed from names (or id). */
const char *cli_names_ja(const struct cli_names *names, const char *id);
void cli_names_free(struct cli_names *names);

#endif
