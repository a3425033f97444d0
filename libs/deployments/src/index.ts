export { routingBucket, routeByShare, type DeploymentRole } from './routing';
export {
  verifyArtifact,
  artifactFor,
  artifactDirectory,
  type VerifiedArtifact,
} from './artifact-verification';
export { DeploymentWatcher, type DeploymentWatcherOptions } from './deployment-watcher';
export { DeploymentWriter, type DeploymentWriterOptions } from './deployment-writer';
export { DeploymentCodec, defaultSchemasDir } from './deployment-codec';
export { DeploymentError, type DeploymentErrorCode } from './deployment-errors';
export { artifactsOf, sameArtifact, sameDeployment } from './deployment-records';
export { TopicFollower, type FollowedRecord, type TopicFollowerOptions } from './topic-follower';
