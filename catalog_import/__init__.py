"""`./shop3d catalog import`: a shop's products from a CSV or JSON file, through the admin API."""
