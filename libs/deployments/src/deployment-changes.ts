import type {
  DeploymentAction,
  ModelArtifact,
  ModelDeployment,
  ModelDeploymentAudit,
} from '@streamscore/contracts';
import { DeploymentError } from './deployment-errors';
import { plainArtifact, sameDeployment } from './deployment-records';

/** Who, when and why: stamped on the new record and repeated by its audit. */
export interface ChangeStamp {
  readonly by: string;
  readonly reason: string;
  /** Epoch milliseconds. */
  readonly at: number;
}

export interface DeploymentChange {
  readonly action: DeploymentAction;
  readonly next: ModelDeployment;
}

function stamped(
  base: Omit<ModelDeployment, 'updatedAt' | 'updatedBy' | 'reason'>,
  stamp: ChangeStamp,
): ModelDeployment {
  return { ...base, updatedAt: stamp.at, updatedBy: stamp.by, reason: stamp.reason };
}

export function checkStamp(stamp: ChangeStamp): void {
  if (stamp.by.trim() === '') throw new RangeError('a deployment change needs who made it (by)');
  if (stamp.reason.trim() === '') throw new RangeError('a deployment change needs a reason');
}

export function checkShare(share: number): void {
  if (!Number.isFinite(share) || share < 0 || share > 1) {
    throw new DeploymentError('INVALID_SHARE', `canary share must be a number in [0, 1], got ${share}`);
  }
}

function existing(current: ModelDeployment | undefined, model: string, what: string): ModelDeployment {
  if (!current) {
    throw new DeploymentError(
      'NO_DEPLOYMENT',
      `model ${model} has no deployment yet: deploy a version before ${what}`,
    );
  }
  return current;
}

function notActive(current: ModelDeployment, artifact: ModelArtifact, role: string): void {
  if (current.active.version === artifact.version) {
    throw new DeploymentError(
      'ALREADY_SERVING',
      `version ${artifact.version} of ${current.model} is already active: it cannot also be the ${role}`,
    );
  }
}

/** ACTIVATE: a new active version; the canary is dropped, a shadow of another version stays. */
export function activate(
  current: ModelDeployment | undefined,
  model: string,
  artifact: ModelArtifact,
  stamp: ChangeStamp,
): DeploymentChange {
  const shadow = current?.shadow && current.shadow.version !== artifact.version ? current.shadow : null;
  return {
    action: 'ACTIVATE',
    next: stamped({ model, active: plainArtifact(artifact), canary: null, shadow }, stamp),
  };
}

export function startCanary(
  current: ModelDeployment | undefined,
  model: string,
  artifact: ModelArtifact,
  share: number,
  stamp: ChangeStamp,
): DeploymentChange {
  checkShare(share);
  const base = existing(current, model, 'a canary');
  notActive(base, artifact, 'canary');
  return {
    action: 'START_CANARY',
    next: stamped({ ...base, canary: { ...plainArtifact(artifact), share } }, stamp),
  };
}

export function stopCanary(
  current: ModelDeployment | undefined,
  model: string,
  stamp: ChangeStamp,
): DeploymentChange {
  const base = existing(current, model, 'stopping a canary');
  if (!base.canary) throw new DeploymentError('NO_CANARY', `model ${model} has no canary to stop`);
  return { action: 'STOP_CANARY', next: stamped({ ...base, canary: null }, stamp) };
}

export function startShadow(
  current: ModelDeployment | undefined,
  model: string,
  artifact: ModelArtifact,
  stamp: ChangeStamp,
): DeploymentChange {
  const base = existing(current, model, 'a shadow');
  notActive(base, artifact, 'shadow');
  return { action: 'START_SHADOW', next: stamped({ ...base, shadow: plainArtifact(artifact) }, stamp) };
}

export function stopShadow(
  current: ModelDeployment | undefined,
  model: string,
  stamp: ChangeStamp,
): DeploymentChange {
  const base = existing(current, model, 'stopping a shadow');
  if (!base.shadow) throw new DeploymentError('NO_SHADOW', `model ${model} has no shadow to stop`);
  return { action: 'STOP_SHADOW', next: stamped({ ...base, shadow: null }, stamp) };
}

/** The canary becomes the active version (an ACTIVATE in the audit trail). */
export function promote(
  current: ModelDeployment | undefined,
  model: string,
  stamp: ChangeStamp,
): DeploymentChange {
  const base = existing(current, model, 'promoting');
  if (!base.canary) throw new DeploymentError('NO_CANARY', `model ${model} has no canary to promote`);
  const { version, uri, sha256 } = base.canary;
  return activate(base, model, { version, uri, sha256 }, stamp);
}

/**
 * ROLLBACK: the record before the change that made the current one, written again with a new
 * stamp. Like `kubectl rollout undo`, a second rollback undoes the first.
 */
export function rollback(
  current: ModelDeployment | undefined,
  model: string,
  history: readonly ModelDeploymentAudit[],
  stamp: ChangeStamp,
): DeploymentChange {
  const base = existing(current, model, 'rolling back');
  const made = [...history].reverse().find((audit) => sameDeployment(audit.current, base));
  if (!made) {
    throw new DeploymentError(
      'NOTHING_TO_ROLL_BACK',
      `the current deployment of ${model} (${base.updatedAt}) has no audit record to roll back from`,
    );
  }
  if (!made.previous) {
    throw new DeploymentError('NOTHING_TO_ROLL_BACK', `the current deployment of ${model} is its first one`);
  }
  const { active, canary, shadow } = made.previous;
  return { action: 'ROLLBACK', next: stamped({ model, active, canary, shadow }, stamp) };
}
