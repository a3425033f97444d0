import type { ModelDeployment } from '@streamscore/contracts';
import { DeploymentWriter } from '@streamscore/deployments';
import { ModelRepository } from '@streamscore/models';
import type { CliContext } from '../cli-env';

/** The version the services serve as active, and why (for a line the user reads). */
export interface ServedVersion {
  readonly version: number;
  readonly why: string;
}

/** The deployment writer of this catalogue's topics over a model repository. */
export function deploymentWriter(context: CliContext, repositoryRoot: string): DeploymentWriter {
  return new DeploymentWriter({
    kafka: context.kafka,
    deploymentsTopic: context.topics.name('modelDeployments'),
    auditTopic: context.topics.name('modelDeploymentsAudit'),
    repositoryRoot,
    schemasDir: context.schemasDir,
  });
}

/**
 * What the inference service serves as active: the deployment record's active version, or, with
 * no record on the topic, the repository's latest version (as the service itself does at start).
 */
export async function servedVersion(
  deployment: ModelDeployment | undefined,
  repositoryRoot: string,
  model: string,
): Promise<ServedVersion> {
  if (deployment) return { version: Number(deployment.active.version), why: 'the deployed active version' };
  const latest = await new ModelRepository(repositoryRoot).latestVersion(model);
  return {
    version: latest,
    why: "no deployment record: the services serve the repository's latest version",
  };
}
