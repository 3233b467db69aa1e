#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/eventfd.h>
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
