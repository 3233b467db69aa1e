#define _GNU_SOURCE
#include <pthread.h>
#include "CThreadName.h"

/* Names the calling thread (at most 15 characters), so `ps -L`, `top -H` and /proc show it. */
int oht50_set_current_thread_name(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}
