/*
 * sluice_poller: polls one simulator page from a native thread and queues consistent snapshots in a ring the JVM
 * drains at leisure. A JVM thread, even at real-time priority, stops at every safepoint and handshake for as long
 * as the (normal-priority) VM thread takes, which on a busy machine can be several milliseconds: longer than a
 * 1 kHz simulator's update period. This thread is not attached to the JVM, so it keeps polling through them.
 *
 * Snapshot protocol as in PageReader.java: read the counter (acquire), copy the page twice, read the counter again;
 * keep the copy when the counter did not move and both copies agree. Single producer (this thread), single consumer
 * (sluice_poller_drain); head and tail are published with release/acquire.
 * Built by native/pom.xml with gcc into the jar as linux-x86-64/libsluicepoller.so; loaded through JNA.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    const uint8_t *page;
    int32_t size, counter_offset, counter_width, slots;
    uint8_t *ring;
    int64_t *times;
    int64_t head, tail;
    int64_t polls, overflow, retries, failed;
    int64_t poll_ns;
    int32_t rt_priority, rt_result, stop;
    pthread_t thread;
} sluice_poller;

static int64_t read_counter(const sluice_poller *p) {
    if (p->counter_width == 8) return __atomic_load_n((const int64_t *) (p->page + p->counter_offset), __ATOMIC_ACQUIRE);
    return __atomic_load_n((const int32_t *) (p->page + p->counter_offset), __ATOMIC_ACQUIRE);
}

static int64_t now_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t) ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void *run(void *arg) {
    sluice_poller *p = arg;
    if (p->rt_priority > 0) {
        struct sched_param sp = {.sched_priority = p->rt_priority};
        p->rt_result = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
    }
    uint8_t *scratch = malloc((size_t) p->size);
    int have_last = 0;
    int64_t last = 0;
    int64_t next = now_ns(CLOCK_MONOTONIC);
    while (!__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE)) {
        __atomic_add_fetch(&p->polls, 1, __ATOMIC_RELAXED);
        int64_t c = read_counter(p);
        if (!have_last || c != last) {
            int64_t head = p->head;
            int64_t tail = __atomic_load_n(&p->tail, __ATOMIC_ACQUIRE);
            if (head - tail >= p->slots) {
                __atomic_add_fetch(&p->overflow, 1, __ATOMIC_RELAXED);
                last = c;
                have_last = 1;
            } else {
                uint8_t *dst = p->ring + (size_t) (head % p->slots) * (size_t) p->size;
                int ok = 0;
                for (int attempt = 0; attempt < 8 && !ok; attempt++) {
                    int64_t before = read_counter(p);
                    memcpy(dst, p->page, (size_t) p->size);
                    __atomic_thread_fence(__ATOMIC_ACQUIRE);
                    memcpy(scratch, p->page, (size_t) p->size);
                    __atomic_thread_fence(__ATOMIC_ACQUIRE);
                    if (read_counter(p) == before && memcmp(dst, scratch, (size_t) p->size) == 0) {
                        ok = 1;
                        c = before;
                    } else {
                        __atomic_add_fetch(&p->retries, 1, __ATOMIC_RELAXED);
                    }
                }
                if (ok) {
                    p->times[head % p->slots] = now_ns(CLOCK_REALTIME);
                    __atomic_store_n(&p->head, head + 1, __ATOMIC_RELEASE);
                    last = c;
                    have_last = 1;
                } else {
                    __atomic_add_fetch(&p->failed, 1, __ATOMIC_RELAXED);
                }
            }
        }
        int64_t now = now_ns(CLOCK_MONOTONIC);
        next += p->poll_ns;
        if (next < now) next = now + p->poll_ns / 2;
        struct timespec ts = {next / 1000000000L, next % 1000000000L};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    }
    free(scratch);
    return NULL;
}

/* Starts polling; the page must stay mapped until sluice_poller_stop returns. NULL when out of memory or threads. */
sluice_poller *sluice_poller_start(const void *page, int32_t size, int32_t counter_offset, int32_t counter_width,
                                   int32_t slots, int64_t poll_ns, int32_t rt_priority) {
    if (!page || size <= 0 || slots <= 0 || poll_ns <= 0 || (counter_width != 4 && counter_width != 8)) return NULL;
    sluice_poller *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->page = page;
    p->size = size;
    p->counter_offset = counter_offset;
    p->counter_width = counter_width;
    p->slots = slots;
    p->poll_ns = poll_ns;
    p->rt_priority = rt_priority;
    p->rt_result = -1;
    p->ring = malloc((size_t) slots * (size_t) size);
    p->times = malloc((size_t) slots * sizeof(int64_t));
    if (p->ring && p->times) {
        /* touch every page now, so the polling thread never waits for a page fault */
        memset(p->ring, 0, (size_t) slots * (size_t) size);
        memset(p->times, 0, (size_t) slots * sizeof(int64_t));
    }
    if (!p->ring || !p->times || pthread_create(&p->thread, NULL, run, p) != 0) {
        free(p->ring);
        free(p->times);
        free(p);
        return NULL;
    }
    return p;
}

/* Moves up to max snapshots, oldest first, into dst (max * size bytes) and their epoch-ns times; returns how many. */
int32_t sluice_poller_drain(sluice_poller *p, uint8_t *dst, int64_t *times, int32_t max) {
    int64_t tail = p->tail;
    int64_t head = __atomic_load_n(&p->head, __ATOMIC_ACQUIRE);
    int32_t n = 0;
    while (tail < head && n < max) {
        memcpy(dst + (size_t) n * (size_t) p->size, p->ring + (size_t) (tail % p->slots) * (size_t) p->size, (size_t) p->size);
        times[n] = p->times[tail % p->slots];
        tail++;
        n++;
    }
    __atomic_store_n(&p->tail, tail, __ATOMIC_RELEASE);
    return n;
}

/* out: polls, overflow (ring full, snapshot dropped), copy retries, failed copies, real-time result (0 = raised). */
void sluice_poller_stats(sluice_poller *p, int64_t *out) {
    out[0] = __atomic_load_n(&p->polls, __ATOMIC_RELAXED);
    out[1] = __atomic_load_n(&p->overflow, __ATOMIC_RELAXED);
    out[2] = __atomic_load_n(&p->retries, __ATOMIC_RELAXED);
    out[3] = __atomic_load_n(&p->failed, __ATOMIC_RELAXED);
    out[4] = p->rt_result;
}

/* Stops the thread, waits for it and frees everything. */
void sluice_poller_stop(sluice_poller *p) {
    if (!p) return;
    __atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
    pthread_join(p->thread, NULL);
    free(p->ring);
    free(p->times);
    free(p);
}
