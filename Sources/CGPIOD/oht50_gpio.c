#include "oht50_gpio.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* libgpiod v1 defines this; v2 has no line bulks. */
#ifdef GPIOD_LINE_BULK_MAX_LINES
#define OHT50_GPIOD_V1 1
#endif

enum { EVENT_BATCH = 16 };

static void copy_string(char *to, size_t size, const char *from) {
    if (from == NULL) from = "";
    snprintf(to, size, "%s", from);
}

static int all_digits(const char *s) {
    if (*s == '\0') return 0;
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s)) return 0;
    }
    return 1;
}

static const char *chip_label_of(struct gpiod_chip *chip, char *scratch, size_t size);

/* The chip a descriptor names, opened; NULL with errno (ENOENT: no chip by that name, path, label or
 * number). Labels are looked up by opening each /dev/gpiochip* in turn, as gpiodetect does. */
static struct gpiod_chip *open_chip(const char *descriptor) {
    char path[300];
    if (descriptor == NULL || *descriptor == '\0') {
        errno = ENOENT;
        return NULL;
    }
    if (descriptor[0] == '/') return gpiod_chip_open(descriptor);
    if (all_digits(descriptor)) {
        snprintf(path, sizeof path, "/dev/gpiochip%s", descriptor);
        return gpiod_chip_open(path);
    }
    snprintf(path, sizeof path, "/dev/%s", descriptor);
    struct stat st;
    if (stat(path, &st) == 0) return gpiod_chip_open(path);

    DIR *dev = opendir("/dev");
    if (dev == NULL) return NULL;
    int last_error = ENOENT;
    struct dirent *entry;
    while ((entry = readdir(dev)) != NULL) {
        if (strncmp(entry->d_name, "gpiochip", 8) != 0) continue;
        snprintf(path, sizeof path, "/dev/%s", entry->d_name);
        struct gpiod_chip *chip = gpiod_chip_open(path);
        if (chip == NULL) {
            if (errno == EACCES || errno == EPERM) last_error = errno;
            continue;
        }
        char label[64];
        if (strcmp(chip_label_of(chip, label, sizeof label), descriptor) == 0) {
            closedir(dev);
            return chip;
        }
        gpiod_chip_close(chip);
    }
    closedir(dev);
    errno = last_error;
    return NULL;
}

#ifdef OHT50_GPIOD_V1

struct oht50_gpio_line {
    struct gpiod_chip *chip;
    struct gpiod_line *line;
    int fd;
    struct gpiod_line_event events[EVENT_BATCH];
};

static const char *chip_label_of(struct gpiod_chip *chip, char *scratch, size_t size) {
    copy_string(scratch, size, gpiod_chip_label(chip));
    return scratch;
}

int oht50_gpio_chip_info(const char *descriptor, struct oht50_gpio_chip_info *info) {
    struct gpiod_chip *chip = open_chip(descriptor);
    if (chip == NULL) return -1;
    copy_string(info->name, sizeof info->name, gpiod_chip_name(chip));
    copy_string(info->label, sizeof info->label, gpiod_chip_label(chip));
    info->lines = gpiod_chip_num_lines(chip);
    gpiod_chip_close(chip);
    return 0;
}

int oht50_gpio_line_info(const char *descriptor, unsigned int offset, struct oht50_gpio_line_info *info) {
    struct gpiod_chip *chip = open_chip(descriptor);
    if (chip == NULL) return -1;
    struct gpiod_line *line = gpiod_chip_get_line(chip, offset);
    if (line == NULL) {
        int e = errno;
        gpiod_chip_close(chip);
        errno = e;
        return -1;
    }
    gpiod_line_update(line);
    info->used = gpiod_line_is_used(line);
    info->output = gpiod_line_direction(line) == GPIOD_LINE_DIRECTION_OUTPUT;
    copy_string(info->consumer, sizeof info->consumer, gpiod_line_consumer(line));
    gpiod_chip_close(chip);
    return 0;
}

