# The authmap service image (used by docker-compose.yml).
FROM python:3.11-slim
WORKDIR /opt/authmap
COPY pyproject.toml README.md LICENSE ./
COPY app ./app
COPY ingest ./ingest
COPY cypher ./cypher
COPY frontend ./frontend
RUN pip install --no-cache-dir . && useradd --system authmap
USER authmap
EXPOSE 8000
# Inside a container the service must listen on all interfaces; publish it on loopback only
# (see docker-compose.yml) until API tokens are configured.
CMD ["sh", "-c", "authmap db init && authmap serve --host 0.0.0.0 --port 8000 --open-network"]
