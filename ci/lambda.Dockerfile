# syntax=docker/dockerfile:1
# Lambda container image of a handler whose dependencies cannot ship as a Zip layer (see
# lambda_packaging/artifacts.lock.json for which and why, e.g. meshoptimizer is sdist-only on
# PyPI).
# Build context: the handler's staged context (lambda_packaging/image_context.py: pyproject.toml,
# uv.lock, handlers/__init__.py, handlers/shared, handlers/<HANDLER>). Build args: HANDLER (the uv dependency group and the
# folder under handlers/). The function sets ImageConfig.Command to the handler entry.
ARG LAMBDA_BASE=public.ecr.aws/lambda/python:3.12

FROM ${LAMBDA_BASE} AS deps
ARG HANDLER
# A compiler only in this stage: sdist-only packages are built here, never in the final image.
RUN dnf install -y gcc gcc-c++ make && dnf clean all
COPY --from=ghcr.io/astral-sh/uv:0.9.30 /uv /usr/local/bin/uv
WORKDIR /src
COPY pyproject.toml uv.lock ./
# The same pins and hashes as the Zip route: uv.lock's slice for the handler's group.
RUN uv export --frozen --no-default-groups --group "${HANDLER}" --no-emit-project \
        --format requirements-txt -o requirements.txt \
 && uv pip install --no-cache --python /var/lang/bin/python3.12 --target /deps \
        --require-hashes --no-deps -r requirements.txt \
 && rm -rf /deps/bin \
 && find /deps \( -name __pycache__ -o -name tests -o -name test \) -type d -prune -exec rm -rf {} +

FROM ${LAMBDA_BASE}
ARG HANDLER
COPY --from=deps /deps ${LAMBDA_TASK_ROOT}/
COPY handlers/__init__.py ${LAMBDA_TASK_ROOT}/handlers/__init__.py
COPY handlers/shared ${LAMBDA_TASK_ROOT}/handlers/shared
COPY handlers/${HANDLER} ${LAMBDA_TASK_ROOT}/handlers/${HANDLER}
