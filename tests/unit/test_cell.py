"""RegionalCell over the recorded graph, for dev, prod, dev without a web tier and generated
region lists: every region has its full cell, network access is least privilege, every Lambda
has tracing, log retention and a dead-letter path, launch templates require IMDSv2, and every
role names specific resources."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi.runtime import rpc

from components.cell.alb import HEALTH_PATH, HEALTH_QUERY_KEY, TLS_POLICY, WEB_HEALTH_PATH
from components.cell_network import POSTGRES_PORT, REDIS_PORT
from components.origin_secret import ORIGIN_HEADER_NAME
from handlers.shared import env, storage
from handlers.shared.deploy_events import (
    APPLY_SCHEMA_EVENT_KEY,
    CART_DATABASE_ROLE,
    CART_SCHEMA_HANDLER,
    cart_schema_sha256,
)
from lambda_packaging.renderer_bundle import renderer_bundle
from offline.mocks import CLOUDFRONT_PREFIX_LIST
from offline.runner import ProgramRun, RecordedResource
from policy import tokens as t
from stack_config.catalog import REGIONS
from tests.unit.conftest import ProgramFactory
from tests.unit.graph import bucket_id
from tests.unit.test_write_path import assert_writes_reach_the_writer

FUNCTION = t.FUNCTION
INGRESS = t.INGRESS_RULE
GROUP = t.SECURITY_GROUP
LAUNCH_TEMPLATE = t.LAUNCH_TEMPLATE
LISTENER_RULE = t.LISTENER_RULE
ROLE_POLICY = t.IAM_ROLE_POLICY
LOG_GROUP = t.LOG_GROUP
QUEUE = t.SQS_QUEUE
WEB_OFF = {"webTier": False}
# Both presets run the web tier; tests of it still ask, so that a preset change keeps them on it.
WEB_ON = {"webTier": True}
# The catalog cache is off by default (it pays only above a read volume `./shop3d cost` prints).
CACHE_ON = {"catalogCache": True}
ALL_ON = WEB_ON | CACHE_ON

# (type, logical name suffix) every cell has, web tier or not.
CELL_PARTS = [
    ("shop3d:cell:RegionalCell", ""),
    (t.LOAD_BALANCER, "-alb"),
    (t.TARGET_GROUP, "-alb-cart"),
    (t.TARGET_GROUP_ATTACHMENT, "-alb-cart-attachment"),
    (FUNCTION, "-cart"),
    (FUNCTION, "-asset"),
    (QUEUE, "-asset-queue"),
    (QUEUE, "-asset-dlq"),
    (QUEUE, "-lambda-dlq"),
    (t.EVENT_SOURCE_MAPPING, "-asset-queue-mapping"),
    (t.BUCKET_NOTIFICATION, "-uploads-notification"),
    (t.BATCH_COMPUTE_ENVIRONMENT, "-batch-spot"),
    (t.BATCH_JOB_QUEUE, "-batch-queue"),
    (t.BATCH_JOB_DEFINITION, "-batch-job"),
    (t.SNS_TOPIC, "-alarms"),
    (t.DASHBOARD, "-dashboard"),
    (t.HEALTH_CHECK, "-health"),
    (t.FLOW_LOG, "-flow-log"),
    (t.VPC_ENDPOINT, "-endpoint-s3"),
    (t.VPC_ENDPOINT, "-endpoint-dynamodb"),
    (t.DEFAULT_SECURITY_GROUP, "-default-sg"),
]
WEB_PARTS = [
    (t.AUTOSCALING_GROUP, "-web-asg"),
    (LAUNCH_TEMPLATE, "-web-launch-template"),
    (t.TARGET_GROUP, "-alb-web"),
    (LISTENER_RULE, "-alb-rule-web"),
]
REDIS = "aws:elasticache/replicationGroup:ReplicationGroup"
REDIS_METRICS = {"EngineCPUUtilization", "Evictions"}
ALARMED_METRICS = {
    "HTTPCode_ELB_5XX_Count",
    "TargetResponseTime",
    "Errors",
    "Throttles",
    "ApproximateNumberOfMessagesVisible",
    "EngineCPUUtilization",
    "Evictions",
    "ReadThrottleEvents",
}


def cell(run: ProgramRun, region: str) -> list[RecordedResource]:
    return [r for r in run.resources if r.name.startswith(f"cell-{region}")]


def named(run: ProgramRun, region: str, suffix: str) -> RecordedResource:
    return run.named(f"cell-{region}{suffix}")


def group_id(region: str, role: str) -> str:
    """The id the mocks give a cell's security group (what its rules reference)."""
    return f"cell-{region}-{role}-sg-id"


def assert_full_cell(run: ProgramRun, regions: list[str], web_tier: bool) -> None:
    for region in regions:
        have = {(r.type_, r.name) for r in cell(run, region)}
        for type_, suffix in CELL_PARTS + (WEB_PARTS if web_tier else []):
            assert (type_, f"cell-{region}{suffix}") in have, f"{region} lacks {suffix} ({type_})"
        if not web_tier:
            assert not any(name.endswith(("-web-asg", "-alb-web")) for _, name in have)
        metrics = {
            r.inputs.get("metricName") for r in cell(run, region) if r.type_ == t.METRIC_ALARM
        }
        metrics |= {
            q["metric"]["metricName"]
            for r in cell(run, region)
            for q in r.inputs.get("metricQueries", [])
            if "metric" in q
        }
        lag = "AuroraReplicaLag" if region == regions[0] else "AuroraGlobalDBReplicationLag"
        expected = ALARMED_METRICS | {lag}
        if (REDIS, f"cell-{region}-redis") not in have:  # the catalog cache is off by default
            expected -= REDIS_METRICS
        assert expected <= metrics, f"{region} lacks alarms"


