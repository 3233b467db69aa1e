#ifndef OHT50_CTHREADNAME_H
#define OHT50_CTHREADNAME_H
/* pthread_setname_np needs _GNU_SOURCE, which Swift's Glibc module does not define. */
int oht50_set_current_thread_name(const char *name);
#endif
