"""The stack config: keys, presets, the region catalog, Pulumi.yaml's schema and parsing.

A leaf: everything may import it, and it imports nothing else of shop3d's (a test guards it).
"""
