"""The pages' data cache bounded by size: least recently used values leave first, a value too big for it is not
kept, a write empties it, and /metrics shows its counters."""

from __future__ import annotations

from sparql_api.server.data_cache import DataCache, metric_lines


def test_least_recently_used_values_leave_first_when_the_size_is_reached() -> None:
    cache: DataCache[bytes] = DataCache(max_bytes=100, weigh=len)
    built: list[str] = []

    def value(key: str) -> bytes:
        return cache.get(lambda: (built.append(key), key.encode() * 20)[1], key)

    for key in "abcde":
        value(key)  # 5 × 20 bytes: all kept
    assert (len(cache), cache.bytes) == (5, 100)
    value("a")  # used again: now the most recent
    value("f")  # over 100 bytes: "b", the least recently used, leaves
    assert (len(cache), cache.bytes) == (5, 100)
    value("a"), value("c")
    assert built == list("abcdef")  # a and c were still kept
    value("b")
    assert built[-1] == "b"  # b had left
    assert (cache.hits, cache.misses) == (3, 7)


def test_a_value_over_a_quarter_of_the_size_is_returned_not_kept() -> None:
    cache: DataCache[bytes] = DataCache(max_bytes=100, weigh=len)
    assert cache.get(lambda: b"x" * 26, "big") == b"x" * 26
    assert (len(cache), cache.bytes) == (0, 0)
    cache.get(lambda: b"x" * 25, "fits")
    assert (len(cache), cache.bytes) == (1, 25)
    cache.forget()
    assert (len(cache), cache.bytes) == (0, 0)


def test_metrics_name_every_cache_and_size_only_the_bounded_ones() -> None:
    sized: DataCache[bytes] = DataCache(max_bytes=1000, weigh=len)
    sized.get(lambda: b"12345", "k")
    sized.get(lambda: b"12345", "k")
    plain: DataCache[str] = DataCache()
    plain.get(lambda: "v")
    lines = metric_lines({"compare.answers": sized, "coverage": plain, "other": object()})
    assert 'srkg_data_cache_hits_total{cache="compare.answers"} 1' in lines
    assert 'srkg_data_cache_misses_total{cache="compare.answers"} 1' in lines
    assert 'srkg_data_cache_misses_total{cache="coverage"} 1' in lines
    assert 'srkg_data_cache_entries{cache="coverage"} 1' in lines
    assert [line for line in lines if line.startswith("srkg_data_cache_bytes")] == [
        'srkg_data_cache_bytes{cache="compare.answers"} 5']
    assert not any("other" in line for line in lines)
