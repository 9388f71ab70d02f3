"""Load-lab endpoints. Every response is JSON and names the worker pid that served it.

  /health/           fast "ok"
  /cpu/?ms=N         burn about N ms of CPU time in this worker (default 20, max 10000)
  /mem/?mb=N         allocate and touch N MB, optionally hold it (&hold_ms=M), then free
  /db/?n=N           1 + N small SQLite queries, an N+1 pattern (default 10, max 10000)
  /slow/?ms=N        sleep N ms: the worker is busy but not on CPU (default 100, max 30000)
  /cache/?key=K      get-or-set K in the configured cache: a repeated key hits, a fresh
                     one misses and is stored (&ms=N: a miss costs N ms more, default 0)
  /hold/?ms=N        hold a DB connection inside a transaction for N ms (default 100,
                     max 30000): "idle in transaction" on PostgreSQL; &lock=1 first
                     locks one row FOR UPDATE (concurrent holds wait on the lock);
                     &sleep=db sleeps in the database (pg_sleep: an active query)
"""
import os
import re
import time

from django.conf import settings
from django.core.cache import cache as default_cache
from django.db import connection, transaction
from django.http import JsonResponse

from .models import Category, Item

PAGE = 4096


class BadParam(ValueError):
    pass


def _int_param(request, name, default, lo, hi):
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParam(f"{name} must be an integer, got {raw!r}")
    if not lo <= value <= hi:
        raise BadParam(f"{name} must be between {lo} and {hi}, got {value}")
    return value


def _bad(exc):
    return JsonResponse({"ok": False, "error": str(exc), "pid": os.getpid()}, status=400)


def _rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def index(request):
    return JsonResponse(
        {
            "ok": True,
            "pid": os.getpid(),
            "endpoints": [
                "/health/",
                "/cpu/?ms=20",
                "/mem/?mb=50",
                "/db/?n=50",
                "/slow/?ms=200",
                "/cache/?key=k1",
                "/hold/?ms=200",
            ],
        }
    )


def health(request):
    return JsonResponse({"ok": True, "pid": os.getpid()})


def cpu(request):
    try:
        ms = _int_param(request, "ms", 20, 0, 10_000)
    except BadParam as exc:
        return _bad(exc)
    wall0 = time.perf_counter()
    cpu0 = time.thread_time()
    deadline = cpu0 + ms / 1000.0
    x = 1
    rounds = 0
    # Deadline in thread CPU time: each request costs ~ms of CPU even when the
    # worker is descheduled or (with --threads) waiting for the GIL.
    while time.thread_time() < deadline:
        for _ in range(2000):
            x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        rounds += 1
    return JsonResponse(
        {
            "ok": True,
            "pid": os.getpid(),
            "ms": ms,
            "cpu_ms": round((time.thread_time() - cpu0) * 1000, 2),
            "wall_ms": round((time.perf_counter() - wall0) * 1000, 2),
            "rounds": rounds,
            "x": x,
        }
    )


def mem(request):
    try:
        mb = _int_param(request, "mb", 10, 0, settings.LAB_MEM_MAX_MB)
        hold_ms = _int_param(request, "hold_ms", 0, 0, 10_000)
    except BadParam as exc:
        return _bad(exc)
    t0 = time.perf_counter()
    rss_before = _rss_kb()
    size = mb * 1024 * 1024
    buf = bytearray(size)
    if size:
        # Write one byte per page so every page is really resident.
        buf[::PAGE] = b"\x01" * len(range(0, size, PAGE))
    rss_peak = _rss_kb()
    if hold_ms:
        time.sleep(hold_ms / 1000.0)
    checksum = buf[0] if size else 0
    del buf
    rss_after = _rss_kb()
    return JsonResponse(
        {
            "ok": True,
            "pid": os.getpid(),
            "mb": mb,
            "hold_ms": hold_ms,
            "rss_kb_before": rss_before,
            "rss_kb_peak": rss_peak,
            "rss_kb_after": rss_after,
            "wall_ms": round((time.perf_counter() - t0) * 1000, 2),
            "checksum": checksum,
        }
    )


def db(request):
    try:
        n = _int_param(request, "n", 10, 0, 10_000)
    except BadParam as exc:
        return _bad(exc)
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    t0 = time.perf_counter()
    total = 0
    with connection.execute_wrapper(count):
        # 1 query for the list, then 1 query per row: the classic N+1 pattern.
        items = list(Item.objects.order_by("id")[: min(n, 1000)])
        for i in range(n if items else 0):
            item = items[i % len(items)]
            category = Category.objects.get(pk=item.category_id)
            total += item.price_cents + len(category.name)
    return JsonResponse(
        {
            "ok": True,
            "pid": os.getpid(),
            "n": n,
            "queries": queries,
            "wall_ms": round((time.perf_counter() - t0) * 1000, 2),
            "total": total,
        }
    )


def slow(request):
    try:
        ms = _int_param(request, "ms", 100, 0, 30_000)
    except BadParam as exc:
        return _bad(exc)
    t0 = time.perf_counter()
    time.sleep(ms / 1000.0)
    return JsonResponse(
        {"ok": True, "pid": os.getpid(), "ms": ms, "wall_ms": round((time.perf_counter() - t0) * 1000, 2)}
    )


# Keys safe for every backend (memcached forbids spaces and control characters).
CACHE_KEY = re.compile(r"[A-Za-z0-9_.:-]{1,200}")


def cache(request):
    key = request.GET.get("key", "")
    if not CACHE_KEY.fullmatch(key):
        return _bad(BadParam("key must be 1-200 characters from A-Z a-z 0-9 _ . : -"))
    try:
        ms = _int_param(request, "ms", 0, 0, 10_000)
    except BadParam as exc:
        return _bad(exc)
    t0 = time.perf_counter()
    value = default_cache.get("lab:" + key)
    hit = value is not None
    if not hit:
        if ms:
            time.sleep(ms / 1000.0)  # the work a cache spares
        value = {"key": key, "made_by": os.getpid(), "at": time.time()}
        default_cache.set("lab:" + key, value)
    return JsonResponse(
        {
            "ok": True,
            "pid": os.getpid(),
            "key": key,
            "hit": hit,
            "backend": settings.LAB_CACHE_KIND,
            "made_by": value["made_by"],
            "wall_ms": round((time.perf_counter() - t0) * 1000, 2),
        }
    )


def hold(request):
    try:
        ms = _int_param(request, "ms", 100, 0, 30_000)
        lock = _int_param(request, "lock", 0, 0, 1)
    except BadParam as exc:
        return _bad(exc)
    where = request.GET.get("sleep", "app")
    if where not in ("app", "db"):
        return _bad(BadParam(f"sleep must be app or db, got {where!r}"))
    vendor = connection.vendor
    t0 = time.perf_counter()
    with transaction.atomic():
        if lock:
            # Every /hold/?lock=1 wants the same row: the second one waits.
            item = Item.objects.select_for_update().order_by("id").first()
        else:
            item = Item.objects.order_by("id").first()
        if where == "db" and vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_sleep(%s)", [ms / 1000.0])
        else:
            time.sleep(ms / 1000.0)  # the connection sits idle in transaction
    return JsonResponse(
        {
            "ok": True,
            "pid": os.getpid(),
            "ms": ms,
            "lock": bool(lock),
            "sleep": where,
            "db": vendor,
            "item": item.id if item else None,
            "wall_ms": round((time.perf_counter() - t0) * 1000, 2),
        }
    )
