"""Command line: thin click commands that build a config, call the engine, pick reporters."""
