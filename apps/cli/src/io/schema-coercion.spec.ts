import type { Schema } from 'avsc';
import { coerceRecord, fieldKinds } from './schema-coercion';

const schema = {
  type: 'record',
  name: 'R',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'distance', type: 'double' },
    { name: 'count', type: 'int' },
    { name: 'ok', type: 'boolean' },
    { name: 'carrier', type: ['null', 'string'], default: null },
    { name: 'delay', type: ['null', 'double'], default: null },
  ],
} as unknown as Schema;

describe('fieldKinds', () => {
  it('should type fields and their optional unions', () => {
    const kinds = fieldKinds(schema);
    expect(kinds.get('at')).toEqual({ kind: 'integer', temporal: true, nullable: false });
    expect(kinds.get('delay')).toEqual({ kind: 'number', temporal: false, nullable: true });
    expect(kinds.get('carrier')).toEqual({ kind: 'string', temporal: false, nullable: true });
  });
});

describe('coerceRecord', () => {
  const kinds = fieldKinds(schema);

  it('should turn CSV text into numbers, booleans and nulls by field type', () => {
    expect(
      coerceRecord(
        {
          id: '7',
          at: '978307620000',
          distance: ' 2475.5 ',
          count: '3',
          ok: 'true',
          carrier: '',
          delay: '-4',
        },
        kinds,
      ),
    ).toEqual({ id: '7', at: 978307620000, distance: 2475.5, count: 3, ok: true, carrier: null, delay: -4 });
  });

  it('should read ISO dates in timestamp fields as epoch milliseconds', () => {
    expect(coerceRecord({ at: '2001-01-01T00:47:00Z' }, kinds)).toEqual({ at: Date.UTC(2001, 0, 1, 0, 47) });
  });

  it('should turn parquet BigInt and Date values into numbers', () => {
    expect(coerceRecord({ count: 5n, at: new Date(1000), id: 12n }, kinds)).toEqual({
      count: 5,
      at: 1000,
      id: '12',
    });
  });

  it('should leave text that is not a number, and unknown fields, for validation to report', () => {
    expect(coerceRecord({ distance: 'far', extra: '1' }, kinds)).toEqual({ distance: 'far', extra: '1' });
  });
});
