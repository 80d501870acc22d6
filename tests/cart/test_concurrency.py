"""Races with real parallel connections (threads, each with its own DynamoDB and PostgreSQL
connections; the service layer is what one Lambda container runs per request)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from handlers.cart.api.owners import Owner
from handlers.cart.api.problems import Problem
from handlers.cart.limits import MAX_QUANTITY

WORKERS = 32  # parallel connections; PostgreSQL's default limit is 100


def _outcome(call):
    try:
        return call()
    except Problem as problem:
        return problem


def test_200_buyers_racing_for_10_units_get_exactly_10_orders(services, shop):
    shop.product("HOT-1", 9900)
    shop.stock("HOT-1", 10)
    buyers = [Owner("user", f"buyer-{i}") for i in range(200)]
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(lambda buyer: services.carts.add(buyer, "HOT-1", 1), buyers))
        outcomes = list(pool.map(lambda b: _outcome(lambda: services.orders.checkout(b)), buyers))
    created = [o for o in outcomes if isinstance(o, tuple) and o[0] == 201]
    refused = [o for o in outcomes if isinstance(o, Problem)]
    assert len(created) == 10
    assert len(refused) == 190
    assert all(p.status == 409 and "not enough stock" in p.detail for p in refused)
    assert shop.stock("HOT-1") == 0
    assert shop.count_orders("HOT-1") == 10


def test_100_concurrent_adds_end_at_the_sum_of_the_successful_ones(services, shop):
    shop.product("NAIL-1", 5)
    owner = Owner("guest", "f" * 32)
    quantities = [1 + i % 3 for i in range(100)]  # 1, 2, 3, ...: their sum passes the cap

    def add(quantity: int):
        return quantity, _outcome(lambda: services.carts.add(owner, "NAIL-1", quantity))

    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = list(pool.map(add, quantities))
    succeeded = [q for q, result in outcomes if not isinstance(result, Problem)]
    failed = [result for _, result in outcomes if isinstance(result, Problem)]
    final = services.store.read(owner.cart_id)
    assert final.quantity("NAIL-1") == sum(succeeded)
    assert 0 < sum(succeeded) <= MAX_QUANTITY
    assert final.version == len(succeeded)  # one version per applied add: none lost
    # Every refusal says why: the line cap, or too many lost races in a row.
    assert all(p.status in (409, 422) for p in failed)


def test_merge_sent_10_times_at_once_is_applied_once(services, shop):
    shop.product("TOY-1", 1000)
    shop.product("TOY-2", 2000)
    guest, user = Owner("guest", "a" * 32), Owner("user", "merger")
    services.carts.add(guest, "TOY-1", 2)
    services.carts.add(guest, "TOY-2", 1)
    services.carts.add(user, "TOY-1", 5)
    with ThreadPoolExecutor(10) as pool:
        views = list(pool.map(lambda _: services.carts.merge(user, guest), range(10)))
    final = services.carts.get(user)
    assert {line["sku"]: line["quantity"] for line in final["lines"]} == {"TOY-1": 7, "TOY-2": 1}
    assert final["total_minor"] == 7 * 1000 + 2000
    assert all(view["lines"] == final["lines"] for view in views)
    assert guest.cart_id in services.store.read(user.cart_id).merged


def test_two_accounts_merging_one_guest_cart_at_once_get_its_lines_once(services, shop):
    shop.product("TOY-3", 1000)
    guest = Owner("guest", "b" * 32)
    services.carts.add(guest, "TOY-3", 3)
    users = [Owner("user", f"twin-{i}") for i in range(2)]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda user: services.carts.merge(user, guest), users))
    merged = [services.carts.get(user)["lines"] for user in users]
    assert sorted(len(lines) for lines in merged) == [0, 1]
    assert services.carts.get(guest)["lines"] == []  # emptied in the same transaction
