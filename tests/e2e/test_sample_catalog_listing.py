"""The local sample-catalog loader writes what the listing indexes need, so every sample product
is in GET /api/products' by-status indexes (DynamoDB Local, the real sample catalog file)."""

from __future__ import annotations

import boto3

from handlers.shared.catalog import Catalog
from handlers.shared.tables import CATALOG_BY_STATUS
from local.catalog_file import load_catalog
from local.catalog_loader import write_products
from local.resources import AwsEndpoints


def _index_skus(client: object, table: str) -> list[str]:
    catalog = Catalog(client, table)
    skus: list[str] = []
    after = None
    while True:
        page = catalog.active_page(None, 2, after)  # small pages: the cursor path is walked too
        skus += [p.sku for p in page.products]
        if page.after is None:
            return skus
        after = page.after


def test_every_sample_product_is_in_the_by_status_index_and_a_rerun_keeps_its_place(
    aws_env: AwsEndpoints, local_tables: dict[str, str]
) -> None:
    catalog, _ = load_catalog()
    table_name = local_tables["catalog"]
    table = boto3.resource("dynamodb").Table(table_name)
    write_products(table, catalog)
    client = aws_env.dynamodb_client()
    listed = _index_skus(client, table_name)
    assert sorted(listed) == sorted(p.sku for p in catalog.products)
    item = table.get_item(Key={"sku": catalog.products[0].sku})["Item"]
    assert (item["status"], item["active"], item["version"]) == ("active", True, 1)
    assert item["seller"] == catalog.seller
    if catalog.products[0].category is not None:
        assert item["status_category"] == f"active#{catalog.products[0].category}"
    write_products(table, catalog)  # the platform starts again
    again = table.get_item(Key={"sku": catalog.products[0].sku})["Item"]
    assert again["updated_at"] == item["updated_at"] and again["version"] == 1
    assert _index_skus(client, table_name) == listed
    reply = client.query(
        TableName=table_name,
        IndexName=CATALOG_BY_STATUS.name,
        KeyConditionExpression="#s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "active"}},
        Select="COUNT",
    )
    assert reply["Count"] == len(catalog.products)
