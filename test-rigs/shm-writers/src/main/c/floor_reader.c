/*
 * floor_reader: the simplest possible counter poller, to measure what this machine allows. It waits for a page,
 * then looks at a 32-bit update counter every --poll-us (absolute schedule, SCHED_FIFO with --realtime) until the
 * counter reaches --until, and prints how many values it never saw, how often it looked and the CPU time its loop
 * took (so cpu_ms / looks is the cost of one timer wake-up on this machine):
 *   DONE seen=S missed=M first=F last=L looks=N wall_ms=W cpu_ms=C
 * With --threads 2 two threads, pinned to the two highest-numbered CPUs the process may use, take turns (each looks
 * every 2 * --poll-us, half a step apart) and a value counts as seen when either saw it; the line then also gives
 * what each thread alone missed (missed_0=, missed_1=).
 * Tests run it beside the connector on the same page: updates this loop misses are lost to the machine (a thread
 * descheduled for longer than an update period), not to the connector.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static long clock_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static long now_ns(void) {
    return clock_ns(CLOCK_MONOTONIC);
}

typedef struct {
    int index, cpu, realtime;
    long start, stride, deadline, until;
    const int32_t *counter;
    uint8_t *seen;             /* seen[c] bit index set when this thread saw counter value c */
    int *done;
    long first, looks;
} looker;

static void *look(void *arg) {
    looker *l = arg;
    if (l->cpu >= 0) {
        cpu_set_t cpus;
        CPU_ZERO(&cpus);
        CPU_SET(l->cpu, &cpus);
        if (pthread_setaffinity_np(pthread_self(), sizeof cpus, &cpus) != 0) fprintf(stderr, "floor_reader: not pinned\n");
    }
    if (l->realtime) {
        struct sched_param sp = {.sched_priority = 20};
        if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) != 0) fprintf(stderr, "floor_reader: no real-time priority\n");
    }
    long last = 0;
    long next = l->start;
    while (now_ns() < l->deadline && !__atomic_load_n(l->done, __ATOMIC_RELAXED)) {
        struct timespec ts = {next / 1000000000L, next % 1000000000L};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        l->looks++;
        long c = __atomic_load_n(l->counter, __ATOMIC_ACQUIRE);
        if (c != last && c > 0 && c <= l->until) {
            if (l->first == 0) l->first = c;
            __atomic_or_fetch(&l->seen[c], (uint8_t) (1 << l->index), __ATOMIC_RELAXED);
            last = c;
            if (c >= l->until) __atomic_store_n(l->done, 1, __ATOMIC_RELAXED);
        }
        next += l->stride;
        long now = now_ns();
        if (next < now) next = l->start + ((now - l->start) / l->stride + 1) * l->stride;
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

int main(int argc, char **argv) {
    const char *path = NULL;
    long offset = 0, poll_us = 200, until = 0, timeout_s = 120;
    int realtime = 0, threads = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--path") && i + 1 < argc) path = argv[++i];
        else if (!strcmp(argv[i], "--counter-offset") && i + 1 < argc) offset = atol(argv[++i]);
        else if (!strcmp(argv[i], "--poll-us") && i + 1 < argc) poll_us = atol(argv[++i]);
        else if (!strcmp(argv[i], "--until") && i + 1 < argc) until = atol(argv[++i]);
        else if (!strcmp(argv[i], "--timeout-s") && i + 1 < argc) timeout_s = atol(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--realtime")) realtime = 1;
        else {
            fprintf(stderr, "usage: %s --path /dev/shm/NAME --until N [--counter-offset 0] [--poll-us 200] "
                            "[--threads 1|2] [--timeout-s 120] [--realtime]\n", argv[0]);
            return 2;
        }
    }
    if (!path || until <= 0 || poll_us <= 0 || threads < 1 || threads > 2) {
        fprintf(stderr, "--path and --until are required; --threads is 1 or 2\n");
        return 2;
    }
    int cpus[2] = {-1, -1};
    if (threads == 2 && pick_cpus(cpus, 2) < 2) {
        fprintf(stderr, "--threads 2 needs two CPUs\n");
        return 2;
    }
    uint8_t *seen = calloc((size_t) until + 1, 1);
    if (!seen) return 1;
    printf("READY\n");
    fflush(stdout);
    long deadline = now_ns() + timeout_s * 1000000000L;
    int fd = -1;
    struct timespec wait = {0, 1000000};
    while ((fd = open(path, O_RDONLY)) < 0) {
        if (now_ns() > deadline) {
            printf("DONE error=no-page\n");
            return 1;
        }
        nanosleep(&wait, NULL);
    }
    struct stat st;
    while (fstat(fd, &st) == 0 && st.st_size < offset + 4) nanosleep(&wait, NULL);
    const uint8_t *page = mmap(NULL, (size_t) st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (page == MAP_FAILED) {
        printf("DONE error=mmap\n");
        return 1;
    }
    int done = 0;
    looker lookers[2];
    pthread_t ids[2];
    long wall0 = now_ns(), cpu0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    for (int i = 0; i < threads; i++) {
        lookers[i] = (looker) {.index = i, .cpu = threads == 2 ? cpus[i] : -1, .realtime = realtime,
                               .start = wall0 + i * poll_us * 1000L, .stride = threads * poll_us * 1000L,
                               .deadline = deadline, .until = until, .counter = (const int32_t *) (page + offset),
                               .seen = seen, .done = &done};
        if (pthread_create(&ids[i], NULL, look, &lookers[i]) != 0) return 1;
    }
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    long first = 0, looks = 0;
    for (int i = 0; i < threads; i++) {
        if (lookers[i].first > 0 && (first == 0 || lookers[i].first < first)) first = lookers[i].first;
        looks += lookers[i].looks;
    }
    long seen_count = 0, missed = 0, last = 0, missed_by[2] = {0, 0};
    for (long c = first; first > 0 && c <= until; c++) {
        if (seen[c]) {
            seen_count++;
            last = c;
        }
    }
    for (long c = first; first > 0 && c <= last; c++) {
        if (!seen[c]) missed++;
        for (int i = 0; i < threads; i++) {
            if (!(seen[c] & (1 << i))) missed_by[i]++;
        }
    }
    printf("DONE seen=%ld missed=%ld first=%ld last=%ld looks=%ld wall_ms=%ld cpu_ms=%ld", seen_count, missed, first,
           last, looks, (now_ns() - wall0) / 1000000L, (clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0) / 1000000L);
    if (threads == 2) printf(" missed_0=%ld missed_1=%ld", missed_by[0], missed_by[1]);
    printf("\n");
    return 0;
}
