# syntax=docker/dockerfile:1.7
FROM debian:12.5
RUN <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends curl
rm -rf /var/lib/apt/lists/*
EOF
RUN echo "heredoc closed right above"
COPY <<-CONF <<APP /etc/app/
	key=value
	CONF
#!/bin/sh
exec /usr/bin/app
APP
RUN python3 <<PY
import os
os.system("apt-get install vim")
PY
USER app
