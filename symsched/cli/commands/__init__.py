"""One module per command of the ``symsched`` command line: ``add_parser(sub)`` and ``run(args)``."""
