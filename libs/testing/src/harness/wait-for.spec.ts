import { waitFor } from './wait-for';

describe('waitFor', () => {
  it('should resolve with the first value that is not false', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? `after ${calls}` : false), { intervalMs: 1 });
    expect(value).toBe('after 3');
  });

  it('should retry an assertion until it passes', async () => {
    let calls = 0;
    await waitFor(
      () => {
        calls += 1;
        expect(calls).toBe(2);
      },
      { intervalMs: 1 },
    );
    expect(calls).toBe(2);
  });

  it('should time out naming the condition and the last failure', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('still 0 rows');
        },
        { timeoutMs: 30, intervalMs: 5, description: 'rows' },
      ),
    ).rejects.toThrow(/waitFor\(rows\) timed out after 30 ms; last: still 0 rows/);
  });
});
