import {
  Logger,
  RequestMethod,
  ValidationPipe,
  type INestApplication,
  type NestApplicationOptions,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ApprovalsStoreUnavailableFilter } from './approvals/approvals-store-unavailable.filter';
import {
  API_KEY_HEADER,
  API_KEY_SCHEME,
  API_PREFIX,
  BEARER_SCHEME,
  UNPREFIXED_ROUTES,
} from './common/api.constants';
import { HttpErrorsFilter } from './common/filters/http-errors.filter';
import {
  applyConnectionLimits,
  connectionLimitsFrom,
  describeConnectionLimits,
} from './common/http/connection-limits';
import { JSON_MEDIA_TYPES, jsonBodiesOnly } from './common/http/json-bodies-only.middleware';
import { openFilesLimit } from './common/http/open-files-limit';
import { DOCS_PATH, docsFilesOnly, securityHeaders } from './common/http/security-headers';
import { strictJsonBody } from './common/http/strict-json-body.middleware';
import type { Environment } from './config/environment';
import type { Server } from 'node:http';
import { RequestShapePipe } from './common/pipes/request-shape.pipe';

/** Largest JSON body the REST API accepts. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Options every host app is created with (`NestFactory.create`, `createNestApplication`).
 * `bodyParser: false` keeps Nest from registering its default parsers, the urlencoded one
 * among them: {@link configureApp} installs the only parser, a strict JSON one.
 */
export const HOST_APPLICATION_OPTIONS = {
  bodyParser: false,
} as const satisfies NestApplicationOptions;

/**
 * Everything `main.ts` does to the app beyond creating it (with
 * {@link HOST_APPLICATION_OPTIONS}), shared with the e2e tests so they exercise the same
 * prefix, body rules, validation, error answers and logging, limits and docs as production.
 */
export function configureApp(app: INestApplication): INestApplication {
  limitConnections(app);
  const express = app as NestExpressApplication;
  express.use(securityHeaders);
  // 415 for any other body, before a parser could read it.
  express.use(jsonBodiesOnly);
  // Read as bytes, then parsed strictly: JSON.parse would rewrite duplicate keys, numbers
  // beyond a double and invalid UTF-8 in silence (strict-json.ts).
  express.useBodyParser('raw', { limit: MAX_BODY_BYTES, type: [...JSON_MEDIA_TYPES] });
  express.use(strictJsonBody);
  express.disable('x-powered-by');
  const { httpAdapter } = app.get(HttpAdapterHost);
  // Nest tries global filters last to first: the store's own 503 before the catch-all.
  app.useGlobalFilters(
    new HttpErrorsFilter(httpAdapter),
    new ApprovalsStoreUnavailableFilter(httpAdapter),
  );
  app.setGlobalPrefix(API_PREFIX, {
    exclude: UNPREFIXED_ROUTES.map((path) => ({ path, method: RequestMethod.GET })),
  });
  app.useGlobalPipes(
    new RequestShapePipe(),
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Approvals')
      .setDescription('Approvals REST API with event-driven waits')
      .setVersion('1')
      .addApiKey({ type: 'apiKey', in: 'header', name: API_KEY_HEADER }, API_KEY_SCHEME)
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_SCHEME)
      .build(),
  );
  express.use(`/${DOCS_PATH}`, docsFilesOnly);
  SwaggerModule.setup(DOCS_PATH, app, document);
  return app;
}

/**
 * Timeouts and connection caps on the HTTP server, before it listens (see
 * `connection-limits.ts`), logged in one line so an operator sees what the host will hold.
 */
function limitConnections(app: INestApplication): void {
  const config = app.get<ConfigService<Environment, true>>(ConfigService);
  const openFiles = openFilesLimit();
  const limits = connectionLimitsFrom(
    {
      HTTP_HEADERS_TIMEOUT_MS: config.get('HTTP_HEADERS_TIMEOUT_MS', { infer: true }),
      HTTP_REQUEST_TIMEOUT_MS: config.get('HTTP_REQUEST_TIMEOUT_MS', { infer: true }),
      HTTP_KEEP_ALIVE_TIMEOUT_MS: config.get('HTTP_KEEP_ALIVE_TIMEOUT_MS', { infer: true }),
      HTTP_MAX_CONNECTIONS: config.get('HTTP_MAX_CONNECTIONS', { infer: true }),
      HTTP_MAX_CONNECTIONS_PER_IP: config.get('HTTP_MAX_CONNECTIONS_PER_IP', { infer: true }),
      HTTP_MAX_WAITS_PER_IP: config.get('HTTP_MAX_WAITS_PER_IP', { infer: true }),
    },
    openFiles,
  );
  applyConnectionLimits(app.getHttpServer() as Server, limits);
  new Logger('ConnectionLimits').log(describeConnectionLimits(limits, openFiles));
}
