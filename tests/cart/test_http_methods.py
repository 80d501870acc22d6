"""HEAD answers as GET without a body; a known path with a method it does not serve is a 405
problem with `Allow` (RFC 9110 9.3.2 and 15.5.6); an unknown path stays a 404."""

from __future__ import annotations


def test_head_answers_as_get_without_a_body(client, shop):
    shop.product("LAMP-2", 1200)
    got = client.call("GET", "/api/products/LAMP-2")
    head = client.call("HEAD", "/api/products/LAMP-2")
    assert got.status == head.status == 200
    assert head.body is None
    assert head.content_type == got.content_type == "application/json"


def test_head_of_a_missing_product_is_a_404_without_a_body(client):
    head = client.call("HEAD", "/api/products/NOPE-1")
    assert head.status == 404 and head.body is None
    assert head.content_type == "application/problem+json"


def test_a_known_path_with_the_wrong_method_is_a_405_naming_the_allowed_ones(client):
    reply = client.call("DELETE", "/api/products")
    assert reply.status == 405
    assert reply.content_type == "application/problem+json"
    assert reply.headers["Allow"] == "GET, HEAD"
    assert reply.body["allowed"] == ["GET", "HEAD"]
    assert "DELETE is not allowed on /api/products" in reply.body["detail"]


def test_a_path_with_a_parameter_lists_every_method_it_serves(client):
    reply = client.call("POST", "/api/cart/items/CHAIR-1")
    assert reply.status == 405
    assert reply.headers["Allow"] == "DELETE, PUT"


def test_head_on_a_post_only_path_is_a_405(client):
    reply = client.call("HEAD", "/api/checkout")
    assert reply.status == 405 and reply.headers["Allow"] == "POST"


def test_an_unknown_path_is_a_404(client):
    reply = client.call("GET", "/api/nothing-here")
    assert reply.status == 404 and reply.content_type == "application/problem+json"
