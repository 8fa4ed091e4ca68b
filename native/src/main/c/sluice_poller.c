/*
 * sluice_poller: polls one simulator page from native threads and queues consistent snapshots in a ring the JVM drains
 * at leisure. A JVM thread, even at real-time priority, stops at every safepoint and handshake for as long as the
 * (normal-priority) VM thread takes, which on a busy machine can be several milliseconds: longer than a 1 kHz
 * simulator's update period. These threads are not attached to the JVM, so they keep polling through them.
 *
 * Snapshot protocol as in PageReader.java: read the counter (acquire), copy the page twice, read the counter again;
 * keep the copy when the counter did not move and both copies agree. Single consumer (sluice_poller_drain); head and
 * tail are published with release/acquire.
 *
 * Two watchers. A CPU can stall for a millisecond or more (a hypervisor running another guest on it, a kernel section
 * that is not preempted), and a thread on it sees nothing meanwhile; on a 2-vCPU VM a single polling thread missed
 * about 1 in 1,000 updates at 1 kHz that way, while two threads pinned to the two CPUs never missed the same one. So
 * in fixed-interval mode two watcher threads, pinned to two CPUs, take turns on one grid of poll_ns slots (each looks
 * every 2 * poll_ns). A look is examined (compared with the value last taken, copied, queued) under a flag that a
 * watcher only tries to take: a watcher never waits for the other, which may be the stalled one, and the ring keeps a
 * single producer at a time. The earliest write time of a new value is the latest look of either watcher.
 *
 * Wake-ups (adaptive mode, one watcher). Polling every poll_ns costs a timer wake-up each time (15-30 us of CPU in a
 * VM), five per update at 1 kHz and 200 us. Once the counter has moved by exactly one at a steady rate for LOCK_AFTER
 * updates, the thread locks on to the writer: it sleeps until the middle between two expected writes and looks once,
 * so each value is read half a period away from either write and a late wake-up has half a period of slack. Every
 * PROBE_EVERY updates it wakes a quarter period before the expected write and polls every poll_ns until the write
 * shows, which re-measures phase and period. A look that finds no new value, or a skipped value, drops back to polling
 * every poll_ns until the next single step, which gives the phase again; when that keeps failing, the period is
 * measured again.
 *
 * Copy deadline. The counter is written after the fields, so a copy made while the writer has written the next
 * update's fields but not yet its counter passes every check and mixes two updates. That only happens when the copy is
 * late (the reader stalled, or the writer did between fields and counter). Once the period is known (in either mode),
 * a copy that ends three quarters of a period after the earliest time its update can have been written is not kept
 * (counted as a copy retry); the value is copied again once the page has stayed quiet for QUIET_PERIODS periods (the
 * last update before a pause is not lost, while a writer preempted between an update's fields and its counter is
 * rarely still for that long), and is a missed update if the counter moves on first. When polling every poll_ns the
 * earliest write time is the later of the previous counter read and three quarters of a period after the earliest
 * write time of the value last taken, both hard bounds for a writer that leaves at least three quarters of a period
 * between the end of one update and the start of the next (the shipped writers, which catch up on a delay with updates
 * that far apart): such a writer is never copied mid-update. Locked on (adaptive mode) it is the writer's expected
 * write time, an estimate: the phase is taken from the earliest of the observed and the projected write at each probe,
 * so one write seen late does not move it later, but a writer that is early on that estimate and preempted mid-update
 * at that moment can still be copied torn. Built by native/pom.xml with gcc into the jar as
 * linux-x86-64/libsluicepoller.so; loaded through JNA.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOCK_AFTER 64
#define PROBE_EVERY 64
#define QUIET_PERIODS 20

/* Phase lock on the writer: the time of its last write and its period, measured from counter changes. */
typedef struct {
    int locked;
    int64_t steady;            /* consecutive +1 changes seen while polling every poll_ns */
    int64_t base_t, base_c;    /* a write at a known time: the base of the period measurement */
    int64_t write_t, write_c;  /* estimated monotonic time of the write that produced counter write_c */
    int64_t period;            /* the writer's period; 0 = not known */
    int64_t rough_period;      /* a first estimate after a few steps, for the copy deadline only */
    int64_t since_probe;
    int64_t since_lock;        /* locked looks since the last (re)lock */
    int short_locks;           /* consecutive locks that failed within a few looks */
    int probing;
} phase_lock;

