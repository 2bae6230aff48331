import { UpcasterChain } from './upcasting';

describe('UpcasterChain', () => {
  const chain = new UpcasterChain([
    { type: 'MemberCountChanged', fromVersion: 1, upcast: (d) => ({ ...d, probationaryMembers: 0 }) },
    { type: 'MemberCountChanged', fromVersion: 2, upcast: ({ members, ...rest }) => ({ ...rest, fullMembers: members }) },
  ]);

  it('upcasts an old event through every later version', () => {
    const upcast = chain.upcast({ type: 'MemberCountChanged', schemaVersion: 1, data: { members: 4 } });
    expect(upcast).toEqual({ type: 'MemberCountChanged', schemaVersion: 3, data: { fullMembers: 4, probationaryMembers: 0 } });
  });

  it('leaves a current event and unknown types as they are', () => {
    const current = { type: 'MemberCountChanged', schemaVersion: 3, data: { fullMembers: 1 } };
    expect(chain.upcast(current)).toBe(current);
    const other = { type: 'OrgFormed', schemaVersion: 1, data: {} };
    expect(chain.upcast(other)).toBe(other);
  });

  it('refuses two upcasters for the same version', () => {
    expect(() => chain.register({ type: 'MemberCountChanged', fromVersion: 1, upcast: (d) => d })).toThrow(/Two upcasters/);
  });
});
