# syntax=docker/dockerfile:1
# Jejaring's image: `docker compose up` (compose.yaml, docs/deploy.md). No container runtime
# runs on the machine that built this repository, so the image has not been built there; the
# same deploy/entrypoint.sh is tested outside a container (tests/test_deploy.py).
#
# Stages: `build` installs the pinned, hashed runtime dependencies and the package into a
# virtualenv; `runtime` copies that virtualenv onto a fresh slim image (no compiler, no pip
# cache, no source tree); `test` adds the development dependencies, the tests and Chromium
# for `docker compose run --rm test`.
ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY requirements.lock pyproject.toml README.md ./
COPY deploy/runtime_requirements.py deploy/build-requirements.lock deploy/
# Only the product's share of the lock (not pytest, Playwright…), each still pinned and
# hashed: --require-hashes refuses anything unpinned, unhashed or missing.
RUN python deploy/runtime_requirements.py requirements.lock pyproject.toml > runtime.lock \
 && python -m venv /opt/jejaring \
 && /opt/jejaring/bin/pip install --require-hashes -r runtime.lock \
 && /opt/jejaring/bin/pip install --require-hashes -r deploy/build-requirements.lock
COPY jejaring ./jejaring
# The package itself, without resolving anything again; then its translation catalogues are
# compiled into the installed package (the image's files are not writable at run time).
RUN /opt/jejaring/bin/pip install --no-deps --no-build-isolation . \
 && /opt/jejaring/bin/pip uninstall --yes setuptools \
 && /opt/jejaring/bin/python -c "from jejaring.cli import compile_messages; compile_messages()"

FROM ${PYTHON_IMAGE} AS runtime
# pg_dump/pg_restore for `jejaring backup`/`restore` (the client must be as new as the
# server: bookworm's 15 matches compose.yaml's postgres:15); tzdata for the local time of
# the scheduler.
RUN apt-get update \
 && apt-get install --yes --no-install-recommends postgresql-client-15 tzdata \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 jejaring \
 && useradd --system --uid 10001 --gid jejaring --home-dir /var/lib/jejaring --shell /usr/sbin/nologin jejaring \
 && install -d -o jejaring -g jejaring -m 0750 /var/lib/jejaring /var/lib/jejaring/media /var/lib/jejaring/static /backups
COPY --from=build /opt/jejaring /opt/jejaring
COPY deploy/entrypoint.sh /usr/local/bin/jejaring-entrypoint
ENV PATH=/opt/jejaring/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=jejaring.settings \
    JEJARING_BIND=0.0.0.0:8000 \
    STATIC_ROOT=/var/lib/jejaring/static \
    MEDIA_ROOT=/var/lib/jejaring/media \
    BACKUP_DIR=/backups \
    TZ=Asia/Jakarta
# Static files are collected at start, not here: `jejaring setup` (the web role) collects
# them into STATIC_ROOT on every start, so they always match the code of the running image.
USER jejaring:jejaring
WORKDIR /var/lib/jejaring
EXPOSE 8000
# Liveness only (/healthz); compose.yaml's web healthcheck asks /readyz.
HEALTHCHECK --interval=30s --timeout=10s --start-period=300s --retries=3 \
    CMD ["jejaring-entrypoint", "health", "healthz"]
ENTRYPOINT ["jejaring-entrypoint"]
CMD ["web"]

# `docker compose run --rm test`: the whole suite, as CI runs it (.ci/run), inside the image.
FROM runtime AS test
USER root
RUN apt-get update \
 && apt-get install --yes --no-install-recommends chromium make gettext shellcheck \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY --chown=jejaring:jejaring . .
RUN /usr/local/bin/python -m venv .venv \
 && .venv/bin/pip install --no-cache-dir --require-hashes -r requirements.lock \
 && .venv/bin/pip install --no-cache-dir --require-hashes -r deploy/build-requirements.lock \
 && .venv/bin/pip install --no-cache-dir --no-deps --no-build-isolation -e . \
 && touch .venv/.installed \
 && chown -R jejaring:jejaring /src
USER jejaring:jejaring
ENV PATH=/src/.venv/bin:$PATH CI=true CHROMIUM_PATH=/usr/bin/chromium
ENTRYPOINT []
CMD [".ci/run"]
