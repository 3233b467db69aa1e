import OHT50Core
import RS485ProbeCLI

ProgramArguments.requireReadable()
RS485Probe.main()
