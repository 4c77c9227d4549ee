# The service's image: runtime dependencies only (no embedded PostgreSQL, no test tools),
# run as a non-root user. It needs DATABASE_URL (and MIGRATION_DATABASE_URL for the owner
# role that migrates at start); see compose.yaml for a whole deployment.

# --- build: resolve the locked runtime dependencies into a virtual environment -------------
FROM python:3.11-slim-bookworm AS build
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /bin/uv
ENV UV_LINK_MODE=copy \
    UV_COMPILE_BYTECODE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app
COPY pyproject.toml uv.lock ./
# The service runs from its source folder (migrations are read from /app/sql), so only the
# dependencies are installed, not the project itself.
RUN uv sync --locked --no-dev --no-install-project

# --- runtime ----------------------------------------------------------------------------
FROM python:3.11-slim-bookworm
RUN groupadd --system --gid 10001 auth \
    && useradd --system --uid 10001 --gid auth --home-dir /app --no-create-home auth
WORKDIR /app
COPY --from=build /app/.venv /app/.venv
COPY service ./service
COPY sql ./sql
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    APP_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATA_DIR=/tmp/auth
USER 10001:10001
EXPOSE 8000
# No curl in the image: the standard library asks /health/ready.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; u.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/health/ready', timeout=2)"]
CMD ["python", "-m", "service", "serve"]
