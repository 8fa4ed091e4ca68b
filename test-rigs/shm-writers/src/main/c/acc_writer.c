/*
 * acc_writer: plays Assetto Corsa Competizione for tests, demos and benchmarks. Creates the three ACC pages in
 * POSIX shared memory (/dev/shm/<prefix>physics, <prefix>graphics, <prefix>static; prefix "acpmf_" gives the
 * names ACC uses) and updates physics at --rate Hz, graphics at --graphics-rate Hz and static once, with
 * deterministic trajectories that tests recompute from the update counter:
 *
 *   physics step k (packetId = k, from 1):  see write_physics(); speed, rpm, gear, arrays all functions of k
 *   laps: simulated time T = k * 1000 / rate ms; lap n lasts lap_time(n) ms, sectors 30% / 35% / rest,
 *         lap n is invalid when n % 3 == 0
 *
 * Torn-read self-check: each page's last field is written FIRST with the new counter value (physics.absVibrations
 * as a float, graphics.gapBehind as an int), then every other field, then packetId LAST with a release store. A
 * snapshot whose last field differs from its packetId was copied while a write was in progress.
 *
 * --types also writes <prefix>types, a 128-byte page with one field of every layout type (see types_page).
 * --realtime asks for SCHED_FIFO (as a game would run at high priority); without the privilege it goes on normally.
 * When the writer falls behind its schedule it never writes back-to-back to catch up: updates stay at least 3/4 of a
 * period apart, so every counter value is observable.
 * --freeze-reader PID --freeze-every N plays, every N physics updates, the worst case for a reader: the reader is
 * stopped (SIGSTOP) before update k is published, update k is written, a period later the writer writes update
 * k+1's fields, the reader continues (SIGCONT) and finds counter k over k+1's fields while the writer stays
 * "preempted" for five periods before it writes counter k+1. A reader that keeps that copy delivers a torn update k.
 * On SIGTERM/SIGINT, or after --count physics updates, the pages are removed (as a closing simulator does).
 * Prints "READY" once the pages exist and "DONE physics=N graphics=M laps=L" at the end.
 */
#define _GNU_SOURCE
#include "acc_pages.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <dirent.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    int64_t counter;
    int8_t i8;
    uint8_t u8;
    int16_t i16;
    uint16_t u16;
    int32_t i32;
    uint32_t u32;
    int64_t i64;
    float f32;
    double f64;
    uint8_t flag;
    char name8[12];
    uint16_t name16[8];
    int16_t arr16[3];
    double mat[2][2];
    int32_t scaled;
    int32_t check;
} types_page;
_Static_assert(sizeof(types_page) == 128, "types page size");
_Static_assert(offsetof(types_page, name16) == 62, "name16");
_Static_assert(offsetof(types_page, mat) == 88, "mat");

static volatile sig_atomic_t stop_requested = 0;
static void on_signal(int sig) { (void) sig; stop_requested = 1; }

static char names[4][256];

static void *create_page(int index, const char *prefix, const char *page, size_t size) {
    snprintf(names[index], sizeof names[index], "/%s%s", prefix, page);
    shm_unlink(names[index]);
    int fd = shm_open(names[index], O_CREAT | O_EXCL | O_RDWR, 0644);
    if (fd < 0) { fprintf(stderr, "shm_open %s: %s\n", names[index], strerror(errno)); exit(2); }
    if (ftruncate(fd, (off_t) size) != 0) { fprintf(stderr, "ftruncate: %s\n", strerror(errno)); exit(2); }
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) { fprintf(stderr, "mmap: %s\n", strerror(errno)); exit(2); }
    close(fd);
    memset(p, 0, size);
    return p;
}

static void wstr(uint16_t *dst, size_t units, const char *ascii_or_utf8) {
    /* ASCII plus the few non-ASCII characters the rig uses, enough for deterministic test strings */
    size_t n = 0;
    const unsigned char *s = (const unsigned char *) ascii_or_utf8;
    while (*s && n + 1 < units) {
        if (s[0] < 0x80) { dst[n++] = *s++; }
        else if ((s[0] & 0xE0) == 0xC0 && s[1]) { dst[n++] = (uint16_t) (((s[0] & 0x1F) << 6) | (s[1] & 0x3F)); s += 2; }
        else if ((s[0] & 0xF0) == 0xE0 && s[1] && s[2]) {
            dst[n++] = (uint16_t) (((s[0] & 0x0F) << 12) | ((s[1] & 0x3F) << 6) | (s[2] & 0x3F)); s += 3;
        } else { s++; }
    }
    while (n < units) dst[n++] = 0;
}

