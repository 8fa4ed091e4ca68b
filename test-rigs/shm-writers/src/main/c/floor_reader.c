/*
 * floor_reader: the simplest possible counter poller, to measure what this machine allows. It waits for a page,
 * then looks at a 32-bit update counter every --poll-us (absolute schedule, SCHED_FIFO with --realtime) until the
 * counter reaches --until, and prints how many values it never saw, how often it looked and the CPU time its loop
 * took (so cpu_ms / looks is the cost of one timer wake-up on this machine):
 *   DONE seen=S missed=M first=F last=L looks=N wall_ms=W cpu_ms=C
 * Tests run it beside the connector on the same page: updates this loop misses are lost to the machine (a thread
 * descheduled for longer than an update period), not to the connector.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
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

int main(int argc, char **argv) {
    const char *path = NULL;
    long offset = 0, poll_us = 200, until = 0, timeout_s = 120;
    int realtime = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--path") && i + 1 < argc) path = argv[++i];
        else if (!strcmp(argv[i], "--counter-offset") && i + 1 < argc) offset = atol(argv[++i]);
        else if (!strcmp(argv[i], "--poll-us") && i + 1 < argc) poll_us = atol(argv[++i]);
        else if (!strcmp(argv[i], "--until") && i + 1 < argc) until = atol(argv[++i]);
        else if (!strcmp(argv[i], "--timeout-s") && i + 1 < argc) timeout_s = atol(argv[++i]);
        else if (!strcmp(argv[i], "--realtime")) realtime = 1;
        else {
            fprintf(stderr, "usage: %s --path /dev/shm/NAME --until N [--counter-offset 0] [--poll-us 200] "
                            "[--timeout-s 120] [--realtime]\n", argv[0]);
            return 2;
        }
    }
    if (!path || until <= 0 || poll_us <= 0) {
        fprintf(stderr, "--path and --until are required\n");
        return 2;
    }
    if (realtime) {
        struct sched_param sp = {.sched_priority = 20};
        if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0) fprintf(stderr, "floor_reader: no real-time priority\n");
    }
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
    const int32_t *counter = (const int32_t *) (page + offset);
    long seen = 0, missed = 0, first = 0, last = 0, looks = 0;
    long next = now_ns();
    long wall0 = next, cpu0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    while (now_ns() < deadline) {
        looks++;
        long c = __atomic_load_n(counter, __ATOMIC_ACQUIRE);
        if (c != last && c > 0) {
            if (seen == 0) first = c;
            else if (c > last + 1) missed += c - last - 1;
            seen++;
            last = c;
            if (c >= until) break;
        }
        next += poll_us * 1000L;
        long now = now_ns();
        if (next < now) next = now;
        struct timespec ts = {next / 1000000000L, next % 1000000000L};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    }
    printf("DONE seen=%ld missed=%ld first=%ld last=%ld looks=%ld wall_ms=%ld cpu_ms=%ld\n", seen, missed, first, last,
           looks, (now_ns() - wall0) / 1000000L, (clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0) / 1000000L);
    return 0;
}
