import { RetriableError, type ModelDeployment } from '@streamscore/contracts';
import { ModelError } from '@streamscore/models';
import { unionOfViews } from '../features/feature-plan';
import { describeServing, versionsOf, type Serving, type ServedVersion } from './serving';
import { versionKey, type VersionLoader, type VersionSource } from './version-loader';

/** The deployment to serve, as the control plane states it. */
export interface DesiredServing {
  readonly active: VersionSource;
  readonly canary: (VersionSource & { readonly share: number }) | null;
  readonly shadow: VersionSource | null;
}

export interface ServingEvents {
  applied(serving: Serving, description: string): void;
  refused(source: VersionSource, error: unknown): void;
}

interface Held {
  readonly version: ServedVersion;
  /** Batches in flight that use it. */
  refs: number;
  /** No longer part of the current serving: unloaded once refs reach 0. */
  retired: boolean;
}

/**
 * Owns what serves. A new deployment is applied only when every version it names has loaded and
 * scored its warm-up batch; otherwise it is refused and the current serving keeps going. The
 * switch is one assignment between micro-batches; a batch keeps the serving it started with, and
 * a retired version is unloaded only after its last batch released it.
 */
export class ServingController {
  private serving: Serving | undefined;
  private readonly held = new Map<string, Held>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly loader: VersionLoader,
    private readonly events: ServingEvents,
  ) {}

  current(): Serving | undefined {
    return this.serving;
  }

  /** The serving for one micro-batch; release() when its outputs are built. */
  acquire(): { serving: Serving; release: () => void } {
    const serving = this.serving;
    if (!serving) throw new RetriableError('no model version is serving yet', { code: 'NOT_READY' });
    const entries = versionsOf(serving).map((v) => this.held.get(v.key));
    for (const entry of entries) if (entry) entry.refs += 1;
    let released = false;
    return {
      serving,
      release: () => {
        if (released) return;
        released = true;
        for (const entry of entries) {
          if (!entry) continue;
          entry.refs -= 1;
          if (entry.retired && entry.refs === 0) void this.drop(entry);
        }
      },
    };
  }

  /** Applies a desired deployment; resolves false when it was refused. Calls are serialized. */
  apply(desired: DesiredServing): Promise<boolean> {
    const next = this.chain.then(() => this.applyNow(desired));
    this.chain = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.chain;
    for (const entry of this.held.values()) await this.loader.unload(entry.version).catch(() => undefined);
    this.held.clear();
  }

  private async applyNow(desired: DesiredServing): Promise<boolean> {
    const fresh: ServedVersion[] = [];
    const obtain = async (source: VersionSource): Promise<ServedVersion> => {
      const key = versionKey(source.model, source.artifact.version);
      const existing = this.held.get(key)?.version ?? fresh.find((v) => v.key === key);
      if (existing && source.artifact.sha256.toLowerCase() === existing.sha256) return existing;
      if (existing)
        throw new ModelError(
          'SHA256_MISMATCH',
          `${key}: the deployment record says sha256 ${source.artifact.sha256}, the loaded file has ${existing.sha256}`,
        );
      const loaded = await this.loader.load(source);
      fresh.push(loaded);
      return loaded;
    };
    let sourceInProgress: VersionSource = desired.active;
    try {
      const active = await obtain(desired.active);
      let canary: Serving['canary'] = null;
      if (desired.canary) {
        sourceInProgress = desired.canary;
        canary = { version: await obtain(desired.canary), share: desired.canary.share };
      }
      let shadow: ServedVersion | null = null;
      if (desired.shadow) {
        sourceInProgress = desired.shadow;
        shadow = await obtain(desired.shadow);
      }
      const versions = [active, ...(canary ? [canary.version] : []), ...(shadow ? [shadow] : [])];
      const serving: Serving = { active, canary, shadow, views: unionOfViews(versions.map((v) => v.views)) };
      this.swap(serving, fresh);
      this.events.applied(serving, describeServing(serving));
      return true;
    } catch (error) {
      for (const version of fresh) await this.loader.unload(version).catch(() => undefined);
      this.events.refused(sourceInProgress, error);
      return false;
    }
  }

  private swap(serving: Serving, fresh: readonly ServedVersion[]): void {
    for (const version of fresh) this.held.set(version.key, { version, refs: 0, retired: false });
    const keep = new Set(versionsOf(serving).map((v) => v.key));
    for (const entry of this.held.values()) {
      entry.retired = !keep.has(entry.version.key);
      if (entry.retired && entry.refs === 0) void this.drop(entry);
    }
    this.serving = serving;
  }

  private async drop(entry: Held): Promise<void> {
    if (this.held.get(entry.version.key) !== entry) return;
    this.held.delete(entry.version.key);
    await this.loader.unload(entry.version).catch(() => undefined);
  }
}

/** The desired serving a deployment record states. */
export function desiredFromDeployment(deployment: ModelDeployment): DesiredServing {
  const { model, canary, shadow } = deployment;
  return {
    active: { model, artifact: deployment.active },
    canary: canary
      ? {
          model,
          artifact: { version: canary.version, uri: canary.uri, sha256: canary.sha256 },
          share: canary.share,
        }
      : null,
    shadow: shadow ? { model, artifact: shadow } : null,
  };
}
