import { resolve } from 'node:path';
import { loadSchemaHistory } from './schema-history';
import { encodeConfluent, encodeSingleObject, singleObjectHeader } from './single-object';

const repo = resolve(__dirname, '../../../..');
const departure = loadSchemaHistory(resolve(repo, 'demo/flights/schemas/flight-departure'));
const deployment = loadSchemaHistory(resolve(repo, 'schemas/model-deployment'));

const flight = {
  eventId: 'e-1',
  scheduledAt: 978336000000,
  origin: 'SFO',
  destination: 'LAX',
  distance: 337,
};

// Golden bytes: changing a schema's canonical form or the encoder changes these on purpose only.
// Layout: C3 01 | fingerprint LE (8) | datum (zigzag varint lengths, IEEE-754 LE doubles, union index).
describe('encodeSingleObject', () => {
  it('encodes a flight-departure v2 record to the golden bytes', () => {
    const bytes = encodeSingleObject(departure.latest.type, { ...flight, carrier: 'UA' });
    expect(bytes.toString('hex')).toBe(
      'c301' +
        'ba370a4b1760bf85' +
        '06652d31' +
        '80a0f595f938' +
        '0653464f' +
        '064c4158' +
        '0000000000107540' +
        '02045541',
    );
  });

  it('encodes a flight-departure v1 record with the v1 fingerprint', () => {
    const bytes = encodeSingleObject(departure.versions[0]!.type, flight);
    expect(bytes.toString('hex')).toBe(
      'c301' + '70ac0bd19e0a1dde' + '06652d3180a0f595f9380653464f064c41580000000000107540',
    );
  });

  it('encodes a model-deployment record to the golden bytes', () => {
    const record = {
      model: 'm',
      active: { version: '1', uri: 'u', sha256: 'ab' },
      canary: { version: '2', uri: 'v', sha256: 'cd', share: 0.25 },
      shadow: null,
      updatedAt: 1,
      updatedBy: 'me',
      reason: 'r',
    };
    expect(encodeSingleObject(deployment.latest.type, record).toString('hex')).toBe(
      'c3012a5a90c80d730370026d023102750461620202320276046364000000000000d03f0002046d650272',
    );
  });

  it('puts the schema fingerprint little-endian after the magic bytes', () => {
    const header = singleObjectHeader(departure.latest.type);
    expect(header.subarray(0, 2)).toEqual(Buffer.from([0xc3, 0x01]));
    expect(header.readBigUInt64LE(2)).toBe(departure.latest.fingerprint);
  });

  it('throws on a record that does not match the type (a producer bug)', () => {
    expect(() => encodeSingleObject(departure.latest.type, { ...flight, distance: 'far' })).toThrow();
  });

  it('grows its scratch buffer for large records', () => {
    const big = { ...flight, eventId: 'x'.repeat(200_000), carrier: null };
    const bytes = encodeSingleObject(departure.latest.type, big);
    expect(departure.latest.type.decode(bytes, 10).value).toMatchObject(big);
  });
});

describe('encodeConfluent', () => {
  it('writes 00, the 4-byte big-endian schema id, then the datum', () => {
    const bytes = encodeConfluent(departure.latest.type, 7, { ...flight, carrier: 'UA' });
    expect(bytes.toString('hex')).toBe(
      '0000000007' + '06652d3180a0f595f9380653464f064c4158000000000010754002045541',
    );
  });

  it('rejects an id outside the 32-bit signed range', () => {
    expect(() => encodeConfluent(departure.latest.type, -1, flight)).toThrow(RangeError);
  });
});
