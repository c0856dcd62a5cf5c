/*
 * Group commit: many threads writing through one store handle, each call durable when it
 * returns, with one transaction and one fsync per batch instead of one per call. Store layer.
 *
 * SQLite has one writer, so concurrent durable writers queue on the write lock and pay one
 * fsync each. Here a caller enqueues its work (a function and its context) and sleeps; one
 * committer thread, started with the group, takes the queued items, runs the batch in one
 * transaction (BEGIN; per item SAVEPOINT, the work, RELEASE or ROLLBACK TO; COMMIT = one
 * fsync), and wakes each caller with its own result. A failing item is rolled back to its
 * savepoint and fails only its own caller; a failing BEGIN or COMMIT fails every item of the
 * batch (nothing of it was written).
 * Batch size follows the load: while a batch commits, callers queue for the next one. Woken
 * callers need a moment to come back with their next call, so the committer keeps the batch
 * open (at most GATHER_US) until as many items as the last batch had have run, running each
 * as it arrives; a lone caller never waits. Each caller waits on a semaphore of its own, so
 * waking a batch's callers takes no shared lock.
 */
#include "store-int.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GATHER_US 200 /* longest wait for a batch to fill */

/* One queued call. Lives on its caller's stack until done is set. */
struct item {
    int (*fn)(struct hogo_store *st, void *ctx, struct hogo_error *err); /* the work */
    void *ctx;                /* borrowed: the caller's */
    struct hogo_error *err;   /* borrowed: the caller's; filled by the committer */
    int rc;                   /* the result, valid once done is posted */
    sem_t done;               /* posted by the committer when the item's batch is over; its
                                 caller alone waits on it, so waking it takes no shared lock */
    struct item *next;        /* queue link */
};

struct hogo__group {
    struct hogo_store *st;    /* borrowed: the store whose connection the committer uses */
    pthread_mutex_t lock;
    pthread_cond_t arrive;    /* signalled when an item is queued or the group stops */
    struct item *head, *tail; /* queued items, oldest first */
    unsigned queued;          /* items in the queue */
    unsigned last_batch;      /* size of the last batch */
    unsigned max_batch;       /* items per transaction at most */
    int stop;                 /* the group is being freed */
    pthread_t committer;      /* the committer thread */
    int64_t batches, items;   /* counters, for tests and benchmarks */
};

/* Set in the committer thread: calls it makes on the store run directly. */
static _Thread_local int in_committer;

static void *committer_main(void *arg);

int hogo__group_new(struct hogo__group **out, struct hogo_store *st, unsigned max_batch,
                    struct hogo_error *err)
{
    struct hogo__group *g = calloc(1, sizeof *g);
    if (!g)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    g->st = st;
    g->max_batch = max_batch ? max_batch : 1024;
    if (pthread_mutex_init(&g->lock, NULL) != 0)
        goto fail_mutex;
    if (pthread_cond_init(&g->arrive, NULL) != 0)
        goto fail_cond;
    if (pthread_create(&g->committer, NULL, committer_main, g) != 0)
        goto fail_thread;
    *out = g;
    return 0;
fail_thread:
    pthread_cond_destroy(&g->arrive);
fail_cond:
    pthread_mutex_destroy(&g->lock);
fail_mutex:
    free(g);
    return hogo_error_set(err, HOGO_ENOMEM, NULL, "cannot start the group commit thread");
}

void hogo__group_free(struct hogo__group *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&g->lock);
    g->stop = 1;
    pthread_cond_signal(&g->arrive);
    pthread_mutex_unlock(&g->lock);
    pthread_join(g->committer, NULL); /* it runs what is queued before it stops */
    pthread_cond_destroy(&g->arrive);
    pthread_mutex_destroy(&g->lock);
    free(g);
}

