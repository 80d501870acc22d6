"""Shipping: the dependency-layer builder and the Automation API driver (`python -m ci`)."""
