# shellcheck shell=bash
# Demo step (sourced by scripts/demo): the lab's §2.3 — a Dockerfile with a
# non-root `appuser`, built with the engine, and proof of the user it runs as.
# Uses step, show, vigie and $IMAGE from scripts/demo.

LINT_DIR=$(mktemp -d)
cat > "$LINT_DIR/Dockerfile.insecure" <<DOCKERFILE
FROM $IMAGE
ENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
RUN chmod 777 /tmp && echo built
EXPOSE 22
CMD ["sh"]
DOCKERFILE
cat > "$LINT_DIR/Dockerfile.secure" <<DOCKERFILE
FROM $IMAGE
RUN adduser -D -u 10001 appuser
USER appuser
HEALTHCHECK CMD ["true"]
CMD ["sh"]
DOCKERFILE

step "§2.3 vigie lint: an insecure and a secure Dockerfile (hadolint-compatible ids, exact line:column)"
show vigie lint "$LINT_DIR/Dockerfile.insecure"
show vigie lint "$LINT_DIR/Dockerfile.secure"

step "§2.3 build both with the engine, then check the images and the user they really run as"
DOCKER_BUILDKIT=0 docker build -q --label io.vigie.demo=1 -t vigie-demo/insecure:1 -f "$LINT_DIR/Dockerfile.insecure" "$LINT_DIR" >/dev/null
DOCKER_BUILDKIT=0 docker build -q --label io.vigie.demo=1 -t vigie-demo/conteneur_secure:1 -f "$LINT_DIR/Dockerfile.secure" "$LINT_DIR" >/dev/null
# --runtime starts each image with its own USER, its entrypoint replaced by this (static) vigie mounted
# read-only, hardened, and removes the probe container; the demo label lets the cleanup trap see it too.
show vigie audit image --brief --runtime --probe-label io.vigie.demo=1 vigie-demo/insecure:1
show vigie audit image --brief --runtime --probe-label io.vigie.demo=1 vigie-demo/conteneur_secure:1
echo '$ docker run --rm vigie-demo/conteneur_secure:1 id   # the lab'"'"'s proof, by hand'
docker run --rm --label io.vigie.demo=1 vigie-demo/conteneur_secure:1 id || FAILED_STEPS+=("docker run vigie-demo/conteneur_secure:1 id")
rm -rf "$LINT_DIR"
