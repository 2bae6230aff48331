import 'reflect-metadata';
import { GatewayApiModule, type GatewayDependencies } from '../gateway-api.module';
import { declaredQueryParameters } from './declared-query.interceptor';
import { QueriesController } from './queries.controller';

/** where @ApiQuery keeps what the OpenAPI documents (@nestjs/swagger's DECORATORS.API_PARAMETERS, not exported) */
const API_PARAMETERS = 'swagger/apiParameters';

type Controller = { prototype: Record<string, unknown>; name: string };

const controllers = (GatewayApiModule.forRoot({ health: [], metrics: undefined } as unknown as GatewayDependencies).controllers ?? []) as unknown as Controller[];
const handlers = controllers.flatMap((controller) =>
  Object.getOwnPropertyNames(controller.prototype)
    .filter((method) => method !== 'constructor' && typeof controller.prototype[method] === 'function')
    .map((method) => ({ controller, method, handler: controller.prototype[method] as object })),
);

describe('query parameters a route declares', () => {
  it('are read from the handler’s @Query arguments', () => {
    expect([...(declaredQueryParameters(QueriesController.prototype, 'coverage') as Set<string>)].sort()).toEqual(['access_token', 'asOf', 'district']);
    expect([...(declaredQueryParameters(QueriesController.prototype, 'org') as Set<string>)]).toEqual(['access_token']);
    expect([...(declaredQueryParameters(QueriesController.prototype, 'coverageByDistrict') as Set<string>)].sort()).toEqual(['access_token', 'cursor', 'format', 'limit']);
  });

  it('include every query parameter the OpenAPI documents, so no documented parameter is refused', () => {
    const undeclared: string[] = [];
    let documented = 0;
    for (const { controller, method, handler } of handlers) {
      const declared = declaredQueryParameters(controller.prototype, method);
      const parameters = ((Reflect.getMetadata(API_PARAMETERS, handler) ?? []) as { in: string; name: string }[]).filter((p) => p.in === 'query');
      documented += parameters.length;
      for (const { name } of parameters) if (declared !== 'any' && !declared.has(name)) undeclared.push(`${controller.name}.${method}: ${name}`);
    }
    expect(documented).toBeGreaterThan(15);
    expect(undeclared).toEqual([]);
  });
});
