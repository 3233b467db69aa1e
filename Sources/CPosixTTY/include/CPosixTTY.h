#ifndef OHT50_CPOSIXTTY_H
#define OHT50_CPOSIXTTY_H
/* The pty calls glibc declares only under _XOPEN_SOURCE/_GNU_SOURCE, which Swift's Glibc import
   does not define: thin wrappers so Swift can call them. */
int oht50_posix_openpt(int flags);
int oht50_grantpt(int fd);
int oht50_unlockpt(int fd);
/* Writes the slave's path into buffer; returns 0 or an errno. */
int oht50_ptsname(int fd, char *buffer, unsigned long size);
#endif