static struct oht50_gpio_line *request(const char *descriptor, unsigned int offset, int output, int initial, const char *consumer) {
    struct oht50_gpio_line *handle = calloc(1, sizeof *handle);
    if (handle == NULL) return NULL;
    handle->fd = -1;
    handle->chip = open_chip(descriptor);
    if (handle->chip == NULL) goto failed;
    handle->line = gpiod_chip_get_line(handle->chip, offset);
    if (handle->line == NULL) goto failed;
    int status = output ? gpiod_line_request_output(handle->line, consumer, initial ? 1 : 0)
                        : gpiod_line_request_both_edges_events(handle->line, consumer);
    if (status < 0) goto failed;
    if (!output) {
        handle->fd = gpiod_line_event_get_fd(handle->line);
        if (handle->fd < 0 || fcntl(handle->fd, F_SETFL, fcntl(handle->fd, F_GETFL) | O_NONBLOCK) < 0) goto failed;
    }
    return handle;
failed: {
        int e = errno;
        oht50_gpio_release(handle);
        errno = e;
        return NULL;
    }
}

void oht50_gpio_release(struct oht50_gpio_line *handle) {
    if (handle == NULL) return;
    /* Closing the chip releases its requested lines. */
    if (handle->chip != NULL) gpiod_chip_close(handle->chip);
    free(handle);
}

int oht50_gpio_get(struct oht50_gpio_line *handle) { return gpiod_line_get_value(handle->line); }

int oht50_gpio_set(struct oht50_gpio_line *handle, int value) { return gpiod_line_set_value(handle->line, value ? 1 : 0); }

int oht50_gpio_drain_edges(struct oht50_gpio_line *handle, int press_rising, uint64_t *press_ns, uint64_t *any_ns) {
    const int press = press_rising ? GPIOD_LINE_EVENT_RISING_EDGE : GPIOD_LINE_EVENT_FALLING_EDGE;
    for (;;) {
        int n = gpiod_line_event_read_fd_multiple(handle->fd, handle->events, EVENT_BATCH);
        if (n < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
        for (int i = 0; i < n; i++) {
            const struct timespec ts = handle->events[i].ts;
            const uint64_t at = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
            if (*any_ns == 0) *any_ns = at;
            if (handle->events[i].event_type == press && *press_ns == 0) *press_ns = at;
        }
        if (n < EVENT_BATCH) return 0;
    }
}

#else /* libgpiod v2 */

struct oht50_gpio_line {
    struct gpiod_line_request *request;
    unsigned int offset;
    int fd;
    struct gpiod_edge_event_buffer *events;
};

static const char *chip_label_of(struct gpiod_chip *chip, char *scratch, size_t size) {
    struct gpiod_chip_info *info = gpiod_chip_get_info(chip);
    copy_string(scratch, size, info ? gpiod_chip_info_get_label(info) : "");
    if (info) gpiod_chip_info_free(info);
    return scratch;
}

int oht50_gpio_chip_info(const char *descriptor, struct oht50_gpio_chip_info *info) {
    struct gpiod_chip *chip = open_chip(descriptor);
    if (chip == NULL) return -1;
    struct gpiod_chip_info *chip_info = gpiod_chip_get_info(chip);
    if (chip_info == NULL) {
        int e = errno;
        gpiod_chip_close(chip);
        errno = e;
        return -1;
    }
    copy_string(info->name, sizeof info->name, gpiod_chip_info_get_name(chip_info));
    copy_string(info->label, sizeof info->label, gpiod_chip_info_get_label(chip_info));
    info->lines = (unsigned int)gpiod_chip_info_get_num_lines(chip_info);
    gpiod_chip_info_free(chip_info);
    gpiod_chip_close(chip);
    return 0;
}

int oht50_gpio_line_info(const char *descriptor, unsigned int offset, struct oht50_gpio_line_info *info) {
    struct gpiod_chip *chip = open_chip(descriptor);
    if (chip == NULL) return -1;
    struct gpiod_line_info *line = gpiod_chip_get_line_info(chip, offset);
    if (line == NULL) {
        int e = errno;
        gpiod_chip_close(chip);
        errno = e;
        return -1;
    }
    info->used = gpiod_line_info_is_used(line);
    info->output = gpiod_line_info_get_direction(line) == GPIOD_LINE_DIRECTION_OUTPUT;
    copy_string(info->consumer, sizeof info->consumer, gpiod_line_info_get_consumer(line));
    gpiod_line_info_free(line);
    gpiod_chip_close(chip);
    return 0;
}

static struct oht50_gpio_line *request(const char *descriptor, unsigned int offset, int output, int initial, const char *consumer) {
    struct oht50_gpio_line *handle = calloc(1, sizeof *handle);
    if (handle == NULL) return NULL;
    handle->offset = offset;
    handle->fd = -1;
    struct gpiod_chip *chip = open_chip(descriptor);
    struct gpiod_line_settings *settings = gpiod_line_settings_new();
    struct gpiod_line_config *line_config = gpiod_line_config_new();
    struct gpiod_request_config *request_config = gpiod_request_config_new();
    int e = ENOMEM;
    if (chip == NULL) {
        e = errno;
        goto done;
    }
    if (settings == NULL || line_config == NULL || request_config == NULL) goto done;
    if (output) {
        gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_OUTPUT);
        gpiod_line_settings_set_output_value(settings, initial ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE);
    } else {
        gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_INPUT);
        gpiod_line_settings_set_edge_detection(settings, GPIOD_LINE_EDGE_BOTH);
        gpiod_line_settings_set_event_clock(settings, GPIOD_LINE_CLOCK_MONOTONIC);
    }
    if (gpiod_line_config_add_line_settings(line_config, &offset, 1, settings) < 0) {
        e = errno;
        goto done;
    }
    gpiod_request_config_set_consumer(request_config, consumer);
    /* The chip's own offset check names the line count the same way v1's does. */
    handle->request = gpiod_chip_request_lines(chip, request_config, line_config);
    if (handle->request == NULL) {
        e = errno;
        goto done;
    }
    if (!output) {
        handle->events = gpiod_edge_event_buffer_new(EVENT_BATCH);
        handle->fd = gpiod_line_request_get_fd(handle->request);
        if (handle->events == NULL || handle->fd < 0 || fcntl(handle->fd, F_SETFL, fcntl(handle->fd, F_GETFL) | O_NONBLOCK) < 0) {
            e = errno ? errno : ENOMEM;
            goto done;
        }
    }
    e = 0;