static long lap_base_ms = 4000;

/* Lap n (1-based) lasts lap_base_ms - 200 .. + 199 ms. */
static long lap_time(long n) { return lap_base_ms + (n * 137) % 400 - 200; }
static long sector1(long n) { return lap_time(n) * 3 / 10; }
static long sector2(long n) { return lap_time(n) * 35 / 100; }
static long sector3(long n) { return lap_time(n) - sector1(n) - sector2(n); }
static int lap_valid(long n) { return n % 3 != 0; }

static void fmt_time(uint16_t *dst, size_t units, long ms) {
    char buf[32];
    snprintf(buf, sizeof buf, "%ld:%02ld.%03ld", ms / 60000, (ms / 1000) % 60, ms % 1000);
    wstr(dst, units, buf);
}

static void write_physics_fields(acc_physics *p, int32_t k) {
    p->absVibrations = (float) k;                       /* self-check, written first */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    p->gas = (float) (k % 100) / 100.0f;
    p->brake = (float) ((k + 50) % 100) / 100.0f;
    p->fuel = 100.0f - (float) k * 0.001f;
    p->gear = 1 + (k / 500) % 6;
    p->rpms = 3000 + (k * 7) % 5000;
    p->steerAngle = (float) ((k % 200) - 100) / 100.0f;
    p->speedKmh = (float) (k % 3000) * 0.1f;
    p->velocity[0] = (float) k * 0.5f; p->velocity[1] = (float) k * -0.25f; p->velocity[2] = 1.0f;
    for (int i = 0; i < 4; i++) {
        p->wheelsPressure[i] = 27.5f + (float) i * 0.1f;
        p->tyreCoreTemperature[i] = 80.0f + (float) ((k + i) % 20);
        p->brakeTemp[i] = 300.0f + (float) i;
        for (int j = 0; j < 3; j++) p->tyreContactPoint[i][j] = (float) (i * 10 + j) + (float) (k % 7);
    }
    for (int i = 0; i < 5; i++) p->carDamage[i] = (float) i * 0.1f;
    p->pitLimiterOn = (k / 1000) % 2;
    p->waterTemp = 85.0f;
    p->isEngineRunning = 1;
    p->ignitionOn = 1;
}

static void write_physics(acc_physics *p, int32_t k) {
    write_physics_fields(p, k);
    __atomic_store_n(&p->packetId, k, __ATOMIC_RELEASE); /* counter last */
}

typedef struct { long completed; long lap_start_ms; } lap_state;

static void advance_laps(lap_state *s, long now_ms) {
    while (now_ms >= s->lap_start_ms + lap_time(s->completed + 1)) {
        s->lap_start_ms += lap_time(s->completed + 1);
        s->completed++;
    }
}

static void write_graphics(acc_graphics *g, int32_t id, const lap_state *s, long now_ms) {
    long n = s->completed + 1; /* current lap */
    long t = now_ms - s->lap_start_ms;
    int sector = t < sector1(n) ? 0 : (t < sector1(n) + sector2(n) ? 1 : 2);
    long last_sector = sector == 1 ? sector1(n) : sector == 2 ? sector2(n) : (s->completed > 0 ? sector3(s->completed) : 0);
    g->gapBehind = id;                                   /* self-check, written first */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    g->status = 2;                                       /* LIVE */
    g->session = 2;                                      /* RACE */
    g->completedLaps = (int32_t) s->completed;
    g->position = 1;
    g->iCurrentTime = (int32_t) t;
    g->iLastTime = s->completed > 0 ? (int32_t) lap_time(s->completed) : 0;
    g->iBestTime = g->iLastTime;
    fmt_time(g->currentTime, 15, t);
    fmt_time(g->lastTime, 15, g->iLastTime);
    g->currentSectorIndex = sector;
    g->lastSectorTime = (int32_t) last_sector;
    g->numberOfLaps = 0;
    g->isValidLap = lap_valid(n);
    g->normalizedCarPosition = (float) t / (float) lap_time(n);
    g->activeCars = 1;
    g->carCoordinates[0][0] = (float) t; g->carCoordinates[0][1] = 0.0f; g->carCoordinates[0][2] = -(float) t;
    g->carID[0] = 7;
    g->playerCarID = 7;
    g->sessionIndex = 0;
    g->Clock = (float) now_ms / 1000.0f;
    wstr(g->tyreCompound, 33, "dry_compound");
    wstr(g->trackStatus, 33, "OPTIMUM");
    g->gapAhead = 0;
    __atomic_store_n(&g->packetId, id, __ATOMIC_RELEASE);
}

