"""The AWS resources of the local stack, created on DynamoDB Local and moto's server.

Tables come from handlers.shared.tables.ALL_TABLES (on demand, streams with new and old
images, TTL on the schema's TTL attribute). The uploads and assets buckets are versioned, and
every object created under the uploads prefix is announced on the uploads queue (S3 event
notification, as in AWS; moto's server delivers it), which moves a message to its dead-letter
queue after MAX_RECEIVES failed receives.

Everything is idempotent: a resource that exists is kept (with its data) and brought to the
settings above, so the local platform can run again on its kept state. Names are
`<prefix><logical name>`; the prefix is what keeps runs and tests apart.

Limits: one region (LOCAL_REGION) and moto's default account; DynamoDB Local does not build
global tables, so `global_table` in a schema has no effect here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, cast

import boto3
from botocore.exceptions import ClientError

from handlers.shared import env
from handlers.shared.storage import UPLOADS_PREFIX
from handlers.shared.tables import ALL_TABLES, CARTS, CATALOG, IDEMPOTENCY, SESSIONS, TableSchema

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeDefinitionTypeDef, KeySchemaElementTypeDef
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.literals import BucketLocationConstraintType
    from mypy_boto3_s3.type_defs import (
        NotificationConfigurationFilterTypeDef,
        ObjectIdentifierTypeDef,
        QueueConfigurationTypeDef,
    )
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.literals import QueueAttributeNameType

LOCAL_REGION: Final = "us-east-1"
# moto's default account: S3 notifications reach queues through ARNs in this account.
LOCAL_ACCOUNT_ID: Final = "123456789012"
# Local servers accept any credentials; boto3 still needs some to sign requests.
LOCAL_ACCESS_KEY_ID: Final = "local"
LOCAL_SECRET_ACCESS_KEY: Final = "local"  # noqa: S105 - not a secret: local servers only

# The buckets by logical name, and the variables that hand their physical names to services.
UPLOADS: Final = "uploads"
ASSETS: Final = "assets"
BUCKET_ENV_VARS: Final[Mapping[str, str]] = {
    UPLOADS: env.UPLOADS_BUCKET,
    ASSETS: env.ASSETS_BUCKET,
}
TABLE_ENV_VARS: Final[Mapping[str, str]] = {
    CATALOG.logical_name: env.CATALOG_TABLE,
    CARTS.logical_name: env.CARTS_TABLE,
    SESSIONS.logical_name: env.SESSIONS_TABLE,
    IDEMPOTENCY.logical_name: env.IDEMPOTENCY_TABLE,
}
UPLOAD_EVENTS_QUEUE: Final = "upload-events"
DEAD_LETTER_SUFFIX: Final = "-dlq"
MAX_RECEIVES: Final = 5
UPLOAD_NOTIFICATION_ID: Final = "uploads-to-queue"
UPLOAD_EVENTS: Final = ("s3:ObjectCreated:*",)
# SQS's answer to get_queue_url for a missing queue (JSON and query protocols).
_NO_SUCH_QUEUE: Final = frozenset({"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"})
# S3 bucket names are the strictest of the three name rules, so the prefix follows them.
_PREFIX = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def check_prefix(prefix: str) -> str:
    """The prefix itself, or ValueError saying which characters are allowed."""
    if not _PREFIX.fullmatch(prefix):
        raise ValueError(
            f"resource name prefix {prefix!r} is not allowed: use 1-40 lowercase letters,"
            " digits and hyphens, starting with a letter or digit (it starts S3 bucket names)"
        )
    return prefix


@dataclass(frozen=True)
class AwsEndpoints:
    """Where the local AWS services answer, and the environment that points boto3 at them."""

    moto: str
    dynamodb: str
    region: str = LOCAL_REGION

    def environment(self) -> dict[str, str]:
        """Standard AWS variables: services and boto3 read these, with no local-mode code."""
        return {
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ACCESS_KEY_ID": LOCAL_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": LOCAL_SECRET_ACCESS_KEY,
            "AWS_ENDPOINT_URL": self.moto,
            "AWS_ENDPOINT_URL_DYNAMODB": self.dynamodb,
            # DynamoDB Local serves the tables' streams on the same endpoint.
            "AWS_ENDPOINT_URL_DYNAMODB_STREAMS": self.dynamodb,
        }

    def _session(self) -> boto3.Session:
        return boto3.Session(
            aws_access_key_id=LOCAL_ACCESS_KEY_ID,
            aws_secret_access_key=LOCAL_SECRET_ACCESS_KEY,
            region_name=self.region,
        )

    def secretsmanager_client(self) -> Any:
        return self._session().client("secretsmanager", endpoint_url=self.moto)

    def events_client(self) -> Any:
        return self._session().client("events", endpoint_url=self.moto)

    def sesv2_client(self) -> Any:
        return self._session().client("sesv2", endpoint_url=self.moto)

    def dynamodb_client(self) -> DynamoDBClient:
        return self._session().client("dynamodb", endpoint_url=self.dynamodb)

    def dynamodb_streams_client(self) -> Any:  # no type stubs installed for dynamodbstreams
        return self._session().client("dynamodbstreams", endpoint_url=self.dynamodb)

    def s3_client(self) -> S3Client:
        return self._session().client("s3", endpoint_url=self.moto)

    def sqs_client(self) -> SQSClient:
        return self._session().client("sqs", endpoint_url=self.moto)

    def cognito_client(self) -> Any:  # no mypy_boto3 stubs for cognito-idp installed
        return self._session().client("cognito-idp", endpoint_url=self.moto)


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


# --- DynamoDB ---------------------------------------------------------------------------


def _indexes(schema: TableSchema) -> dict[str, Any]:
    indexes = schema.global_secondary_indexes()
    return {"GlobalSecondaryIndexes": indexes} if indexes else {}


def _add_missing_indexes(client: DynamoDBClient, schema: TableSchema, name: str) -> None:
    """A table kept from an older run gets the indexes its schema has gained (one per update,
    as DynamoDB allows)."""
    existing = {
        i["IndexName"]
        for i in client.describe_table(TableName=name)["Table"].get("GlobalSecondaryIndexes", [])
    }
    for index in schema.global_secondary_indexes():
        if index["IndexName"] in existing:
            continue
        client.update_table(
            TableName=name,
            AttributeDefinitions=cast(
                "list[AttributeDefinitionTypeDef]", schema.attribute_definitions()
            ),
            GlobalSecondaryIndexUpdates=cast("Any", [{"Create": index}]),
        )
        client.get_waiter("table_exists").wait(TableName=name)


def ensure_table(client: DynamoDBClient, schema: TableSchema, name: str) -> None:
    """Create the table unless it exists, wait until active, and enable its TTL."""
    try:
        client.create_table(
            TableName=name,
            KeySchema=cast("list[KeySchemaElementTypeDef]", schema.key_schema()),
            AttributeDefinitions=cast(
                "list[AttributeDefinitionTypeDef]", schema.attribute_definitions()
            ),
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            **_indexes(schema),
        )
    except ClientError as error:
        if _error_code(error) != "ResourceInUseException":
            raise
    client.get_waiter("table_exists").wait(
        TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )
    _add_missing_indexes(client, schema, name)
    if schema.ttl_attribute is None:
        return
    ttl = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    if ttl.get("TimeToLiveStatus") != "ENABLED":
        client.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": schema.ttl_attribute},
        )


def ensure_tables(
    client: DynamoDBClient, prefix: str, schemas: Iterable[TableSchema] = ALL_TABLES
) -> dict[str, str]:
    """Every table of `schemas`; returns logical name -> physical name."""
    check_prefix(prefix)
    schemas = tuple(schemas)  # iterated twice
    names = {schema.logical_name: f"{prefix}{schema.logical_name}" for schema in schemas}
    for schema in schemas:
        ensure_table(client, schema, names[schema.logical_name])
    return names


def delete_tables(client: DynamoDBClient, names: Iterable[str]) -> None:
    """Delete tables; ones already gone are fine."""
    for name in names:
        try:
            client.delete_table(TableName=name)
        except ClientError as error:
            if _error_code(error) != "ResourceNotFoundException":
                raise


# --- S3 ---------------------------------------------------------------------------------


def ensure_bucket(client: S3Client, name: str, region: str = LOCAL_REGION) -> None:
    """Create the bucket unless this account owns it already, and turn versioning on."""
    try:
        if region == "us-east-1":  # S3 rejects a location constraint naming us-east-1
            client.create_bucket(Bucket=name)
        else:
            client.create_bucket(
                Bucket=name,
                CreateBucketConfiguration={
                    "LocationConstraint": cast("BucketLocationConstraintType", region)
                },
            )
    except ClientError as error:
        if _error_code(error) != "BucketAlreadyOwnedByYou":
            raise
    client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})


def ensure_buckets(client: S3Client, prefix: str, region: str = LOCAL_REGION) -> dict[str, str]:
    """The uploads and assets buckets; returns {"uploads": name, "assets": name}."""
    check_prefix(prefix)
    names = {logical: f"{prefix}{logical}" for logical in BUCKET_ENV_VARS}
    for name in names.values():
        ensure_bucket(client, name, region)
    return names


def delete_bucket(client: S3Client, name: str) -> None:
    """Delete every object version and delete marker, then the bucket; a missing one is fine."""
    try:
        for page in client.get_paginator("list_object_versions").paginate(Bucket=name):
            doomed: list[ObjectIdentifierTypeDef] = [
                {"Key": entry["Key"], "VersionId": entry["VersionId"]}
                for entry in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
            ]
            if doomed:
                client.delete_objects(Bucket=name, Delete={"Objects": doomed, "Quiet": True})
        client.delete_bucket(Bucket=name)
    except ClientError as error:
        if _error_code(error) != "NoSuchBucket":
            raise


# --- SQS and the upload notification ------------------------------------------------------


@dataclass(frozen=True)
class Queue:
    url: str
    arn: str
    dead_letter_url: str
    dead_letter_arn: str


def _queue(
    client: SQSClient, name: str, attributes: Mapping[QueueAttributeNameType, str]
) -> tuple[str, str]:
    """Create or update one queue; returns (url, arn)."""
    try:
        url = client.get_queue_url(QueueName=name)["QueueUrl"]
    except ClientError as error:
        if _error_code(error) not in {
            "AWS.SimpleQueueService.NonExistentQueue",
            "QueueDoesNotExist",
        }:
            raise
        url = client.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    else:
        if attributes:
            client.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    found = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return url, found["Attributes"]["QueueArn"]


def ensure_queue(client: SQSClient, name: str, max_receives: int = MAX_RECEIVES) -> Queue:
    """A queue whose messages go to `<name>-dlq` after `max_receives` failed receives."""
    dlq_url, dlq_arn = _queue(client, f"{name}{DEAD_LETTER_SUFFIX}", {})
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receives)})
    url, arn = _queue(client, name, {"RedrivePolicy": redrive})
    return Queue(url=url, arn=arn, dead_letter_url=dlq_url, dead_letter_arn=dlq_arn)


def delete_queue(client: SQSClient, queue: Queue) -> None:
    for url in (queue.url, queue.dead_letter_url):
        client.delete_queue(QueueUrl=url)


def let_service_send(
    sqs: SQSClient, queue: Queue, service: str, source_arn: str | None = None
) -> None:
    """The queue policy that lets an AWS service (from `source_arn`) send to it: AWS requires
    it; moto does not check, and it is set so the local queues are shaped like the cells'."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sqs:SendMessage",
        "Resource": queue.arn,
    }
    if source_arn is not None:
        statement["Condition"] = {"ArnLike": {"aws:SourceArn": source_arn}}
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    sqs.set_queue_attributes(QueueUrl=queue.url, Attributes={"Policy": json.dumps(policy)})