done:
    if (request_config) gpiod_request_config_free(request_config);
    if (line_config) gpiod_line_config_free(line_config);
    if (settings) gpiod_line_settings_free(settings);
    /* A v2 request lives on without its chip. */
    if (chip) gpiod_chip_close(chip);
    if (e != 0) {
        oht50_gpio_release(handle);
        errno = e;
        return NULL;
    }
    return handle;
}

void oht50_gpio_release(struct oht50_gpio_line *handle) {
    if (handle == NULL) return;
    if (handle->events != NULL) gpiod_edge_event_buffer_free(handle->events);
    if (handle->request != NULL) gpiod_line_request_release(handle->request);
    free(handle);
}

int oht50_gpio_get(struct oht50_gpio_line *handle) {
    enum gpiod_line_value value = gpiod_line_request_get_value(handle->request, handle->offset);
    return value == GPIOD_LINE_VALUE_ERROR ? -1 : (value == GPIOD_LINE_VALUE_ACTIVE ? 1 : 0);
}

int oht50_gpio_set(struct oht50_gpio_line *handle, int value) {
    return gpiod_line_request_set_value(handle->request, handle->offset, value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE);
}

int oht50_gpio_drain_edges(struct oht50_gpio_line *handle, int press_rising, uint64_t *press_ns, uint64_t *any_ns) {
    const enum gpiod_edge_event_type press = press_rising ? GPIOD_EDGE_EVENT_RISING_EDGE : GPIOD_EDGE_EVENT_FALLING_EDGE;
    for (;;) {
        int n = gpiod_line_request_read_edge_events(handle->request, handle->events, EVENT_BATCH);
        if (n < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
        for (int i = 0; i < n; i++) {
            struct gpiod_edge_event *event = gpiod_edge_event_buffer_get_event(handle->events, (unsigned long)i);
            const uint64_t at = gpiod_edge_event_get_timestamp_ns(event);
            if (*any_ns == 0) *any_ns = at;
            if (gpiod_edge_event_get_event_type(event) == press && *press_ns == 0) *press_ns = at;
        }
        if (n < EVENT_BATCH) return 0;
    }
}

#endif

struct oht50_gpio_line *oht50_gpio_request_input_both_edges(const char *chip, unsigned int offset, const char *consumer) {
    return request(chip, offset, 0, 0, consumer);
}

struct oht50_gpio_line *oht50_gpio_request_output(const char *chip, unsigned int offset, int initial, const char *consumer) {
    return request(chip, offset, 1, initial, consumer);
}