@pytest.mark.parametrize(
    ("stack", "overrides", "web_tier"),
    [("dev", None, True), ("prod", None, True), ("prod", ALL_ON, True), ("dev", WEB_OFF, False)],
)
def test_every_region_has_its_full_cell(
    program: ProgramFactory, stack: str, overrides: dict[str, Any] | None, web_tier: bool
) -> None:
    run = program(stack, overrides)
    assert_full_cell(run, run.outputs["regions"], web_tier)


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    regions=st.lists(st.sampled_from(sorted(REGIONS)), min_size=1, max_size=4, unique=True),
    web_tier=st.booleans(),
)
def test_generated_region_lists_get_a_full_cell_each(
    program: ProgramFactory, regions: list[str], web_tier: bool
) -> None:
    run = program("dev", {"regions": regions, "webTier": web_tier})
    assert_full_cell(run, regions, web_tier)
    assert_writes_reach_the_writer(run, regions)
    assert_least_privilege_network(run, regions)


def assert_least_privilege_network(run: ProgramRun, regions: list[str]) -> None:
    for rule in run.of_type(INGRESS):
        assert rule.inputs.get("cidrIpv4") is None and rule.inputs.get("cidrIpv6") is None, (
            f"{rule.name} admits an address range"
        )
    for group in run.of_type(GROUP):
        assert not group.inputs.get("ingress"), f"{group.name} has inline ingress"
    for region in regions:
        alb = named(run, region, "-alb")
        alb_groups = set(alb.inputs["securityGroups"])
        assert alb_groups == {group_id(region, "alb"), group_id(region, "alb-health")}
        alb_rules = [r for r in run.of_type(INGRESS) if r.inputs["securityGroupId"] in alb_groups]
        assert {r.inputs["securityGroupId"] for r in alb_rules} == alb_groups
        for rule in alb_rules:
            assert rule.inputs.get("prefixListId"), f"{rule.name} is not from a prefix list"
            assert rule.inputs.get("referencedSecurityGroupId") is None
        assert [
            r.inputs["prefixListId"]
            for r in alb_rules
            if r.inputs["securityGroupId"] == group_id(region, "alb")
        ] == [CLOUDFRONT_PREFIX_LIST]
        clients = {group_id(region, "web"), group_id(region, "lambda")}
        for role, port in (("cache", REDIS_PORT), ("db", POSTGRES_PORT)):
            rules = [
                r
                for r in run.of_type(INGRESS)
                if r.inputs["securityGroupId"] == group_id(region, role)
            ]
            assert {r.inputs.get("referencedSecurityGroupId") for r in rules} == clients
            assert {(r.inputs["fromPort"], r.inputs["toPort"]) for r in rules} == {(port, port)}
        default = named(run, region, "-default-sg")
        assert default.inputs.get("ingress") == [] and default.inputs.get("egress") == []


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_network_access_is_least_privilege(program: ProgramFactory, stack: str) -> None:
    run = program(stack)
    assert_least_privilege_network(run, run.outputs["regions"])


def test_interface_endpoints_when_asked_reach_aws_apis(program: ProgramFactory) -> None:
    prod, dev = program("prod", {"interfaceEndpoints": True}), program("prod")
    services = {"secretsmanager", "kms", "sqs", "logs"}
    for region in prod.outputs["regions"]:
        endpoints = {
            r.inputs["serviceName"].rsplit(".", 1)[1]: r
            for r in cell(prod, region)
            if r.type_ == t.VPC_ENDPOINT
        }
        assert services | {"s3", "dynamodb"} == set(endpoints)
        for service in services:
            assert endpoints[service].inputs["privateDnsEnabled"] is True
            assert endpoints[service].inputs["securityGroupIds"] == [group_id(region, "endpoints")]
    assert not [
        r for r in dev.of_type(t.VPC_ENDPOINT) if r.inputs["vpcEndpointType"] == "Interface"
    ]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_lambda_has_tracing_retention_concurrency_and_a_dead_letter_path(
    program: ProgramFactory, stack: str
) -> None:
    run = program(stack)
    retention = 365 if stack == "prod" else 14
    # The cells' own (Identity's Cognito trigger is synchronous, no DLQ: see test_identity.py).
    functions = [f for f in run.of_type(FUNCTION) if f.name.startswith("cell-")]
    # Cart and asset in every region, notifications in every region with a domain (SES sends
    # from it), cart-schema, order-jobs and search-projection in the primary.
    regions = len(run.outputs["regions"])
    notifications = [f for f in functions if "notifications" in f.name]
    assert len(notifications) in (0, regions)
    assert len(functions) == 2 * regions + len(notifications) + 3
    # Function and log group names repeat in every region (each region has its own).
    log_groups = {(r.region, r.inputs.get("name")): r for r in run.of_type(LOG_GROUP)}
    queue_arns = {
        f"arn:aws:sqs:{q.region}:123456789012:{q.name}-0a1b2c3": q for q in run.of_type(QUEUE)
    }
    for function in functions:
        inputs = function.inputs
        assert inputs["tracingConfig"] == {"mode": "Active"}, function.name
        # Nothing reserved by default: a new account's 10 cannot be reserved at all.
        assert "reservedConcurrentExecutions" not in inputs, function.name
        assert inputs["kmsKeyArn"].startswith(f"arn:aws:kms:{function.region}:")
        assert inputs["vpcConfig"]["subnetIds"], function.name
        group = log_groups[function.region, inputs["loggingConfig"]["logGroup"]]
        assert group.inputs["retentionInDays"] == retention
        assert group.inputs["kmsKeyId"].startswith(f"arn:aws:kms:{function.region}:")
        dead_letter = queue_arns[inputs["deadLetterConfig"]["targetArn"]]
        assert dead_letter.region == function.region
    for region in run.outputs["regions"]:
        queue = named(run, region, "-asset-queue")
        redrive = json.loads(queue.inputs["redrivePolicy"])
        assert redrive["deadLetterTargetArn"].endswith(f"cell-{region}-asset-dlq-0a1b2c3")
        assert redrive["maxReceiveCount"] >= 1
        assert (
            queue.inputs["visibilityTimeoutSeconds"]
            >= 6 * named(run, region, "-asset").inputs["timeout"]
        )