static void write_static(acc_static *st) {
    wstr(st->smVersion, 15, "1.9");
    wstr(st->acVersion, 15, "1.10.2");
    st->numberOfSessions = 1;
    st->numCars = 1;
    wstr(st->carModel, 33, "porsche_991ii_gt3_r");
    wstr(st->track, 33, "monza");
    wstr(st->playerName, 33, "Ada");
    wstr(st->playerSurname, 33, "Lovelace");
    wstr(st->playerNick, 33, "AL");
    st->sectorCount = 3;
    st->maxRpm = 9250;
    st->maxFuel = 120.0f;
    st->penaltiesEnabled = 1;
    st->aidFuelRate = 1.0f;
    st->PitWindowStart = 600000;
    st->PitWindowEnd = 1200000;
    st->isOnline = 0;
    wstr(st->dryTyresName, 33, "DHE");
    wstr(st->wetTyresName, 33, "WH");
}

static void write_types(types_page *tp, int64_t k) {
    tp->check = (int32_t) k;                             /* self-check, written first */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    tp->i8 = (int8_t) -(k % 100);
    tp->u8 = (uint8_t) (200 + k % 50);
    tp->i16 = (int16_t) (-30000 + k % 1000);
    tp->u16 = (uint16_t) (60000 + k % 1000);
    tp->i32 = (int32_t) (-2000000000 + k % 1000000);
    tp->u32 = (uint32_t) (4000000000u + (uint32_t) (k % 1000));
    tp->i64 = -(((int64_t) 1) << 40) - k;
    tp->f32 = (float) k * 0.25f;
    tp->f64 = 1e10 + (double) k / 1024.0;
    tp->flag = (uint8_t) (k % 2);
    snprintf(tp->name8, sizeof tp->name8, "k\xc3\xa9-%ld", (long) (k % 100000));
    char buf[16];
    snprintf(buf, sizeof buf, "\xce\xa9-%ld", (long) (k % 10000));
    wstr(tp->name16, 8, buf);
    tp->arr16[0] = (int16_t) (k % 7); tp->arr16[1] = (int16_t) -(k % 7); tp->arr16[2] = 3;
    tp->mat[0][0] = (double) k; tp->mat[0][1] = (double) k + 0.5; tp->mat[1][0] = -(double) k; tp->mat[1][1] = 0.25;
    tp->scaled = (int32_t) (k % 1000000);
    __atomic_store_n(&tp->counter, k, __ATOMIC_RELEASE);
}

