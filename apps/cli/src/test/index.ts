/**
 * What other projects' tests use of the CLI (`@streamscore/cli/testing`): run it in-process and
 * read its dead-letter rows as it prints them.
 */
export { runCli } from './run-cli';
export type { DeadLetterRow } from '../dead-letters/dead-letter-row';
