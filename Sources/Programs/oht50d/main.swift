import OHT50Core
import OHT50SimCLI
import OHT50dCLI
import RS485ProbeCLI

ProgramArguments.requireReadable()

// One binary for the vehicle (issue 30): /usr/bin/rs485-probe and /usr/bin/oht50-sim are links to
// /usr/bin/oht50d, and the name it is called by says which command it is.
let program = CommandLine.arguments.first?.split(separator: "/").last.map(String.init) ?? "oht50d"
switch program {
case "rs485-probe": RS485Probe.main()
case "oht50-sim": OHT50SimCommand.main()
default: await OHT50d.runAsProgram()
}
