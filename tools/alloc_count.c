/*
 * LD_PRELOAD allocation counter for a running oht50d: counts the malloc family per thread name
 * (oht50-safety, oht50-bus, everything else) and writes the three totals to $ALLOC_COUNT_REPORT
 * every 20 ms as "safety=N bus=N other=N". tools/arm64-test loads it into the packaged arm64 binary
 * to check the claim that the RT threads allocate nothing once running; "other" is the negative
 * control (the async side allocates, so a zero there would mean the counter saw nothing).
 *     cc -O2 -shared -fPIC -o alloc-count.so tools/alloc_count.c -lpthread
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static _Atomic uint64_t safety_count, bus_count, other_count;

static void count(void) {
    /* The name is read at every call: a thread names itself after it starts. */
    char name[16] = {0};
    prctl(PR_GET_NAME, name, 0, 0, 0);
    if (strcmp(name, "oht50-safety") == 0) atomic_fetch_add(&safety_count, 1);
    else if (strcmp(name, "oht50-bus") == 0) atomic_fetch_add(&bus_count, 1);
    else atomic_fetch_add(&other_count, 1);
}

void *malloc(size_t size) { count(); return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { count(); return __libc_calloc(n, size); }
void *realloc(void *p, size_t size) { count(); return __libc_realloc(p, size); }
void free(void *p) { __libc_free(p); }
void *memalign(size_t alignment, size_t size) { count(); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { count(); return __libc_memalign(alignment, size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
    count();
    void *p = __libc_memalign(alignment, size);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}

static void *report(void *path) {
    prctl(PR_SET_NAME, "alloc-report", 0, 0, 0);
    for (unsigned long long round = 1;; round++) {
        char line[128];
        int n = snprintf(line, sizeof line, "round=%llu safety=%llu bus=%llu other=%llu\n", round,
                         (unsigned long long)atomic_load(&safety_count), (unsigned long long)atomic_load(&bus_count),
                         (unsigned long long)atomic_load(&other_count));
        /* Written beside it, then renamed over it: a reader never sees a half-written line. */
        char temporary[4096];
        snprintf(temporary, sizeof temporary, "%s.partial", (const char *)path);
        int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0) {
            int written = write(fd, line, (size_t)n) == n;
            close(fd);
            if (written) rename(temporary, (const char *)path);
        }
        struct timespec pause = {0, 20 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    return NULL;
}

__attribute__((constructor)) static void start(void) {
    const char *path = getenv("ALLOC_COUNT_REPORT");
    if (path == NULL) return;
    pthread_t thread;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_create(&thread, &attributes, report, (void *)path);
    pthread_attr_destroy(&attributes);
}
