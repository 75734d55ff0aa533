FROM alpine:3.19
ARG PASSWORD
ARG DB_PASSWORD=hunter2
ENV API_TOKEN=x KEY_PATH=/x
ENV SECRET_KEY_BASE=abc
ENV PUBLIC_KEY=abc
ENV MY_AUTH=abc
ENV NPM_TOKEN abc
ENV AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
ENV PASSWORD_FILE=/run/secrets/pw
SHELL ["/bin/ash", "-eo", "pipefail", "-c"]
RUN curl x | sh
FROM alpine:latest
RUN curl x | sh
FROM scratch
FROM ubuntu@sha256:abc
FROM $IMG
FROM localhost:5000/img
COPY --from=x a b
