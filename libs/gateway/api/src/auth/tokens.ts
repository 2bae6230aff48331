import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as jwt from 'jsonwebtoken';
import { type Principal, ROLES, type Role } from './principal';

/**
 * Two kinds of bearer token: the operator's static admin token, and signed role tokens (JWT, HS256)
 * that an admin issues for officers, auditors and enterprises.
 */
export class TokenService {
  readonly adminToken: string;
  private readonly secret: string;

  constructor(options: { adminToken?: string; jwtSecret?: string }) {
    this.adminToken = options.adminToken ?? randomBytes(24).toString('base64url');
    this.secret = options.jwtSecret ?? randomBytes(32).toString('base64url');
  }

  issue(principal: Principal, expiresInSeconds = 12 * 3600): string {
    const claims: Record<string, unknown> = { role: principal.role };
    if (principal.districts) claims.districts = principal.districts;
    if (principal.creditCode) claims.creditCode = principal.creditCode;
    return jwt.sign(claims, this.secret, { algorithm: 'HS256', subject: principal.subject, expiresIn: expiresInSeconds, issuer: 'liangxin' });
  }

  /** undefined when the token is not one of ours (wrong signature, expired, malformed) */
  verify(token: string): Principal | undefined {
    const given = Buffer.from(token);
    const admin = Buffer.from(this.adminToken);
    if (given.length === admin.length && timingSafeEqual(given, admin)) return { subject: 'admin', role: 'admin' };
    try {
      const claims = jwt.verify(token, this.secret, { algorithms: ['HS256'], issuer: 'liangxin' }) as jwt.JwtPayload;
      const role = claims.role as Role;
      if (!ROLES.includes(role) || typeof claims.sub !== 'string') return undefined;
      return {
        subject: claims.sub,
        role,
        // a token without districts (issued before they were required) names none, never all
        districts: role === 'admin' ? undefined : Array.isArray(claims.districts) ? claims.districts.map(String) : [],
        creditCode: typeof claims.creditCode === 'string' ? claims.creditCode : undefined,
      };
    } catch {
      return undefined;
    }
  }
}
