import { takeStack } from './global-setup';

/** Stops only what global setup started; STREAMSCORE_KEEP_STACK=1 leaves it up for the next run. */
export default async function globalTeardown(): Promise<void> {
  const stack = takeStack();
  if (!stack) return;
  if (process.env['STREAMSCORE_KEEP_STACK'] === '1') return;
  if (stack.kafka.ownership === 'started' || stack.redis.ownership === 'started') {
    process.stderr.write('[stack] stopping what global setup started (STREAMSCORE_KEEP_STACK=1 keeps it)\n');
  }
  await stack.stop();
}
