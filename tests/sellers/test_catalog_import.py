"""The catalog import: every row validated on its own, the bad ones reported with why, the good
ones created or updated through the admin API, models through the multipart path."""

from __future__ import annotations

import json
import os
import uuid

import boto3
import pytest

from catalog_import.client import AdminApi, Answer
from catalog_import.run import import_file

PRODUCTS = "/api/admin/products"


@pytest.fixture
def admin_api(api, seller):
    """The importer's transport into the real lambda_handler (ALB events) as the seller."""

    def send(method, path, body, headers):
        reply = api.call(method, path, body, token=seller[1], if_match=headers.get("if-match"))
        return Answer(reply.status, reply.body)

    return AdminApi(send)


def test_a_csv_imports_its_good_rows_and_reports_every_bad_one(tmp_path, admin_api, api, seller):
    tag = uuid.uuid4().hex[:6]
    (tmp_path / "lamp.glb").write_bytes(os.urandom(20_000))
    (tmp_path / "shop.csv").write_text(
        "sku,name,description,category,price_minor,currency,stock,status,width_mm,height_mm,depth_mm,model\n"
        f"A-{tag},Lamp,Brass,lighting,4900,EUR,3,active,200,400,200,lamp.glb\n"
        f"B-{tag},Chair,,furniture,12.50,EUR,1,draft,,,,\n"
        f"C-{tag},Table,,weapons,9900,EUR,1,draft,,,,\n"
        f"D-{tag},,No name,furniture,9900,EUR,1,draft,,,,\n"
        f"A-{tag},Lamp again,,lighting,4900,EUR,3,active,,,,\n"
        f"E-{tag},Stool,,furniture,2900,EUR,2,draft,,,,missing.glb\n"
        f"F-{tag},Shelf,,furniture,5900,EUR,4,draft,300,1800,400,\n"
    )
    report = import_file(tmp_path / "shop.csv", admin_api)
    assert [(n, sku) for n, sku, _ in report.imported] == [(1, f"A-{tag}"), (7, f"F-{tag}")]
    reasons = {n: why for n, _, why in report.rejected}
    assert set(reasons) == {2, 3, 4, 5, 6}
    assert "price_minor: '12.50' is not a whole number" in reasons[2]
    assert "unknown category 'weapons'" in reasons[3]
    assert reasons[4].startswith("name:")
    assert "appears on an earlier row" in reasons[5]
    assert "no file 'missing.glb'" in reasons[6]
    lamp = api.call("GET", f"{PRODUCTS}/A-{tag}", token=seller[1]).body
    assert (lamp["status"], lamp["stock"], lamp["asset"]["status"]) == ("active", 3, "PENDING")
    assert lamp["dimensions_mm"] == {"width": 200, "height": 400, "depth": 200}
    key = f"uploads/{seller[0]}/A-{tag}/lamp.glb"
    bucket = os.environ["SHOP3D_UPLOADS_BUCKET"]
    assert boto3.client("s3").head_object(Bucket=bucket, Key=key)["ContentLength"] == 20_000
    assert report.lines()[-1] == "2 imported, 5 rejected"


def test_importing_again_updates_instead_of_refusing(tmp_path, admin_api, api, seller):
    sku = f"J-{uuid.uuid4().hex[:6]}"
    row = {"sku": sku, "name": "Vase", "category": "decor", "price_minor": 1500, "currency": "EUR"}
    (tmp_path / "a.json").write_text(json.dumps([row]))
    assert import_file(tmp_path / "a.json", admin_api).imported[0][2] == "created"
    (tmp_path / "b.json").write_text(json.dumps([{**row, "price_minor": 1700, "stock": 9}]))
    report = import_file(tmp_path / "b.json", admin_api)
    assert report.imported[0][2] == "updated" and not report.rejected
    now = api.call("GET", f"{PRODUCTS}/{sku}", token=seller[1]).body
    assert (now["price_minor"], now["stock"], now["version"]) == (1700, 9, 2)


def test_a_json_that_is_not_a_list_is_refused_whole(tmp_path, admin_api):
    (tmp_path / "x.json").write_text('{"sku": "A"}')
    with pytest.raises(ValueError, match="a list of product objects"):
        import_file(tmp_path / "x.json", admin_api)
