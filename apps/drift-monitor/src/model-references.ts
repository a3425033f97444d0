import { join } from 'node:path';
import { prepareReferences, type PreparedReferences } from '@streamscore/drift';
import { readManifest } from '@streamscore/models';

/**
 * Drift references per model version, read lazily from `<repository>/<name>/<version>/manifest.json`
 * and cached; a version without a (valid) manifest is remembered as missing so it is read once.
 */
export class ModelReferences {
  private readonly cache = new Map<string, Promise<PreparedReferences | Error>>();

  constructor(private readonly repository: string) {}

  get(modelName: string, modelVersion: string): Promise<PreparedReferences | Error> {
    const key = `${modelName}\u0000${modelVersion}`;
    let entry = this.cache.get(key);
    if (!entry) {
      entry = this.load(modelName, modelVersion);
      this.cache.set(key, entry);
    }
    return entry;
  }

  private async load(modelName: string, modelVersion: string): Promise<PreparedReferences | Error> {
    // Names come from records: keep them to one path segment each.
    if (!/^[\w.-]+$/.test(modelName) || !/^[\w.-]+$/.test(modelVersion) || modelName.startsWith('.'))
      return new Error(`model name or version is not a plain path segment: ${modelName}/${modelVersion}`);
    try {
      const manifest = await readManifest(join(this.repository, modelName, modelVersion));
      const order = manifest.inputs.flatMap((input) => input.features.map((f) => f.name));
      return prepareReferences(manifest.drift, order, manifest.training.rows);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }
}
