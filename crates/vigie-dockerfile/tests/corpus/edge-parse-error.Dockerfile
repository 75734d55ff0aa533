FROM alpine:3.19
RUNN echo typo
COPY onlyone
RUN <<EOF
echo never closed
