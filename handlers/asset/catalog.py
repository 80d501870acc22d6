"""The product's asset state in the catalog table: PENDING -> READY | REJECTED.

Every write is conditional on the upload's S3 sequencer, so an older upload's event that
arrives late never overwrites a newer one's outcome, and the source version is recorded so a
duplicate or a replica's event (the catalog is a global table) is recognised and skipped.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from botocore.exceptions import ClientError

from handlers.asset.events import UploadRef
from handlers.shared import tables

AssetStatus = Literal["PENDING", "READY", "REJECTED"]
STATUS: Final = "asset_status"
MANIFEST_KEY: Final = "manifest_key"
REASON: Final = "asset_reason"
SOURCE_VERSION: Final = "asset_source_version"
SEQUENCER: Final = "asset_sequencer"
SKU: Final = tables.CATALOG.hash_key.name
# The product's real-world width, height and depth in metres (three numbers), when the seller
# gave them: the commerce check holds the model to them and the AR file is scaled to them.
DIMENSIONS: Final = "dimensions_m"


class Catalog:
    def __init__(self, table: Any) -> None:
        self.table = table  # a boto3 DynamoDB Table resource

    def state(self, sku: str) -> dict[str, Any]:
        item = self.table.get_item(Key={SKU: sku}, ConsistentRead=True).get("Item")
        return dict(item) if item else {}

    def dimensions(self, sku: str) -> tuple[float, float, float] | None:
        raw = self.state(sku).get(DIMENSIONS)
        if not isinstance(raw, list) or len(raw) != 3:
            return None
        try:
            width, height, depth = (float(v) for v in raw)
        except (TypeError, ValueError):
            return None
        return (width, height, depth) if min(width, height, depth) > 0 else None

    def already_handled(self, upload: UploadRef) -> str | None:
        """Why this upload needs no work (duplicate, stale), or None."""
        item = self.state(upload.sku)
        if item.get(SOURCE_VERSION) == upload.version_id and item.get(STATUS) != "PENDING":
            return "duplicate: this upload version was already processed"
        seen = item.get(SEQUENCER)
        if seen is not None and str(seen) > upload.sequencer:
            return "stale: a newer upload of this product was already recorded"
        return None

    def set_status(
        self,
        upload: UploadRef,
        status: AssetStatus,
        *,
        manifest_key: str | None = None,
        reason: str | None = None,
    ) -> bool:
        """Record the outcome unless a newer upload got there first; False if it did."""
        names = {"#s": STATUS, "#v": SOURCE_VERSION, "#q": SEQUENCER}
        values: dict[str, Any] = {":s": status, ":v": upload.version_id, ":q": upload.sequencer}
        sets = ["#s = :s", "#v = :v", "#q = :q"]
        removes = []
        if manifest_key is not None:
            names["#m"] = MANIFEST_KEY
            values[":m"] = manifest_key
            sets.append("#m = :m")
        names["#r"] = REASON
        if reason is not None:
            values[":r"] = reason
            sets.append("#r = :r")
        else:
            removes.append("#r")
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        try:
            self.table.update_item(
                Key={SKU: upload.sku},
                UpdateExpression=expression,
                ConditionExpression="attribute_not_exists(#q) OR #q <= :q",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def move_manifest(self, sku: str, from_key: str, to_key: str) -> bool:
        """Point a READY product at `to_key` if it still names `from_key` (posters added to
        the manifest it was rendered from); False when a newer upload changed it meanwhile."""
        try:
            self.table.update_item(
                Key={SKU: sku},
                UpdateExpression="SET #m = :to",
                ConditionExpression="#s = :ready AND #m = :from",
                ExpressionAttributeNames={"#m": MANIFEST_KEY, "#s": STATUS},
                ExpressionAttributeValues={":to": to_key, ":from": from_key, ":ready": "READY"},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True
