"""Facts shared by the Pulumi components and the services: defined once, imported by both."""
