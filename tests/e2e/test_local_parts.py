"""The local platform's parts that the browser test cannot pin down: the ALB event shape, the
catalog file's errors, the assets copy across a moto restart, the state dir, static serving,
the order e-mail path (bus rule -> queue -> pump -> notifications handler -> moto's SES)."""

from __future__ import annotations

import base64
import http.client
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from components.edge.site_files import site_files
from handlers.cart.api.problems import Problem
from handlers.cart.api.tokens import TokenVerifier
from handlers.cart.products.access import Staff
from handlers.cart.products.categories import CATEGORIES
from handlers.cart.settings import TrustedIssuer
from handlers.shared.cache_control import IMMUTABLE, REVALIDATE
from handlers.shared.groups import GROUPS, SELLER_GROUP
from handlers.shared.storage import ASSETS_PREFIX
from local import assets_copy
from local.alb_event import http_reply, http_request_event
from local.catalog_file import DEFAULT_CATALOG, CatalogFileError, load_catalog
from local.cognito import LocalUserPool
from local.order_mail import SENDER, ensure_order_mail
from local.resources import LOCAL_REGION, AwsEndpoints
from local.site_app import Site
from local.site_server import SiteServer
from local.state import StateDir
from tests.conftest import unique_prefix


def test_alb_event_is_shaped_as_alb_sends_it() -> None:
    event = http_request_event(
        "POST",
        "/api/cart/items?a=1%202&a=3&b=",
        [("Content-Type", "application/json"), ("X-Twice", "1"), ("x-twice", "2")],
        b"\xff\x00",
        "127.0.0.1",
        8080,
    )
    assert event["path"] == "/api/cart/items"
    assert event["queryStringParameters"] == {"a": "3", "b": ""}  # last value, not decoded
    assert event["headers"]["content-type"] == "application/json"
    assert event["headers"]["x-twice"] == "2"
    assert event["headers"]["x-forwarded-port"] == "8080"
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\xff\x00"
    text = http_request_event("GET", "/api/cart", [], b'{"x": 1}', "127.0.0.1", 1)
    assert (text["body"], text["isBase64Encoded"]) == ('{"x": 1}', False)


def test_lambda_replies_become_http_in_both_header_shapes() -> None:
    multi = http_reply(
        {
            "statusCode": 201,
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": base64.b64encode(b"\x01\x02").decode(),
            "isBase64Encoded": True,
        }
    )
    assert (multi.status, multi.headers, multi.body) == (
        201,
        [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],
        b"\x01\x02",
    )
    single = http_reply({"statusCode": 200, "headers": {"Content-Type": "x/y"}, "body": "ok"})
    assert (single.headers, single.body) == ([("Content-Type", "x/y")], b"ok")


