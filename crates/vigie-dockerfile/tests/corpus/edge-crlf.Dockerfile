FROM ubuntu:22.04
RUN apt-get update \
# install tools

 && apt-get install -y --no-install-recommends \
      curl \
 && rm -rf /var/lib/apt/lists/*
USER 1000
