"""Command line: thin click commands — parse, build Settings, call the application layer, exit."""
