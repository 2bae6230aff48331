import type { NewEvent } from '@liangxin/contracts';

/** One event to append, with the stream it goes to. Event ids are assigned here so causation can point at them. */
export type GeneratedEvent = { streamId: string; event: NewEvent & { eventId: string } };

export interface LoadOptions {
  seed?: number;
  /** roughly how many events to produce */
  events: number;
  districts?: readonly string[];
  parks?: readonly string[];
  industryChains?: readonly string[];
}

/** mulberry32: small, fast, seedable; the same seed always gives the same history */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

type Enterprise = { creditCode: string; district: string; full: number; probationary: number; employees: number; status: string; orgId?: string };
type Org = { orgId: string; district: string; mode: string; enterprises: Set<string>; active: boolean };

/** A set with O(1) add, delete and random pick, so generating millions of events stays linear. */
class PickableSet<T> {
  private readonly items: T[] = [];
  private readonly index = new Map<T, number>();
  get size() {
    return this.items.length;
  }
  add(item: T) {
    if (this.index.has(item)) return;
    this.index.set(item, this.items.length);
    this.items.push(item);
  }
  delete(item: T) {
    const i = this.index.get(item);
    if (i === undefined) return;
    const last = this.items.pop() as T;
    this.index.delete(item);
    if (last !== item) {
      this.items[i] = last;
      this.index.set(last, i);
    }
  }
  pick(rnd: () => number): T | undefined {
    return this.items[Math.floor(rnd() * this.items.length)];
  }
}

/**
 * A randomised but coherent history of registrations and formation decisions, in the shape the
 * registry and formation services append: registrations followed by automatic formation (standalone
 * with 3+ full members, work coverage otherwise, joint branches of waiting enterprises), member and
 * employee changes, operating status changes, officer actions (secretaries, instructors, levels,
 * pairings), dissolutions and merges. Causation ids link automatic decisions to what triggered them.
 */
