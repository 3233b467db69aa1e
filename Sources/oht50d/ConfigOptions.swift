import ArgumentParser
import OHT50IO

struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The YAML config file.", valueName: "path"))
    var config: String?
}

/// EX_CONFIG and EX_UNAVAILABLE from sysexits.h, as DESIGN "Command lines" fixes them.
enum ExitStatus {
    static let badConfig = ExitCode(78)
    static let hardwareMissing = ExitCode(69)
}
