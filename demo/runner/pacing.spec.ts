import { departuresDue, MAX_SEND, nextSendEnd, nextTickAt } from './pacing';

// D = departure, o = outcome, in plan order.
const plan = (text: string): boolean[] => text.split('').map((c) => c === 'D');

describe('pacing', () => {
  describe('departuresDue', () => {
    it('should count the departures due at the rate, never more than there are', () => {
      expect(departuresDue(0, 200, 1_000)).toBe(0);
      expect(departuresDue(10, 200, 1_000)).toBe(2);
      expect(departuresDue(1_004, 200, 1_000)).toBe(200);
      expect(departuresDue(60_000, 200, 1_000)).toBe(1_000);
      expect(departuresDue(-50, 200, 1_000)).toBe(0);
    });

    it('should make every departure due without a rate', () => {
      expect(departuresDue(0, 0, 1_000)).toBe(1_000);
    });
  });

  describe('nextSendEnd', () => {
    it('should send the due departures with the outcomes between them, stopping before the next departure', () => {
      const p = plan('ooDoDDoD');
      expect(nextSendEnd(p, 0, 0, 0)).toEqual({ end: 2, departures: 0 });
      expect(nextSendEnd(p, 0, 0, 2)).toEqual({ end: 5, departures: 2 });
      expect(nextSendEnd(p, 5, 2, 3)).toEqual({ end: 7, departures: 1 });
      expect(nextSendEnd(p, 7, 3, 4)).toEqual({ end: 8, departures: 1 });
    });

    it('should send nothing when the next record is a departure not due yet', () => {
      expect(nextSendEnd(plan('Do'), 0, 0, 0)).toEqual({ end: 0, departures: 0 });
    });

    it('should send trailing outcomes once every departure is sent', () => {
      expect(nextSendEnd(plan('Doo'), 1, 1, 1)).toEqual({ end: 3, departures: 0 });
    });

    it('should cap one send at maxSend records', () => {
      const p = plan('D'.repeat(MAX_SEND + 10));
      expect(nextSendEnd(p, 0, 0, p.length)).toEqual({ end: MAX_SEND, departures: MAX_SEND });
      expect(nextSendEnd(p, 0, 0, p.length, 3)).toEqual({ end: 3, departures: 3 });
    });
  });

  describe('nextTickAt', () => {
    it('should wake on the next 10 ms tick after now, on the grid from the start', () => {
      expect(nextTickAt(1_000, 1_000)).toBe(1_010);
      expect(nextTickAt(1_000, 1_004)).toBe(1_010);
      expect(nextTickAt(1_000, 1_010)).toBe(1_020);
      expect(nextTickAt(1_000, 1_037)).toBe(1_040);
    });
  });
});
