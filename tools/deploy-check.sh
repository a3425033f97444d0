#!/usr/bin/env bash
# Static checks of the deployment that need no Docker engine and no cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
# docker-compose, promtool and kubectl come from the system: name what is missing, then stop.
node tools/system-tools.mjs deploy
echo "docker-compose.yml: docker-compose config (default and gpu profile)"
docker-compose -f docker-compose.yml config -q
COMPOSE_PROFILES=gpu docker-compose -f docker-compose.yml config -q
echo "docker-compose.yml: dclint (Compose specification)"
node_modules/.bin/dclint docker-compose.yml
echo "prometheus: promtool check config and rules"
promtool check config deploy/prometheus/prometheus.yml >/dev/null
promtool check rules deploy/prometheus/alerts.yml >/dev/null
echo "prometheus: promtool test rules (a firing and a quiet case per alert)"
promtool test rules deploy/prometheus/alerts.test.yml >/dev/null
echo "grafana: dashboards parse as JSON"
for f in deploy/grafana/dashboards/*.json; do [ -e "$f" ] && node -e "JSON.parse(require('fs').readFileSync('$f','utf8'))"; done
echo "grafana: provisioning files are valid YAML"
for f in deploy/grafana/provisioning/*/*.yml; do
  node -e "require('yaml').parse(require('fs').readFileSync('$f','utf8'))"
done
echo "k8s: kustomize build (kubectl) and Kubernetes/KEDA schema validation (kubernetes-models)"
for target in deploy/k8s/base deploy/k8s/overlays/gpu; do
  kubectl kustomize "$target" | node tools/k8s-validate.mjs "$target"
done
echo "deployment checks passed"
