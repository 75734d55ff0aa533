# shellcheck shell=bash
# Demo step (sourced by scripts/demo): the lab's §2.1 (--privileged), §2.2 (-v /:/mnt), §2.4 (network)
# and the case study's five mitigations: vigie audit over containers in every state, then the HTML
# report. Uses step, show, vigie and $IMAGE from scripts/demo; every container carries io.vigie.demo=1.

step "§2.1-2.2 and the case study: vigie audit (created, running and exited containers, and the host)"
docker create --name lab-privileged --label io.vigie.demo=1 --privileged "$IMAGE" sh >/dev/null
docker create --name lab-root-mount --label io.vigie.demo=1 -v /:/mnt:ro "$IMAGE" ls /mnt >/dev/null
docker create --name lab-socket --label io.vigie.demo=1 -v /var/run/docker.sock:/var/run/docker.sock \
  -p 9000:9000 --restart always -e DB_PASSWORD=not-shown "$IMAGE" sh >/dev/null
docker run -d --name lab-hardened --label io.vigie.demo=1 --user 1000:1000 --cap-drop ALL --read-only \
  --security-opt no-new-privileges -m 64m --cpus 0.5 --pids-limit 50 --ulimit nofile=1024:1024 \
  --restart on-failure:5 --health-cmd true --network none "$IMAGE" sleep 600 >/dev/null
docker run --name lab-exited --label io.vigie.demo=1 "$IMAGE" true >/dev/null
show vigie audit --brief lab-privileged lab-root-mount lab-socket lab-hardened lab-exited
AUDIT_DIR=$(mktemp -d)
show vigie audit lab-privileged lab-root-mount lab-socket lab-hardened lab-exited \
  --format sarif -o "$AUDIT_DIR/audit.sarif" --report "$AUDIT_DIR/report.html" --fail-on critical
echo "SARIF: $AUDIT_DIR/audit.sarif   HTML report: $AUDIT_DIR/report.html (exit 1 above: critical findings)"
docker rm -f lab-privileged lab-root-mount lab-socket lab-hardened lab-exited >/dev/null
