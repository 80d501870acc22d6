"""Every region's checkout writes reach the current Aurora writer: over the recorded graph, for
dev, prod and the generated region lists of the catalog (tests/unit/test_cell.py runs
`assert_writes_reach_the_writer` on them), each region's cart function connects to
its own cluster's reader endpoint (live in a secondary, unlike its writer endpoint), that
cluster forwards writes to the writer (global write forwarding on every cluster of a
multi-region database, local write forwarding where the cluster has readers), and the IAM auth
token the handler signs from that environment is for that host, that region and a database user
the role may connect as.

Sources: Aurora's global write forwarding for PostgreSQL (a secondary forwards DML to the
primary; 14.9+, 15.4+, 16) https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/
aurora-global-database-write-forwarding-apg.html; local write forwarding (reader to writer in
one cluster; 14.13+, 15.8+, 16.4+) .../aurora-postgresql-write-forwarding.html; IAM policy
resource arn:aws:rds-db:<region>:<account>:dbuser:<DbClusterResourceId>/<user>
.../UsingWithRDS.IAMDBAuth.IAMPolicy.html.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from psycopg.conninfo import conninfo_to_dict

from handlers.cart.settings import DatabaseIam, Settings
from handlers.cart.stores.credentials import IamAuthToken
from handlers.shared import env
from handlers.shared.deploy_events import CART_DATABASE_ROLE
from offline.runner import ProgramRun, RecordedResource
from policy import tokens as t
from tests.unit.conftest import ProgramFactory

CLUSTER = t.RDS_CLUSTER
INSTANCE = t.RDS_CLUSTER_INSTANCE
# The mocks' cluster outputs (offline/mocks.py): what the program hands the cart.
READER_HOST = "{identifier}.cluster-ro-abcdefghijkl.{region}.rds.amazonaws.com"


def _variables(run: ProgramRun, name: str) -> dict[str, str]:
    variables: dict[str, str] = run.named(name).inputs["environment"]["variables"]
    return variables


def _instances(run: ProgramRun, cluster: RecordedResource) -> int:
    """The cluster's instances (logical names <cluster>-<index>)."""
    return sum(1 for r in run.of_type(INSTANCE) if r.name.startswith(f"{cluster.name}-"))


def _connect_arns(run: ProgramRun, region: str) -> list[str]:
    statements = json.loads(run.named(f"cell-{region}-cart-role-policy").inputs["policy"])[
        "Statement"
    ]
    found: list[str] = []
    for statement in statements:
        if "rds-db:connect" in statement["Action"]:
            resources = statement["Resource"]
            found += [resources] if isinstance(resources, str) else list(resources)
    return found


def _offline_rds(region: str) -> Any:
    """generate_db_auth_token signs locally; any key pair does (nothing is sent)."""
    return boto3.client(
        "rds",
        region_name=region,
        aws_access_key_id="AKIAEXAMPLEEXAMPLE00",
        aws_secret_access_key="example-secret-access-key",
    )


def assert_writes_reach_the_writer(run: ProgramRun, regions: list[str]) -> None:
    for region in regions:
        cluster = run.named(f"data-{region}-aurora")
        identifier = cluster.inputs["clusterIdentifier"]
        cart = _variables(run, f"cell-{region}-cart")
        assert cart[env.DATABASE_HOST] == READER_HOST.format(identifier=identifier, region=region)
        assert cart[env.HOME_REGION] == region
        multi_region = len(regions) > 1
        assert bool(cluster.inputs.get("enableGlobalWriteForwarding")) == multi_region, region
        readers = _instances(run, cluster) > 1
        assert bool(cluster.inputs.get("enableLocalWriteForwarding")) == readers, region
        # The token the handler signs from exactly this environment (offline: no AWS call).
        settings_ = Settings.from_env({**cart, env.CART_COOKIE_KEY: "k" * 32})
        access = settings_.database
        assert isinstance(access, DatabaseIam)
        url = IamAuthToken(_offline_rds(region), access).conninfo()
        parts = conninfo_to_dict(url)
        assert parts["host"] == cart[env.DATABASE_HOST]
        token = str(parts["password"])
        # Presigned for the host it connects to, scoped to the cluster's own region.
        assert token.startswith(f"{cart[env.DATABASE_HOST]}:5432/?Action=connect&")
        assert f"%2F{region}%2Frds-db%2Faws4_request" in token
        assert _connect_arns(run, region) == [
            f"arn:aws:rds-db:{region}:123456789012:dbuser:cluster-{identifier.upper()[:20]}"
            f"/{CART_DATABASE_ROLE}"
        ]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_regions_cart_writes_through_its_own_cluster_to_the_writer(
    program: ProgramFactory, stack: str
) -> None:
    run = program(stack)
    assert_writes_reach_the_writer(run, run.outputs["regions"])


def test_prod_has_a_multi_az_writer_and_one_instance_per_secondary(
    program: ProgramFactory,
) -> None:
    run = program("prod")
    primary, *secondaries = run.outputs["regions"]
    counts = {
        region: _instances(run, run.named(f"data-{region}-aurora"))
        for region in run.outputs["regions"]
    }
    assert counts == {primary: 2, **dict.fromkeys(secondaries, 1)}


def test_the_schema_step_runs_on_the_primary_clusters_writer_endpoint(
    program: ProgramFactory,
) -> None:
    run = program("prod")
    primary = run.outputs["regions"][0]
    identifier = run.named(f"data-{primary}-aurora").inputs["clusterIdentifier"]
    schema: dict[str, Any] = _variables(run, f"cell-{primary}-cart-schema")
    # DDL and GRANT are never forwarded: the schema goes to the writer endpoint itself.
    assert schema[env.DATABASE_HOST] == READER_HOST.format(
        identifier=identifier, region=primary
    ).replace(".cluster-ro-", ".cluster-")
