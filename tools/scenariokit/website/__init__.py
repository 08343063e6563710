"""The static site: its pages, theme, search files and prompts, and `serve`."""
