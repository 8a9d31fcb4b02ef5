# LBA Bot: `python -m bot run`, with the PostgreSQL client tools its backups use (pg_dump, pg_restore, psql).
#
#   docker build -t lba-bot .
#   docker run -d --name lba -e TELEGRAM_BOT_TOKEN=... -v lba-data:/app/data lba-bot      # SQLite in the volume
#   docker compose up -d --build                                                          # with PostgreSQL
#
# The base is pinned to Debian trixie because its postgresql-client is version 17, the same major version
# as compose.yaml's server: pg_dump refuses a server newer than itself, and a dump made by a newer pg_dump
# does not restore into an older server (pg_dump 17 writes `SET transaction_timeout`, unknown before 17).
FROM python:3.11-slim-trixie

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/lba --shell /usr/sbin/nologin lba

WORKDIR /app
# pyproject.toml is the one list of dependencies; the package is what it installs.
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY services ./services
COPY models ./models
RUN pip install . \
    && mkdir -p /app/data/backups \
    && chown -R lba:lba /app/data

# The database (SQLite by default; compose.yaml sets a PostgreSQL DATABASE_URL) and backups live in /app/data.
# /healthz and /metrics listen on every interface of the container: publish 9090 only where Prometheus is.
ENV DATABASE_URL=sqlite:////app/data/lba.db \
    BACKUP_DIR=/app/data/backups \
    METRICS_LISTEN=0.0.0.0 \
    METRICS_PORT=9090 \
    WEBHOOK_LISTEN=0.0.0.0 \
    WEBHOOK_PORT=8443

USER lba
VOLUME ["/app/data"]
EXPOSE 8443 9090
# SIGTERM: the bot finishes the update in hand, flushes state, gives back unsent outbox rows, exits 0.
STOPSIGNAL SIGTERM
# 503 (database down) or no answer makes urlopen raise: unhealthy. METRICS_PORT=0 turns /healthz off too.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('METRICS_PORT', '9090'), timeout=4)"]
CMD ["python", "-m", "bot", "run"]