def test_a_reservation_from_config_goes_to_the_cart_function_only(
    program: ProgramFactory,
) -> None:
    run = program("dev", {"lambdaReservedConcurrency": 50})
    reserved = {
        f.name: f.inputs.get("reservedConcurrentExecutions")
        for f in run.of_type(FUNCTION)
        if f.inputs.get("reservedConcurrentExecutions") is not None
    }
    assert reserved == {f"cell-{region}-cart": 50 for region in run.outputs["regions"]}


@pytest.mark.parametrize(("overrides", "cap"), [({}, 5), ({"assetMaxConcurrency": 40}, 40)])
def test_the_asset_queue_caps_its_pollers_without_a_reservation(
    program: ProgramFactory, overrides: dict[str, object], cap: int
) -> None:
    run = program("dev", overrides)
    # The queues' mappings (maximumConcurrency is SQS's; the catalog stream's mapping has none).
    mappings = [
        m
        for m in run.of_type("aws:lambda/eventSourceMapping:EventSourceMapping")
        if ":sqs:" in m.inputs["eventSourceArn"]
    ]
    assert mappings and all(
        m.inputs["scalingConfig"] == {"maximumConcurrency": cap} for m in mappings
    )


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_launch_template_requires_imdsv2(program: ProgramFactory, stack: str) -> None:
    run = program(stack, WEB_ON)
    templates = run.of_type(LAUNCH_TEMPLATE)
    assert len(templates) == 2 * len(run.outputs["regions"])  # web tier and Batch hosts
    for template in templates:
        assert template.inputs["metadataOptions"]["httpTokens"] == "required", template.name
        for device in template.inputs["blockDeviceMappings"]:
            assert device["ebs"]["encrypted"] == "true", template.name
    for region in run.outputs["regions"]:
        web = named(run, region, "-web-launch-template")
        assert web.inputs["imageId"].startswith(
            "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-"
        )
        (interface,) = web.inputs["networkInterfaces"]
        assert interface["associatePublicIpAddress"] == "false"


def _resources(statement: dict[str, Any]) -> list[str]:
    resource = statement["Resource"]
    return resource if isinstance(resource, list) else [resource]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_role_policy_names_specific_resources(program: ProgramFactory, stack: str) -> None:
    run = program(stack, WEB_ON)  # the web role too
    policies = [p for p in run.of_type(ROLE_POLICY) if p.name.startswith("cell-")]
    assert len(policies) >= 6 * len(run.outputs["regions"])
    for policy in policies:
        for statement in json.loads(policy.inputs["policy"])["Statement"]:
            actions = statement["Action"]
            for action in actions if isinstance(actions, list) else [actions]:
                assert not action.endswith("*"), f"{policy.name}: {action}"
            for resource in _resources(statement):
                assert resource != "*" and resource.startswith("arn:aws:"), (
                    f"{policy.name} grants {statement['Action']} on {resource}"
                )


def test_the_catalog_readers_query_its_listing_indexes_and_never_scan_it(
    program: ProgramFactory,
) -> None:
    """The product list, the grid and the sitemap page the by-status indexes (a Query on
    table/<name>/index/*); a Scan of the catalog is granted to nobody."""
    run = program("prod", WEB_ON)
    for region in run.outputs["regions"]:
        for role in ("-cart-role-policy", "-web-role-policy"):
            statements = json.loads(named(run, region, role).inputs["policy"])["Statement"]
            (read,) = [s for s in statements if s["Sid"] == "ReadCatalog"]
            assert "dynamodb:Query" in read["Action"] and "dynamodb:Scan" not in read["Action"]
            table, index = _resources(read)
            assert ":table/" in table and index == table + "/index/*"
            granted = {a for s in statements for a in s["Action"]}
            assert "dynamodb:Scan" not in granted, role


def test_cart_role_reaches_only_its_own_region_and_tables(program: ProgramFactory) -> None:
    run = program("prod")
    for region in run.outputs["regions"]:
        policy = json.loads(named(run, region, "-cart-role-policy").inputs["policy"])
        resources = [res for s in policy["Statement"] for res in _resources(s)]
        # S3 ARNs name no region: the only bucket is this region's uploads bucket, under uploads/.
        s3 = [res for res in resources if res.startswith("arn:aws:s3:::")]
        uploads = bucket_id(run, region, "uploads")
        assert s3 == [f"arn:aws:s3:::{uploads}/uploads/*"]
        resources = [res for res in resources if res not in s3]
        assert all(f":{region}:" in res for res in resources), resources
        tables = [res.split("table/")[1] for res in resources if ":table/" in res]
        reached = {
            logical
            for logical in ("catalog", "carts", "sessions", "idempotency")
            for table in tables
            if f"-{logical}-" in table
        }
        assert reached == {"catalog", "carts", "idempotency", "sessions"}


def test_sessions_last_as_long_as_the_app_clients_refresh_tokens(program: ProgramFactory) -> None:
    run = program("dev", {"authRefreshTokenDays": 7})
    for region in run.outputs["regions"]:
        assert _environment(named(run, region, "-cart"))[env.SESSION_DAYS] == "7"


def _table_key(table: RecordedResource, region: str, primary: str) -> str:
    """The KMS key a global table's copy in `region` is encrypted with."""
    if region == primary:
        key: str = table.inputs["serverSideEncryption"]["kmsKeyArn"]
        return key
    (replica,) = [r for r in table.inputs["replicas"] if r["regionName"] == region]
    replica_key: str = replica["kmsKeyArn"]
    return replica_key


