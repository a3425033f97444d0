import Ajv, { type ErrorObject } from 'ajv';
import schema from './manifest.schema.json';
import { featureWidth } from './feature-columns';
import type { DriftReference, InputFeature, ModelManifest, NumericReference } from './manifest-types';

/** One thing wrong with a manifest: a JSON pointer into the document and what is wrong there. */
export interface ManifestIssue {
  readonly path: string;
  readonly message: string;
}

export type ManifestValidation =
  | { readonly valid: true; readonly manifest: ModelManifest }
  | { readonly valid: false; readonly issues: readonly ManifestIssue[] };

/** Proportions are stored rounded by JSON; they must still describe a distribution. */
const PROPORTION_SUM_TOLERANCE = 1e-6;

// Strict: unknown keywords in the schema are bugs; unknown keys in a manifest are refused by
// additionalProperties: false. allErrors so one run reports every problem with its path.
const ajv = new Ajv({ strict: true, allErrors: true, discriminator: true });
const validateSchema = ajv.compile<ModelManifest>(schema);

export { schema as manifestJsonSchema };

function issueFromAjv(error: ErrorObject): ManifestIssue {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required' && typeof params['missingProperty'] === 'string') {
    return { path: `${error.instancePath}/${params['missingProperty']}`, message: 'is required' };
  }
  if (error.keyword === 'additionalProperties' && typeof params['additionalProperty'] === 'string') {
    return { path: `${error.instancePath}/${params['additionalProperty']}`, message: 'is not a known key' };
  }
  const allowed = Array.isArray(params['allowedValues'])
    ? ` (${JSON.stringify(params['allowedValues'])})`
    : '';
  return { path: error.instancePath || '/', message: `${error.message ?? error.keyword}${allowed}` };
}

function pointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function checkReference(path: string, reference: DriftReference, issues: ManifestIssue[]): void {
  const expected = reference.kind === 'numeric' ? reference.edges.length + 1 : reference.categories.length;
  if (reference.proportions.length !== expected) {
    issues.push({
      path: `${path}/proportions`,
      message: `has ${reference.proportions.length} entries, expected ${expected}`,
    });
  }
  const sum = reference.proportions.reduce((total, p) => total + p, 0);
  if (Math.abs(sum - 1) > PROPORTION_SUM_TOLERANCE) {
    issues.push({ path: `${path}/proportions`, message: `sum to ${sum}, expected 1` });
  }
  if (reference.kind === 'numeric') checkEdges(path, reference, issues);
}

function checkEdges(path: string, reference: NumericReference, issues: ManifestIssue[]): void {
  for (let i = 1; i < reference.edges.length; i++) {
    if ((reference.edges[i] ?? 0) <= (reference.edges[i - 1] ?? 0)) {
      issues.push({ path: `${path}/edges/${i}`, message: 'edges must be strictly increasing' });
    }
  }
}

function checkFeature(path: string, feature: InputFeature, issues: ManifestIssue[]): void {
  if (feature.type !== 'numeric') return;
  feature.preprocessing.forEach((step, index) => {
    if (step.op === 'clip' && step.min > step.max) {
      issues.push({ path: `${path}/preprocessing/${index}`, message: 'clip min is greater than max' });
    }
  });
}

function checkWindow(path: string, window: { from: string; to: string }, issues: ManifestIssue[]): void {
  const from = Date.parse(window.from);
  const to = Date.parse(window.to);
  if (Number.isNaN(from)) issues.push({ path: `${path}/from`, message: 'is not a valid date' });
  if (Number.isNaN(to)) issues.push({ path: `${path}/to`, message: 'is not a valid date' });
  if (from >= to) issues.push({ path, message: 'from must be before to' });
}

/** Rules JSON Schema cannot express: column counts, name uniqueness, drift coverage. */
function semanticIssues(manifest: ModelManifest): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  const names = new Map<string, InputFeature>();
  const tensors = new Set<string>();
  manifest.inputs.forEach((input, i) => {
    if (tensors.has(input.tensor))
      issues.push({ path: `/inputs/${i}/tensor`, message: 'duplicate tensor name' });
    tensors.add(input.tensor);
    let width = 0;
    input.features.forEach((feature, f) => {
      const path = `/inputs/${i}/features/${f}`;
      if (names.has(feature.name))
        issues.push({ path: `${path}/name`, message: `duplicate feature name ${feature.name}` });
      names.set(feature.name, feature);
      width += featureWidth(feature);
      checkFeature(path, feature, issues);
    });
    if (width !== input.shape[1]) {
      issues.push({
        path: `/inputs/${i}/shape/1`,
        message: `tensor ${input.tensor} declares ${input.shape[1]} columns but its features map ${width}`,
      });
    }
  });
  manifest.outputs.forEach((output, o) => {
    if (tensors.has(output.tensor))
      issues.push({ path: `/outputs/${o}/tensor`, message: 'duplicate tensor name' });
    tensors.add(output.tensor);
  });
  checkWindow('/training/window', manifest.training.window, issues);
  checkWindow('/training/validationWindow', manifest.training.validationWindow, issues);
  checkWindow('/drift/window', manifest.drift.window, issues);
  for (const [name, feature] of names) {
    const path = `/drift/features/${pointerToken(name)}`;
    const reference = manifest.drift.features[name];
    if (!reference) {
      issues.push({ path, message: `missing drift reference for input feature ${name}` });
    } else if (reference.kind !== feature.type) {
      issues.push({
        path: `${path}/kind`,
        message: `is ${reference.kind} but feature ${name} is ${feature.type}`,
      });
    }
  }
  for (const [name, reference] of Object.entries(manifest.drift.features)) {
    const path = `/drift/features/${pointerToken(name)}`;
    if (!names.has(name)) issues.push({ path, message: `no input feature is named ${name}` });
    checkReference(path, reference, issues);
  }
  checkReference('/drift/score', manifest.drift.score, issues);
  return issues;
}

/** Validates a parsed manifest document: the JSON Schema first, then the cross-field rules. */
export function validateManifest(document: unknown): ManifestValidation {
  if (!validateSchema(document)) {
    return { valid: false, issues: (validateSchema.errors ?? []).map(issueFromAjv) };
  }
  const issues = semanticIssues(document);
  return issues.length > 0 ? { valid: false, issues } : { valid: true, manifest: document };
}

export function formatIssues(issues: readonly ManifestIssue[]): string {
  return issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
}
