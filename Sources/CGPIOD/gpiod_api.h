#ifndef OHT50_GPIOD_API_H
#define OHT50_GPIOD_API_H
/*
 * The parts of libgpiod's two APIs the shim uses, written out here because the shim loads whichever
 * library the system has at run time (dlopen) and so includes neither <gpiod.h>:
 *   v1: libgpiod.so.2 (Debian bookworm's libgpiod2, 1.6)
 *   v2: libgpiod.so.3 (Debian trixie's libgpiod3, 2.x)
 * Each X(return type, name, (parameters)) becomes a function pointer of that type, looked up by name.
 *
 * tools/gpiod-abi-check.c includes the real <gpiod.h> of either version and then this file, and checks
 * every function type, constant and structure layout below against it (tools/kernel-test runs it on
 * bookworm's v1 and trixie's v2 headers). OHT50_ENUM lets it see the real enum types.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifndef OHT50_ENUM
#define OHT50_ENUM(name) int
#endif
#ifndef OHT50_V1_EVENT
#define OHT50_V1_EVENT struct oht50_v1_line_event
#endif

struct gpiod_chip;
struct gpiod_line;
struct gpiod_chip_info;
struct gpiod_line_info;
struct gpiod_line_settings;
struct gpiod_line_config;
struct gpiod_request_config;
struct gpiod_line_request;
struct gpiod_edge_event_buffer;
struct gpiod_edge_event;

/* v1's event, as the library fills it in. */
struct oht50_v1_line_event {
    struct timespec ts;
    int event_type;
};

/* v1 constants. */
enum {
    OHT50_V1_DIRECTION_OUTPUT = 2,
    OHT50_V1_EVENT_RISING_EDGE = 1,
    OHT50_V1_EVENT_FALLING_EDGE = 2,
};

/* v2 constants. */
enum {
    OHT50_V2_DIRECTION_INPUT = 2,
    OHT50_V2_DIRECTION_OUTPUT = 3,
    OHT50_V2_EDGE_BOTH = 4,
    OHT50_V2_CLOCK_MONOTONIC = 1,
    OHT50_V2_VALUE_ERROR = -1,
    OHT50_V2_VALUE_INACTIVE = 0,
    OHT50_V2_VALUE_ACTIVE = 1,
    OHT50_V2_EDGE_EVENT_RISING = 1,
    OHT50_V2_EDGE_EVENT_FALLING = 2,
};

#define OHT50_GPIOD_V1_FUNCTIONS(X)                                                                     \
    X(const char *, gpiod_version_string, (void))                                                     \
    X(struct gpiod_chip *, gpiod_chip_open, (const char *))                                           \
    X(void, gpiod_chip_close, (struct gpiod_chip *))                                                  \
    X(const char *, gpiod_chip_name, (struct gpiod_chip *))                                           \
    X(const char *, gpiod_chip_label, (struct gpiod_chip *))                                          \
    X(unsigned int, gpiod_chip_num_lines, (struct gpiod_chip *))                                      \
    X(struct gpiod_line *, gpiod_chip_get_line, (struct gpiod_chip *, unsigned int))                  \
    X(int, gpiod_line_update, (struct gpiod_line *))                                                  \
    X(bool, gpiod_line_is_used, (struct gpiod_line *))                                                \
    X(int, gpiod_line_direction, (struct gpiod_line *))                                               \
    X(const char *, gpiod_line_consumer, (struct gpiod_line *))                                       \
    X(int, gpiod_line_request_output, (struct gpiod_line *, const char *, int))                       \
    X(int, gpiod_line_request_both_edges_events, (struct gpiod_line *, const char *))                 \
    X(int, gpiod_line_event_get_fd, (struct gpiod_line *))                                            \
    X(int, gpiod_line_get_value, (struct gpiod_line *))                                               \
    X(int, gpiod_line_set_value, (struct gpiod_line *, int))                                          \
    X(int, gpiod_line_event_read_fd_multiple, (int, OHT50_V1_EVENT *, unsigned int))

