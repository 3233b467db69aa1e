#if canImport(Glibc)
import Glibc
#endif

/// The command line, or a refusal. Swift reads a program's arguments through /proc on Linux: without
/// /proc (a rescue chroot) `CommandLine.arguments` is empty, and a command line that reads as empty is
/// `oht50d run` — `oht50d check-config` or `rs485-probe scan` would start the daemon and drive its
/// outputs. So an empty command line ends the program, saying why, before anything else runs.
public enum ProgramArguments {
    /// Exits with status 2 when the arguments cannot be read. `_exit`: nothing has run, so there is
    /// nothing to flush, and the exit handlers of a process without /proc are not to be trusted (a
    /// sanitizer's leak check reads /proc/self/task at exit and turns the 2 into a 1).
    public static func requireReadable(_ arguments: [String] = CommandLine.arguments) {
        guard arguments.isEmpty else { return }
        Console.error(
            "oht50d: the command line cannot be read (is /proc mounted? Swift reads the arguments from "
                + "/proc/self/cmdline); nothing was run")
        _exit(2)
    }
}
