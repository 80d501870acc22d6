"""Cart service benchmark (see bench_cart.py)."""
