"""The local platform (`python -m local`, platform.py): real servers on loopback (servers.py),
their resources (resources.py), the ALB adapter and site server, the user pool in moto's Cognito (cognito.py), the
sample catalog."""
