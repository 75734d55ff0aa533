ARG BASE=localhost:5000/team/base
FROM ${BASE} AS base
FROM localhost:5000/team/app:1.2.3
ONBUILD RUN apt-get install -y jq
COPY --from=base /etc/passwd /etc/passwd
# hadolint ignore=DL3008,DL3015
RUN apt-get install -y jq
USER app
