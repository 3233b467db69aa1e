import RS485ProbeCLI

RS485Probe.main()
