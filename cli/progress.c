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

/* Draws the line once: s seconds since the start. */
static void draw_line(struct progress *p, double s)
{
    unsigned long long n = atomic_load_explicit(&p->done, memory_order_relaxed);
    unsigned long long part = atomic_load_explicit(&p->part, memory_order_relaxed),
                       total = atomic_load_explicit(&p->total, memory_order_relaxed);
    if (p->unit && total) {
        double frac = part >= total ? 1.0 : (double)part / (double)total;
        double left = frac > 0 ? s / frac - s : 0;
        char bar[31];
        int fill = (int)(frac * 30);
        for (int i = 0; i < 30; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr, "\r\033[K%s: [%s] %3d%% %llu %s, %.0f %s/s, about %.0f s left", p->label,
                bar, (int)(frac * 100), n, p->unit, s > 0 ? (double)n / s : 0.0, p->unit,
                left < 0 ? 0 : left);
    } else if (p->unit)
        fprintf(stderr, "\r\033[K%s: %llu %s (%.0f/s, %.0f s)", p->label, n, p->unit,
                s > 0 ? (double)n / s : 0.0, s);
    else
        fprintf(stderr, "\r\033[K%s… %.0f s", p->label, s);
    fflush(stderr);
}

static void *draw(void *arg)
{
    struct progress *p = arg;
    const struct timespec half = {0, 500000000L};
    while (!atomic_load(&p->stop)) {
        nanosleep(&half, NULL);
        if (atomic_load(&p->stop))
            break;
        draw_line(p, seconds_since(&p->start));
    }
    return NULL;
}

void progress_begin(struct progress *p, const char *label, const char *unit)
{
    p->label = label;
    p->unit = unit;
    atomic_store(&p->done, 0);
    atomic_store(&p->part, 0);
    atomic_store(&p->total, 0);
    atomic_store(&p->stop, false);
    clock_gettime(CLOCK_MONOTONIC, &p->start);
    p->on = isatty(STDERR_FILENO) && pthread_create(&p->thread, NULL, draw, p) == 0;
}

void progress_clear_line(struct progress *p)
{
    if (p->on)
        fputs("\r\033[K", stderr);
}

void progress_end(struct progress *p)
{
    if (!p->on)
        return;
    atomic_store(&p->stop, true);
    pthread_join(p->thread, NULL);
    if (atomic_load(&p->total)) { /* a run with a total keeps its last bar, complete */
        draw_line(p, seconds_since(&p->start));
        fputc('\n', stderr);
    } else
        fputs("\r\033[K", stderr);
    fflush(stderr);
    p->on = false;
}
