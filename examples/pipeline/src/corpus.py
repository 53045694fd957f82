"""A tiny corpus shipped with the example, so it runs offline."""

TEXT = """the quick brown fox jumps over the lazy dog
a journey of a thousand miles begins with a single step
the early bird catches the worm"""
