"""The region model: typed stack config, the region catalog, providers, and cell stamping."""
