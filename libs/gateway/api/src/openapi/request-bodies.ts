import type { INestApplication } from '@nestjs/common';
import { PARAMTYPES_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { type JsonSchema, SchemaRegistry } from './schema-from-validators';

type Constructor = abstract new (...args: never[]) => unknown;

/** `ControllerName_method` (the operation id Nest's swagger gives a route) → the class its @Body() is validated as. */
export function bodyClassesByOperation(app: INestApplication): Map<string, Constructor> {
  const bodies = new Map<string, Constructor>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Constructor | null;
      if (!controller) continue;
      for (const method of Object.getOwnPropertyNames(controller.prototype)) {
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<string, { index: number; data?: unknown }>;
        const types = (Reflect.getMetadata(PARAMTYPES_METADATA, controller.prototype as object, method) ?? []) as unknown[];
        for (const [key, arg] of Object.entries(args)) {
          // `3:0` is @Body() on parameter 0; @Body('field') validates one field, not a class.
          if (key.split(':')[0] !== String(RouteParamtypes.BODY) || arg.data !== undefined) continue;
          const type = types[arg.index];
          if (typeof type === 'function' && type !== Object) bodies.set(`${controller.name}_${method}`, type as Constructor);
        }
      }
    }
  }
  return bodies;
}

/**
 * Rewrites every request body of `document` from the class-validator metadata of its DTO: the same metadata the
 * ValidationPipe checks a body with, so the document cannot say one thing while the gateway checks another.
 * A hand-written @ApiBody schema is replaced too, for the same reason.
 */
export function applyValidatorSchemas(app: INestApplication, document: OpenAPIObject): OpenAPIObject {
  const registry = new SchemaRegistry();
  const bodies = bodyClassesByOperation(app);
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations) as { operationId?: string; requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> } }[]) {
      const body = operation?.operationId ? bodies.get(operation.operationId) : undefined;
      if (!body) continue;
      operation.requestBody = { required: true, content: { 'application/json': { schema: registry.refTo(body) } } };
    }
  }
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...(registry.schemas as Record<string, object>) } };
  return document;
}

export type { JsonSchema };
