# Spasm FAQ bot: a slim, non-root image. Build: docker build -t spasm-faq-bot .
# Run with compose (bot + PostgreSQL): see README "Container". The token is never
# baked in: it comes from the environment (DISCORD_TOKEN, e.g. compose's .env).

# -- build: install the bot and its dependencies into a virtualenv ---------------------------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# Every dependency ships manylinux wheels for CPython 3.11: no compiler is needed.
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir . \
    && find /opt/venv -name "__pycache__" -type d -prune -exec rm -rf {} +

# -- runtime: the virtualenv and the content, nothing else -----------------------------------
FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    BOT_CONTENT_PATH=/app/content \
    BOT_STORAGE_DATABASE_PATH=/data/bot.sqlite3 \
    BOT_HEALTH_HEARTBEAT_PATH=/tmp/faqbot/heartbeat
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin faqbot \
    && mkdir -p /app /data \
    && chown faqbot:faqbot /data
COPY --from=build /opt/venv /opt/venv
COPY content /app/content
WORKDIR /app
USER faqbot
# Healthy while the running bot refreshes its heartbeat file (ready, connected, not stopping).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot", "healthcheck"]
# SIGTERM (docker stop) makes the bot flush pending rows and exit 0.
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot", "run"]
