"""Runbooks as code: operations on a deployed stack (boto3 and the Automation API), each a
plan of printed steps that `--dry-run` shows without calling anything."""
