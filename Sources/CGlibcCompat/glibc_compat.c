/*
 * The four glibc 2.38 functions that the static Swift runtime of Debian sid's swiftlang (the arm64
 * cross build's compiler) calls — __isoc23_strtol, __isoc23_strtoll, __isoc23_sscanf (what glibc 2.38's
 * headers turn strtol, strtoll and sscanf into) and strlcpy — defined here when linking against an
 * older glibc, so the binary needs nothing newer than bookworm's 2.36 (the package's `libc6 (>= …)`
 * comes from the symbols it really uses; tools/package checks it). Compiled only against glibc < 2.38:
 * a build on trixie or newer takes glibc's own.
 *
 * They do what glibc 2.38 does for every input the runtime gives them, with one C23 addition left out:
 * "0b"/"0B" binary prefixes. The __isoc23_ strto* here accept them as glibc 2.38 does; __isoc23_sscanf's
 * %b conversion is not supported (vsscanf of glibc 2.36 fails the match there).
 */
#include "oht50_glibc_compat.h"

#include <features.h>

#if !__GLIBC_PREREQ(2, 38)
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where a C23 binary number starts in `s` for `base` (0 or 2), or NULL: after white space and a sign,
 * "0b" or "0B" followed by a binary digit. */
static const char *binary_digits(const char *s, int base) {
    if (base != 0 && base != 2) return NULL;
    while (isspace((unsigned char)*s)) s++;
    if (*s == '+' || *s == '-') s++;
    if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B') && (s[2] == '0' || s[2] == '1')) return s + 2;
    return NULL;
}

long long __isoc23_strtoll(const char *restrict s, char **restrict end, int base) {
    const char *digits = binary_digits(s, base);
    if (digits == NULL) return strtoll(s, end, base);
    /* The sign is before the prefix: parse the digits, then apply it (LLONG_MIN included). */
    const char *p = s;
    while (isspace((unsigned char)*p)) p++;
    int negative = *p == '-';
    int saved = errno;
    errno = 0;
    unsigned long long magnitude = strtoull(digits, end, 2);
    int overflow = errno == ERANGE;
    errno = saved;
    if (overflow || magnitude > (unsigned long long)LLONG_MAX + (negative ? 1u : 0u)) {
        errno = ERANGE;
        return negative ? LLONG_MIN : LLONG_MAX;
    }
    return negative ? (long long)(0 - magnitude) : (long long)magnitude;
}

long __isoc23_strtol(const char *restrict s, char **restrict end, int base) {
    if (binary_digits(s, base) == NULL) return strtol(s, end, base);
    long long value = __isoc23_strtoll(s, end, base);
    if (value > LONG_MAX || value < LONG_MIN) {
        errno = ERANGE;
        return value < 0 ? LONG_MIN : LONG_MAX;
    }
    return (long)value;
}

int __isoc23_sscanf(const char *restrict s, const char *restrict format, ...);
int __isoc23_sscanf(const char *restrict s, const char *restrict format, ...) {
    va_list arguments;
    va_start(arguments, format);
    int n = vsscanf(s, format, arguments);
    va_end(arguments);
    return n;
}

size_t strlcpy(char *restrict to, const char *restrict from, size_t size) {
    size_t length = strlen(from);
    if (size > 0) {
        size_t n = length < size - 1 ? length : size - 1;
        memcpy(to, from, n);
        to[n] = '\0';
    }
    return length;
}
#endif
