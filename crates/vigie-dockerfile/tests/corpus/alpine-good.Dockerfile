FROM alpine:3.19@sha256:c5b1261d6d3e43071626931fc004f70149baeba2c8ec672bd4f27761f8e1ad6b
RUN apk add --no-cache curl=8.5.0-r0 tini=0.19.0-r2 \
 && adduser -D -u 10001 app
WORKDIR /app
COPY --chown=app:app bin/ /app/bin/
USER app:app
ENTRYPOINT ["/sbin/tini", "--", "/app/bin/server"]
