"""Distributed crawling: `-s REDIS_URL=redis://host:port/0` makes several `scrapy crawl epaper` workers,
on one machine or many, share one request queue and one duplicate filter in Redis (via scrapy-redis).

Off by default: without REDIS_URL the add-on changes nothing and scrapy-redis is not even imported.

Every worker yields the same start requests; the shared duplicate filter lets only the first through, so
each URL is fetched once overall, by whichever worker pops it. Each worker writes its own ARCHIVE_DIR.

Redis keys, one set per paper (the spider is always named "epaper", so scrapy-redis's `%(spider)s` alone
would make every paper share one queue):

    epaper:<paper>:requests     the shared queue (a sorted set: Scrapy priorities are kept)
    epaper:<paper>:dupefilter   fingerprints of every request scheduled in this run
    epaper:<paper>:workers      live workers (sorted set: worker id -> last heartbeat, unix time)

The last worker to finish normally deletes all three, so the next run (tomorrow's `since=last`, a
`revisit=1` re-crawl) starts clean; a worker that is stopped (Ctrl-C) or dies leaves them, and the next run
resumes the queue (its stale heartbeat stops counting after REDIS_WORKER_STALE seconds).
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object

logger = logging.getLogger(__name__)

# Set by the add-on when REDIS_URL is given, at "addon" priority: any of them can be overridden with -s.
REDIS_SETTINGS: dict[str, Any] = {
    "SCHEDULER": "crawler.distributed.RedisScheduler",
    "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
    # Must be True with more than one worker: scrapy-redis's Scheduler.close() with persist=False deletes
    # the shared queue and fingerprints when the *first* worker finishes, under the feet of the others
    # (their queued requests are lost, and what they fetch next is no longer de-duplicated).
    # RedisScheduler instead cleans up when the *last* worker finishes (see close()).
    "SCHEDULER_PERSIST": True,
    "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
    "SCHEDULER_QUEUE_KEY": "%(spider)s:%(paper)s:requests",
    "SCHEDULER_DUPEFILTER_KEY": "%(spider)s:%(paper)s:dupefilter",
    "REDIS_WORKERS_KEY": "%(spider)s:%(paper)s:workers",
    # Seconds a worker with nothing to do waits for work before closing: another worker's page may still
    # be about to queue articles. (scrapy-redis uses this as a blocking-pop timeout, which would block
    # Twisted's reactor; RedisScheduler never blocks and waits through the spider_idle signal instead.)
    "SCHEDULER_IDLE_BEFORE_CLOSE": 30,
    # A worker whose heartbeat is older than this is presumed dead (it no longer keeps the keys alive).
    "REDIS_WORKER_STALE": 300,
}


class RedisAddon:
    """Scrapy add-on (ADDONS in crawler/settings.py): switch to the Redis scheduler when REDIS_URL is set."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.get("REDIS_URL"):
            return
        for name, value in REDIS_SETTINGS.items():
            settings.set(name, value, priority="addon")


def _keys(spider: Spider) -> dict[str, str]:
    """What the key templates may use: %(spider)s (always "epaper") and %(paper)s (the profile key)."""
    profile = getattr(spider, "profile", None)
    return {"spider": spider.name, "paper": getattr(profile, "key", None) or spider.name}


