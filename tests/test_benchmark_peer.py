"""The suite's --peer mode: both sides drive the same reads, and the table divides ours by theirs."""

from benchmarks.suite import COMPARED, Measure, Results, compared_endpoints, peer_table


def measure(rate: float, p99: float, *, non_2xx: dict[str, int] | None = None) -> Measure:
    return Measure(rate=rate, p50_ms=1.0, p99_ms=p99, requests=100, non_2xx=non_2xx or {}, socket_errors=0, distinct=1)


def test_both_sides_run_the_same_reads_in_the_same_order_on_their_own_urls_and_tokens():
    ours = compared_endpoints(peer=False, token="ours-token", product="p-1", misses=5)
    theirs = compared_endpoints(peer=True, token="its-token", product="p-1", misses=5)
    assert [e.name for e in ours] == [e.name for e in theirs] == [row[0] for row in COMPARED]
    for mine, its in zip(ours, theirs, strict=True):
        mine_requests, its_requests = mine.requests(1), its.requests(1)
        assert len(mine_requests) == len(its_requests)
        for request in mine_requests:
            assert request["path"].split("?")[0].endswith("/")  # ours: always the trailing slash
        for request in its_requests:
            assert not request["path"].split("?")[0].endswith("/")  # its: a trailing slash is a 307
        assert {r.get("token") for r in mine_requests} <= {None, "ours-token"}
        assert {r.get("token") for r in its_requests} <= {None, "its-token"}
    detail = dict(zip([e.name for e in theirs], theirs, strict=True))["products detail (hit)"]
    assert detail.requests(1) == [{"path": "/api/v1/products/p-1"}]
    me = dict(zip([e.name for e in theirs], theirs, strict=True))["current user (/auth/me/)"]
    assert me.requests(1) == [{"path": "/api/v1/auth/me", "token": "its-token"}]


def test_a_miss_is_a_new_query_every_request_and_round_on_both_sides():
    for peer in (False, True):
        miss = {e.name: e for e in compared_endpoints(peer=peer, token="t", product="p", misses=50)}
        paths = [r["path"] for r in miss["products list (miss)"].requests(1)]
        later = [r["path"] for r in miss["products list (miss)"].requests(2)]
        assert len(set(paths + later)) == 100
        assert all("page_size=20&min_price=0.000" in path for path in paths)


def test_the_table_divides_ours_by_the_peers_medians_and_says_whether_the_target_is_met():
    ours, peer = Results("small"), Results("small")
    ours.rounds["products list (hit)"] = [measure(300, 10), measure(200, 20), measure(250, 30)]
    peer.rounds["products list (hit)"] = [measure(100, 40), measure(140, 40), measure(120, 40)]
    ours.rounds["GET /health/"] = [measure(100, 5)]
    peer.rounds["GET /health/"] = [measure(100, 5, non_2xx={"307": 3})]
    table = peer_table(ours, peer)
    assert "| products list (hit) | 250 | 120 | 2.08 | >= 2: met | 20.0 | 40.0 | 0.50 | 0 / 0 |" in table
    assert "| GET /health/ | 100 | 100 | 1.00 | >= 1.3: **not met** | 5.0 | 5.0 | 1.00 | 0 / 3 |" in table
