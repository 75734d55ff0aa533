# shellcheck shell=bash
# Demo step (sourced by scripts/demo): the case study's mitigations are decided in files before any
# container starts. The lab as a Compose file and as Kubernetes workloads, audited by the same rules
# (same ids as vigie audit above), every finding at the file's line and column, fixes in the file's syntax.

step "the same rules before anything runs: vigie audit compose (findings at file:line:column)"
show vigie audit compose scripts/demo.d/lab.compose.yaml -p lab --brief \
  --rules VGI-CTR-001,VGI-CTR-004,VGI-CTR-005,VGI-CTR-006,VGI-CTR-014,VGI-CTR-037,VGI-CTR-038
step "and on Kubernetes manifests, with the Pod Security Standards (exit 1: baseline broken)"
expect 1 vigie audit k8s scripts/demo.d/lab.k8s.yaml --pss baseline --brief
