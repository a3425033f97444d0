// Validates rendered Kubernetes manifests against the Kubernetes JSON schemas, offline: the schemas
// ship in the npm packages kubernetes-models (core and apps APIs, generated from the Kubernetes
// OpenAPI spec) and @kubernetes-models/keda (KEDA's CRDs). Reads multi-document YAML on stdin,
// e.g. `kubectl kustomize deploy/k8s/base | node tools/k8s-validate.mjs base`.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { parseAllDocuments } = require('yaml');
const label = process.argv[2] ?? 'stdin';

/** Packages that hold the models of API groups other than Kubernetes' own. */
const CRD_PACKAGES = { 'keda.sh': '@kubernetes-models/keda' };

function modelOf(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const pkg = CRD_PACKAGES[group] ?? 'kubernetes-models';
  const path = group === '' ? `${pkg}/${version}/${kind}` : `${pkg}/${group}/${version}/${kind}`;
  try {
    return require(path)[kind];
  } catch {
    return undefined;
  }
}

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const documents = parseAllDocuments(Buffer.concat(chunks).toString('utf8'));
const problems = [];
let checked = 0;
for (const document of documents) {
  if (document.errors.length > 0) {
    problems.push(`YAML: ${document.errors.map((e) => e.message).join('; ')}`);
    continue;
  }
  const object = document.toJSON();
  if (object === null || object === undefined) continue;
  const where = `${object.kind ?? '?'}/${object.metadata?.name ?? '?'}`;
  const Model =
    typeof object.apiVersion === 'string' && typeof object.kind === 'string'
      ? modelOf(object.apiVersion, object.kind)
      : undefined;
  if (Model === undefined) {
    problems.push(`${where}: no schema for ${object.apiVersion} ${object.kind}`);
    continue;
  }
  try {
    new Model(object).validate();
    checked++;
  } catch (error) {
    problems.push(`${where}: ${error.message}`);
  }
}
if (problems.length > 0) {
  for (const problem of problems) process.stderr.write(`k8s ${label}: ${problem}\n`);
  process.exit(1);
}
if (checked === 0) {
  process.stderr.write(`k8s ${label}: no manifests to check\n`);
  process.exit(1);
}
process.stdout.write(`k8s ${label}: ${checked} objects match the Kubernetes schemas\n`);
