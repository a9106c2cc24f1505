import { UnsupportedMediaTypeException } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import typeis from 'type-is';

/**
 * The media types the REST API parses: JSON, and the structured `+json` suffix types
 * (`application/merge-patch+json`, ...). Shared by the 415 guard and the JSON body parser,
 * so what one lets through the other parses.
 */
export const JSON_MEDIA_TYPES: readonly string[] = ['application/json', 'application/*+json'];

const NOT_JSON = 'Request bodies must be JSON (content-type: application/json)';

/**
 * Express middleware that refuses, with Nest's 415 body, every request carrying a body that
 * is not declared as JSON, before any parser sees it. Without it a form body would reach a
 * parser that drops `__proto__` keys in silence (and so get round the 400 that JSON bodies
 * get for them), or a text body would arrive as `{}`.
 *
 * Requests without a body pass: no `content-length` or `transfer-encoding` at all (a GET),
 * or `content-length: 0` with no `content-type` (a bare `POST …/cancel`).
 *
 * @example
 * app.use(jsonBodiesOnly); // before the JSON body parser
 */
export function jsonBodiesOnly(
  request: IncomingMessage,
  _response: ServerResponse,
  next: (error?: unknown) => void,
): void {
  if (!typeis.hasBody(request) || isJson(request) || isEmptyAndUntyped(request)) {
    next();
    return;
  }
  next(new UnsupportedMediaTypeException(NOT_JSON));
}

function isJson(request: IncomingMessage): boolean {
  return typeis(request, [...JSON_MEDIA_TYPES]) !== false;
}

function isEmptyAndUntyped(request: IncomingMessage): boolean {
  return (
    request.headers['content-type'] === undefined &&
    request.headers['transfer-encoding'] === undefined &&
    Number(request.headers['content-length']) === 0
  );
}