def test_committed_catalog_loads_with_its_models() -> None:
    catalog, models_dir = load_catalog()
    assert len(catalog.products) == 4
    assert all((models_dir / p.model).is_file() for p in catalog.products)
    assert all(p.attribution in p.shown_description for p in catalog.products)
    # The admin form offers only the managed list: a sample outside it would be re-filed on Save.
    assert {p.category for p in catalog.products} <= set(CATEGORIES)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"price_minor": -1}, "products[0].price_minor: Input should be greater than or equal"),
        ({"currency": "eur"}, "products[0].currency: String should match pattern"),
        ({"model": "chair.fbx"}, "products[0].model: Value error, must be a file name"),
        ({"model": "missing.glb"}, "model file(s) missing.glb not found"),
        ({"colour": "red"}, "products[0].colour: Extra inputs are not permitted"),
        (
            {"category": "props"},
            "products[0].category: Value error, 'props' is not one of furniture",
        ),
    ],
)
def test_catalog_file_errors_name_the_field(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    raw = json.loads(DEFAULT_CATALOG.read_text(encoding="utf-8"))
    raw["models_dir"] = str((DEFAULT_CATALOG.parent / raw["models_dir"]).resolve())
    raw["products"] = [{**raw["products"][0], **change}]
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(CatalogFileError) as raised:
        load_catalog(path)
    assert message in str(raised.value)
    assert str(path) in str(raised.value)


def test_duplicate_skus_are_refused(tmp_path: Path) -> None:
    raw = json.loads(DEFAULT_CATALOG.read_text(encoding="utf-8"))
    raw["products"] = [raw["products"][0], raw["products"][0]]
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(CatalogFileError, match="SKU 'HELMET-1' appears twice"):
        load_catalog(path)


def test_assets_copy_survives_an_empty_bucket(
    aws_env: AwsEndpoints, local_buckets: dict[str, str], tmp_path: Path
) -> None:
    s3, bucket = aws_env.s3_client(), local_buckets["assets"]
    prefix = f"{ASSETS_PREFIX}SKU-1/abc/"
    s3.put_object(Bucket=bucket, Key=prefix + "preview.glb", Body=b"glb bytes")
    s3.put_object(Bucket=bucket, Key=prefix + "manifest.json", Body=b"{}")
    assert assets_copy.save(s3, bucket, tmp_path) == 2
    assert assets_copy.save(s3, bucket, tmp_path) == 0  # already on disk

    other = local_buckets["uploads"]  # an empty bucket stands in for moto after a restart
    assert assets_copy.restore(s3, other, tmp_path) == 2
    assert assets_copy.restore(s3, other, tmp_path) == 0
    lod = s3.get_object(Bucket=other, Key=prefix + "preview.glb")
    assert lod["Body"].read() == b"glb bytes"
    assert lod["ContentType"] == "model/gltf-binary"
    manifest = s3.get_object(Bucket=other, Key=prefix + "manifest.json")
    assert manifest["ContentType"] == "application/json"
    for name, kind in (("poster-900.0123456789ab.avif", "image/avif"), ("t.webp", "image/webp")):
        (tmp_path / prefix / name).write_bytes(b"image bytes")
        assert assets_copy.restore(s3, other, tmp_path) == 1
        # The type the poster job writes it with (handlers.shared.posters.FORMATS).
        assert s3.get_object(Bucket=other, Key=prefix + name)["ContentType"] == kind


def test_state_dir_keeps_one_private_cookie_key(tmp_path: Path) -> None:
    (tmp_path / "state").mkdir()
    first = StateDir(tmp_path / "state").cookie_key()
    again = StateDir(tmp_path / "state").cookie_key()
    assert first == again and len(first) >= 32  # the cart service requires 32 bytes
    mode = (tmp_path / "state" / "cart-cookie.key").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands PostgreSQL to another user")
def test_state_dir_under_a_private_parent_is_refused_with_the_reason(tmp_path: Path) -> None:
    tmp_path.chmod(0o700)  # pytest's own tmp dirs are private
    with pytest.raises(PermissionError, match=r"mode 700\): PostgreSQL runs as the 'postgres'"):
        StateDir(tmp_path / "state").prepare()


def test_static_files_stay_inside_the_site(aws_env: AwsEndpoints, tmp_path: Path) -> None:
    site_dir = tmp_path / "site"
    site_dir.mkdir()
    (site_dir / "index.html").write_text("<html></html>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("no", encoding="utf-8")

    async def no_api(event: dict[str, Any]) -> dict[str, Any]:
        raise AssertionError("static requests must not reach the cart handler")

    server = SiteServer("127.0.0.1", 0)
    server.serve(Site(site_dir, aws_env.s3_client(), "no-bucket", no_api))
    host, port = server.url.removeprefix("http://").rstrip("/").split(":")

    def get(method: str, path: str) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request(method, path)
        answer = conn.getresponse()
        found = (answer.status, dict(answer.getheaders()), answer.read())
        conn.close()
        return found

    try:
        status, headers, body = get("GET", "/")
        assert (status, body) == (200, b"<html></html>")
        assert headers["cache-control"] == "no-cache"
        for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/missing.js"):
            status, headers, body = get("GET", path)
            assert status == 404, path
            assert json.loads(body)["status"] == 404
        assert get("POST", "/index.html")[0] == 405
    finally:
        server.stop()


def test_local_token_makes_sellers_and_admins_with_the_program_groups(
    aws_env: AwsEndpoints, tmp_path: Path
) -> None:
    """The local pool has the groups the program declares (handlers/shared/groups.py) and
    /local/token puts a user in them: its token passes the admin API's check."""
    client = aws_env.cognito_client()
    pool = LocalUserPool.create(client, aws_env.moto, LOCAL_REGION, unique_prefix("sellers"))
    (tmp_path / "index.html").write_text("<html></html>", encoding="utf-8")

    async def no_api(event: dict[str, Any]) -> dict[str, Any]:
        raise AssertionError("/local/token must not reach the cart handler")

    server = SiteServer("127.0.0.1", 0)
    server.serve(Site(tmp_path, aws_env.s3_client(), "no-bucket", no_api, issuer=pool))
    host, port = server.url.removeprefix("http://").rstrip("/").split(":")
    verifier = TokenVerifier(TrustedIssuer(pool.issuer, pool.jwks_url, pool.client_id))

    def get(query: str) -> tuple[int, dict[str, Any]]:
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.request("GET", "/local/token" + query)
        answer = conn.getresponse()
        found = (answer.status, json.loads(answer.read()))
        conn.close()
        return found

    try:
        listed = client.list_groups(UserPoolId=pool.pool_id)["Groups"]
        assert {(g["GroupName"], g["Precedence"]) for g in listed} == {
            (g.name, g.precedence) for g in GROUPS
        }
        status, body = get("?user=seller@shop.example&group=sellers")
        assert status == 200, body
        seller = verifier.verify(body["access_token"])
        assert seller.groups == {SELLER_GROUP}
        assert Staff.from_token(seller) == Staff(body["sub"], is_admin=False)
        status, body = get("?user=boss@shop.example&group=admins&group=sellers")
        assert status == 200, body
        assert Staff.from_token(verifier.verify(body["access_token"])).is_admin
        # A shopper (no group) is still refused by the admin API, as before.
        status, body = get("?user=shopper@shop.example")
        assert status == 200, body
        with pytest.raises(Problem, match="needs the 'sellers' or 'admins' group"):
            Staff.from_token(verifier.verify(body["access_token"]))

        status, body = get("?user=x@shop.example&group=editors")
        assert (status, body["status"]) == (400, 400)
        assert "no group 'editors' in the pool; groups: admins, sellers" in body["detail"]
        status, body = get("?group=sellers")
        assert status == 400
        assert "name the user: /local/token?user=<e-mail>" in body["detail"]
        assert get("?user=not-an-email")[0] == 422
    finally:
        server.stop()
        pool.delete()


def test_the_storefront_is_answered_with_the_cache_control_of_its_bucket_objects(
    aws_env: AwsEndpoints, tmp_path: Path
) -> None:
    """What the browser caches locally is what it caches behind CloudFront: each file's
    Cache-Control is the one the program puts on its object in the storefront bucket
    (site_files), which CloudFront passes on (its TTLs rule only its own cache: CloudFront
    Developer Guide, "Manage how long content stays in the cache (expiration)")."""
    site_dir = tmp_path / "site"
    (site_dir / "static").mkdir(parents=True)
    for name in ("index.html", "poster.html", "static/main-Ab12Cd34.js", "static/plain.js"):
        (site_dir / name).write_text(f"/* {name} */", encoding="utf-8")

    async def no_api(event: dict[str, Any]) -> dict[str, Any]:
        raise AssertionError("static requests must not reach the cart handler")

    server = SiteServer("127.0.0.1", 0)
    server.serve(Site(site_dir, aws_env.s3_client(), "no-bucket", no_api))
    host, port = server.url.removeprefix("http://").rstrip("/").split(":")

    def get(path: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("GET", path, headers=headers)
        answer = conn.getresponse()
        answer.read()
        conn.close()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}

    bucket = {f.key: f.cache_control for f in site_files(site_dir, "test")}
    assert bucket["static/main-Ab12Cd34.js"] == IMMUTABLE  # else this test shows nothing
    assert bucket["static/plain.js"] == bucket["poster.html"] == REVALIDATE
    try:
        for key, expected in bucket.items():
            status, headers = get("/" + key, {})
            assert (status, headers["cache-control"]) == (200, expected), key
            again, revalidated = get("/" + key, {"If-None-Match": headers["etag"]})
            assert (again, revalidated["cache-control"]) == (304, expected), key
        assert get("/", {})[1]["cache-control"] == bucket["index.html"]
    finally:
        server.stop()


def test_an_order_paid_event_on_the_local_bus_is_mailed_once_through_the_notifications_pump(
    aws_env: AwsEndpoints, local_tables: dict[str, str]
) -> None:
    from handlers.cart.notifications import Notifier
    from handlers.shared.order_events import ORDER_EVENT_SOURCE
    from handlers.shared.tables import IDEMPOTENCY
    from local.lambda_runtime import notifications_context
    from local.upload_events import UploadEventPump
    from tests.conftest import unique_prefix

    prefix = unique_prefix("mail")
    events = aws_env.events_client()
    bus = f"{prefix}orders"
    events.create_event_bus(Name=bus)
    mail = ensure_order_mail(aws_env, prefix, bus)
    ensure_order_mail(aws_env, prefix, bus)  # a restart finds it all in place
    ses = aws_env.sesv2_client()
    notifier = Notifier(
        ses, aws_env.dynamodb_client(), local_tables[IDEMPOTENCY.logical_name], SENDER
    )
    pump = UploadEventPump(
        aws_env.sqs_client(),
        mail.queue,
        lambda event, _context: notifier.handle_batch(event["Records"]),
        context=notifications_context,
        name="order-mail",
    )
    address = f"{prefix}buyer@example.com"
    detail = {"order_id": "o-1", "email": address, "total_minor": 4999, "currency": "EUR"}
    entry = {"Source": ORDER_EVENT_SOURCE, "EventBusName": bus}
    paid = {**entry, "DetailType": "OrderPaid", "Detail": json.dumps({**detail, "outbox_id": 7})}
    placed = {**entry, "DetailType": "OrderPlaced", "Detail": json.dumps(detail)}
    # The relay's at-least-once: the same outbox row published twice; OrderPlaced is not mailed.
    assert events.put_events(Entries=[paid, paid, placed])["FailedEntryCount"] == 0
    received = 0
    for _ in range(5):
        received += pump.poll_once()
    assert received == 2  # the rule let only the two OrderPaid through
    # moto's server runs in this process: its SES backend is read directly (its data.json, what
    # the platform's tests read, fails on other services' models once a session made many).
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    sent = ses_backends[DEFAULT_ACCOUNT_ID][aws_env.region].sent_messages
    mine = [m for m in sent if m.destinations["ToAddresses"] == [address]]
    assert [(m.source, m.subject) for m in mine] == [(SENDER, "shop3d: order o-1 confirmed")]
    assert "€49.99" in mine[0].body
