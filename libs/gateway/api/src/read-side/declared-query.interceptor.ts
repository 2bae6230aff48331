import { BadRequestException, type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { Request } from 'express';
import type { Observable } from 'rxjs';

/** the auth guard reads it on the routes that allow a token in the query (server-sent events) and refuses it elsewhere */
const ACCESS_TOKEN = 'access_token';

type RouteArgument = { index: number; data?: unknown };

/**
 * The query parameters a handler declares (its `@Query('name')` arguments), or 'any' when it takes the whole query.
 * Read from Nest's own route metadata, so the list cannot drift from what the handler reads.
 */
export function declaredQueryParameters(controller: object, handler: string): ReadonlySet<string> | 'any' {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller.constructor, handler) ?? {}) as Record<string, RouteArgument>;
  const names = new Set<string>([ACCESS_TOKEN]);
  for (const [key, argument] of Object.entries(args)) {
    if (Number(key.split(':')[0]) !== RouteParamtypes.QUERY) continue;
    if (typeof argument.data !== 'string') return 'any';
    names.add(argument.data);
  }
  return names;
}

/**
 * Refuses a query parameter the route does not read, naming it, so that no route ignores one silently: `asOf` on a
 * route that cannot answer as of a past time is refused with 400, never answered with today's figures.
 */
@Injectable()
export class DeclaredQueryInterceptor implements NestInterceptor {
  private readonly cache = new WeakMap<object, ReadonlySet<string> | 'any'>();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const handler = context.getHandler();
    let declared = this.cache.get(handler);
    if (!declared) {
      declared = declaredQueryParameters(context.getClass().prototype as object, handler.name);
      this.cache.set(handler, declared);
    }
    const query = context.switchToHttp().getRequest<Request>().query ?? {};
    if (declared !== 'any') {
      const allowed = declared;
      const unknown = Object.keys(query).filter((name) => !allowed.has(name));
      if (unknown.length > 0) {
        const accepted = [...allowed].filter((name) => name !== ACCESS_TOKEN);
        throw new BadRequestException({
          message: `This route does not take ${unknown.map((name) => `"${name}"`).join(', ')}${accepted.length ? `; it takes ${accepted.join(', ')}` : '; it takes no query parameters'}`,
          details: unknown.map((field) => ({ field, reason: field === 'asOf' ? 'this route cannot answer as of a past time' : 'not a parameter of this route' })),
        });
      }
    }
    return next.handle();
  }
}
