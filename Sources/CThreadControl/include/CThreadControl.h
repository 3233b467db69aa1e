#ifndef OHT50_CTHREADCONTROL_H
#define OHT50_CTHREADCONTROL_H
#include <sys/types.h>

/* Thread naming and CPU placement: glibc's CPU_SET family are macros Swift cannot import. */
int oht50_set_current_thread_name(const char *name);
/* The calling thread's kernel id (gettid), as /proc/self/task lists it. */
int oht50_current_tid(void);
/* Restricts thread `tid` (0: the calling thread) to `count` CPUs; returns 0 or an errno value. */
int oht50_set_affinity(int tid, const int *cpus, int count);
/* Writes up to `capacity` CPUs thread `tid` may run on into `cpus`; returns how many, or -errno. */
int oht50_get_affinity(int tid, int *cpus, int capacity);
/* A non-blocking, close-on-exec eventfd (sys/eventfd.h is not in Swift's Glibc module); -1 on error. */
int oht50_eventfd(void);

/* Waits until the eventfd is raised (consuming it) or `timeout_ns` has passed; 0 only looks.
   1 when it was raised, 0 otherwise (ppoll is not in Swift's Glibc module either). */
int oht50_eventfd_wait(int fd, unsigned long long timeout_ns);

/* 1 when `path` (not followed if a link) carries a POSIX access ACL, 0 when not (sys/xattr.h is not in
   Swift's Glibc module). */
int oht50_has_access_acl(const char *path);
#endif
