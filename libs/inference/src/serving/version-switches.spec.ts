import { VersionSwitches } from './version-switches';

const v = (version: string): { key: string; name: string; version: string } => ({
  key: `flight-delay@${version}`,
  name: 'flight-delay',
  version,
});
const at = (
  partition: number,
  firstOffset: number,
): { topic: string; partition: number; firstOffset: string } => ({
  topic: 'events',
  partition,
  firstOffset: String(firstOffset),
});

describe('VersionSwitches', () => {
  describe('delivered', () => {
    it('should report no switch for a partition first delivered here', () => {
      expect(new VersionSwitches().delivered(at(0, 0), v('1'))).toBeUndefined();
    });

    it('should report the first micro-batch of a new active version, once, per partition', () => {
      const switches = new VersionSwitches();
      switches.delivered(at(0, 0), v('1'));
      switches.delivered(at(1, 0), v('1'));
      expect(switches.delivered(at(0, 100), v('1'))).toBeUndefined();
      expect(switches.delivered(at(0, 200), v('2'))).toEqual({
        topic: 'events',
        partition: 0,
        firstOffset: '200',
        model: 'flight-delay',
        fromVersion: '1',
        toVersion: '2',
      });
      expect(switches.delivered(at(0, 300), v('2'))).toBeUndefined();
      expect(switches.delivered(at(1, 50), v('2'))).toMatchObject({ partition: 1, firstOffset: '50' });
      expect(switches.delivered(at(0, 400), v('1'))).toMatchObject({ fromVersion: '2', toVersion: '1' });
    });
  });

  describe('assigned', () => {
    it('should forget partitions this member no longer owns and keep the others', () => {
      const switches = new VersionSwitches();
      switches.delivered(at(0, 0), v('1'));
      switches.delivered(at(1, 0), v('1'));
      switches.assigned({ events: [1] });
      expect(switches.delivered(at(0, 10), v('2'))).toBeUndefined();
      expect(switches.delivered(at(1, 10), v('2'))).toMatchObject({ partition: 1, toVersion: '2' });
    });
  });
});
