#ifndef OHT50_GPIO_H
#define OHT50_GPIO_H
/*
 * One GPIO line of a character device, over libgpiod v1 (Debian bookworm's libgpiod2: libgpiod.so.2)
 * or v2 (trixie's libgpiod3: libgpiod.so.3), whichever the system has, loaded at run time (v2 first).
 * The daemon's Swift code sees only this API, so one build runs on both releases.
 *
 * A chip is named the way `gpiodetect` shows it: a name (gpiochip1), a path (/dev/gpiochip1, or any
 * absolute path), a label (rockchip,gpio1) or a number (1). Failures return -1 or NULL with errno set.
 */
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 2 when libgpiod.so.3 (the v2 API) was loaded, 1 for libgpiod.so.2 (v1), 0 when neither could be:
 * then every call below fails with errno ELIBACC and oht50_gpio_load_error() says why. Loads on the
 * first call of any function here. With a library loaded, oht50_gpio_load_error() names the one passed
 * over, if any (libgpiod.so.3 missing a symbol), else is empty. */
int oht50_gpio_api(void);
const char *oht50_gpio_load_error(void);
/* The loaded library's own version ("1.6.3", "2.2.1"); empty when none was loaded. */
const char *oht50_gpio_library_version(void);

struct oht50_gpio_chip_info {
    char name[64];
    char label[64];
    unsigned int lines;
};

struct oht50_gpio_line_info {
    int used;
    int output;
    /* Empty when nobody holds the line or the holder gave no name. */
    char consumer[64];
};

/* The chip's name, label and line count; and one line's state, read without requesting it. */
int oht50_gpio_chip_info(const char *chip, struct oht50_gpio_chip_info *info);
int oht50_gpio_line_info(const char *chip, unsigned int offset, struct oht50_gpio_line_info *info);

struct oht50_gpio_line;

/* An input with both-edge events; its event descriptor is non-blocking. */
struct oht50_gpio_line *oht50_gpio_request_input_both_edges(const char *chip, unsigned int offset, const char *consumer);
/* An output driven to `initial` (0 or 1) from the moment it is requested. */
struct oht50_gpio_line *oht50_gpio_request_output(const char *chip, unsigned int offset, int initial, const char *consumer);
/* Releases the line (an output keeps the last value the kernel drove, as with gpioset). */
void oht50_gpio_release(struct oht50_gpio_line *line);

/* The physical level, 0 or 1; -1 on failure. Never allocates or blocks. */
int oht50_gpio_get(struct oht50_gpio_line *line);
/* 0 on success. Never allocates or blocks. */
int oht50_gpio_set(struct oht50_gpio_line *line, int value);

/*
 * Reads the pending edge events (at most 64 a call; the rest the next call) without blocking or allocating. `*press_ns` gets the kernel timestamp
 * (CLOCK_MONOTONIC) of the first rising (press_rising != 0) or falling edge among them, `*any_ns` that of
 * the first event of either kind; each stays as it was when there is none. (With both edges requested
 * the kernel types an event by the level its interrupt thread reads afterwards, so a pulse shorter than
 * that thread's latency can come as two events of the release's kind, or as one.) Returns 0, or -1 when
 * reading failed for another reason than "nothing there".
 */
int oht50_gpio_drain_edges(struct oht50_gpio_line *line, int press_rising, uint64_t *press_ns, uint64_t *any_ns);

#ifdef __cplusplus
}
#endif
#endif
