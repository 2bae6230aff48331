import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { type NextFunction, type Request, type Response, static as serveStatic } from 'express';
import { stageTimings } from '@liangxin/diagnostics';
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from '@liangxin/platform';
import { applyValidatorSchemas } from '../openapi';
import { dashboardAssetsDir, ECHARTS_URL_PATH, echartsDistFile } from '../dashboard/dashboard-assets';
import { ErrorBodyFilter, toErrorBody } from './error-body';
import { jsonDepthVerifier, refuseUnsafeJson, requireJsonBodies, StreamConnectionCap, WriteRateLimiter } from './request-limits';
import { strictValidationPipe } from './validation';

const isApiPath = (path: string): boolean => path.startsWith('/api/') || path === '/health' || path === '/metrics';

/** Largest JSON body accepted; a bulk import goes through the admin CLI, not one request. */
export const BODY_LIMIT = '256kb';

/** The live-update stream (SSE), whose connections are capped. */
const LIVE_UPDATES_PATH = '/api/events/stream';

/** Everything the HTTP edge does the same way for every route. */
export function configureHttpApp(app: INestApplication, limits: RequestLimits = DEFAULT_REQUEST_LIMITS): void {
  const express = app as NestExpressApplication;
  // Reads are fresh by design (X-Min-Position, live refresh): an ETag would be hashed for every JSON answer and
  // never used. The framework's name is nobody's business.
  express.set('etag', false);
  express.disable('x-powered-by');
  express.use((request: Request & { id?: string; receivedAt?: number }, response: Response, next: NextFunction) => {
    request.receivedAt = stageTimings.now();
    const given = request.header('x-request-id');
    request.id = given && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    response.setHeader('X-Request-Id', request.id);
    next();
  });
  // Limits come before the body is read: a refused write costs no parsing.
  express.use(new WriteRateLimiter(limits.writesPerSecond, limits.writeBurst).middleware());
  express.use(LIVE_UPDATES_PATH, new StreamConnectionCap(limits.sseConnectionsPerToken, limits.sseConnectionsTotal).middleware());
  express.use(requireJsonBodies);
  express.useBodyParser('json', { limit: BODY_LIMIT, verify: jsonDepthVerifier(limits.maxJsonDepth) });
  // Body-parser failures never reach a controller: answer them here in the one error shape.
  express.use((error: unknown, request: Request & { id?: string }, response: Response, next: NextFunction) => {
    const type = (error as { type?: string } | undefined)?.type;
    if (typeof type !== 'string') return next(error);
    const body = toErrorBody(error);
    response.status(body.statusCode).json({ ...body, requestId: request.id });
  });
  express.use(refuseUnsafeJson);
  // The dashboard: static files, ECharts from the installed package (nothing fetched from outside).
  express.use(ECHARTS_URL_PATH, (_request: Request, response: Response) => response.sendFile(echartsDistFile));
  // Only page paths look on disk: an API call must not cost a file-system lookup first.
  const dashboard = serveStatic(dashboardAssetsDir, { index: 'index.html' });
  express.use((request: Request, response: Response, next: NextFunction) => (isApiPath(request.path) ? next() : dashboard(request, response, next)));
  app.useGlobalFilters(new ErrorBodyFilter());
  app.useGlobalPipes(strictValidationPipe());
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Liangxin 两新 API')
      .setDescription(
        'Register enterprises, follow their party-organisation coverage, audit history. ' +
          'Every write answers with the global `position` of its last event; send it back as `X-Min-Position` on a read to see your own write.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  // Request bodies come from the validators' own metadata, so the document says what the ValidationPipe checks.
  applyValidatorSchemas(app, document);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
