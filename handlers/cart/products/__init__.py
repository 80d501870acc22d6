"""The sellers' and admins' product API: limits, the managed categories, bodies, access rules."""