/* Runs one item inside the open batch transaction, between a savepoint and its release. */
static int run_item(struct hogo_store *st, struct item *it, int *broken)
{
    struct hogo_error ignored;
    hogo_error_clear(it->err);
    int rc = hogo__exec(st, "SAVEPOINT hogo_item", NULL, 0, NULL, it->err);
    if (rc < 0) {
        *broken = 1;
        return rc;
    }
    size_t erasures = st->n_erase_pending; /* a failed item's erasures are undone too */
    rc = it->fn(st, it->ctx, it->err);
    if (rc == 0 && st->ops->flush)
        rc = st->ops->flush(st->impl, it->err); /* the item's own failures are its own */
    if (rc == 0 && st->txn_failed)
        rc = hogo_error_set(it->err, HOGO_ESTORE, NULL,
                            "a call inside the grouped work failed; it was rolled back");
    st->txn_failed = 0;
    if (rc < 0) {
        st->head_valid = 0; /* the item's audit events are undone */
        while (st->n_erase_pending > erasures)
            free(st->erase_pending[--st->n_erase_pending]);
        hogo_error_clear(&ignored);
        if (hogo__exec(st, "ROLLBACK TO SAVEPOINT hogo_item", NULL, 0, NULL, &ignored) < 0 ||
            hogo__exec(st, "RELEASE SAVEPOINT hogo_item", NULL, 0, NULL, &ignored) < 0)
            *broken = 1; /* the transaction is gone: the whole batch fails */
        return rc;
    }
    rc = hogo__exec(st, "RELEASE SAVEPOINT hogo_item", NULL, 0, NULL, it->err);
    if (rc < 0)
        *broken = 1;
    return rc;
}

/* Takes up to room queued items off the queue (lock held); returns the first, NULL if none,
 * and *n how many. The taken items stay linked in order; the last one's next is NULL. */
static struct item *take(struct hogo__group *g, unsigned room, unsigned *n)
{
    struct item *first = g->head, *last = NULL;
    *n = 0;
    for (struct item *it = first; it && *n < room; it = it->next) {
        last = it;
        (*n)++;
    }
    if (!last)
        return NULL;
    g->head = last->next;
    if (!g->head)
        g->tail = NULL;
    last->next = NULL;
    g->queued -= *n;
    return first;
}

/* Waits until the absolute time deadline (CLOCK_REALTIME) or a signal; 0 on timeout. */
static int wait_until(struct hogo__group *g, const struct timespec *deadline)
{
    return pthread_cond_timedwait(&g->arrive, &g->lock, deadline) != ETIMEDOUT;
}

static void deadline_in(struct timespec *dl, long us)
{
    clock_gettime(CLOCK_REALTIME, dl);
    dl->tv_nsec += us * 1000L;
    if (dl->tv_nsec >= 1000000000L) {
        dl->tv_sec++;
        dl->tv_nsec -= 1000000000L;
    }
}

/* One batch: BEGIN, then the items as they arrive (each in its savepoint) until as many as
 * the last batch had ran or GATHER_US passed, then COMMIT. Running items while the others
 * come back overlaps their work with the wait. Called and returns with the lock held. */
static void one_batch(struct hogo__group *g)
{
    struct hogo_store *st = g->st;
    struct hogo_error berr;
    struct item *first = NULL, *tail = NULL;
    unsigned n = 0, got;
    int broken = 0;
    struct timespec dl;
    hogo_error_clear(&berr);
    deadline_in(&dl, GATHER_US);
    pthread_mutex_unlock(&g->lock);
    int rc = hogo__txn_begin(st, &berr);
    pthread_mutex_lock(&g->lock);
    for (;;) {
        struct item *more = take(g, g->max_batch - n, &got);
        if (more) {
            if (tail)
                tail->next = more;
            else
                first = more;
            n += got;
            pthread_mutex_unlock(&g->lock);
            for (struct item *it = more; it; it = it->next) {
                tail = it;
                if (rc == 0 && !broken) {
                    it->rc = run_item(st, it, &broken);
                    if (broken) {
                        berr = *it->err;
                        rc = it->rc;
                    }
                }
            }
            pthread_mutex_lock(&g->lock);
        }
        if (rc < 0 || broken || g->stop || n >= g->max_batch || n >= g->last_batch)
            break;
        if (!g->head && !wait_until(g, &dl))
            break;
    }
    g->last_batch = n;
    pthread_mutex_unlock(&g->lock);
    if (rc == 0 && !broken) {
        rc = hogo__txn_end(st, 0, &berr); /* COMMIT: the batch's one fsync */
    } else if (st->txn_depth > 0) {
        struct hogo_error ignored;
        st->txn_depth = 1; /* the failed item's levels are closed; roll back the batch */
        hogo_store_rollback(st, &ignored);
    }
    /* count the batch before waking its callers, so a caller that reads the statistics
     * after its own call returns always sees its call counted */
    pthread_mutex_lock(&g->lock);
    g->batches++;
    g->items += n;
    pthread_mutex_unlock(&g->lock);
    for (struct item *it = first; it;) {
        struct item *next = it->next;
        if (rc < 0) {
            /* nothing of the batch was written: every caller gets the failure */
            it->rc = rc;
            *it->err = berr;
        }
        sem_post(&it->done); /* after this the item's stack frame may go away */
        it = next;
    }
    pthread_mutex_lock(&g->lock);
}

