"""A stats collector for benchmark crawls: Scrapy's MemoryStatsCollector that also writes the final stats
to the JSON file named by the BENCH_STATS_FILE setting (the crawls log at WARNING, so no stats dump).

    scrapy crawl ... -s STATS_CLASS=bench.crawl_stats.JsonFileStatsCollector -s BENCH_STATS_FILE=stats.json
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from scrapy.statscollectors import MemoryStatsCollector


def _plain(value: Any) -> Any:
    """JSON-able form of a stats value (datetimes as ISO strings)."""
    return value.isoformat() if isinstance(value, dt.datetime | dt.date) else value


class JsonFileStatsCollector(MemoryStatsCollector):
    """Keeps stats in memory as usual; when the spider closes, writes them to BENCH_STATS_FILE (if set)."""

    def _persist_stats(self, stats: dict[str, Any]) -> None:
        super()._persist_stats(stats)
        path = self._crawler.settings.get("BENCH_STATS_FILE")
        if path:
            data = {key: _plain(value) for key, value in stats.items()}
            Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                  encoding="utf-8")
