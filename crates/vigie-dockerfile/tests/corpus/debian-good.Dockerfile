# syntax=docker/dockerfile:1.7
FROM debian:12.5-slim@sha256:6a2f1c1a4e2a9b7d1f0c3e5d8b9a7c6e5f4d3c2b1a09f8e7d6c5b4a3928170615
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates=20230311 \
      nginx=1.22.1-9 \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 web
COPY --chown=web:web site/ /var/www/html/
EXPOSE 8080
HEALTHCHECK CMD ["curl", "-fsS", "http://localhost:8080/"]
USER 10001
CMD ["nginx", "-g", "daemon off;"]
