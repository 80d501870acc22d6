"""Model uploads from the browser: S3 multipart uploads with presigned part URLs.

The browser sends the parts straight to the uploads bucket (the API never carries model bytes),
in parallel; after a dropped connection it asks which parts S3 has (ListParts) and sends only
the others. Completing checks that every part is there and that the sizes add up to the
declared size, then S3's object-created event starts the asset pipeline as for any upload.
Uploads never completed are aborted by the bucket's lifecycle (ABORT_MULTIPART_DAYS).
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from handlers.cart.api.problems import Problem, conflict
from handlers.cart.products.limits import PART_DEFAULT_BYTES, PART_URL_TTL_SECONDS
from handlers.shared.storage import UPLOADS_PREFIX

_LIST_PARTS_PAGE = 1000  # S3's ListParts page size


def upload_key(seller: str, sku: str, file_name: str) -> str:
    """Where the asset service expects a product's upload (handlers/asset/events.py)."""
    return f"{UPLOADS_PREFIX}{seller}/{sku}/{file_name}"


def part_sizes(size: int, part_size: int) -> list[int]:
    """The size of each part, in order: all `part_size` but the last."""
    count = max(1, math.ceil(size / part_size))
    return [part_size] * (count - 1) + [size - part_size * (count - 1)]


@dataclass(frozen=True)
class PendingUpload:
    upload_id: str
    key: str
    file_name: str
    size: int
    part_size: int

    def record(self) -> dict[str, Any]:
        return {
            "upload_id": self.upload_id,
            "key": self.key,
            "file_name": self.file_name,
            "size": self.size,
            "part_size": self.part_size,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> PendingUpload:
        return cls(
            str(record["upload_id"]),
            str(record["key"]),
            str(record["file_name"]),
            int(record["size"]),
            int(record["part_size"]),
        )


class Uploads:
    def __init__(self, s3: Any, bucket: str) -> None:
        self._s3 = s3
        self._bucket = bucket

    def start(
        self, seller: str, sku: str, file_name: str, size: int, part_size: int | None
    ) -> PendingUpload:
        key = upload_key(seller, sku, file_name)
        reply = self._s3.create_multipart_upload(
            Bucket=self._bucket, Key=key, Metadata={"declared-size": str(size)}
        )
        return PendingUpload(
            reply["UploadId"], key, file_name, size, part_size or PART_DEFAULT_BYTES
        )

    def done_parts(self, upload: PendingUpload) -> dict[int, dict[str, Any]]:
        """The parts S3 has, by number: {"etag", "size"}; a 409 if the upload is gone."""
        parts: dict[int, dict[str, Any]] = {}
        marker = 0
        while True:
            try:
                reply = self._s3.list_parts(
                    Bucket=self._bucket,
                    Key=upload.key,
                    UploadId=upload.upload_id,
                    PartNumberMarker=marker,
                    MaxParts=_LIST_PARTS_PAGE,
                )
            except self._s3.exceptions.NoSuchUpload:
                raise conflict(
                    "this upload no longer exists (completed, aborted or expired): start a new one"
                ) from None
            for part in reply.get("Parts", []):
                parts[int(part["PartNumber"])] = {"etag": part["ETag"], "size": int(part["Size"])}
            if not reply.get("IsTruncated"):
                return parts
            marker = int(reply["NextPartNumberMarker"])

    def plan(self, upload: PendingUpload) -> dict[str, Any]:
        """What the browser needs to (re)start: the parts done and signed URLs for the rest."""
        done = self.done_parts(upload)
        sizes = part_sizes(upload.size, upload.part_size)
        todo = []
        for number, size in enumerate(sizes, start=1):
            if done.get(number, {}).get("size") == size:
                continue
            url = self._s3.generate_presigned_url(
                "upload_part",
                Params={
                    "Bucket": self._bucket,
                    "Key": upload.key,
                    "UploadId": upload.upload_id,
                    "PartNumber": number,
                },
                ExpiresIn=PART_URL_TTL_SECONDS,
                HttpMethod="PUT",
            )
            todo.append({"part_number": number, "size": size, "url": url})
        return {
            "upload_id": upload.upload_id,
            "key": upload.key,
            "file_name": upload.file_name,
            "size": upload.size,
            "part_size": upload.part_size,
            "part_count": len(sizes),
            "parts_done": [{"part_number": n, "size": p["size"]} for n, p in sorted(done.items())],
            "parts": todo,
            "urls_expire_in_seconds": PART_URL_TTL_SECONDS,
        }

    def complete(self, upload: PendingUpload) -> None:
        """Complete the upload if every part is there at its size; 409 saying which are not."""
        done = self.done_parts(upload)
        sizes = part_sizes(upload.size, upload.part_size)
        wrong = [n for n, size in enumerate(sizes, start=1) if done.get(n, {}).get("size") != size]
        extra = sorted(set(done) - set(range(1, len(sizes) + 1)))
        if wrong or extra:
            raise Problem(
                409,
                "upload-incomplete",
                f"parts missing or of the wrong size: {wrong[:20]}; parts beyond the last:"
                f" {extra[:20]}; upload them (GET the upload for fresh URLs) and complete again",
                missing_parts=wrong,
            )
        try:
            self._s3.complete_multipart_upload(
                Bucket=self._bucket,
                Key=upload.key,
                UploadId=upload.upload_id,
                MultipartUpload={
                    "Parts": [
                        {"PartNumber": n, "ETag": done[n]["etag"]} for n in range(1, len(sizes) + 1)
                    ]
                },
            )
        except ClientError:
            # A completion can outlast the client's read timeout; the SDK's retry then finds the
            # upload gone (NoSuchUpload in S3). The object being there at its size is success.
            if not self._assembled(upload, len(sizes)):
                raise

    def _assembled(self, upload: PendingUpload, part_count: int) -> bool:
        """The key holds an object of the upload's size assembled from `part_count` parts (a
        multipart ETag ends in -<part count>)."""
        try:
            found = self._s3.head_object(Bucket=self._bucket, Key=upload.key)
        except ClientError:
            return False
        etag = str(found.get("ETag", "")).strip('"')
        return found.get("ContentLength") == upload.size and etag.endswith(f"-{part_count}")

    def abort(self, upload: PendingUpload) -> None:
        # Gone already (completed, aborted, expired) is the outcome asked for.
        with contextlib.suppress(self._s3.exceptions.NoSuchUpload):
            self._s3.abort_multipart_upload(
                Bucket=self._bucket, Key=upload.key, UploadId=upload.upload_id
            )
