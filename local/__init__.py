"""The local platform (`python -m local`, platform.py): real servers on loopback (servers.py),
their resources (resources.py), the ALB adapter and site server, the token issuer, the
sample catalog."""
