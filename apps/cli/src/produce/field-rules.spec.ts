import { inputChecks } from '@streamscore/platform';
import { parseLineRecords } from '../io/line-records';
import { encodeLines, LinesRefused } from './line-messages';
import { DEMO_PIPELINE, departureEncoder, departureLine } from './demo-departures.fixture';

/**
 * `streamscore produce` applies the pipeline's field rules as produce.command.ts wires its encoder
 * (inputChecks): a record that ingestion would dead-letter OUT_OF_RANGE is refused before anything
 * is sent, every bad line named with its fields (issue #18 item 7; the flights demo's rules).
 */
const encoder = departureEncoder(inputChecks(DEMO_PIPELINE, 'events'));
const departure = departureLine;

describe('produce: field rules', () => {
  it('refuses every line out of range before sending, naming its fields and rules', () => {
    const text = [
      departure(),
      departure({ distance: -5 }),
      departure({ eventId: '', scheduledAt: 0 }),
      departure({ distance: 0, scheduledAt: Date.UTC(2100, 0, 1) }),
    ].join('\n');
    const refuse = (): unknown =>
      encodeLines(parseLineRecords(Buffer.from(text), 'jsonl'), (r) => encoder.encode(r));
    expect(refuse).toThrow(LinesRefused);
    expect(refuse).toThrow(
      [
        '2 of 4 line(s) cannot be sent; nothing was sent:',
        '  line 2: OUT_OF_RANGE (distance): distance is -5; the pipeline allows 0 to 12500',
        '  line 3: OUT_OF_RANGE (eventId, scheduledAt): eventId is empty; the pipeline allows 1 to 128 ' +
          'characters; scheduledAt is 1970-01-01T00:00:00.000Z (0); the pipeline allows ' +
          '1990-01-01T00:00:00.000Z (631152000000) to 2100-01-01T00:00:00.000Z (4102444800000)',
      ].join('\n'),
    );
  });
});
