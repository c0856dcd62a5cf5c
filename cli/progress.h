/*
 * Progress for long runs (`check --jsonl`, `deid anonymize`, `subject import`, ...), shown on
 * standard error only when it is a terminal: a line redrawn twice a second with the count so
 * far and its rate, or the time elapsed when there is nothing to count; when the run knows how
 * far through its total it is, a bar with the share done and an estimate of the time left.
 * Nothing is printed into a pipe or a file. CLI layer.
 */
#ifndef HOGO_CLI_PROGRESS_H
#define HOGO_CLI_PROGRESS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

struct progress {
    const char *label;   /* borrowed: what is being done */
    const char *unit;    /* borrowed: what is counted ("requests"), or NULL for time only */
    _Atomic unsigned long long done;
    _Atomic unsigned long long part, total; /* how far through total (0: unknown) */
    atomic_bool stop;
    struct timespec start; /* when progress_begin() was called */
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

/* Sets the count so far to done and, for the bar and the time left, how far the run is
 * through its total (part of total, e.g. bytes read of the file's size; total 0: unknown). */
static inline void progress_set(struct progress *p, unsigned long long done,
                                unsigned long long part, unsigned long long total)
{
    atomic_store_explicit(&p->done, done, memory_order_relaxed);
    atomic_store_explicit(&p->part, part, memory_order_relaxed);
    atomic_store_explicit(&p->total, total, memory_order_relaxed);
}

/* Erases the progress line for a message of its own (it is drawn again at the next tick). */
void progress_clear_line(struct progress *p);

/* Stops the progress line: erased, or, for a run with a total, drawn a last time and kept. */
void progress_end(struct progress *p);

#endif