def notify_queue_on_uploads(
    s3: S3Client, sqs: SQSClient, bucket: str, queue: Queue, key_prefix: str = UPLOADS_PREFIX
) -> None:
    """Announce every object created under key_prefix in `bucket` on `queue`.

    The queue policy lets S3 send (AWS requires it; moto does not check). The notification is
    written only when it differs, because each write makes S3 send an s3:TestEvent message.
    """
    let_service_send(sqs, queue, "s3.amazonaws.com", f"arn:aws:s3:::{bucket}")
    key_filter: NotificationConfigurationFilterTypeDef = {
        "Key": {"FilterRules": [{"Name": "prefix", "Value": key_prefix}]}
    }
    wanted: QueueConfigurationTypeDef = {
        "Id": UPLOAD_NOTIFICATION_ID,
        "QueueArn": queue.arn,
        "Events": list(UPLOAD_EVENTS),
        "Filter": key_filter,
    }
    current = s3.get_bucket_notification_configuration(Bucket=bucket).get("QueueConfigurations", [])
    if _same_notifications(current, [wanted]):
        return
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={"QueueConfigurations": [wanted]},
    )


def _same_notifications(current: Iterable[Any], wanted: Iterable[Mapping[str, Any]]) -> bool:
    def normal(config: Mapping[str, Any]) -> str:
        rules = config.get("Filter", {}).get("Key", {}).get("FilterRules", [])
        return json.dumps(
            {
                "Id": config.get("Id"),
                "QueueArn": config.get("QueueArn"),
                "Events": sorted(config.get("Events", [])),
                # S3 answers rule names capitalised either way ("prefix" / "Prefix").
                "Rules": sorted((r["Name"].lower(), r["Value"]) for r in rules),
            },
            sort_keys=True,
        )

    return sorted(map(normal, current)) == sorted(map(normal, wanted))


