"""Resource options shared by the components."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi


def child(
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource | None = None,
    depends_on: Sequence[pulumi.Resource] | None = None,
) -> pulumi.ResourceOptions:
    """Options for a child: parented, and inheriting its parent's region unless a provider
    for another region is given (GlobalData's children span regions)."""
    return pulumi.ResourceOptions(
        parent=parent, provider=provider, depends_on=list(depends_on) if depends_on else None
    )


def stateful(
    parent: pulumi.Resource,
    protect: bool,
    provider: pulumi.ProviderResource | None = None,
    depends_on: Sequence[pulumi.Resource] | None = None,
    ignore_changes: Sequence[str] | None = None,
) -> pulumi.ResourceOptions:
    """Options for a stateful resource (table, cluster, bucket, key): protected in prod."""
    return pulumi.ResourceOptions(
        parent=parent,
        provider=provider,
        protect=protect,
        depends_on=list(depends_on) if depends_on else None,
        ignore_changes=list(ignore_changes) if ignore_changes else None,
    )
