#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <sys/xattr.h>
#include <stdlib.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include "CThreadControl.h"

/* Names the calling thread (at most 15 characters), so `ps -L`, `top -H` and /proc show it. */
int oht50_set_current_thread_name(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}

int oht50_current_tid(void) { return (int)gettid(); }

enum { MAX_CPUS = 4096 };

int oht50_set_affinity(int tid, const int *cpus, int count) {
    cpu_set_t *set = CPU_ALLOC(MAX_CPUS);
    if (!set) return ENOMEM;
    size_t size = CPU_ALLOC_SIZE(MAX_CPUS);
    CPU_ZERO_S(size, set);
    for (int i = 0; i < count; i++)
        if (cpus[i] >= 0 && cpus[i] < MAX_CPUS) CPU_SET_S(cpus[i], size, set);
    int result = sched_setaffinity(tid, size, set) == 0 ? 0 : errno;
    CPU_FREE(set);
    return result;
}

int oht50_get_affinity(int tid, int *cpus, int capacity) {
    cpu_set_t *set = CPU_ALLOC(MAX_CPUS);
    if (!set) return -ENOMEM;
    size_t size = CPU_ALLOC_SIZE(MAX_CPUS);
    if (sched_getaffinity(tid, size, set) != 0) {
        int error = errno;
        CPU_FREE(set);
        return -error;
    }
    int n = 0;
    for (int cpu = 0; cpu < MAX_CPUS && n < capacity; cpu++)
        if (CPU_ISSET_S(cpu, size, set)) cpus[n++] = cpu;
    CPU_FREE(set);
    return n;
}

int oht50_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

int oht50_eventfd_wait(int fd, unsigned long long timeout_ns) {
    struct timespec timeout = {.tv_sec = (time_t)(timeout_ns / 1000000000ULL), .tv_nsec = (long)(timeout_ns % 1000000000ULL)};
    struct pollfd ready = {.fd = fd, .events = POLLIN, .revents = 0};
    int n = timeout_ns == 0 ? 1 : ppoll(&ready, 1, &timeout, NULL);
    if (n <= 0) return 0;
    unsigned long long counter = 0;
    return read(fd, &counter, sizeof counter) == (ssize_t)sizeof counter ? 1 : 0;
}

int oht50_has_access_acl(const char *path) {
    return lgetxattr(path, "system.posix_acl_access", NULL, 0) > 0 ? 1 : 0;
}
