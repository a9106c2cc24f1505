import { BadRequestException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import contentType from 'content-type';
import { parseStrictJson, StrictJsonError } from './strict-json';

/** Refuses bytes that are not UTF-8 instead of turning them into U+FFFD, as `toString` would. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a JSON body that body-parser's `raw` parser read (within the size limit, gzip and
 * deflate undone) with {@link parseStrictJson}, so the host never reads a body other than
 * as it was sent:
 *
 * - bytes that are not UTF-8: 400 (`JSON.parse` after a lenient decode would have stored
 *   U+FFFD in their place); a charset other than UTF-8: 415, as body-parser's JSON parser
 *   answered;
 * - duplicate keys, numbers a double cannot hold, a top-level scalar: 400 naming the
 *   problem and its position.
 *
 * An empty body is `{}`, as body-parser's JSON parser made it.
 *
 * @example
 * app.useBodyParser('raw', { type: [...JSON_MEDIA_TYPES], limit: MAX_BODY_BYTES });
 * app.use(strictJsonBody);
 */
export function strictJsonBody(
  request: IncomingMessage & { body?: unknown },
  _response: ServerResponse,
  next: (error?: unknown) => void,
): void {
  if (!Buffer.isBuffer(request.body)) {
    next();
    return;
  }
  // jsonBodiesOnly has checked the type: the header is there and parses.
  const charset = contentType.parse(request).parameters.charset?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    next(new UnsupportedMediaTypeException(`Unsupported charset "${charset.slice(0, 32)}"`));
    return;
  }
  let text: string;
  try {
    text = UTF8.decode(request.body);
  } catch {
    next(new BadRequestException('Request body is not valid UTF-8'));
    return;
  }
  try {
    request.body = text.trim() === '' ? {} : parseStrictJson(text);
    next();
  } catch (error) {
    next(error instanceof StrictJsonError ? new BadRequestException(error.message) : error);
  }
}
