"""The cart service's HTTP side: the Lambda entry point, routes, request bodies, problems, and
who the caller is (guest cookie, tokens)."""
