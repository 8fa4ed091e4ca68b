/*
 * te_writer: plays the Tennessee Eastman process simulator's shared page for tests and demos. Creates
 * /dev/shm/<name> (default sim_shmem) of 424 bytes: 41 XMEAS then 12 XMV doubles, and rewrites them at --rate Hz
 * with deterministic values of the step k (from 1):  xmeas[i] = (i+1)*10 + k*0.001,  xmv[j] = (j+1) + k*0.001.
 * The page has no update counter; every value carries k, so a torn copy shows as values of different steps.
 * Removes the page on SIGTERM/SIGINT or after --count steps. Prints "READY" and "DONE steps=N".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

typedef struct { double xmeas[41]; double xmv[12]; } te_page;
_Static_assert(sizeof(te_page) == 424, "TE page size");

static volatile sig_atomic_t stop_requested = 0;
static void on_signal(int sig) { (void) sig; stop_requested = 1; }

int main(int argc, char **argv) {
    const char *name = "sim_shmem";
    double rate = 10.0;
    long count = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--name") && i + 1 < argc) name = argv[++i];
        else if (!strcmp(argv[i], "--rate") && i + 1 < argc) rate = atof(argv[++i]);
        else if (!strcmp(argv[i], "--count") && i + 1 < argc) count = atol(argv[++i]);
        else { fprintf(stderr, "usage: %s [--name sim_shmem] [--rate 10] [--count N]\n", argv[0]); return 2; }
    }
    if (rate <= 0) { fprintf(stderr, "bad rate\n"); return 2; }
    char path[256];
    snprintf(path, sizeof path, "/%s", name);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    shm_unlink(path);
    int fd = shm_open(path, O_CREAT | O_EXCL | O_RDWR, 0644);
    if (fd < 0 || ftruncate(fd, sizeof(te_page)) != 0) { fprintf(stderr, "%s: %s\n", path, strerror(errno)); return 2; }
    te_page *page = mmap(NULL, sizeof(te_page), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (page == MAP_FAILED) { fprintf(stderr, "mmap: %s\n", strerror(errno)); return 2; }
    close(fd);
    long k = 0;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    long period_ns = (long) (1e9 / rate);
    int ready = 0;
    while (!stop_requested && (count == 0 || k < count)) {
        k++;
        for (int i = 0; i < 41; i++) page->xmeas[i] = (double) (i + 1) * 10 + (double) k * 0.001;
        for (int j = 0; j < 12; j++) page->xmv[j] = (double) (j + 1) + (double) k * 0.001;
        __atomic_thread_fence(__ATOMIC_RELEASE);
        if (!ready) { printf("READY\n"); fflush(stdout); ready = 1; }
        next.tv_nsec += period_ns;
        while (next.tv_nsec >= 1000000000L) { next.tv_nsec -= 1000000000L; next.tv_sec++; }
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR && !stop_requested) {}
    }
    shm_unlink(path);
    printf("DONE steps=%ld\n", k);
    fflush(stdout);
    return 0;
}
