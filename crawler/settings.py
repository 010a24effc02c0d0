"""Scrapy settings: polite by default. Override per run with -s NAME=VALUE."""

from epaper.config import default_archive

BOT_NAME = "epaper"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"

# Where the archive (the source of truth) and the search index live. The archive: $EPAPER_ARCHIVE, the config
# file's `archive` (epaper/config.py; a broken file is reported by `scrapy crawl`), else data/archive.
ARCHIVE_DIR = default_archive(strict=False)
INDEX_DIR = ""
# Write buffered day files every N records or T seconds, and at the end: a killed crawl loses at most
# that much (and a plain re-run fetches it again). Every flush fsyncs each buffered day's file.
ARCHIVE_FLUSH_ITEMS = 5000
ARCHIVE_FLUSH_SECONDS = 60

# Be a good citizen: say who we are, obey robots.txt, adapt to the server's pace.
CONTACT = "https://github.com/epaper-archive/epaper"
USER_AGENT = f"epaper-archiver/0.1 (research archive of regional e-newspapers; +{CONTACT})"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
COOKIES_ENABLED = False
# Scrapy starts CONCURRENT_ITEMS tasks for every callback's output; our pipelines are synchronous, so
# the default 100 only costs CPU (measured with bench/bench_crawl.py --profile).
CONCURRENT_ITEMS = 16
# Scrapy checks, for every response, whether its generator callback also returns a value, re-reading and
# parsing the callback's source whenever its weak cache has lost the bound method: a development-time warning
# that cost 2-3% of a crawl's CPU (bench/bench_crawl.py --profile). Our callbacks are covered by tests.
WARN_ON_GENERATOR_RETURN_VALUE = False
TELNETCONSOLE_ENABLED = False

# process_response runs from the highest number down, so RetryAfterMiddleware (560) sees a 429/503 before
# Scrapy's RetryMiddleware (550) would retry it at once: it waits out Retry-After (up to RETRY_AFTER_MAX s).
# RequestGuard (610) sees a 3xx before RedirectMiddleware (600); its signal handlers check every scheduled request.
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.RetryAfterMiddleware": 560,
    "crawler.middlewares.RequestGuard": 610,
}

# Only http(s) is ever fetched: RequestGuard (below) refuses other schemes with an event, and without handlers
# nothing else could be downloaded anyway (Scrapy's FTP handler ignores DOWNLOAD_TIMEOUT: a port that
# accepts and never speaks hung the crawl for good).
DOWNLOAD_HANDLERS = {"ftp": None, "file": None, "data": None, "s3": None}
# RequestGuard reports long URLs (URLLENGTH_LIMIT, default 2083) instead; Scrapy's middleware drops them quietly.
SPIDER_MIDDLEWARES = {"scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None}
# Seconds to wait for a seen-store another process holds locked (the crawl checks it before fetching).
SEEN_TIMEOUT = 30

ITEM_PIPELINES = {
    "crawler.pipelines.normalize.NormalizePipeline": 300,
    "crawler.pipelines.fields.ArticleFieldsPipeline": 350,
    "crawler.pipelines.validate.ValidatePipeline": 400,
    "crawler.pipelines.dedupe.DedupePipeline": 500,
    # Scrapy closes pipelines in reverse order: index (700) closes after archive (800) has written.
    "crawler.pipelines.index.IndexPipeline": 700,
    "crawler.pipelines.archive.ArchivePipeline": 800,
}

EXTENSIONS = {"crawler.summary.CrawlSummary": 500, "crawler.progress.CrawlProgress": 510}
# Progress while crawling: "auto" (a bar on a terminal, else a line every PROGRESS_INTERVAL seconds), "bar",
# "lines" or "off"; $EPAPER_PROGRESS and $EPAPER_PROGRESS_INTERVAL are the defaults.
PROGRESS = ""
PROGRESS_INTERVAL = None

# -s REDIS_URL=redis://host:port/0: several workers share one queue in Redis (off when unset).
ADDONS = {"crawler.distributed.RedisAddon": 0}

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