#define OHT50_GPIOD_V2_FUNCTIONS(X)                                                                     \
    X(const char *, gpiod_api_version, (void))                                                        \
    X(struct gpiod_chip *, gpiod_chip_open, (const char *))                                           \
    X(void, gpiod_chip_close, (struct gpiod_chip *))                                                  \
    X(struct gpiod_chip_info *, gpiod_chip_get_info, (struct gpiod_chip *))                           \
    X(void, gpiod_chip_info_free, (struct gpiod_chip_info *))                                         \
    X(const char *, gpiod_chip_info_get_name, (struct gpiod_chip_info *))                             \
    X(const char *, gpiod_chip_info_get_label, (struct gpiod_chip_info *))                            \
    X(size_t, gpiod_chip_info_get_num_lines, (struct gpiod_chip_info *))                              \
    X(struct gpiod_line_info *, gpiod_chip_get_line_info, (struct gpiod_chip *, unsigned int))        \
    X(void, gpiod_line_info_free, (struct gpiod_line_info *))                                         \
    X(bool, gpiod_line_info_is_used, (struct gpiod_line_info *))                                      \
    X(OHT50_ENUM(gpiod_line_direction), gpiod_line_info_get_direction, (struct gpiod_line_info *))    \
    X(const char *, gpiod_line_info_get_consumer, (struct gpiod_line_info *))                         \
    X(struct gpiod_line_settings *, gpiod_line_settings_new, (void))                                  \
    X(void, gpiod_line_settings_free, (struct gpiod_line_settings *))                                 \
    X(int, gpiod_line_settings_set_direction, (struct gpiod_line_settings *, OHT50_ENUM(gpiod_line_direction))) \
    X(int, gpiod_line_settings_set_edge_detection, (struct gpiod_line_settings *, OHT50_ENUM(gpiod_line_edge))) \
    X(int, gpiod_line_settings_set_event_clock, (struct gpiod_line_settings *, OHT50_ENUM(gpiod_line_clock))) \
    X(int, gpiod_line_settings_set_output_value, (struct gpiod_line_settings *, OHT50_ENUM(gpiod_line_value))) \
    X(struct gpiod_line_config *, gpiod_line_config_new, (void))                                      \
    X(void, gpiod_line_config_free, (struct gpiod_line_config *))                                     \
    X(int, gpiod_line_config_add_line_settings,                                                       \
      (struct gpiod_line_config *, const unsigned int *, size_t, struct gpiod_line_settings *))         \
    X(struct gpiod_request_config *, gpiod_request_config_new, (void))                                \
    X(void, gpiod_request_config_free, (struct gpiod_request_config *))                               \
    X(void, gpiod_request_config_set_consumer, (struct gpiod_request_config *, const char *))         \
    X(struct gpiod_line_request *, gpiod_chip_request_lines,                                          \
      (struct gpiod_chip *, struct gpiod_request_config *, struct gpiod_line_config *))               \
    X(void, gpiod_line_request_release, (struct gpiod_line_request *))                                \
    X(OHT50_ENUM(gpiod_line_value), gpiod_line_request_get_value, (struct gpiod_line_request *, unsigned int)) \
    X(int, gpiod_line_request_set_value, (struct gpiod_line_request *, unsigned int, OHT50_ENUM(gpiod_line_value))) \
    X(int, gpiod_line_request_get_fd, (struct gpiod_line_request *))                                  \
    X(int, gpiod_line_request_read_edge_events,                                                       \
      (struct gpiod_line_request *, struct gpiod_edge_event_buffer *, size_t))                        \
    X(struct gpiod_edge_event_buffer *, gpiod_edge_event_buffer_new, (size_t))                        \
    X(void, gpiod_edge_event_buffer_free, (struct gpiod_edge_event_buffer *))                         \
    X(struct gpiod_edge_event *, gpiod_edge_event_buffer_get_event,                                   \
      (struct gpiod_edge_event_buffer *, unsigned long))                                              \
    X(OHT50_ENUM(gpiod_edge_event_type), gpiod_edge_event_get_event_type, (struct gpiod_edge_event *)) \
    X(uint64_t, gpiod_edge_event_get_timestamp_ns, (struct gpiod_edge_event *))

#endif
