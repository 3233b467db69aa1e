#include "oht50_gpio.h"

#include "gpiod_api.h"

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { EVENT_BATCH = 16, DRAIN_BATCHES = 4 };

/* The library this process uses, loaded once (before any line is requested, so never on an RT thread):
 * libgpiod.so.3 (v2) if the system has it, else libgpiod.so.2 (v1). Every symbol is bound at load
 * (RTLD_NOW), and a library missing one of them is not used. */
#define FIELD(ret, name, params) ret(*name) params;
static struct { OHT50_GPIOD_V1_FUNCTIONS(FIELD) } v1;
static struct { OHT50_GPIOD_V2_FUNCTIONS(FIELD) } v2;
#undef FIELD
static int api;
static char load_error[512];
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

/* Binds every function of a list from `library`; 0, or -1 with the first missing name in load_error. */
#define BIND(ret, name, params)                                                                         \
    if ((*(void **)&table->name = dlsym(library, #name)) == NULL) {                                    \
        snprintf(load_error, sizeof load_error, "%s has no %s", file, #name);                          \
        return -1;                                                                                      \
    }
static int bind_v1(void *library, const char *file) {
    __typeof__(&v1) table = &v1;
    OHT50_GPIOD_V1_FUNCTIONS(BIND)
    return 0;
}
static int bind_v2(void *library, const char *file) {
    __typeof__(&v2) table = &v2;
    OHT50_GPIOD_V2_FUNCTIONS(BIND)
    return 0;
}
#undef BIND

static void load(void) {
    static const struct {
        const char *file;
        int api;
        int (*bind)(void *, const char *);
    } candidates[] = {{"libgpiod.so.3", 2, bind_v2}, {"libgpiod.so.2", 1, bind_v1}};
    char tried[sizeof load_error] = "";
    char rejected[sizeof load_error] = "";
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        void *library = dlopen(candidates[i].file, RTLD_NOW | RTLD_LOCAL);
        if (library == NULL) {
            const char *why = dlerror();
            size_t used = strlen(tried);
            snprintf(tried + used, sizeof tried - used, "%s%s", used ? "; " : "", why ? why : candidates[i].file);
            continue;
        }
        if (candidates[i].bind(library, candidates[i].file) == 0) {
            api = candidates[i].api;
            /* Kept only when a library that is there was passed over (one missing a symbol): doctor says it. */
            snprintf(load_error, sizeof load_error, "%s", rejected[0] ? rejected : "");
            return;
        }
        dlclose(library);
        size_t used = strlen(tried);
        snprintf(tried + used, sizeof tried - used, "%s%s", used ? "; " : "", load_error);
        snprintf(rejected, sizeof rejected, "%s", load_error);
    }
    snprintf(load_error, sizeof load_error, "%s", tried);
}

static int loaded(void) {
    pthread_once(&load_once, load);
    if (api == 0) errno = ELIBACC;
    return api != 0;
}

int oht50_gpio_api(void) {
    pthread_once(&load_once, load);
    return api;
}

const char *oht50_gpio_load_error(void) {
    pthread_once(&load_once, load);
    return load_error;
}

const char *oht50_gpio_library_version(void) {
    pthread_once(&load_once, load);
    const char *version = api == 1 ? v1.gpiod_version_string() : api == 2 ? v2.gpiod_api_version() : NULL;
    return version ? version : "";
}

struct oht50_gpio_line {
    int fd;
    /* v1: the chip stays open; closing it releases the line. */
    struct gpiod_chip *chip;
    struct gpiod_line *line;
    struct oht50_v1_line_event v1_events[EVENT_BATCH];
    /* v2: the request lives on without its chip. */
    struct gpiod_line_request *request;
    unsigned int offset;
    struct gpiod_edge_event_buffer *events;
};

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

static const char *v1_chip_label_of(struct gpiod_chip *chip, char *scratch, size_t size);
static const char *v2_chip_label_of(struct gpiod_chip *chip, char *scratch, size_t size);
static void v1_release(struct oht50_gpio_line *handle);
static void v2_release(struct oht50_gpio_line *handle);

static struct gpiod_chip *chip_open(const char *path) { return api == 1 ? v1.gpiod_chip_open(path) : v2.gpiod_chip_open(path); }

static void chip_close(struct gpiod_chip *chip) {
    if (api == 1) v1.gpiod_chip_close(chip);
    else v2.gpiod_chip_close(chip);
}

static const char *chip_label_of(struct gpiod_chip *chip, char *scratch, size_t size) {
    return api == 1 ? v1_chip_label_of(chip, scratch, size) : v2_chip_label_of(chip, scratch, size);
}

/* The chip a descriptor names, opened; NULL with errno (ENOENT: no chip by that name, path, label or
 * number). Labels are looked up by opening each /dev/gpiochip* in turn, as gpiodetect does. */
static struct gpiod_chip *open_chip(const char *descriptor) {
    char path[300];
    if (!loaded()) return NULL;
    if (descriptor == NULL || *descriptor == '\0') {
        errno = ENOENT;
        return NULL;
    }
    if (descriptor[0] == '/') return chip_open(descriptor);
    if (all_digits(descriptor)) {
        snprintf(path, sizeof path, "/dev/gpiochip%s", descriptor);
        return chip_open(path);
    }
    snprintf(path, sizeof path, "/dev/%s", descriptor);
    struct stat st;
    if (stat(path, &st) == 0) return chip_open(path);

    DIR *dev = opendir("/dev");
    if (dev == NULL) return NULL;
    int last_error = ENOENT;
    struct dirent *entry;
    while ((entry = readdir(dev)) != NULL) {
        if (strncmp(entry->d_name, "gpiochip", 8) != 0) continue;
        snprintf(path, sizeof path, "/dev/%s", entry->d_name);
        struct gpiod_chip *chip = chip_open(path);
        if (chip == NULL) {
            if (errno == EACCES || errno == EPERM) last_error = errno;
            continue;
        }
        char label[64];
        if (strcmp(chip_label_of(chip, label, sizeof label), descriptor) == 0) {
            closedir(dev);
            return chip;
        }
        chip_close(chip);
    }
    closedir(dev);
    errno = last_error;
    return NULL;
}


/* ---- libgpiod v1 (libgpiod.so.2) ---- */


static const char *v1_chip_label_of(struct gpiod_chip *chip, char *scratch, size_t size) {
    copy_string(scratch, size, v1.gpiod_chip_label(chip));
    return scratch;
}

static int v1_chip_info(const char *descriptor, struct oht50_gpio_chip_info *info) {
    struct gpiod_chip *chip = open_chip(descriptor);
    if (chip == NULL) return -1;
    copy_string(info->name, sizeof info->name, v1.gpiod_chip_name(chip));
    copy_string(info->label, sizeof info->label, v1.gpiod_chip_label(chip));
    info->lines = v1.gpiod_chip_num_lines(chip);
    v1.gpiod_chip_close(chip);
    return 0;
}

static int v1_line_info(const char *descriptor, unsigned int offset, struct oht50_gpio_line_info *info) {
    struct gpiod_chip *chip = open_chip(descriptor);
    if (chip == NULL) return -1;
    struct gpiod_line *line = v1.gpiod_chip_get_line(chip, offset);
    if (line == NULL) {
        int e = errno;
        v1.gpiod_chip_close(chip);
        errno = e;
        return -1;
    }
    v1.gpiod_line_update(line);
    info->used = v1.gpiod_line_is_used(line);
    info->output = v1.gpiod_line_direction(line) == OHT50_V1_DIRECTION_OUTPUT;
    copy_string(info->consumer, sizeof info->consumer, v1.gpiod_line_consumer(line));
    v1.gpiod_chip_close(chip);
    return 0;
}

static struct oht50_gpio_line *v1_request(const char *descriptor, unsigned int offset, int output, int initial, const char *consumer) {
    struct oht50_gpio_line *handle = calloc(1, sizeof *handle);
    if (handle == NULL) return NULL;
    handle->fd = -1;
    handle->chip = open_chip(descriptor);
    if (handle->chip == NULL) goto failed;
    handle->line = v1.gpiod_chip_get_line(handle->chip, offset);
    if (handle->line == NULL) goto failed;
    int status = output ? v1.gpiod_line_request_output(handle->line, consumer, initial ? 1 : 0)
                        : v1.gpiod_line_request_both_edges_events(handle->line, consumer);
    if (status < 0) goto failed;
    if (!output) {
        handle->fd = v1.gpiod_line_event_get_fd(handle->line);
        if (handle->fd < 0 || fcntl(handle->fd, F_SETFL, fcntl(handle->fd, F_GETFL) | O_NONBLOCK) < 0) goto failed;
    }
    return handle;
failed: {
        int e = errno;
        v1_release(handle);
        errno = e;
        return NULL;
    }
}

static void v1_release(struct oht50_gpio_line *handle) {
    if (handle == NULL) return;
    /* Closing the chip releases its requested lines. */
    if (handle->chip != NULL) v1.gpiod_chip_close(handle->chip);
    free(handle);
}

static int v1_get(struct oht50_gpio_line *handle) { return v1.gpiod_line_get_value(handle->line); }

static int v1_set(struct oht50_gpio_line *handle, int value) { return v1.gpiod_line_set_value(handle->line, value ? 1 : 0); }

static int v1_drain_edges(struct oht50_gpio_line *handle, int press_rising, uint64_t *press_ns, uint64_t *any_ns) {
    const int press = press_rising ? OHT50_V1_EVENT_RISING_EDGE : OHT50_V1_EVENT_FALLING_EDGE;
    /* At most DRAIN_BATCHES batches a cycle: a line chattering faster than the cycle cannot hold the
     * safety thread here; what is left is read next cycle. */
    for (int batch = 0; batch < DRAIN_BATCHES; batch++) {
        int n = v1.gpiod_line_event_read_fd_multiple(handle->fd, handle->v1_events, EVENT_BATCH);
        if (n < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
        for (int i = 0; i < n; i++) {
            const struct timespec ts = handle->v1_events[i].ts;
            const uint64_t at = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
            if (*any_ns == 0) *any_ns = at;
            if (handle->v1_events[i].event_type == press && *press_ns == 0) *press_ns = at;
        }
        if (n < EVENT_BATCH) return 0;
    }
    return 0;
}

/* ---- libgpiod v2 (libgpiod.so.3) ---- */


static const char *v2_chip_label_of(struct gpiod_chip *chip, char *scratch, size_t size) {
    struct gpiod_chip_info *info = v2.gpiod_chip_get_info(chip);
    copy_string(scratch, size, info ? v2.gpiod_chip_info_get_label(info) : "");
    if (info) v2.gpiod_chip_info_free(info);
    return scratch;
}

static int v2_chip_info(const char *descriptor, struct oht50_gpio_chip_info *info) {
    struct gpiod_chip *chip = open_chip(descriptor);
    if (chip == NULL) return -1;
    struct gpiod_chip_info *chip_info = v2.gpiod_chip_get_info(chip);
    if (chip_info == NULL) {
        int e = errno;
        v2.gpiod_chip_close(chip);
        errno = e;
        return -1;
    }
    copy_string(info->name, sizeof info->name, v2.gpiod_chip_info_get_name(chip_info));
    copy_string(info->label, sizeof info->label, v2.gpiod_chip_info_get_label(chip_info));
    info->lines = (unsigned int)v2.gpiod_chip_info_get_num_lines(chip_info);
    v2.gpiod_chip_info_free(chip_info);
    v2.gpiod_chip_close(chip);
    return 0;
}

static int v2_line_info(const char *descriptor, unsigned int offset, struct oht50_gpio_line_info *info) {
    struct gpiod_chip *chip = open_chip(descriptor);
    if (chip == NULL) return -1;
    struct gpiod_line_info *line = v2.gpiod_chip_get_line_info(chip, offset);
    if (line == NULL) {
        int e = errno;
        v2.gpiod_chip_close(chip);
        errno = e;
        return -1;
    }
    info->used = v2.gpiod_line_info_is_used(line);
    info->output = v2.gpiod_line_info_get_direction(line) == OHT50_V2_DIRECTION_OUTPUT;
    copy_string(info->consumer, sizeof info->consumer, v2.gpiod_line_info_get_consumer(line));
    v2.gpiod_line_info_free(line);
    v2.gpiod_chip_close(chip);
    return 0;
}

static struct oht50_gpio_line *v2_request(const char *descriptor, unsigned int offset, int output, int initial, const char *consumer) {
    struct oht50_gpio_line *handle = calloc(1, sizeof *handle);
    if (handle == NULL) return NULL;
    handle->offset = offset;
    handle->fd = -1;
    struct gpiod_chip *chip = open_chip(descriptor);
    const int open_error = errno; /* before the allocations below can change it */
    struct gpiod_line_settings *settings = v2.gpiod_line_settings_new();
    struct gpiod_line_config *line_config = v2.gpiod_line_config_new();
    struct gpiod_request_config *request_config = v2.gpiod_request_config_new();
    int e = ENOMEM;
    if (chip == NULL) {
        e = open_error;
        goto done;
    }
    if (settings == NULL || line_config == NULL || request_config == NULL) goto done;
    if (output) {
        v2.gpiod_line_settings_set_direction(settings, OHT50_V2_DIRECTION_OUTPUT);
        v2.gpiod_line_settings_set_output_value(settings, initial ? OHT50_V2_VALUE_ACTIVE : OHT50_V2_VALUE_INACTIVE);
    } else {
        v2.gpiod_line_settings_set_direction(settings, OHT50_V2_DIRECTION_INPUT);
        v2.gpiod_line_settings_set_edge_detection(settings, OHT50_V2_EDGE_BOTH);
        v2.gpiod_line_settings_set_event_clock(settings, OHT50_V2_CLOCK_MONOTONIC);
    }
    if (v2.gpiod_line_config_add_line_settings(line_config, &offset, 1, settings) < 0) {
        e = errno;
        goto done;
    }
    v2.gpiod_request_config_set_consumer(request_config, consumer);
    /* The chip's own offset check names the line count the same way v1's does. */
    handle->request = v2.gpiod_chip_request_lines(chip, request_config, line_config);
    if (handle->request == NULL) {
        e = errno;
        goto done;
    }
    if (!output) {
        handle->events = v2.gpiod_edge_event_buffer_new(EVENT_BATCH);
        handle->fd = v2.gpiod_line_request_get_fd(handle->request);
        if (handle->events == NULL || handle->fd < 0 || fcntl(handle->fd, F_SETFL, fcntl(handle->fd, F_GETFL) | O_NONBLOCK) < 0) {
            e = errno ? errno : ENOMEM;
            goto done;
        }
    }
    e = 0;
done:
    if (request_config) v2.gpiod_request_config_free(request_config);
    if (line_config) v2.gpiod_line_config_free(line_config);
    if (settings) v2.gpiod_line_settings_free(settings);
    /* A v2 request lives on without its chip. */
    if (chip) v2.gpiod_chip_close(chip);
    if (e != 0) {
        v2_release(handle);
        errno = e;
        return NULL;
    }
    return handle;
}

static void v2_release(struct oht50_gpio_line *handle) {
    if (handle == NULL) return;
    if (handle->events != NULL) v2.gpiod_edge_event_buffer_free(handle->events);
    if (handle->request != NULL) v2.gpiod_line_request_release(handle->request);
    free(handle);
}

static int v2_get(struct oht50_gpio_line *handle) {
    int value = v2.gpiod_line_request_get_value(handle->request, handle->offset);
    return value == OHT50_V2_VALUE_ERROR ? -1 : (value == OHT50_V2_VALUE_ACTIVE ? 1 : 0);
}

static int v2_set(struct oht50_gpio_line *handle, int value) {
    return v2.gpiod_line_request_set_value(handle->request, handle->offset, value ? OHT50_V2_VALUE_ACTIVE : OHT50_V2_VALUE_INACTIVE);
}

static int v2_drain_edges(struct oht50_gpio_line *handle, int press_rising, uint64_t *press_ns, uint64_t *any_ns) {
    const int press = press_rising ? OHT50_V2_EDGE_EVENT_RISING : OHT50_V2_EDGE_EVENT_FALLING;
    for (int batch = 0; batch < DRAIN_BATCHES; batch++) {
        int n = v2.gpiod_line_request_read_edge_events(handle->request, handle->events, EVENT_BATCH);
        if (n < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
        for (int i = 0; i < n; i++) {
            struct gpiod_edge_event *event = v2.gpiod_edge_event_buffer_get_event(handle->events, (unsigned long)i);
            const uint64_t at = v2.gpiod_edge_event_get_timestamp_ns(event);
            if (*any_ns == 0) *any_ns = at;
            if (v2.gpiod_edge_event_get_event_type(event) == press && *press_ns == 0) *press_ns = at;
        }
        if (n < EVENT_BATCH) return 0;
    }
    return 0;
}


/* ---- one API for both ---- */

int oht50_gpio_chip_info(const char *descriptor, struct oht50_gpio_chip_info *info) {
    if (!loaded()) return -1;
    return api == 1 ? v1_chip_info(descriptor, info) : v2_chip_info(descriptor, info);
}

int oht50_gpio_line_info(const char *descriptor, unsigned int offset, struct oht50_gpio_line_info *info) {
    if (!loaded()) return -1;
    return api == 1 ? v1_line_info(descriptor, offset, info) : v2_line_info(descriptor, offset, info);
}

static struct oht50_gpio_line *request(const char *descriptor, unsigned int offset, int output, int initial, const char *consumer) {
    if (!loaded()) return NULL;
    return api == 1 ? v1_request(descriptor, offset, output, initial, consumer) : v2_request(descriptor, offset, output, initial, consumer);
}

struct oht50_gpio_line *oht50_gpio_request_input_both_edges(const char *chip, unsigned int offset, const char *consumer) {
    return request(chip, offset, 0, 0, consumer);
}

struct oht50_gpio_line *oht50_gpio_request_output(const char *chip, unsigned int offset, int initial, const char *consumer) {
    return request(chip, offset, 1, initial, consumer);
}

/* A handle exists only when a library was loaded, so these need no check. */
void oht50_gpio_release(struct oht50_gpio_line *handle) {
    if (handle == NULL) return;
    if (api == 1) v1_release(handle);
    else v2_release(handle);
}

int oht50_gpio_get(struct oht50_gpio_line *handle) { return api == 1 ? v1_get(handle) : v2_get(handle); }

int oht50_gpio_set(struct oht50_gpio_line *handle, int value) { return api == 1 ? v1_set(handle, value) : v2_set(handle, value); }

int oht50_gpio_drain_edges(struct oht50_gpio_line *handle, int press_rising, uint64_t *press_ns, uint64_t *any_ns) {
    return api == 1 ? v1_drain_edges(handle, press_rising, press_ns, any_ns) : v2_drain_edges(handle, press_rising, press_ns, any_ns);
}
