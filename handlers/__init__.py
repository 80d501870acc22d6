"""shop3d's services. Importable without Pulumi: components import only handlers.shared."""