def _statement(policy: RecordedResource, sid: str) -> dict[str, Any]:
    statements: list[dict[str, Any]] = json.loads(policy.inputs["policy"])["Statement"]
    (statement,) = [s for s in statements if s["Sid"] == sid]
    return statement


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_cart_gets_its_regions_sessions_table_and_may_only_get_put_and_delete_sessions(
    program: ProgramFactory, stack: str
) -> None:
    run = program(stack)
    sessions_table = "aws:dynamodb/table:Table"
    (table,) = [r for r in run.of_type(sessions_table) if r.name.endswith("-sessions")]
    name = f"{table.name}-0a1b2c3"  # the mocks' autoname
    for region in run.outputs["regions"]:
        variables = _environment(named(run, region, "-cart"))
        assert variables[env.SESSIONS_TABLE] == name
        cart = named(run, region, "-cart-role-policy")
        sessions = _statement(cart, "Sessions")
        # The sessions table has no index: its item ARN in this region's replica, nothing else.
        assert _resources(sessions) == [f"arn:aws:dynamodb:{region}:123456789012:table/{name}"]
        assert sessions["Action"] == ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]
        every = [r for s in json.loads(cart.inputs["policy"])["Statement"] for r in _resources(s)]
        assert [r for r in every if "-sessions-" in r] == [_resources(sessions)[0]]
        # The table's key in this region, through DynamoDB only.
        key = _statement(cart, "SessionsTableKey")
        assert _resources(key) == [_table_key(table, region, run.outputs["primaryRegion"])]
        assert key["Condition"] == {
            "StringEquals": {"kms:ViaService": f"dynamodb.{region}.amazonaws.com"}
        }
        assert sorted(key["Action"]) == [
            "kms:Decrypt",
            "kms:DescribeKey",
            "kms:Encrypt",
            "kms:GenerateDataKey",
        ]


def test_the_cart_signs_model_uploads_and_edits_the_catalog_but_deletes_nothing(
    program: ProgramFactory,
) -> None:
    run = program("dev")
    for region in run.outputs["regions"]:
        cart = named(run, region, "-cart-role-policy")
        catalog = [r for r in _allowed(cart, "dynamodb:UpdateItem") if "-catalog-" in r]
        assert catalog and all(not r.endswith("/index/*") for r in catalog)
        assert any(r.endswith("/index/*") for r in _allowed(cart, "dynamodb:Query"))
        # Deletes: idempotency records and sessions (sign-out) only.
        assert not _allowed(cart, "dynamodb:DeleteItem") or all(
            "-idempotency-" in r or "-sessions-" in r for r in _allowed(cart, "dynamodb:DeleteItem")
        )
        for action in ("s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"):
            assert _allowed(cart, action) == [
                f"arn:aws:s3:::{bucket_id(run, region, 'uploads')}/uploads/*"
            ]
        assert not _allowed(cart, "s3:DeleteObject") and not _allowed(cart, "s3:GetObject")
        function = named(run, region, "-cart")
        variables = function.inputs["environment"]["variables"]
        assert variables["SHOP3D_UPLOADS_BUCKET"] == bucket_id(run, region, "uploads")


MASTER_SECRET = "aurora-master-secret"


def _allowed(policy: RecordedResource, action: str) -> list[str]:
    """The resources a role policy allows `action` on."""
    statements = json.loads(policy.inputs["policy"])["Statement"]
    return [res for s in statements if action in s["Action"] for res in _resources(s)]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_cart_signs_in_to_its_clusters_user_and_only_the_schema_function_reads_the_master(
    program: ProgramFactory, stack: str
) -> None:
    run = program(stack)
    primary = run.outputs["regions"][0]
    for region in run.outputs["regions"]:
        cart = named(run, region, "-cart-role-policy")
        cluster = run.named(f"data-{region}-aurora").inputs["clusterIdentifier"]
        # The mocks give a cluster the resource id "cluster-<IDENTIFIER, first 20>".
        assert _allowed(cart, "rds-db:connect") == [
            f"arn:aws:rds-db:{region}:123456789012:dbuser:cluster-{cluster.upper()[:20]}"
            f"/{CART_DATABASE_ROLE}"
        ]
        read = _allowed(cart, "secretsmanager:GetSecretValue")
        assert read and not [arn for arn in read if MASTER_SECRET in arn], read
        functions = {r.name for r in run.of_type(FUNCTION) if r.region == region}
        assert (f"cell-{region}-cart-schema" in functions) == (region == primary)
    schema = named(run, primary, "-cart-schema-role-policy")
    (secret,) = _allowed(schema, "secretsmanager:GetSecretValue")
    assert MASTER_SECRET in secret and f":{primary}:" in secret
    assert not _allowed(schema, "rds-db:connect")
    statements = json.loads(schema.inputs["policy"])["Statement"]
    assert {s["Sid"] for s in statements} == {
        "OwnLogGroup",
        "DeadLetterQueue",
        "RegionKey",
        "MasterSecret",
    }
    environment = _environment(named(run, primary, "-cart-schema"))
    assert environment == {
        env.DATABASE_SECRET_ARN: secret,
        env.DATABASE_HOST: run.named(f"data-{primary}-aurora").inputs["clusterIdentifier"]
        + ".cluster-abcdefghijkl."
        + primary
        + ".rds.amazonaws.com",
    }


def revealed(value: Any) -> Any:
    """A value the program marked secret (so plans and state never show it), unwrapped."""
    assert isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig, (
        f"not marked secret: {value!r}"
    )
    return value["value"]


def _environment(function: RecordedResource) -> dict[str, str]:
    variables: dict[str, str] = function.inputs["environment"]["variables"]
    return variables


