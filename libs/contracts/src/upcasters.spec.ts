import { EVALUATION_SCHEMA_VERSIONS } from './evaluation';
import { FORMATION_SCHEMA_VERSIONS, type OrgParentChanged } from './formation';
import { FUNDING_SCHEMA_VERSIONS } from './funding';
import { REGISTRY_SCHEMA_VERSIONS } from './registry';
import { SERVICE_REQUEST_SCHEMA_VERSIONS } from './requests';
import { currentEventUpcasters, EVENT_UPCASTERS } from './upcasters';

const CURRENT_VERSIONS: Record<string, number> = {
  ...REGISTRY_SCHEMA_VERSIONS,
  ...FORMATION_SCHEMA_VERSIONS,
  ...FUNDING_SCHEMA_VERSIONS,
  ...EVALUATION_SCHEMA_VERSIONS,
  ...SERVICE_REQUEST_SCHEMA_VERSIONS,
};

describe('the upcasters of every context', () => {
  it('bring every stored version of every event type to the version producers write now', () => {
    const chain = currentEventUpcasters();
    for (const [type, current] of Object.entries(CURRENT_VERSIONS)) {
      for (let stored = 1; stored <= current; stored++) {
        expect([type, chain.upcast({ type, schemaVersion: stored, data: {} }).schemaVersion]).toEqual([type, current]);
      }
    }
  });

  it('exist only for known types and versions older than the current one', () => {
    for (const upcaster of EVENT_UPCASTERS) {
      expect(CURRENT_VERSIONS[upcaster.type]).toBeGreaterThan(upcaster.fromVersion);
    }
  });

  describe('OrgParentChanged 1 → 2', () => {
    const v1 = (data: Record<string, unknown>) => ({ type: 'OrgParentChanged', schemaVersion: 1, data });
    const base = { orgId: 'o-1', district: '430102', parentOrgId: 'o-0', previousParentOrgId: null, reason: 'industry chain' };

    it('records a move stored without `automatic` as an officer’s', () => {
      const upcast = currentEventUpcasters().upcast(v1(base)) as unknown as OrgParentChanged;
      expect(upcast).toEqual({ type: 'OrgParentChanged', schemaVersion: 2, data: { ...base, automatic: false } });
    });

    it('keeps an automatic move stored at version 1 automatic, with its policy version', () => {
      const upcast = currentEventUpcasters().upcast(v1({ ...base, automatic: true, policyVersion: 'p-3', reason: 'parent-dissolved' }));
      expect(upcast.data).toEqual({ ...base, automatic: true, policyVersion: 'p-3', reason: 'parent-dissolved' });
    });
  });
});
