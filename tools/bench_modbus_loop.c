/* The reference for tools/bench: a plain libmodbus loop of FC03 reads, as a C programmer would write
 * it. Usage: bench_modbus_loop PORT ADDRESS COUNT GAP_US
 * GAP_US > 0 waits that long between transactions (the t3.5 gap a master must keep on a real wire;
 * libmodbus does not). Prints: transactions ok elapsed_s per_second */
#include <errno.h>
#include <modbus.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s PORT ADDRESS COUNT GAP_US\n", argv[0]);
        return 2;
    }
    int address = atoi(argv[2]), count = atoi(argv[3]);
    long gap_us = atol(argv[4]);
    modbus_t *ctx = modbus_new_rtu(argv[1], 115200, 'N', 8, 1);
    if (!ctx || modbus_set_slave(ctx, address) < 0 || modbus_connect(ctx) < 0) {
        fprintf(stderr, "%s: %s\n", argv[1], modbus_strerror(errno));
        return 1;
    }
    modbus_set_response_timeout(ctx, 0, 20000);
    uint16_t regs[8];
    int ok = 0;
    struct timespec gap = {0, gap_us * 1000};
    double start = now();
    for (int i = 0; i < count; i++) {
        if (modbus_read_registers(ctx, 0, 8, regs) == 8) ok++;
        if (gap_us > 0) clock_nanosleep(CLOCK_MONOTONIC, 0, &gap, NULL);
    }
    double elapsed = now() - start;
    printf("%d %d %.6f %.1f\n", count, ok, elapsed, count / elapsed);
    modbus_close(ctx);
    modbus_free(ctx);
    return ok == count ? 0 : 1;
}
