/**
 * The feed's worker thread: reads and encodes each week of flights (about 3 s of CPU for 230,000
 * records) off the thread that paces the sends, which would otherwise stop sending for that long
 * at every week and then catch up in a burst. Answers each message with the next chunk.
 */
import { parentPort } from 'node:worker_threads';
import { FlightFeed } from './flight-feed';

const port = parentPort;
if (port === null) throw new Error('flight-feed.worker.ts runs as a worker thread (feed-reader.ts)');
const feed = new FlightFeed();
port.on('message', () => {
  void feed.nextChunk().then(
    (chunk) => {
      port.postMessage({ chunk }, [chunk.values.buffer, chunk.ends.buffer, chunk.isEvent.buffer]);
    },
    (error: unknown) => {
      port.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    },
  );
});