def test_without_the_catalog_cache_the_cart_gets_no_redis_variables(
    program: ProgramFactory,
) -> None:
    run = program("prod")
    for region in run.outputs["regions"]:
        cart = _environment(named(run, region, "-cart"))
        assert env.REDIS_URL not in cart and env.REDIS_AUTH_SECRET_ARN not in cart
        statements = json.loads(named(run, region, "-cart-role-policy").inputs["policy"])
        (own,) = [s for s in statements["Statement"] if s["Sid"] == "OwnSecrets"]
        assert _resources(own) == [cart[env.CART_COOKIE_SECRET_ARN]]


def test_lambdas_get_every_variable_their_handlers_read(program: ProgramFactory) -> None:
    run = program("prod", CACHE_ON)
    primary = run.outputs["primaryRegion"]
    for region in run.outputs["regions"]:
        cart = _environment(named(run, region, "-cart"))
        assert set(cart) == {
            env.CATALOG_TABLE,
            env.CARTS_TABLE,
            env.IDEMPOTENCY_TABLE,
            env.HOME_REGION,
            env.DATABASE_IAM_USER,
            env.DATABASE_HOST,
            env.DATABASE_PORT,
            env.DATABASE_NAME,
            env.SEARCH_DATABASE_HOST,
            env.REDIS_URL,
            env.REDIS_AUTH_SECRET_ARN,
            env.CART_COOKIE_SECRET_ARN,
            env.UPLOADS_BUCKET,
            env.AUTH_ISSUER,
            env.AUTH_JWKS_URL,
            env.AUTH_CLIENT_ID,
            env.AUTH_DOMAIN_URL,
            env.AUTH_CALLBACK_URL,
            env.STRIPE_SECRET_ARN,
            env.RESERVATION_MINUTES,
            env.EVENT_BUS_NAME,
            env.SESSIONS_TABLE,
            env.SESSION_DAYS,
        }
        assert cart[env.HOME_REGION] == region
        # Managed login: the pool's domain in the primary region, the site's callback route.
        assert cart[env.AUTH_DOMAIN_URL] == (
            f"https://shop3d-prod-auth.auth.{primary}.amazoncognito.com"
        )
        assert cart[env.AUTH_CALLBACK_URL] == "https://shop3d.example.com/api/account/callback"
        # Payments: the region's replica of the stack's Stripe secret, the stack's reservation
        # time, the region's own order bus.
        assert cart[env.STRIPE_SECRET_ARN].startswith(f"arn:aws:secretsmanager:{region}:")
        assert "stripe-keys" in cart[env.STRIPE_SECRET_ARN]
        assert cart[env.RESERVATION_MINUTES] == "30"
        assert cart[env.EVENT_BUS_NAME] == named(run, region, "-orders-bus").inputs["name"]
        # Each region's cart reaches its own cluster (a secondary's is promoted on failover).
        assert cart[env.DATABASE_HOST].endswith(f".{region}.rds.amazonaws.com")
        assert cart[env.DATABASE_IAM_USER] == CART_DATABASE_ROLE
        # Search reads the region's read-only instances (the mocks' "cluster-ro-" endpoint).
        assert ".cluster-ro-" in cart[env.SEARCH_DATABASE_HOST]
        assert cart[env.SEARCH_DATABASE_HOST].endswith(f".{region}.rds.amazonaws.com")
        assert (cart[env.DATABASE_PORT], cart[env.DATABASE_NAME]) == (str(POSTGRES_PORT), "shop3d")
        assert cart[env.REDIS_URL].startswith("rediss://")
        assert cart[env.CART_COOKIE_SECRET_ARN].startswith(f"arn:aws:secretsmanager:{region}:")
        asset = _environment(named(run, region, "-asset"))
        # Every region publishes into its own assets bucket (replicated to the others) and
        # reads its own uploads.
        assert asset[env.ASSETS_BUCKET] == run.outputs["bucketNames"][region]["assets"]
        assert asset[env.UPLOADS_BUCKET] == run.outputs["bucketNames"][region]["uploads"]
        assert int(asset[env.ASSET_BATCH_THRESHOLD_BYTES]) == 200 * 1024 * 1024
        assert asset[env.ASSET_BATCH_JOB_QUEUE].startswith(f"arn:aws:batch:{region}:")
        assert asset[env.ASSET_BATCH_JOB_DEFINITION].startswith(f"arn:aws:batch:{region}:")
        assert asset[env.IDEMPOTENCY_TABLE] and asset[env.CATALOG_TABLE]
        # Secrets stay in Secrets Manager: no environment holds the Redis AUTH token.
        token = named(run, region, "-redis").inputs["authToken"]
        token = token["value"] if isinstance(token, dict) else token
        assert not [v for v in (*cart.values(), *asset.values()) if token in str(v)]
    # The order jobs run the cart's code with the cart's variables, in the writer's region only.
    jobs = [f for f in run.of_type(FUNCTION) if f.name.endswith("-order-jobs")]
    assert [f.region for f in jobs] == [primary]
    # ... except the sessions table, which only the API's sign-in and sign-out use.
    cart_variables = dict(_environment(named(run, primary, "-cart")))
    assert cart_variables.pop(env.SESSIONS_TABLE)
    assert cart_variables.pop(env.SESSION_DAYS) == "30"  # the app client's refresh tokens
    assert _environment(jobs[0]) == cart_variables
    jobs_policy = json.loads(named(run, primary, "-order-jobs-role-policy").inputs["policy"])
    assert not [s for s in jobs_policy["Statement"] if s["Sid"].startswith("Sessions")]


