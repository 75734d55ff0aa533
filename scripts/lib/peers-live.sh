# shellcheck shell=bash
# Peers for the live-operation tests (run -it under a real terminal): tmux.
command -v tmux >/dev/null 2>&1 || { apt-get update -qq >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux >/dev/null; }
