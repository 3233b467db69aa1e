#ifndef OHT50_CGPIOD_SHIM_H
#define OHT50_CGPIOD_SHIM_H
/* libgpiod v1 (Debian bookworm ships 1.6.3): chip/line requests and edge events. */
#include <gpiod.h>
#endif
