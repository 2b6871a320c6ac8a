# The authmap service image (used by docker-compose.yml).
# The viewer is built first (pinned by frontend/package-lock.json); only its dist/ is kept.
FROM node:20-slim AS viewer
WORKDIR /src
COPY frontend/package.json frontend/package-lock.json frontend/build.mjs ./
RUN npm ci --no-audit --no-fund
COPY frontend/src ./src
RUN npm run build

FROM python:3.11-slim
WORKDIR /opt/authmap
COPY pyproject.toml README.md LICENSE ./
COPY app ./app
COPY ingest ./ingest
COPY cypher ./cypher
COPY --from=viewer /src/dist ./frontend/dist
RUN pip install --no-cache-dir . && useradd --system authmap
USER authmap
EXPOSE 8000
# Inside a container the service must listen on all interfaces; publish it on loopback only
# (see docker-compose.yml) until API tokens are configured.
CMD ["sh", "-c", "authmap db init && authmap serve --host 0.0.0.0 --port 8000 --open-network"]
