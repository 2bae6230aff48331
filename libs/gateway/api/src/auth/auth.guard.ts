import { type CanActivate, createParamDecorator, type ExecutionContext, ForbiddenException, Injectable, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PUBLIC_ROUTE } from '@liangxin/platform';
import type { Request } from 'express';
import type { Principal, Role } from './principal';
import { TokenService } from './tokens';

const ROLES_KEY = 'liangxin:roles';
const QUERY_TOKEN_KEY = 'liangxin:query-token';

/** Which roles may call a route. Every route names its roles or is marked @Public(). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
export { Public } from '@liangxin/platform';
/** Browsers' EventSource cannot send headers: such routes also accept `?access_token=`. */
export const AllowQueryToken = () => SetMetadata(QUERY_TOKEN_KEY, true);

export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  return context.switchToHttp().getRequest<Request & { principal: Principal }>().principal;
});

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    const queryToken = this.reflector.getAllAndOverride<boolean>(QUERY_TOKEN_KEY, targets) ? request.query['access_token'] : undefined;
    const token = match ? match[1].trim() : typeof queryToken === 'string' ? queryToken : undefined;
    const principal = token ? this.tokens.verify(token) : undefined;
    if (!principal) {
      throw new UnauthorizedException({ message: 'Sign in first: send "Authorization: Bearer <token>"', details: [{ field: 'authorization', reason: token ? 'token not valid or expired' : 'missing' }] });
    }
    request.principal = principal;
    const roles = this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets);
    // A route that forgot to name its roles is closed to all but admins, never open by accident.
    const allowed = roles ?? ['admin'];
    if (!allowed.includes(principal.role)) {
      throw new ForbiddenException({ message: `The ${principal.role} role may not do this`, details: [{ field: 'role', reason: `requires one of: ${allowed.join(', ')}` }] });
    }
    return true;
  }
}
