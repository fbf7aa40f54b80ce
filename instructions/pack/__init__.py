"""Content packs: publisher content (tests, answer keys, conversion tables, instructions,
manuals, example items, help videos) as YAML and Markdown files. See ``packs/README.md``."""

from instructions.pack.validate import Pack, Problem, read_pack

__all__ = ["Pack", "Problem", "read_pack"]
