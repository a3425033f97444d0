export type DeploymentErrorCode =
  | 'NO_DEPLOYMENT'
  | 'NO_CANARY'
  | 'NO_SHADOW'
  | 'NOTHING_TO_ROLL_BACK'
  | 'INVALID_SHARE'
  | 'ALREADY_SERVING'
  | 'WRONG_MODEL'
  | 'NOT_CAUGHT_UP'
  | 'NOT_VISIBLE';

/**
 * A deployment change that cannot be made as asked (no canary to promote, a share outside [0, 1], …).
 * A model version that must not serve is a ModelError from @streamscore/models instead. A
 * boot or control-plane error, never `retriable` for the transport: NOT_CAUGHT_UP and NOT_VISIBLE
 * mean a wait ran out (at boot or in a CLI command), and the service or the person starts again.
 */
export class DeploymentError extends Error {
  override readonly name = 'DeploymentError';
  constructor(
    readonly code: DeploymentErrorCode,
    message: string,
  ) {
    super(message);
  }
}
