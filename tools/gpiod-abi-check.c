/*
 * Checks Sources/CGPIOD/gpiod_api.h — libgpiod's functions, constants and v1's event structure as the
 * shim writes them out to load either library at run time — against the real <gpiod.h> of the
 * version installed: a mismatch fails the compile, naming the function or constant.
 *
 *   cc -std=gnu11 -fsyntax-only -I Sources/CGPIOD tools/gpiod-abi-check.c
 *
 * tools/kernel-test runs it in both guests: bookworm's libgpiod-dev 1.6 (v1) and trixie's 2.x (v2).
 */
#include <gpiod.h>
#include <stddef.h>

#define OHT50_ENUM(name) enum name
#define OHT50_V1_EVENT struct gpiod_line_event
#include "gpiod_api.h"

#define SAME(a, b) _Static_assert((a) == (b), #a " is not " #b)
#define SAME_TYPE(ret, name, params) \
    _Static_assert(__builtin_types_compatible_p(__typeof__(&name), ret(*) params), "the type of " #name " differs from <gpiod.h>");

#ifdef GPIOD_LINE_BULK_MAX_LINES /* v1 only */
OHT50_GPIOD_V1_FUNCTIONS(SAME_TYPE)
SAME(OHT50_V1_DIRECTION_OUTPUT, GPIOD_LINE_DIRECTION_OUTPUT);
SAME(OHT50_V1_EVENT_RISING_EDGE, GPIOD_LINE_EVENT_RISING_EDGE);
SAME(OHT50_V1_EVENT_FALLING_EDGE, GPIOD_LINE_EVENT_FALLING_EDGE);
SAME(sizeof(struct oht50_v1_line_event), sizeof(struct gpiod_line_event));
SAME(offsetof(struct oht50_v1_line_event, ts), offsetof(struct gpiod_line_event, ts));
SAME(offsetof(struct oht50_v1_line_event, event_type), offsetof(struct gpiod_line_event, event_type));
const char *oht50_gpiod_abi_checked = "v1";
#else
OHT50_GPIOD_V2_FUNCTIONS(SAME_TYPE)
SAME(OHT50_V2_DIRECTION_INPUT, GPIOD_LINE_DIRECTION_INPUT);
SAME(OHT50_V2_DIRECTION_OUTPUT, GPIOD_LINE_DIRECTION_OUTPUT);
SAME(OHT50_V2_EDGE_BOTH, GPIOD_LINE_EDGE_BOTH);
SAME(OHT50_V2_CLOCK_MONOTONIC, GPIOD_LINE_CLOCK_MONOTONIC);
SAME(OHT50_V2_VALUE_ERROR, GPIOD_LINE_VALUE_ERROR);
SAME(OHT50_V2_VALUE_INACTIVE, GPIOD_LINE_VALUE_INACTIVE);
SAME(OHT50_V2_VALUE_ACTIVE, GPIOD_LINE_VALUE_ACTIVE);
SAME(OHT50_V2_EDGE_EVENT_RISING, GPIOD_EDGE_EVENT_RISING_EDGE);
SAME(OHT50_V2_EDGE_EVENT_FALLING, GPIOD_EDGE_EVENT_FALLING_EDGE);
/* The shim passes these enums as int. */
SAME(sizeof(enum gpiod_line_value), sizeof(int));
SAME(sizeof(enum gpiod_line_direction), sizeof(int));
SAME(sizeof(enum gpiod_edge_event_type), sizeof(int));
const char *oht50_gpiod_abi_checked = "v2";
#endif
