import { rowsByRole } from './version-routing';

describe('rowsByRole', () => {
  it('should group row indices by role in input order', () => {
    expect(rowsByRole(['ACTIVE', 'CANARY', 'ACTIVE'])).toEqual({ ACTIVE: [0, 2], CANARY: [1] });
  });
});