export function* generateLoad(options: LoadOptions): Generator<GeneratedEvent> {
  const rnd = random(options.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)];
  const districts = options.districts ?? ['430100', '430200', '330482', '361100'];
  const parks = options.parks ?? ['high-tech-zone', 'etdz', 'port-park', 'innovation-valley'];
  const chains = options.industryChains ?? ['engineering-machinery', 'new-materials', 'electronics', 'biomedicine', 'rail-transit', 'logistics'];
  const enterprises: Enterprise[] = [];
  const orgs = new Map<string, Org>();
  const activeOrgs = new PickableSet<Org>();
  const activeOrgsByDistrict = new Map<string, PickableSet<Org>>();
  const activate = (org: Org) => {
    activeOrgs.add(org);
    const inDistrict = activeOrgsByDistrict.get(org.district) ?? new PickableSet<Org>();
    inDistrict.add(org);
    activeOrgsByDistrict.set(org.district, inDistrict);
  };
  const deactivate = (org: Org) => {
    org.active = false;
    activeOrgs.delete(org);
    activeOrgsByDistrict.get(org.district)?.delete(org);
  };
  const waiting = new Map<string, Set<string>>();
  let produced = 0;
  let ids = 0;
  let clock = Date.UTC(2024, 0, 1);

  const make = (streamId: string, type: string, data: object, causationId?: string, actor = 'system:formation'): GeneratedEvent => {
    produced += 1;
    clock += 60_000;
    return {
      streamId,
      event: {
        eventId: `gen-${options.seed ?? 1}-${++ids}`,
        type,
        schemaVersion: 1,
        data: data as Record<string, unknown>,
        occurredAt: new Date(clock).toISOString(),
        metadata: { actor, causationId, commandId: actor.startsWith('officer') ? `cmd-${ids}` : undefined },
      },
    };
  };
  const orgTotals = (org: Org) => {
    let full = 0;
    let probationary = 0;
    for (const code of org.enterprises) {
      const e = byCode.get(code);
      full += e?.full ?? 0;
      probationary += e?.probationary ?? 0;
    }
    return { fullMembersTotal: full, probationaryMembersTotal: probationary, enterpriseCount: org.enterprises.size };
  };
  const member = (e: Enterprise) => ({ creditCode: e.creditCode, fullMembers: e.full, probationaryMembers: e.probationary });
  const byCode = new Map<string, Enterprise>();

  function* formOrg(members: Enterprise[], mode: string, cause: string): Generator<GeneratedEvent> {
    const orgId = `org-${ids + 1}`;
    const org: Org = { orgId, district: members[0].district, mode, enterprises: new Set(members.map((m) => m.creditCode)), active: true };
    orgs.set(orgId, org);
    activate(org);
    for (const m of members) {
      m.orgId = orgId;
      waiting.get(m.district)?.delete(m.creditCode);
    }
    const full = members.reduce((s, m) => s + m.full, 0);
    yield make(`org-${orgId}`, 'OrgFormed', {
      orgId,
      district: org.district,
      automatic: true,
      name: `${members[0].creditCode} branch`,
      mode,
      level: full > 100 ? 'primary-committee' : full > 50 ? 'general-branch' : 'branch',
      committeeSize: full >= 7 ? 3 : 0,
      enterprises: members.map(member),
      fullMembers: full,
      probationaryMembers: members.reduce((s, m) => s + m.probationary, 0),
    }, cause);
  }

  function* cover(e: Enterprise, cause: string): Generator<GeneratedEvent> {
    if (e.full >= 3) return yield* formOrg([e], 'standalone', cause);
    const mustBe = e.employees >= 50 && e.full + e.probationary > 0;
    const stream = `formation-enterprise-${e.creditCode}`;
    if (e.full + e.probationary === 0) {
      return yield make(stream, 'WorkCoverageAssigned', { creditCode: e.creditCode, district: e.district, automatic: true, coveredBy: 'liaison', reason: 'no-party-members', mustBeOrganisationallyCovered: false }, cause);
    }
    yield make(stream, 'EnterpriseAwaitingJointBranch', { creditCode: e.creditCode, district: e.district, automatic: true, fullMembers: e.full, probationaryMembers: e.probationary, reason: 'fewer than 3 full members', mustBeOrganisationallyCovered: mustBe }, cause);
    yield make(stream, 'WorkCoverageAssigned', { creditCode: e.creditCode, district: e.district, automatic: true, coveredBy: 'instructor', reason: 'awaiting-joint-branch', mustBeOrganisationallyCovered: mustBe }, cause);
    const group = waiting.get(e.district) ?? new Set<string>();
    group.add(e.creditCode);
    waiting.set(e.district, group);
    const members = [...group].map((c) => byCode.get(c) as Enterprise);
    if (members.reduce((s, m) => s + m.full, 0) >= 3) yield* formOrg(members.slice(0, 5), 'joint', cause);
  }

  function* leave(e: Enterprise, reason: string, cause: string): Generator<GeneratedEvent> {
    const org = e.orgId ? orgs.get(e.orgId) : undefined;
    if (!org) return;
    org.enterprises.delete(e.creditCode);
    e.orgId = undefined;
    if (org.enterprises.size === 0) {
      deactivate(org);
      return yield make(`org-${org.orgId}`, 'OrgDissolved', { orgId: org.orgId, district: org.district, automatic: true, reason: 'no-member-enterprises', enterprisesReleased: [e.creditCode] }, cause);
    }
    yield make(`org-${org.orgId}`, 'EnterpriseLeftOrg', { orgId: org.orgId, district: org.district, automatic: true, creditCode: e.creditCode, reason, ...orgTotals(org) }, cause);
  }

  while (produced < options.events) {
    const roll = rnd();
    if (enterprises.length < 20 || roll < 0.3) {
      const district = pick(districts);
      const serial = String(enterprises.length).padStart(9, '0');
      const full = rnd() < 0.45 ? 0 : Math.floor(rnd() * 8);
      const e: Enterprise = { creditCode: `91${district}${serial}X`, district, full, probationary: Math.floor(rnd() * 2), employees: Math.floor(rnd() * 120), status: 'normal' };
      enterprises.push(e);
      byCode.set(e.creditCode, e);
      const registered = make(`enterprise-${e.creditCode}`, 'EnterpriseRegistered', {
        creditCode: e.creditCode,
        district,
        name: `Enterprise ${serial}`,
        kind: rnd() < 0.9 ? 'enterprise' : 'social-organisation',
        employees: e.employees,
        fullMembers: e.full,
        probationaryMembers: e.probationary,
        park: rnd() < 0.6 ? pick(parks) : undefined,
        industryChain: rnd() < 0.7 ? pick(chains) : undefined,
        registeredOn: new Date(clock).toISOString().slice(0, 10),
      }, undefined, 'system:market-regulator');
      yield registered;
      yield* cover(e, registered.event.eventId);
      continue;
    }
    const e = pick(enterprises);
    if (e.status === 'deregistered') continue;
    if (roll < 0.55) {
      const previousFull = e.full;
      e.full = Math.max(0, e.full + (rnd() < 0.6 ? 1 : -1));
      const changed = make(`enterprise-${e.creditCode}`, 'MemberCountChanged', { creditCode: e.creditCode, district: e.district, fullMembers: e.full, probationaryMembers: e.probationary, previousFullMembers: previousFull, previousProbationaryMembers: e.probationary, reason: e.full > previousFull ? 'transfer-in' : 'transfer-out' }, undefined, 'officer:registry');
      yield changed;
      const org = e.orgId ? orgs.get(e.orgId) : undefined;
      if (org) yield make(`org-${org.orgId}`, 'OrgMembersRecounted', { orgId: org.orgId, district: org.district, ...member(e), ...orgTotals(org) }, changed.event.eventId);
      else if (e.full >= 3 || (previousFull === 0 && e.full > 0)) yield* cover(e, changed.event.eventId);
    } else if (roll < 0.68) {
      e.employees = Math.max(0, e.employees + Math.floor(rnd() * 40) - 15);
      yield make(`enterprise-${e.creditCode}`, 'EmployeeCountChanged', { creditCode: e.creditCode, district: e.district, employees: e.employees, previousEmployees: 0 }, undefined, 'officer:registry');
    } else if (roll < 0.74) {
      const previous = e.status;
      e.status = rnd() < 0.3 ? 'deregistered' : previous === 'normal' ? 'abnormal' : 'normal';
      const changed = make(`enterprise-${e.creditCode}`, 'OperatingStatusChanged', { creditCode: e.creditCode, district: e.district, status: e.status, previousStatus: previous }, undefined, 'officer:registry');
      yield changed;
      if (e.status !== 'normal') yield* leave(e, e.status === 'deregistered' ? 'deregistered' : 'operation-abnormal', changed.event.eventId);
      if (e.status === 'deregistered') yield make(`formation-enterprise-${e.creditCode}`, 'EnterpriseCoverageEnded', { creditCode: e.creditCode, district: e.district, automatic: true, reason: 'deregistered' }, changed.event.eventId);
    } else if (roll < 0.8) {
      yield make(`enterprise-${e.creditCode}`, 'LedgerCorrected', { creditCode: e.creditCode, district: e.district, corrected: { park: pick(parks), reasonNoOrganisation: e.orgId ? undefined : 'members work off-site' }, previous: {} }, undefined, 'officer:registry');
    } else {
      if (activeOrgs.size < 2) continue;
      const org = activeOrgs.pick(rnd) as Org;
      const kind = rnd();
      const ref = { orgId: org.orgId, district: org.district };
      const person = { personId: `p-${Math.floor(rnd() * 500)}`, name: 'Officer' };
      if (kind < 0.3) yield make(`org-${org.orgId}`, 'SecretaryAssigned', { ...ref, secretary: person }, undefined, 'officer:district');
      else if (kind < 0.55) yield make(`org-${org.orgId}`, 'InstructorAssigned', { ...ref, instructor: person }, undefined, 'officer:district');
      else if (kind < 0.65) yield make(`org-${org.orgId}`, 'OrgLevelChanged', { ...ref, automatic: false, level: 'general-branch', previousLevel: 'branch', committeeSize: 3, previousCommitteeSize: 0, ...(() => { const t = orgTotals(org); return { fullMembers: t.fullMembersTotal, probationaryMembers: t.probationaryMembersTotal }; })() }, undefined, 'officer:district');
      else if (kind < 0.72) yield make(`org-${org.orgId}`, 'OrgsPaired', { ...ref, publicUnitOrgId: `public-${Math.floor(rnd() * 50)}`, publicUnitName: 'Public unit' }, undefined, 'officer:district');
      else if (kind < 0.85) {
        const candidateCode = waiting.get(org.district)?.values().next().value;
        const candidate = candidateCode === undefined ? undefined : byCode.get(candidateCode);
        if (!candidate || candidate.orgId || candidate.status !== 'normal' || candidate.full === 0) {
          if (candidateCode !== undefined) waiting.get(org.district)?.delete(candidateCode);
          continue;
        }
        candidate.orgId = org.orgId;
        org.enterprises.add(candidate.creditCode);
        waiting.get(org.district)?.delete(candidate.creditCode);
        yield make(`org-${org.orgId}`, 'EnterpriseJoinedOrg', { ...ref, automatic: false, ...member(candidate), ...orgTotals(org) }, undefined, 'officer:district');
      } else if (kind < 0.93) {
        const other = activeOrgsByDistrict.get(org.district)?.pick(rnd);
        if (!other || other === org) continue;
        const moved = [...other.enterprises].map((c) => byCode.get(c) as Enterprise);
        for (const m of moved) {
          m.orgId = org.orgId;
          org.enterprises.add(m.creditCode);
        }
        other.enterprises.clear();
        deactivate(other);
        const merged = make(`org-${org.orgId}`, 'OrgsMerged', { ...ref, automatic: false, mergedOrgId: other.orgId, enterprises: moved.map(member), reason: 'consolidation', ...orgTotals(org) }, undefined, 'officer:district');
        yield merged;
        yield make(`org-${other.orgId}`, 'OrgDissolved', { orgId: other.orgId, district: other.district, automatic: false, reason: 'merged', enterprisesReleased: [], mergedInto: org.orgId }, merged.event.eventId, 'officer:district');
      } else {
        deactivate(org);
        const released = [...org.enterprises];
        const dissolved = make(`org-${org.orgId}`, 'OrgDissolved', { ...ref, automatic: false, reason: 'officer-decision', enterprisesReleased: released }, undefined, 'officer:district');
        yield dissolved;
        for (const code of released) {
          const m = byCode.get(code) as Enterprise;
          m.orgId = undefined;
          yield* cover(m, dissolved.event.eventId);
        }
        org.enterprises.clear();
      }
    }
  }
}