def __getattr__(name: str) -> Any:
    """`crawler.distributed.RedisScheduler`, built on first use: scrapy-redis is imported only when needed."""
    if name == "RedisScheduler":
        global RedisScheduler
        RedisScheduler = _redis_scheduler()
        return RedisScheduler
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _redis_scheduler() -> type:
    try:
        from scrapy_redis.scheduler import Scheduler
    except ImportError as exc:
        raise ImportError(f"REDIS_URL is set but scrapy-redis is not installed: pip install scrapy-redis ({exc})") \
            from exc

    class RedisScheduler(Scheduler):
        """scrapy-redis 0.9.1's Scheduler, adapted for Scrapy 2.19 and for several workers:

        - key templates may use %(paper)s (scrapy-redis formats only %(spider)s);
        - no `spider=` arguments to the stats collector, no Spider.log() (both deprecated in Scrapy 2.19);
        - never a blocking pop; an idle worker waits SCHEDULER_IDLE_BEFORE_CLOSE seconds for work instead;
        - the last worker to finish deletes the run's keys (scrapy-redis: the first one, or never).
        """

        @classmethod
        def from_crawler(cls, crawler: Crawler) -> RedisScheduler:
            scheduler = super().from_crawler(crawler)
            settings = crawler.settings
            scheduler.idle_wait = settings.getfloat("SCHEDULER_IDLE_BEFORE_CLOSE")
            scheduler.idle_before_close = 0  # what scrapy-redis would block the reactor for: never
            scheduler.workers_template = settings.get("REDIS_WORKERS_KEY", REDIS_SETTINGS["REDIS_WORKERS_KEY"])
            scheduler.stale = settings.getfloat("REDIS_WORKER_STALE", 300)
            scheduler.worker_id = uuid.uuid4().hex
            scheduler.idle_since = None
            scheduler.beat_at = 0.0
            crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
            return scheduler

        def open(self, spider: Spider) -> None:
            keys = _keys(spider)
            self.queue_key = self.queue_key % keys
            self.dupefilter_key = self.dupefilter_key % keys
            self.workers_key = self.workers_template % keys
            self.df = load_object(self.dupefilter_cls)(self.server, key=self.dupefilter_key,
                                                       debug=spider.settings.getbool("DUPEFILTER_DEBUG"))
            # scrapy-redis's open() minus its deprecated spider.log() call
            self.spider = spider
            self.queue = load_object(self.queue_cls)(server=self.server, spider=spider, key=self.queue_key,
                                                     serializer=self.serializer)
            if self.flush_on_start:
                self.flush()
            self.heartbeat(force=True)
            logger.info("redis: worker %s sharing queue %s (%d queued, %d live worker(s))", self.worker_id[:8],
                        self.queue_key, len(self.queue), self.server.zcard(self.workers_key))

        def heartbeat(self, force: bool = False) -> None:
            """Tell the other workers this one is alive (at most every few seconds)."""
            now = time.time()
            if force or now - self.beat_at > 5:
                self.server.zadd(self.workers_key, {self.worker_id: now})
                self.beat_at = now

        def enqueue_request(self, request: Request) -> bool:
            if not request.dont_filter and self.df.request_seen(request):
                self.df.log(request, self.spider)
                return False
            if self.stats:
                self.stats.inc_value("scheduler/enqueued/redis")
            self.queue.push(request)
            return True

        def next_request(self) -> Request | None:
            self.heartbeat()
            request = self.queue.pop(0)
            if request is not None:
                self.idle_since = None
                if self.stats:
                    self.stats.inc_value("scheduler/dequeued/redis")
            return request

        def spider_idle(self, spider: Spider) -> None:
            """Nothing queued and nothing in flight here: wait a while, another worker may queue more."""
            now = time.monotonic()
            if self.idle_since is None:
                self.idle_since = now
            if now - self.idle_since < self.idle_wait:
                raise DontCloseSpider

        def close(self, reason: str) -> None:
            super().close(reason)  # with SCHEDULER_PERSIST=False: scrapy-redis's flush of queue and fingerprints
            server = self.server
            server.zrem(self.workers_key, self.worker_id)
            server.zremrangebyscore(self.workers_key, "-inf", time.time() - self.stale)
            others = server.zcard(self.workers_key)
            if reason == "finished" and others == 0:
                server.delete(self.queue_key, self.dupefilter_key, self.workers_key)
                logger.info("redis: last worker done, deleted %s, %s", self.queue_key, self.dupefilter_key)
            else:
                logger.info("redis: worker %s done (%s); %d other worker(s) live, %d request(s) queued",
                            self.worker_id[:8], reason, others, len(self.queue))

    return RedisScheduler
