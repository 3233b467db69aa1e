import Testing

/// Every test that starts real processes (daemons with 1 kHz SCHED_FIFO loops, simulators, pymodbus,
/// schemathesis) runs inside this suite, one at a time: on two cores, several at once starve each other
/// and the test measures the machine instead of the daemon.
@Suite(.serialized) enum EndToEnd {}