def test_alb_requires_the_origin_header_and_hardens_tls(program: ProgramFactory) -> None:
    run = program("prod", WEB_ON)  # the web rule too
    primary = run.outputs["regions"][0]
    for region in run.outputs["regions"]:
        alb = named(run, region, "-alb").inputs
        assert alb["dropInvalidHeaderFields"] is True
        assert alb["desyncMitigationMode"] == "strictest"
        assert alb["enableDeletionProtection"] is True
        assert alb["accessLogs"]["enabled"] is True
        assert alb["accessLogs"]["bucket"] == run.outputs["bucketNames"][region]["logs"]
        https = named(run, region, "-alb-https").inputs
        assert (https["protocol"], https["port"], https["sslPolicy"]) == ("HTTPS", 443, TLS_POLICY)
        assert https["defaultActions"][0]["fixedResponse"]["statusCode"] == "403"
        redirect = named(run, region, "-alb-http-redirect").inputs["defaultActions"][0]
        assert redirect["redirect"]["protocol"] == "HTTPS"
        rules = {
            r.name.rsplit("-", 1)[1]: revealed(r.inputs["conditions"])
            for r in cell(run, region)
            if r.type_ == LISTENER_RULE
        }
        assert set(rules) == {"health", "healthz", "api", "web"}
        # The value the origin secret stores is the one every rule and the health check use.
        stored = run.named(f"secret-{primary}-origin-header-version").inputs["secretString"]
        secret = stored["value"] if isinstance(stored, dict) else stored
        assert secret
        for name in ("api", "web"):
            headers = [c["httpHeader"] for c in rules[name] if "httpHeader" in c]
            assert headers == [{"httpHeaderName": ORIGIN_HEADER_NAME, "values": [secret]}]
        # Route 53 cannot send the header: its token opens /api/health only, and is not the
        # origin secret (query strings end up in access logs).
        (query,) = next(c["queryStrings"] for c in rules["health"] if "queryStrings" in c)
        assert query["key"] == HEALTH_QUERY_KEY
        token_urn = run.named(f"cell-{region}-alb-health-token").urn
        origin_urn = run.named("secret-origin-header-value").urn
        depends = {
            name: set(named(run, region, f"-alb-rule-{name}").dependencies) for name in rules
        }
        assert token_urn in depends["health"] and origin_urn not in depends["health"]
        assert origin_urn in depends["api"] and token_urn not in depends["api"]
        assert [c["pathPattern"]["values"] for c in rules["health"] if "pathPattern" in c] == [
            [HEALTH_PATH]
        ]
        check = named(run, region, "-health").inputs
        assert check["type"] == "HTTPS" and check["port"] == 443
        # The page renderer's check: /healthz with the same token, to the web target group.
        assert [c["pathPattern"]["values"] for c in rules["healthz"] if "pathPattern" in c] == [
            [WEB_HEALTH_PATH]
        ]
        web_check = named(run, region, "-health-web").inputs
        assert revealed(web_check["resourcePath"]) == (
            f"{WEB_HEALTH_PATH}?{HEALTH_QUERY_KEY}={query['value']}"
        )
        assert check["fqdn"].endswith(f".{region}.elb.amazonaws.com")
        assert revealed(check["resourcePath"]) == (
            f"{HEALTH_PATH}?{HEALTH_QUERY_KEY}={query['value']}"
        )


def test_without_a_domain_cloudfront_reaches_the_alb_over_http(program: ProgramFactory) -> None:
    run = program("dev")
    for region in run.outputs["regions"]:
        listener = named(run, region, "-alb-http").inputs
        assert (listener["protocol"], listener["port"]) == ("HTTP", 80)
        assert named(run, region, "-health").inputs["type"] == "HTTP"
        ports = {
            r.inputs["fromPort"]
            for r in run.of_type(INGRESS)
            if r.inputs["securityGroupId"] == group_id(region, "alb")
        }
        assert ports == {80}


def test_with_a_web_tier_the_cells_records_carry_a_check_of_api_and_pages(
    program: ProgramFactory,
) -> None:
    """A calculated check (Route 53 Developer Guide, "Creating, updating, and deleting health
    checks": child health checks, and how many must be healthy) over the API's and the page
    renderer's checks, healthy only when both are; without the web tier, the API's alone."""
    for overrides, web in ((WEB_ON, True), (WEB_OFF, False)):
        run = program("prod", overrides)
        for region in run.outputs["regions"]:
            checks = {c.name: c for c in cell(run, region) if c.type_ == t.HEALTH_CHECK}
            api = checks[f"cell-{region}-health"]
            if not web:
                assert list(checks) == [api.name]
                continue
            pages, combined = (
                checks[f"cell-{region}-health-web"],
                checks[f"cell-{region}-health-cell"],
            )
            assert combined.inputs["type"] == "CALCULATED"
            assert combined.inputs["childHealthThreshold"] == 2
            assert {api.urn, pages.urn} <= set(combined.dependencies)
            assert sorted(combined.inputs["childHealthchecks"]) == sorted(
                [f"{api.name}-id", f"{pages.name}-id"]  # offline/mocks.py: ids are <name>-id
            )
        # The records' checks (GlobalEdge reads these): the combined one, or the API's.
        expected = "health-cell" if web else "health"
        assert run.outputs["healthCheckIds"] == {
            r: f"cell-{r}-{expected}-id" for r in run.outputs["regions"]
        }


