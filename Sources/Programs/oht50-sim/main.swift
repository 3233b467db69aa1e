import OHT50Core
import OHT50SimCLI

ProgramArguments.requireReadable()
OHT50SimCommand.main()
