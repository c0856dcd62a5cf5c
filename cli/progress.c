/*
 * The progress line of progress.h: a thread wakes twice a second and redraws it on standard
 * error, so the work being measured only counts.
 * CLI layer.
 */
#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void *draw(void *arg)
{
    struct progress *p = arg;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    const struct timespec half = {0, 500000000L};
    while (!atomic_load(&p->stop)) {
        nanosleep(&half, NULL);
        if (atomic_load(&p->stop))
            break;
        double s = seconds_since(&t0);
        unsigned long long n = atomic_load_explicit(&p->done, memory_order_relaxed);
        if (p->unit)
            fprintf(stderr, "\r\033[K%s: %llu %s (%.0f/s, %.0f s)", p->label, n, p->unit,
                    s > 0 ? (double)n / s : 0.0, s);
        else
            fprintf(stderr, "\r\033[K%s… %.0f s", p->label, s);
        fflush(stderr);
    }
    return NULL;
}

void progress_begin(struct progress *p, const char *label, const char *unit)
{
    p->label = label;
    p->unit = unit;
    atomic_store(&p->done, 0);
    atomic_store(&p->stop, false);
    p->on = isatty(STDERR_FILENO) && pthread_create(&p->thread, NULL, draw, p) == 0;
}

void progress_end(struct progress *p)
{
    if (!p->on)
        return;
    atomic_store(&p->stop, true);
    pthread_join(p->thread, NULL);
    fputs("\r\033[K", stderr);
    fflush(stderr);
    p->on = false;
}
