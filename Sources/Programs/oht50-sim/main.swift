import OHT50SimCLI

OHT50SimCommand.main()
