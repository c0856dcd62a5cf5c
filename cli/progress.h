/*
 * Progress for long runs (`check --jsonl`, `deid anonymize`, ...), shown on standard error
 * only when it is a terminal: a line redrawn twice a second with the count so far and its rate,
 * or the time elapsed when there is nothing to count. Nothing is printed into a pipe or a file.
 * CLI layer.
 */
#ifndef HOGO_CLI_PROGRESS_H
#define HOGO_CLI_PROGRESS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct progress {
    const char *label;   /* borrowed: what is being done */
    const char *unit;    /* borrowed: what is counted ("requests"), or NULL for time only */
    _Atomic unsigned long long done;
    atomic_bool stop;
    bool on;             /* drawing (standard error is a terminal) */
    pthread_t thread;
};

/* Starts showing progress for label; unit names what progress_add() counts (NULL: elapsed
 * time only). Does nothing visible unless standard error is a terminal. */
void progress_begin(struct progress *p, const char *label, const char *unit);

/* Counts n more units done (cheap: one relaxed atomic add). */
static inline void progress_add(struct progress *p, unsigned long long n)
{
    atomic_fetch_add_explicit(&p->done, n, memory_order_relaxed);
}

/* Stops and erases the progress line. */
void progress_end(struct progress *p);

#endif
