# shellcheck shell=bash
# Demo step (sourced by scripts/demo): the lab's §1.1-1.3 and §2.4 live, and
# the case study's "catch violations when they happen". Uses step, show,
# vigie and $IMAGE from scripts/demo; every container carries io.vigie.demo=1.

step "§1.1 docker run hello-world, the four steps live: vigie run (hardened by default)"
show vigie run --rm --label io.vigie.demo=1 "$IMAGE" echo "Hello from a hardened container"

step "§1.1 the same with Docker's own defaults: the posture shows what hardening prevents"
show vigie run --rm --profile default --label io.vigie.demo=1 "$IMAGE" id

step "§1.2-1.3 docker stats: vigie stats (a busy container and an idle one)"
docker run -d --name lab-busy --label io.vigie.demo=1 "$IMAGE" sh -c 'while :; do :; done' >/dev/null
docker run -d --name lab-idle --label io.vigie.demo=1 "$IMAGE" sleep 600 >/dev/null
sleep 2
show vigie stats --no-stream lab-busy lab-idle
docker rm -f lab-busy lab-idle >/dev/null

step "§2.4 docker network disconnect: vigie isolate proves the traffic stopped, --restore reconnects"
LIVE_STATE=$(mktemp -d)
docker network rm lab-net >/dev/null 2>&1 || true
docker network create --label io.vigie.demo=1 lab-net >/dev/null
docker run -d --name lab-web --network lab-net --label io.vigie.demo=1 "$IMAGE" sleep 600 >/dev/null
LAB_WEB_IP=$(docker inspect -f '{{(index .NetworkSettings.Networks "lab-net").IPAddress}}' lab-web)
docker run -d --name lab-client --network lab-net --label io.vigie.demo=1 "$IMAGE" \
  sh -c "while :; do ping -i 0.2 $LAB_WEB_IP; sleep 0.2; done" >/dev/null
sleep 1
VIGIE_STATE_DIR=$LIVE_STATE show vigie isolate lab-client --verify 2
VIGIE_STATE_DIR=$LIVE_STATE show vigie isolate --restore lab-client
sleep 1
show docker exec lab-client ping -c 1 -W 2 "$LAB_WEB_IP"
docker rm -f lab-web lab-client >/dev/null
docker network rm lab-net >/dev/null 2>&1 || true
rm -rf "$LIVE_STATE"

step "case study: vigie watch audits containers as they appear; --enforce stop stops a violating one"
echo '$ vigie watch --fail-on critical --enforce stop --label io.vigie.demo=1   (background; then docker run -v /:/mnt …)'
# The binary itself in the background (not the `vigie` shell function, whose
# subshell would be the one receiving the signal).
"$VIGIE" watch --fail-on critical --enforce stop --label io.vigie.demo=1 & LIVE_WATCH=$!
sleep 1.5
docker run -d --name lab-watched --label io.vigie.demo=1 -v /:/mnt "$IMAGE" sleep 600 >/dev/null
sleep 3
kill -INT "$LIVE_WATCH"; wait "$LIVE_WATCH" || true   # Ctrl-C: ends cleanly, exit 0
show docker inspect -f 'lab-watched running: {{.State.Running}}' lab-watched
docker rm -f lab-watched >/dev/null
