#ifndef OHT50_GLIBC_COMPAT_H
#define OHT50_GLIBC_COMPAT_H
/*
 * glibc 2.38's __isoc23_strtol, __isoc23_strtoll and strlcpy (and __isoc23_sscanf, not declared here:
 * Swift cannot call it), defined by glibc_compat.c when built against an older glibc; glibc's own
 * otherwise. Nothing in the daemon calls them by these names: the static Swift runtime does. They are
 * declared for the tests, which check either implementation the same way.
 */
#include <stddef.h>

long __isoc23_strtol(const char *restrict s, char **restrict end, int base);
long long __isoc23_strtoll(const char *restrict s, char **restrict end, int base);
size_t strlcpy(char *restrict to, const char *restrict from, size_t size);
#endif
