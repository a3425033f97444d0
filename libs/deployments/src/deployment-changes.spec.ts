import type { ModelArtifact, ModelDeploymentAudit } from '@streamscore/contracts';
import {
  activate,
  checkStamp,
  promote,
  rollback,
  startCanary,
  startShadow,
  stopCanary,
  stopShadow,
} from './deployment-changes';
import { DeploymentError } from './deployment-errors';

const v = (version: string): ModelArtifact => ({ version, uri: `m/${version}`, sha256: version.repeat(64) });
const at = (time: number) => ({ by: 'ana', reason: `change at ${time}`, at: time });

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof DeploymentError) return error.code;
    throw error;
  }
  return undefined;
}

describe('deployment changes', () => {
  const first = activate(undefined, 'm', v('1'), at(1)).next;

  describe('activate', () => {
    it('should make a first deployment with the stamp', () => {
      expect(first).toEqual({
        model: 'm',
        active: v('1'),
        canary: null,
        shadow: null,
        updatedAt: 1,
        updatedBy: 'ana',
        reason: 'change at 1',
      });
    });

    it('should drop the canary and keep a shadow of another version', () => {
      const withBoth = startShadow(startCanary(first, 'm', v('2'), 0.1, at(2)).next, 'm', v('3'), at(3)).next;
      const next = activate(withBoth, 'm', v('4'), at(4));
      expect(next.action).toBe('ACTIVATE');
      expect(next.next.canary).toBeNull();
      expect(next.next.shadow).toEqual(v('3'));
      expect(activate(withBoth, 'm', v('3'), at(5)).next.shadow).toBeNull();
    });
  });

  describe('canary and shadow', () => {
    it('should start and stop a canary with its share', () => {
      const canary = startCanary(first, 'm', v('2'), 0.25, at(2));
      expect(canary.action).toBe('START_CANARY');
      expect(canary.next.canary).toEqual({ ...v('2'), share: 0.25 });
      expect(canary.next.active).toEqual(v('1'));
      const stopped = stopCanary(canary.next, 'm', at(3));
      expect(stopped.action).toBe('STOP_CANARY');
      expect(stopped.next.canary).toBeNull();
    });

    it('should refuse a share outside [0, 1], a canary of the active version and a missing deployment', () => {
      expect(codeOf(() => startCanary(first, 'm', v('2'), 1.5, at(2)))).toBe('INVALID_SHARE');
      expect(codeOf(() => startCanary(first, 'm', v('2'), Number.NaN, at(2)))).toBe('INVALID_SHARE');
      expect(codeOf(() => startCanary(first, 'm', v('1'), 0.1, at(2)))).toBe('ALREADY_SERVING');
      expect(codeOf(() => startCanary(undefined, 'm', v('2'), 0.1, at(2)))).toBe('NO_DEPLOYMENT');
      expect(codeOf(() => stopCanary(first, 'm', at(2)))).toBe('NO_CANARY');
      expect(codeOf(() => stopShadow(first, 'm', at(2)))).toBe('NO_SHADOW');
    });

    it('should start and stop a shadow', () => {
      const shadow = startShadow(first, 'm', v('2'), at(2));
      expect(shadow.action).toBe('START_SHADOW');
      expect(shadow.next.shadow).toEqual(v('2'));
      expect(stopShadow(shadow.next, 'm', at(3)).next.shadow).toBeNull();
    });
  });

  describe('promote', () => {
    it('should make the canary active, as an ACTIVATE', () => {
      const promoted = promote(startCanary(first, 'm', v('2'), 0.1, at(2)).next, 'm', at(3));
      expect(promoted.action).toBe('ACTIVATE');
      expect(promoted.next.active).toEqual(v('2'));
      expect(promoted.next.canary).toBeNull();
      expect(codeOf(() => promote(first, 'm', at(3)))).toBe('NO_CANARY');
    });
  });

  describe('rollback', () => {
    const canary = startCanary(first, 'm', v('2'), 0.1, at(2)).next;
    const history: ModelDeploymentAudit[] = [
      { auditId: 'a1', action: 'ACTIVATE', previous: null, current: first },
      { auditId: 'a2', action: 'START_CANARY', previous: first, current: canary },
    ];

    it('should restore the record before the current one with a new stamp', () => {
      const back = rollback(canary, 'm', history, at(9));
      expect(back.action).toBe('ROLLBACK');
      expect(back.next).toEqual({ ...first, updatedAt: 9, reason: 'change at 9' });
    });

    it('should undo a rollback when rolled back again', () => {
      const back = rollback(canary, 'm', history, at(9)).next;
      const again = rollback(
        back,
        'm',
        [...history, { auditId: 'a3', action: 'ROLLBACK', previous: canary, current: back }],
        at(10),
      );
      expect(again.next.canary).toEqual(canary.canary);
    });

    it('should refuse when there is nothing before the current record', () => {
      expect(codeOf(() => rollback(first, 'm', history.slice(0, 1), at(9)))).toBe('NOTHING_TO_ROLL_BACK');
      expect(codeOf(() => rollback(canary, 'm', [], at(9)))).toBe('NOTHING_TO_ROLL_BACK');
      expect(codeOf(() => rollback(undefined, 'm', history, at(9)))).toBe('NO_DEPLOYMENT');
    });
  });

  it('should require who and why', () => {
    expect(() => {
      checkStamp({ by: ' ', reason: 'r', at: 1 });
    }).toThrow(/who/);
    expect(() => {
      checkStamp({ by: 'ana', reason: '', at: 1 });
    }).toThrow(/reason/);
  });
});
