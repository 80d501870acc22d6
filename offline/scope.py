"""Where a recorded resource belongs (a cell region or global) and its short type name.

One place for the rule, shared by `plan`, `diagram` and `cost`.
"""

from __future__ import annotations

from offline.runner import ProgramRun, RecordedResource

GLOBAL = "global"
# Account-wide or edge services: counted once, whatever provider registered them.
GLOBAL_SERVICES = ("aws:iam/", "aws:cloudfront/", "aws:route53/", "aws:wafv2/", "aws:acm/")


def short_type(type_: str) -> str:
    """'aws:s3/bucket:Bucket' -> 's3.Bucket'."""
    package, module, name = [*type_.split(":"), "", ""][:3]
    return f"{module.split('/')[0]}.{name}" if package == "aws" else f"{package}.{module}.{name}"


def cell_regions(run: ProgramRun) -> list[str]:
    """The stack's regions in config order (the first is the primary)."""
    return [str(r) for r in run.outputs.get("regions") or []]


def scope_of(resource: RecordedResource, regions: list[str] | set[str]) -> str:
    """A resource counts under its region when it lives in a cell region, else as global."""
    if resource.region in regions and not resource.type_.startswith(GLOBAL_SERVICES):
        return str(resource.region)
    return GLOBAL