static long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void sleep_ns(long ns) {
    struct timespec ts = {ns / 1000000000L, ns % 1000000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {}
}

/* Waits (at most ~100 ms) until every thread of process pid is stopped. */
static void await_stopped(long pid) {
    char dir_name[64];
    snprintf(dir_name, sizeof dir_name, "/proc/%ld/task", pid);
    for (int attempt = 0; attempt < 200; attempt++) {
        DIR *dir = opendir(dir_name);
        if (!dir) return;
        int running = 0;
        struct dirent *e;
        while ((e = readdir(dir)) != NULL && !running) {
            if (e->d_name[0] == '.') continue;
            char path[384], stat[512];
            snprintf(path, sizeof path, "%s/%s/stat", dir_name, e->d_name);
            FILE *f = fopen(path, "r");
            if (!f) continue;
            size_t n = fread(stat, 1, sizeof stat - 1, f);
            fclose(f);
            stat[n] = 0;
            char *close = strrchr(stat, ')');
            if (close && close[1] == ' ' && close[2] != 'T' && close[2] != 't') running = 1;
        }
        closedir(dir);
        if (!running) return;
        sleep_ns(500000);
    }
}

/* Updates k and k+1 with the reader frozen across the start of k+1 (see --freeze-reader above). */
static void freeze_reader_across(acc_physics *p, int32_t k, long reader, long period_ns) {
    kill((pid_t) reader, SIGSTOP);
    await_stopped(reader);
    write_physics(p, k);
    sleep_ns(period_ns);
    p->absVibrations = (float) (k + 1);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    write_physics_fields(p, k + 1);
    kill((pid_t) reader, SIGCONT);
    sleep_ns(5 * period_ns);
    __atomic_store_n(&p->packetId, k + 1, __ATOMIC_RELEASE);
}

int main(int argc, char **argv) {
    const char *prefix = "acpmf_";
    double rate = 333.0, graphics_rate = 60.0;
    long count = 0;
    int types = 0;
    int realtime = 0;
    long freeze_reader = 0, freeze_every = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--prefix") && i + 1 < argc) prefix = argv[++i];
        else if (!strcmp(argv[i], "--rate") && i + 1 < argc) rate = atof(argv[++i]);
        else if (!strcmp(argv[i], "--graphics-rate") && i + 1 < argc) graphics_rate = atof(argv[++i]);
        else if (!strcmp(argv[i], "--lap-ms") && i + 1 < argc) lap_base_ms = atol(argv[++i]);
        else if (!strcmp(argv[i], "--count") && i + 1 < argc) count = atol(argv[++i]);
        else if (!strcmp(argv[i], "--types")) types = 1;
        else if (!strcmp(argv[i], "--realtime")) realtime = 1;
        else if (!strcmp(argv[i], "--freeze-reader") && i + 1 < argc) freeze_reader = atol(argv[++i]);
        else if (!strcmp(argv[i], "--freeze-every") && i + 1 < argc) freeze_every = atol(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--prefix acpmf_] [--rate 333] [--graphics-rate 60] [--lap-ms 4000] "
                            "[--count N] [--types] [--realtime] [--freeze-reader PID --freeze-every N]\n", argv[0]);
            return 2;
        }
    }
    if (rate <= 0 || graphics_rate <= 0 || lap_base_ms < 1000) { fprintf(stderr, "bad rate or lap time\n"); return 2; }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    if (realtime) {
        struct sched_param sp = {.sched_priority = 20};
        if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0) fprintf(stderr, "--realtime: %s (continuing)\n", strerror(errno));
    }
    acc_static *st = create_page(2, prefix, "static", sizeof(acc_static));
    write_static(st);
    acc_graphics *g = create_page(1, prefix, "graphics", sizeof(acc_graphics));
    acc_physics *p = create_page(0, prefix, "physics", sizeof(acc_physics));
    types_page *tp = types ? create_page(3, prefix, "types", sizeof(types_page)) : NULL;
    lap_state laps = {0, 0};
    int32_t graphics_id = 0;
    long period_ns = (long) (1e9 / rate);
    long graphics_period_ns = (long) (1e9 / graphics_rate);
    long start = now_ns();
    long next_graphics = start;
    long next_due = start;
    printf("READY\n");
    fflush(stdout);
    long k = 0;
    while (!stop_requested && (count == 0 || k < count)) {
        k++;
        long sim_ms = (long) ((double) k * 1000.0 / rate);
        if (freeze_reader > 0 && freeze_every > 0 && k % freeze_every == 0 && (count == 0 || k < count)) {
            if (tp) write_types(tp, k);
            freeze_reader_across(p, (int32_t) k, freeze_reader, period_ns);
            k++;
        } else {
            write_physics(p, (int32_t) k);
        }
        if (tp) write_types(tp, k);
        long now = now_ns();
        if (now >= next_graphics) {
            advance_laps(&laps, sim_ms);
            write_graphics(g, ++graphics_id, &laps, sim_ms);
            next_graphics += graphics_period_ns;
            if (next_graphics < now) next_graphics = now + graphics_period_ns;
        }
        /* Pace: when late, do not burst to catch up (a reader could not tell the updates apart); catch up with
         * updates three quarters of a period apart. Every update still gets its own counter value. */
        long due = next_due + period_ns;
        if (due < now + period_ns * 3 / 4) due = now + period_ns * 3 / 4;
        next_due = due;
        struct timespec ts = {due / 1000000000L, due % 1000000000L};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR && !stop_requested) {}
    }
    for (int i = 0; i < 4; i++) if (names[i][0]) shm_unlink(names[i]);
    printf("DONE physics=%ld graphics=%d laps=%ld\n", k, graphics_id, laps.completed);
    fflush(stdout);
    return 0;
}