def test_without_a_web_tier_only_the_api_is_routed(program: ProgramFactory) -> None:
    run = program("dev", WEB_OFF)
    for region in run.outputs["regions"]:
        rules = sorted(r.name for r in cell(run, region) if r.type_ == LISTENER_RULE)
        assert rules == [f"cell-{region}-alb-rule-api", f"cell-{region}-alb-rule-health"]
        assert not [r for r in cell(run, region) if r.type_ == t.AUTOSCALING_GROUP]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_web_tier_takes_only_https_and_only_from_the_alb(
    program: ProgramFactory, stack: str
) -> None:
    run = program(stack)  # on in both presets
    for region in run.outputs["regions"]:
        targets = named(run, region, "-alb-web").inputs
        # TLS to the instances (policy rule alb-target-group-https, CKV_AWS_378); the ALB does
        # not validate the instances' self-signed certificates (Target groups for your
        # Application Load Balancers, Routing configuration).
        assert (targets["protocol"], targets["port"]) == ("HTTPS", 443)
        check = targets["healthCheck"]
        assert (check["protocol"], check["path"], check["matcher"]) == (
            "HTTPS",
            WEB_HEALTH_PATH,
            "200",
        )
        web, alb = group_id(region, "web"), group_id(region, "alb")
        ingress = [r.inputs for r in run.of_type(INGRESS) if r.inputs["securityGroupId"] == web]
        assert [
            (r["referencedSecurityGroupId"], r["fromPort"], r["toPort"], r["ipProtocol"])
            for r in ingress
        ] == [(alb, 443, 443, "tcp")]
        to_web = [
            r.inputs
            for r in run.of_type(t.EGRESS_RULE)
            if r.inputs["securityGroupId"] == alb
            and r.inputs.get("referencedSecurityGroupId") == web
        ]
        assert [(r["fromPort"], r["toPort"]) for r in to_web] == [(443, 443)]


@pytest.mark.parametrize(("stack", "healthy"), [("dev", 1), ("prod", 2)])
def test_a_first_deploy_waits_for_healthy_targets_and_fails_past_the_timeout(
    program: ProgramFactory, stack: str, healthy: int
) -> None:
    run = program(stack)
    for region in run.outputs["regions"]:
        group = named(run, region, "-web-asg").inputs
        # "The min_elb_capacity parameter causes the provider to wait for at least the requested
        # number of instances to show up InService in all attached ELBs during ASG creation. It
        # has no effect on ASG updates." ... "the provider will wait for up to
        # wait_for_capacity_timeout" ("Waiting for Capacity", pulumi-aws autoscaling.Group).
        assert group["minElbCapacity"] == group["minSize"] == healthy
        assert group["waitForCapacityTimeout"] == "20m"
        # Not wait_for_elb_capacity: on an update that changes min_size it wants exactly that many
        # healthy targets, false whenever target tracking has scaled out.
        assert "waitForElbCapacity" not in group
        (target_group,) = group["targetGroupArns"]  # the web target group's, whose health counts
        assert "-alb-web" in target_group


def test_web_tier_mixes_on_demand_base_and_spot(program: ProgramFactory) -> None:
    run = program("prod", WEB_ON)
    for region in run.outputs["regions"]:
        group = named(run, region, "-web-asg").inputs
        policy = group["mixedInstancesPolicy"]
        distribution = policy["instancesDistribution"]
        assert distribution["onDemandBaseCapacity"] == 1
        assert distribution["onDemandPercentageAboveBaseCapacity"] == 0
        assert len(policy["launchTemplate"]["overrides"]) == 4
        assert group["capacityRebalance"] is True and group["healthCheckType"] == "ELB"
        refresh = group["instanceRefresh"]
        assert refresh["strategy"] == "Rolling"
        # Auto rollback needs a specific numbered template version ("Undo changes with a manual
        # or auto rollback", Amazon EC2 Auto Scaling User Guide) and a healthy-percentage floor.
        assert refresh["preferences"]["autoRollback"] is True
        assert refresh["preferences"]["minHealthyPercentage"] == 90
        version = policy["launchTemplate"]["launchTemplateSpecification"]["version"]
        assert str(version).isdigit(), version  # a numbered version, not $Latest or $Default
        targets = {
            p.inputs["targetTrackingConfiguration"]["predefinedMetricSpecification"][
                "predefinedMetricType"
            ]: p.inputs["targetTrackingConfiguration"]["targetValue"]
            for p in cell(run, region)
            if p.type_ == t.AUTOSCALING_POLICY
        }
        assert targets["ASGAverageCPUUtilization"] == 70
        assert "ALBRequestCountPerTarget" in targets


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_redis_is_encrypted_authenticated_and_isolated(program: ProgramFactory, stack: str) -> None:
    run = program(stack, CACHE_ON)
    assert not program(stack).of_type("aws:elasticache/replicationGroup:ReplicationGroup")
    for region in run.outputs["regions"]:
        redis = named(run, region, "-redis").inputs
        assert redis["transitEncryptionEnabled"] is True
        assert redis["transitEncryptionMode"] == "required"
        assert redis["atRestEncryptionEnabled"] is True
        assert redis["kmsKeyId"].startswith(f"arn:aws:kms:{region}:")
        assert redis["authToken"]
        assert redis["snapshotRetentionLimit"] >= 1
        assert redis["securityGroupIds"] == [group_id(region, "cache")]
        subnets = named(run, region, "-redis-subnets").inputs["subnetIds"]
        assert subnets and all("isolated" in s for s in subnets)
        highly_available = stack == "prod"
        assert redis["automaticFailoverEnabled"] is highly_available
        assert redis["multiAzEnabled"] is highly_available
        assert redis["numCacheClusters"] == (2 if highly_available else 1)


def test_stack_secrets_are_replicated_to_every_secondary(program: ProgramFactory) -> None:
    run = program("prod")
    primary, *secondaries = run.outputs["regions"]
    for role in ("origin-header", "cart-cookie-key"):
        secret = run.named(f"secret-{primary}-{role}")
        assert secret.region == primary
        assert [r["region"] for r in secret.inputs["replicas"]] == secondaries
        assert secret.protect