static void *committer_main(void *arg)
{
    struct hogo__group *g = arg;
    in_committer = 1;
    pthread_mutex_lock(&g->lock);
    for (;;) {
        while (!g->head && !g->stop)
            pthread_cond_wait(&g->arrive, &g->lock);
        if (!g->head && g->stop)
            break;
        one_batch(g);
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

int hogo__group_run(struct hogo_store *st,
                    int (*fn)(struct hogo_store *st, void *ctx, struct hogo_error *err),
                    void *ctx, struct hogo_error *err)
{
    struct hogo__group *g = st->group;
    struct hogo_error local;
    if (!err) {
        hogo_error_clear(&local);
        err = &local;
    }
    if (!g || in_committer)
        return fn(st, ctx, err); /* not grouped, or already inside a batch */
    struct item me = {.fn = fn, .ctx = ctx, .err = err};
    if (sem_init(&me.done, 0, 0) != 0)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "cannot queue the call");
    pthread_mutex_lock(&g->lock);
    if (g->tail)
        g->tail->next = &me;
    else
        g->head = &me;
    g->tail = &me;
    g->queued++;
    pthread_cond_signal(&g->arrive);
    pthread_mutex_unlock(&g->lock);
    while (sem_wait(&me.done) != 0 && errno == EINTR)
        ;
    sem_destroy(&me.done);
    return me.rc;
}

int64_t hogo__group_syncs(struct hogo_store *st)
{
    int64_t batches, items;
    hogo__group_stats(st, &batches, &items);
    return batches; /* one commit, one fsync, per batch */
}

void hogo__group_stats(struct hogo_store *st, int64_t *batches, int64_t *items)
{
    struct hogo__group *g = st->group;
    *batches = *items = 0;
    if (!g)
        return;
    pthread_mutex_lock(&g->lock);
    *batches = g->batches;
    *items = g->items;
    pthread_mutex_unlock(&g->lock);
}

/* hogo_store_run(): the caller's work inside one (nested) transaction. */
struct run_ctx {
    int (*fn)(struct hogo_store *st, void *ctx, struct hogo_error *err);
    void *ctx;
};

static int run_in_txn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct run_ctx *r = ctx;
    int rc = hogo__txn_begin(st, err);
    if (rc < 0)
        return rc;
    rc = r->fn(st, r->ctx, err);
    if (rc == 0 && st->ops->flush)
        rc = st->ops->flush(st->impl, err); /* fn's own writes' failures are fn's */
    return hogo__txn_end(st, rc, err);
}

int hogo_store_run(struct hogo_store *st,
                   int (*fn)(struct hogo_store *st, void *ctx, struct hogo_error *err),
                   void *ctx, struct hogo_error *err)
{
    if (!st || !fn)
        return hogo_error_set(err, HOGO_EINVAL, NULL, "hogo_store_run needs a store and work");
    struct run_ctx r = {fn, ctx};
    return hogo__group_run(st, run_in_txn, &r, err);
}