# --- The whole local set ------------------------------------------------------------------


@dataclass(frozen=True)
class LocalResources:
    """The physical names of one prefix's resources, and the variables that hand them over."""

    tables: dict[str, str]
    buckets: dict[str, str]
    upload_events: Queue

    def environment(self) -> dict[str, str]:
        """The SHOP3D_* table and bucket variables for services using these resources."""
        names = {TABLE_ENV_VARS[logical]: name for logical, name in self.tables.items()}
        names.update({BUCKET_ENV_VARS[logical]: name for logical, name in self.buckets.items()})
        return names


def ensure_resources(endpoints: AwsEndpoints, prefix: str) -> LocalResources:
    """Every table, bucket and queue of the local stack under `prefix`, wired together."""
    check_prefix(prefix)
    s3, sqs = endpoints.s3_client(), endpoints.sqs_client()
    tables = ensure_tables(endpoints.dynamodb_client(), prefix)
    buckets = ensure_buckets(s3, prefix, endpoints.region)
    queue = ensure_queue(sqs, f"{prefix}{UPLOAD_EVENTS_QUEUE}")
    notify_queue_on_uploads(s3, sqs, buckets[UPLOADS], queue)
    return LocalResources(tables=tables, buckets=buckets, upload_events=queue)


def ensure_secret(endpoints: AwsEndpoints, name: str, value: str) -> str:
    """A Secrets Manager secret (moto's) holding `value`, created or overwritten; its ARN."""
    client = endpoints.secretsmanager_client()
    try:
        arn: str = client.create_secret(Name=name, SecretString=value)["ARN"]
    except ClientError as error:
        if _error_code(error) != "ResourceExistsException":
            raise
        arn = client.put_secret_value(SecretId=name, SecretString=value)["ARN"]
    return arn


def stripe_secret_value(secret_key: str, publishable_key: str, webhook_secret: str) -> str:
    """The Stripe secret's JSON document (handlers.cart.payments.stripe_gateway.StripeKeys)."""
    return json.dumps(
        {
            "secret_key": secret_key,
            "publishable_key": publishable_key,
            "webhook_secret": webhook_secret,
        }
    )