def test_asset_batch_runs_the_lambda_image_on_spot(program: ProgramFactory) -> None:
    run = program("prod")
    for region in run.outputs["regions"]:
        compute = named(run, region, "-batch-spot").inputs["computeResources"]
        assert compute["type"] == "SPOT" and compute["minVcpus"] == 0
        assert all("private" in s for s in compute["subnets"])
        properties = json.loads(named(run, region, "-batch-job").inputs["containerProperties"])
        repository = f"123456789012.dkr.ecr.{region}.amazonaws.com/shop3d-prod-asset"
        assert properties["image"].startswith(f"{repository}@sha256:")
        lambda_image = named(run, region, "-asset").inputs["imageUri"]
        assert lambda_image.startswith(f"{repository}@sha256:")


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_primary_cell_applies_the_orders_schema_once_the_writer_exists(
    program: ProgramFactory, stack: str
) -> None:
    run = program(stack)
    primary = run.outputs["regions"][0]
    invocations = run.of_type(t.LAMBDA_INVOCATION)
    (invocation,) = [i for i in invocations if APPLY_SCHEMA_EVENT_KEY in i.inputs["input"]]
    assert invocation.region == primary
    schema = named(run, primary, "-cart-schema")
    # The mocks name an auto-named function "<logical name>-0a1b2c3".
    assert invocation.inputs["functionName"] == (
        schema.inputs.get("name") or f"{schema.name}-0a1b2c3"
    )
    assert schema.inputs["handler"] == CART_SCHEMA_HANDLER
    assert schema.inputs["handler"] != named(run, primary, "-cart").inputs["handler"]
    # Re-run whenever schema.sql changes, and only after the writer instance exists.
    assert invocation.inputs["triggers"] == {"schema_sha256": cart_schema_sha256()}
    writers = {r.urn for r in run.of_type(t.RDS_CLUSTER_INSTANCE) if r.region == primary}
    assert writers and writers <= set(invocation.dependencies)


@pytest.mark.parametrize(
    ("stack", "overrides", "compute"),
    [("dev", {}, "cpu"), ("prod", {}, "gpu"), ("dev", {"renderCompute": "gpu"}, "gpu")],
)
def test_the_render_queue_runs_on_the_compute_the_key_chooses(
    program: ProgramFactory, stack: str, overrides: dict[str, object], compute: str
) -> None:
    """gpu: g-family spot on the ECS GPU AMI (ECS_AL2_NVIDIA, the image type AWS Batch names
    for GPU instances in its ComputeEnvironment Ec2Configuration docs) with one GPU per job;
    cpu: compute spot on ECS_AL2023, SwiftShader (no GPU requirement)."""
    run = program(stack, overrides)
    for region in run.outputs["regions"]:
        resources = named(run, region, f"-render-{compute}").inputs["computeResources"]
        assert resources["type"] == "SPOT" and resources["minVcpus"] == 0
        assert all("private" in s for s in resources["subnets"])
        image_type = resources["ec2Configurations"][0]["imageType"]
        families = {i.split(".")[0][0] for i in resources["instanceTypes"]}
        definition = named(run, region, "-render-job").inputs
        properties = json.loads(definition["containerProperties"])
        kinds = {r["type"] for r in properties["resourceRequirements"]}
        environment = {e["name"]: e["value"] for e in properties["environment"]}
        assert environment[env.RENDER_COMPUTE] == compute
        assert properties["command"] == ["python", "-m", "handlers.asset.posters"]
        assert definition["retryStrategy"]["attempts"] == 2
        if compute == "gpu":
            assert image_type == "ECS_AL2_NVIDIA" and families == {"g"} and "GPU" in kinds
        else:
            assert image_type == "ECS_AL2023" and "g" not in families and "GPU" not in kinds
        asset = named(run, region, "-asset").inputs["environment"]["variables"]
        assert asset[env.RENDER_JOB_QUEUE].startswith(f"arn:aws:batch:{region}:")
        assert asset[env.RENDER_JOB_DEFINITION].startswith(f"arn:aws:batch:{region}:")


def test_render_compute_outside_gpu_and_cpu_is_refused_with_the_allowed_values() -> None:
    from stack_config.config import ConfigError, parse_config

    with pytest.raises(ConfigError, match="renderCompute") as refused:
        parse_config({"environment": "dev", "renderCompute": "tpu"})
    assert "gpu" in str(refused.value) and "cpu" in str(refused.value)


def test_the_primary_cell_uploads_the_renderer_bundle_once_and_every_cell_boots_that_key(
    program: ProgramFactory,
) -> None:
    run = program("prod", WEB_ON)
    primary, *secondaries = run.outputs["regions"]
    assert secondaries, "prod has secondary regions"
    digest = renderer_bundle().hexdigest
    key = f"{storage.WEB_RENDERER_PREFIX}{digest}.zip"
    uploads = [r for r in run.of_type(t.BUCKET_OBJECT) if r.name.endswith("-web-renderer-bundle")]
    assert [u.name for u in uploads] == [f"cell-{primary}-web-renderer-bundle"]
    (upload,) = uploads
    assets = bucket_id(run, primary, "assets")
    assert upload.inputs["bucket"] == assets
    assert upload.inputs["key"] == key
    assert upload.inputs["serverSideEncryption"] == "aws:kms"
    assert upload.inputs["kmsKeyId"].startswith(f"arn:aws:kms:{primary}:")
    for region in run.outputs["regions"]:
        template = named(run, region, "-web-launch-template").inputs
        script = base64.b64decode(template["userData"]).decode()
        assert f'RENDERER_OBJECT="s3://{assets}/{key}"' in script
        policy = json.loads(named(run, region, "-web-role-policy").inputs["policy"])
        readable = [r for s in policy["Statement"] for r in _resources(s)]
        assert any(r.endswith(f"/{storage.WEB_RENDERER_PREFIX}*") for r in readable)


def test_without_a_web_tier_no_renderer_bundle_is_uploaded(program: ProgramFactory) -> None:
    run = program("prod", WEB_OFF)
    assert not [r for r in run.of_type(t.BUCKET_OBJECT) if "renderer" in r.name]
