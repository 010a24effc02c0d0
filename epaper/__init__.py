"""The `epaper` command and what every command line of the project shares (default paths, parsers, pipes)."""
