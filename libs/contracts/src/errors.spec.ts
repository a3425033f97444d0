import {
  DeadLetterCodes,
  ErrorCodes,
  isRetriable,
  RetriableError,
  RetryCodes,
  type ErrorCode,
} from './errors';

describe('ErrorCodes', () => {
  const codes = Object.keys(ErrorCodes) as ErrorCode[];

  it('should keep the dead-letter codes of the header exactly as they were, in order', () => {
    expect(DeadLetterCodes).toEqual([
      'UNKNOWN_SCHEMA',
      'UNSUPPORTED_FORMAT',
      'TRUNCATED',
      'TRAILING_BYTES',
      'INVALID_FIELD',
      'MISSING_FIELD',
      'NOT_FINITE',
      'TOO_LARGE',
      'LIMIT_EXCEEDED',
      'MALFORMED',
      'MISSING_FEATURES',
      'MODEL_ERROR',
      'OUT_OF_RANGE',
      'DUPLICATE',
    ]);
  });

  it('should make every dead-letter code non-retriable and every retry code retriable', () => {
    for (const code of DeadLetterCodes)
      expect(ErrorCodes[code]).toEqual({ outcome: 'dead-letter', retriable: false });
    for (const code of RetryCodes) expect(ErrorCodes[code]).toEqual({ outcome: 'retry', retriable: true });
  });

  it('should split the table into the dead-letter and retry codes, each code in one of them', () => {
    expect([...DeadLetterCodes, ...RetryCodes].sort()).toEqual([...codes].sort());
    expect(RetryCodes).toEqual(['UNAVAILABLE', 'DEADLINE', 'NOT_READY']);
  });
});

describe('RetriableError', () => {
  it('should default to UNAVAILABLE and keep a given retry code and cause', () => {
    const cause = new Error('ECONNREFUSED');
    expect(new RetriableError('redis down')).toMatchObject({ code: 'UNAVAILABLE', retriable: true });
    const late = new RetriableError('read took too long', { code: 'DEADLINE', cause });
    expect(late).toMatchObject({ code: 'DEADLINE', retriable: true, name: 'RetriableError', cause });
    expect(ErrorCodes[late.code].retriable).toBe(true);
  });
});

describe('isRetriable', () => {
  it.each([
    [true, 'a RetriableError', new RetriableError('registry down')],
    [
      true,
      'a kafkajs error marked retriable',
      Object.assign(new Error('CONCURRENT_TRANSACTIONS'), { retriable: true }),
    ],
    [false, 'a kafkajs error marked non-retriable', Object.assign(new Error('fenced'), { retriable: false })],
    [false, 'a plain Error (a bug)', new TypeError('x is undefined')],
    [false, 'a truthy flag that is not true', { retriable: 'yes' }],
    [false, 'a string', 'retriable'],
    [false, 'null', null],
  ])('should answer %p for %s', (expected, _name, error) => {
    expect(isRetriable(error)).toBe(expected);
  });
});
