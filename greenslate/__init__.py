"""greenslate application wiring: settings, command line, runtime."""
