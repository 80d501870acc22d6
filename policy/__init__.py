"""shop3d's policy pack: rule functions (policy.rules), importable and testable without the CLI.

The pulumi-policy entry point (policy/__main__.py, policy/pack.py) only adapts these rules to
pulumi_policy; the rules themselves see plain `Resource`/`Stack` views (policy.model).
"""
