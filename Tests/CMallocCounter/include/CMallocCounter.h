#ifndef OHT50_CMALLOCCOUNTER_H
#define OHT50_CMALLOCCOUNTER_H
#include <stdint.h>

/* Counts heap allocations made by the calling thread while counting is on. The test binary's
   malloc family replaces glibc's (interposition) and forwards to glibc's __libc_* entry points; under ASan or TSan the sanitizer's allocation hook counts. */
void oht50_malloc_counting_begin(void);
uint64_t oht50_malloc_counting_end(void);
#endif
