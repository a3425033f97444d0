import type {
  CanaryArtifact,
  ModelArtifact,
  ModelDeployment,
  ModelDeploymentAudit,
} from '@streamscore/contracts';

/** Plain copies of decoded records (avsc hands out instances of its generated record classes). */
export function plainArtifact(artifact: ModelArtifact): ModelArtifact {
  return { version: artifact.version, uri: artifact.uri, sha256: artifact.sha256 };
}

function plainCanary(canary: CanaryArtifact): CanaryArtifact {
  return { ...plainArtifact(canary), share: canary.share };
}

export function plainDeployment(deployment: ModelDeployment): ModelDeployment {
  return {
    model: deployment.model,
    active: plainArtifact(deployment.active),
    canary: deployment.canary ? plainCanary(deployment.canary) : null,
    shadow: deployment.shadow ? plainArtifact(deployment.shadow) : null,
    updatedAt: deployment.updatedAt,
    updatedBy: deployment.updatedBy,
    reason: deployment.reason,
  };
}

export function plainAudit(audit: ModelDeploymentAudit): ModelDeploymentAudit {
  return {
    auditId: audit.auditId,
    action: audit.action,
    previous: audit.previous ? plainDeployment(audit.previous) : null,
    current: plainDeployment(audit.current),
  };
}

export function sameArtifact(a: ModelArtifact | null, b: ModelArtifact | null): boolean {
  if (a === null || b === null) return a === b;
  return a.version === b.version && a.uri === b.uri && a.sha256 === b.sha256;
}

/** Same content and same change (who, when, why): one record of the compacted topic. */
export function sameDeployment(a: ModelDeployment, b: ModelDeployment): boolean {
  return (
    a.model === b.model &&
    sameArtifact(a.active, b.active) &&
    sameArtifact(a.canary, b.canary) &&
    (a.canary?.share ?? null) === (b.canary?.share ?? null) &&
    sameArtifact(a.shadow, b.shadow) &&
    a.updatedAt === b.updatedAt &&
    a.updatedBy === b.updatedBy &&
    a.reason === b.reason
  );
}

/** The artifacts a deployment names, each once: what replicas must be able to load. */
export function artifactsOf(deployment: ModelDeployment): ModelArtifact[] {
  const named = [deployment.active, deployment.canary, deployment.shadow].filter(
    (artifact): artifact is ModelArtifact => artifact !== null,
  );
  return named
    .filter((artifact, index) => named.findIndex((other) => sameArtifact(other, artifact)) === index)
    .map(plainArtifact);
}
