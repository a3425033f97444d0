import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelArtifact } from '@streamscore/contracts';
import { sha256Hex } from '@streamscore/models';
import { MODEL_DIR, writeDemoPipelineServing } from '@streamscore/demo-flights/testing';

/** The demo model, the one the flights pipeline serves. */
export const CHAOS_MODEL = 'flight-delay';

/** A model repository of its own in a temp dir, and a flights pipeline file that serves from it. */
export interface PrivateRepository {
  /** The temp dir holding both; remove() deletes it. */
  readonly dir: string;
  /** The model repository (the pipeline's modelRepository). */
  readonly root: string;
  /** The flights pipeline, with `modelRepository` pointing at `root`. */
  readonly pipeline: string;
  /** The directory of a version of CHAOS_MODEL (which may not exist). */
  versionDir(version: string): string;
  remove(): void;
}

/** A private repository holding v1 (the committed demo model). */
export function privateRepository(prefix: string): PrivateRepository {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const root = join(dir, 'models');
  const versionDir = (version: string): string => join(root, CHAOS_MODEL, version);
  cpSync(MODEL_DIR, versionDir('1'), { recursive: true });
  const pipeline = writeDemoPipelineServing(join(dir, 'pipeline.json'), root, CHAOS_MODEL);
  return {
    dir,
    root,
    pipeline,
    versionDir,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The committed demo model's manifest, as JSON. */
export function demoManifest(): Record<string, unknown> & { model: Record<string, unknown> } {
  return JSON.parse(readFileSync(join(MODEL_DIR, 'manifest.json'), 'utf8')) as Record<string, unknown> & {
    model: Record<string, unknown>;
  };
}

/**
 * The deployment record's artifact for a version whose ONNX file is the demo model's (uri relative
 * to the repository, as `streamscore models deploy` writes it).
 */
export function demoArtifact(version: string): ModelArtifact {
  return {
    version,
    uri: `${CHAOS_MODEL}/${version}`,
    sha256: sha256Hex(readFileSync(join(MODEL_DIR, 'model.onnx'))),
  };
}

/** A good version `version` of the demo model: the same ONNX file, its own manifest naming `version`. */
export function addDemoVersion(repository: PrivateRepository, version: string): ModelArtifact {
  const dir = repository.versionDir(version);
  cpSync(MODEL_DIR, dir, { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...demoManifest(), version: Number(version) }));
  return demoArtifact(version);
}
