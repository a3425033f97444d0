import { RetriableError } from '@streamscore/contracts';
import { failureAction } from './failure-action';

describe('failureAction', () => {
  it.each([
    ['retry', 'a RetriableError (Redis, registry or worker down)', new RetriableError('redis down')],
    ['retry', 'a missed deadline', new RetriableError('read took 2 s', { code: 'DEADLINE' })],
    ['retry', 'no model version serving yet', new RetriableError('not serving', { code: 'NOT_READY' })],
    [
      'retry',
      'a kafkajs error marked retriable',
      Object.assign(new Error('CONCURRENT_TRANSACTIONS'), { retriable: true }),
    ],
    [
      'stop',
      'a kafkajs error marked non-retriable',
      Object.assign(new Error('PRODUCER_FENCED'), { retriable: false }),
    ],
    ['stop', 'a plain Error (a bug)', new Error('the transactional id was fenced')],
    ['stop', 'a TypeError (a bug)', new TypeError('cannot read properties of undefined')],
    ['stop', 'something that is not an Error', 'boom'],
  ])('should %s on %s', (action, _name, error) => {
    expect(failureAction(error)).toBe(action);
  });
});
