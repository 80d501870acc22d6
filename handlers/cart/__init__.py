"""The cart service: carts, guest sessions, checkout without overselling (Lambda behind the ALB)."""
