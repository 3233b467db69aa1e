#define _GNU_SOURCE
#include "CPosixTTY.h"
#include <fcntl.h>
#include <stdlib.h>

int oht50_posix_openpt(int flags) { return posix_openpt(flags); }
int oht50_grantpt(int fd) { return grantpt(fd); }
int oht50_unlockpt(int fd) { return unlockpt(fd); }
int oht50_ptsname(int fd, char *buffer, unsigned long size) { return ptsname_r(fd, buffer, size); }
