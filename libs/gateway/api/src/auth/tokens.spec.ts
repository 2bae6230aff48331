import { assertEnterpriseAccess, canSeeDistrict, type Principal } from './principal';
import { TokenService } from './tokens';

describe('TokenService', () => {
  const tokens = new TokenService({ adminToken: 'the-admin-token', jwtSecret: 'secret-for-tests' });

  it('recognises the admin token', () => {
    expect(tokens.verify('the-admin-token')).toEqual({ subject: 'admin', role: 'admin' });
  });

  it('round-trips a signed officer token with its districts', () => {
    const token = tokens.issue({ subject: 'li', role: 'officer', districts: ['430104'] });
    expect(tokens.verify(token)).toEqual({ subject: 'li', role: 'officer', districts: ['430104'], creditCode: undefined });
  });

  it('refuses a token signed with another secret, a tampered one and garbage', () => {
    const foreign = new TokenService({ jwtSecret: 'another' }).issue({ subject: 'x', role: 'admin' });
    expect(tokens.verify(foreign)).toBeUndefined();
    const token = tokens.issue({ subject: 'li', role: 'auditor' });
    expect(tokens.verify(token.slice(0, -2) + 'xx')).toBeUndefined();
    expect(tokens.verify('not-a-token')).toBeUndefined();
  });

  it('generates an admin token when none is configured', () => {
    const generated = new TokenService({});
    expect(generated.adminToken.length).toBeGreaterThanOrEqual(24);
    expect(generated.verify(generated.adminToken)?.role).toBe('admin');
  });
});

describe('district tenancy', () => {
  it('lets an officer see only its districts, and an admin all', () => {
    expect(canSeeDistrict({ subject: 'a', role: 'officer', districts: ['430104'] }, '430104')).toBe(true);
    expect(canSeeDistrict({ subject: 'a', role: 'officer', districts: ['430104'] }, '350100')).toBe(false);
    expect(canSeeDistrict({ subject: 'root', role: 'admin' }, '350100')).toBe(true);
  });

  it('lets an officer or auditor with no districts see nothing, never everything', () => {
    expect(canSeeDistrict({ subject: 'a', role: 'officer' }, '430104')).toBe(false);
    expect(canSeeDistrict({ subject: 'a', role: 'auditor', districts: [] }, '430104')).toBe(false);
  });

  it('reads a token issued without districts (before they were required) as naming none', () => {
    const service = new TokenService({ jwtSecret: 'secret-for-tests' });
    const legacy = service.issue({ subject: 'old', role: 'auditor' });
    expect(service.verify(legacy)).toMatchObject({ role: 'auditor', districts: [] });
    expect(canSeeDistrict(service.verify(legacy) as Principal, '430104')).toBe(false);
  });

  it('lets an enterprise see only itself', () => {
    const me = { subject: 'e', role: 'enterprise' as const, creditCode: '91350100M000100Y43' };
    expect(() => assertEnterpriseAccess(me, '91350100M000100Y43', '350100')).not.toThrow();
    expect(() => assertEnterpriseAccess(me, '91430104MA4L000001', '430104')).toThrow(/only its own/);
  });
});
