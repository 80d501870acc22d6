"""The local stack: real servers on loopback (servers.py) and their resources (resources.py)."""
