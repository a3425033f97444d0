import type { Logger } from '@nestjs/common';
import type { RunnerLogger } from '@streamscore/kafka';

/** The batch runner's log lines through a service's Nest logger (one structured line each). */
export function runnerLogger(logger: Logger): RunnerLogger {
  const line = (message: string, extra?: Record<string, unknown>): string =>
    `${message} ${JSON.stringify(extra ?? {})}`;
  return {
    info: (message, extra) => {
      logger.log(line(message, extra));
    },
    warn: (message, extra) => {
      logger.warn(line(message, extra));
    },
    error: (message, extra) => {
      logger.error(line(message, extra));
    },
  };
}