#define MAX_WATCHERS 2

struct sluice_poller;

typedef struct {
    struct sluice_poller *poller;
    int index;
    int cpu;                   /* the CPU it is pinned to, -1 for none */
    pthread_t thread;
} watcher;

typedef struct sluice_poller {
    const uint8_t *page;
    int32_t size, counter_offset, counter_width, slots;
    uint8_t *ring;
    int64_t *times;
    int64_t head, tail;
    int64_t polls, overflow, retries, failed, locked_looks, busy_skips;
    int64_t poll_ns, start_t;
    int32_t rt_priority, rt_result, pin_result, stop, adaptive, watcher_count;
    watcher watchers[MAX_WATCHERS];
    /* What the watchers found so far; only the holder of busy reads or writes these. */
    int32_t busy;
    int64_t latest_look;       /* the time taken before the latest counter read of any watcher */
    phase_lock lock;
    int have_last;
    int64_t last;              /* the counter value last taken */
    int64_t last_written_after; /* the earliest time it can have been written */
    int64_t late_c, late_since, late_written_after; /* a value whose copy was late, see "Copy deadline" */
    uint8_t *scratch;
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

/*
 * Copies a consistent snapshot into the ring; returns 1 and the counter it holds in *seen, 0 when none was kept,
 * -1 when the copy finished after deadline (monotonic ns; 0 = none) and was not kept: the writer may already have
 * written the next update's fields without yet moving the counter, which no re-read can tell from a clean copy.
 */
static int take_snapshot(sluice_poller *p, uint8_t *scratch, int64_t *seen, int64_t deadline) {
    int64_t head = p->head;
    int64_t tail = __atomic_load_n(&p->tail, __ATOMIC_ACQUIRE);
    if (head - tail >= p->slots) {
        __atomic_add_fetch(&p->overflow, 1, __ATOMIC_RELAXED);
        return 0;
    }
    uint8_t *dst = p->ring + (size_t) (head % p->slots) * (size_t) p->size;
    for (int attempt = 0; attempt < 8; attempt++) {
        int64_t before = read_counter(p);
        memcpy(dst, p->page, (size_t) p->size);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        memcpy(scratch, p->page, (size_t) p->size);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (read_counter(p) == before && memcmp(dst, scratch, (size_t) p->size) == 0) {
            if (deadline > 0 && now_ns(CLOCK_MONOTONIC) > deadline) return -1;
            p->times[head % p->slots] = now_ns(CLOCK_REALTIME);
            __atomic_store_n(&p->head, head + 1, __ATOMIC_RELEASE);
            *seen = before;
            return 1;
        }
        __atomic_add_fetch(&p->retries, 1, __ATOMIC_RELAXED);
    }
    __atomic_add_fetch(&p->failed, 1, __ATOMIC_RELAXED);
    return 0;
}

static void unlock(phase_lock *l) {
    l->locked = 0;
    l->steady = 0;
    l->probing = 0;
    /* a period that keeps failing right after locking is wrong (the writer changed its rate): measure it again */
    if (l->since_lock < 4 && ++l->short_locks >= 3) {
        l->period = 0;
        l->short_locks = 0;
    } else if (l->since_lock >= 4) {
        l->short_locks = 0;
    }
}

/* Locks on to a write of counter c at about write_t; returns the time of the next look. */
static int64_t lock_on(phase_lock *l, int64_t write_t, int64_t c) {
    l->locked = 1;
    l->write_t = write_t;
    l->write_c = c;
    l->base_t = write_t;
    l->base_c = c;
    l->since_probe = 0;
    l->since_lock = 0;
    l->probing = 0;
    return write_t + l->period + l->period / 2;
}

/*
 * Updates the lock after a look at time t, planned for time planned, that found counter c (changed: c differs
 * from the previous look, which found previous and read the counter at time last_look). Returns the absolute
 * monotonic time of the next look.
 */
static int64_t next_look(sluice_poller *p, phase_lock *l, int64_t t, int64_t planned, int64_t previous, int64_t c,
                         int changed, int64_t last_look) {
    /* a change seen by looks poll_ns apart happened between the two; the phase is kept at the earliest time it can
     * have happened, so the copy deadlines derived from it are never late */
    int64_t write_t = last_look;
    if (l->locked) {
        if (l->probing) {
            if (!changed) {
                if (t - l->write_t <= l->period + l->period / 2) return t + p->poll_ns;
                unlock(l); /* the writer slowed down or stopped */
            } else if (c != l->write_c + 1) {
                unlock(l);
            } else {
                int64_t projected = l->write_t + l->period; /* where the lock expected this write */
                if (c > l->base_c) {
                    int64_t measured = (write_t - l->base_t) / (c - l->base_c);
                    if (measured > 0) l->period = measured;
                }
                int64_t since_lock = l->since_lock;
                int64_t next = lock_on(l, write_t < projected ? write_t : projected, c);
                l->since_lock = since_lock;
                return next;
            }
        } else if (changed && c == l->write_c + 1) {
            /* looks are half a period after the expected write of c */
            l->write_t += l->period;
            l->write_c = c;
            l->since_lock++;
            __atomic_add_fetch(&p->locked_looks, 1, __ATOMIC_RELAXED);
            if (++l->since_probe >= PROBE_EVERY) {
                l->probing = 1;
                return l->write_t + l->period - l->period / 4;
            }
            return l->write_t + l->period + l->period / 2;
        } else {
            unlock(l); /* nothing new (early, or the writer paused or was late), or a value skipped */
        }
        return t + p->poll_ns;
    }
    /* polling every poll_ns */
    if (p->adaptive && changed && c == previous + 1 && l->period > 0 && t - last_look <= 2 * p->poll_ns) {
        return lock_on(l, write_t, c); /* with the period known, one single step seen closely gives the phase */
    }
    if (changed && l->steady > 0 && c == previous + 1) {
        l->steady++;
        if (l->steady == 9 && l->rough_period == 0 && c > l->base_c) {
            l->rough_period = (write_t - l->base_t) / (c - l->base_c);
        }
        if (l->steady > LOCK_AFTER && c > l->base_c) {
            int64_t period = (write_t - l->base_t) / (c - l->base_c);
            if (!p->adaptive) {
                l->period = period; /* for the copy deadline only */
            } else if (period >= 4 * p->poll_ns) {
                l->period = period;
                return lock_on(l, write_t, c);
            }
        }
    } else if (changed) {
        l->steady = 1;
        l->base_t = write_t;
        l->base_c = c;
    }
    return planned + p->poll_ns * p->watcher_count; /* each watcher looks at every watcher_count-th slot */
}

/*
 * One look, made at look_t (taken before the counter read), that found counter c; the caller holds busy. planned is
 * when the look was planned. Returns the time of the watcher's next look.
 */
static int64_t examine(sluice_poller *p, int64_t look_t, int64_t c, int64_t planned) {
    /* the next value seen was written after the previous look of any watcher, however long this one stalled */
    int64_t previous_read_t = p->latest_look;
    p->latest_look = look_t;
    int changed = !p->have_last || c != p->last;
    int64_t previous = p->last;
    phase_lock *lock = &p->lock;
    if (changed) {
        /* The writer's next update can start three quarters of a period after this one (a writer catching up
         * after a delay); this one was written after the previous read of the counter (locked: about half a
         * period before this look, an estimate), and at least three quarters of a period after each update
         * before it, which after a stall of every watcher is the tighter bound. */
        int64_t period = lock->period > 0 ? lock->period : lock->rough_period;
        int64_t written_after;
        if (c == p->late_c) {
            written_after = p->late_written_after; /* the looks since then already saw c */
        } else {
            written_after = lock->locked && !lock->probing ? planned - lock->period / 2 : previous_read_t;
            if (p->have_last && period > 0 && c > p->last && c - p->last <= 4) {
                int64_t chained = p->last_written_after + (c - p->last) * (period * 3 / 4);
                if (chained > written_after) written_after = chained;
            }
        }
        int64_t deadline = period > 0 ? written_after + period * 3 / 4 : 0;
        int wait = 0;
        if (c == p->late_c) {
            if (now_ns(CLOCK_MONOTONIC) - p->late_since >= QUIET_PERIODS * period) deadline = 0; /* the writer is idle */
            else wait = 1;
        }
        int64_t seen;
        int taken = wait ? -1 : take_snapshot(p, p->scratch, &seen, deadline);
        if (taken == -1) {
            if (c != p->late_c) {
                p->late_c = c;
                p->late_written_after = written_after;
                p->late_since = now_ns(CLOCK_MONOTONIC);
                __atomic_add_fetch(&p->retries, 1, __ATOMIC_RELAXED);
            }
            changed = 0; /* look again; the value is not settled yet */
        } else {
            if (taken == 1) {
                p->last_written_after = seen == c ? written_after : look_t;
                c = seen;
            }
            p->last = c;
            p->have_last = 1;
            p->late_c = -1;
        }
    }
    return next_look(p, lock, now_ns(CLOCK_MONOTONIC), planned, previous, c, changed, previous_read_t);
}

static void *watch(void *arg) {
    watcher *w = arg;
    sluice_poller *p = w->poller;
    pthread_setname_np(pthread_self(), w->index == 0 ? "sluice-poller" : "sluice-poller-2");
    if (w->cpu >= 0) {
        cpu_set_t cpus;
        CPU_ZERO(&cpus);
        CPU_SET(w->cpu, &cpus);
        if (pthread_setaffinity_np(pthread_self(), sizeof cpus, &cpus) != 0) __atomic_store_n(&p->pin_result, -1, __ATOMIC_RELAXED);
    }
    if (p->rt_priority > 0) {
        struct sched_param sp = {.sched_priority = p->rt_priority};
        int result = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
        int unknown = -1;
        /* a failure of any watcher is reported; success only while nothing else was */
        if (result != 0) __atomic_store_n(&p->rt_result, result, __ATOMIC_RELAXED);
        else __atomic_compare_exchange_n(&p->rt_result, &unknown, 0, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    }
    /* the watchers take turns on one grid of poll_ns slots, so together they look every poll_ns */
    int64_t slot0 = p->start_t + w->index * p->poll_ns;
    int64_t stride = p->poll_ns * p->watcher_count;
    int64_t planned = slot0;
    while (!__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE)) {
        struct timespec ts = {planned / 1000000000L, planned % 1000000000L};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        __atomic_add_fetch(&p->polls, 1, __ATOMIC_RELAXED);
        int64_t look_t = now_ns(CLOCK_MONOTONIC);
        int64_t c = read_counter(p);
        int64_t next = planned + stride;
        /* A watcher never waits for the other, which may be the one stalled. A look older than the latest one
         * recorded says nothing new (and its counter may be older than the value already taken). */
        if (__atomic_exchange_n(&p->busy, 1, __ATOMIC_ACQUIRE) == 0) {
            if (look_t >= p->latest_look) next = examine(p, look_t, c, planned);
            __atomic_store_n(&p->busy, 0, __ATOMIC_RELEASE);
        } else {
            __atomic_add_fetch(&p->busy_skips, 1, __ATOMIC_RELAXED);
        }
        int64_t now = now_ns(CLOCK_MONOTONIC);
        if (next < now) {
            /* late: with one watcher look again soon; with several, at this watcher's next slot, so they stay apart */
            next = p->watcher_count == 1 ? now + p->poll_ns / 2 : slot0 + ((now - slot0) / stride + 1) * stride;
        }
        planned = next;
    }
    return NULL;
}

/* The highest-numbered CPUs this process may run on, up to max; returns how many. */
static int pick_cpus(int *out, int max) {
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return 0;
    int n = 0;
    for (int cpu = CPU_SETSIZE - 1; cpu >= 0 && n < max; cpu--) {
        if (CPU_ISSET(cpu, &allowed)) out[n++] = cpu;
    }
    return n;
}

/*
 * Starts polling; the page must stay mapped until sluice_poller_stop returns. NULL when out of memory or threads.
 * watchers: 1, or 2 to look from two threads pinned to two CPUs (ignored in adaptive mode, and with one CPU).
 */
sluice_poller *sluice_poller_start(const void *page, int32_t size, int32_t counter_offset, int32_t counter_width,
                                   int32_t slots, int64_t poll_ns, int32_t rt_priority, int32_t adaptive,
                                   int32_t watchers) {
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
    p->adaptive = adaptive;
    p->rt_result = -1;
    p->late_c = -1;
    int cpus[MAX_WATCHERS];
    int pinned = !adaptive && watchers > 1 ? pick_cpus(cpus, MAX_WATCHERS) : 0;
    p->watcher_count = pinned == MAX_WATCHERS ? MAX_WATCHERS : 1;
    p->ring = malloc((size_t) slots * (size_t) size);
    p->times = malloc((size_t) slots * sizeof(int64_t));
    p->scratch = malloc((size_t) size);
    if (!p->ring || !p->times || !p->scratch) goto fail;
    /* touch every page now, so no watcher waits for a page fault */
    memset(p->ring, 0, (size_t) slots * (size_t) size);
    memset(p->times, 0, (size_t) slots * sizeof(int64_t));
    memset(p->scratch, 0, (size_t) size);
    p->start_t = now_ns(CLOCK_MONOTONIC);
    p->latest_look = p->start_t;
    int started = 0;
    for (; started < p->watcher_count; started++) {
        watcher *w = &p->watchers[started];
        w->poller = p;
        w->index = started;
        w->cpu = p->watcher_count > 1 ? cpus[started] : -1;
        if (pthread_create(&w->thread, NULL, watch, w) != 0) break;
    }
    if (started == p->watcher_count) return p;
    __atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < started; i++) pthread_join(p->watchers[i].thread, NULL);
fail:
    free(p->ring);
    free(p->times);
    free(p->scratch);
    free(p);
    return NULL;
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

/* out: polls, overflow (ring full, snapshot dropped), copy retries, failed copies, real-time result (0 = raised),
 * looks made while locked on to the writer, watcher threads, whether they are pinned to CPUs of their own (1/0),
 * looks not examined because the other watcher was examining one. */
void sluice_poller_stats(sluice_poller *p, int64_t *out) {
    out[0] = __atomic_load_n(&p->polls, __ATOMIC_RELAXED);
    out[1] = __atomic_load_n(&p->overflow, __ATOMIC_RELAXED);
    out[2] = __atomic_load_n(&p->retries, __ATOMIC_RELAXED);
    out[3] = __atomic_load_n(&p->failed, __ATOMIC_RELAXED);
    out[4] = __atomic_load_n(&p->rt_result, __ATOMIC_RELAXED);
    out[5] = __atomic_load_n(&p->locked_looks, __ATOMIC_RELAXED);
    out[6] = p->watcher_count;
    out[7] = p->watcher_count > 1 && __atomic_load_n(&p->pin_result, __ATOMIC_RELAXED) == 0;
    out[8] = __atomic_load_n(&p->busy_skips, __ATOMIC_RELAXED);
}

/* Stops the watchers, waits for them and frees everything. */
void sluice_poller_stop(sluice_poller *p) {
    if (!p) return;
    __atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < p->watcher_count; i++) pthread_join(p->watchers[i].thread, NULL);
    free(p->ring);
    free(p->times);
    free(p->scratch);
    free(p);
}
