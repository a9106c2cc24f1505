import * as http from 'node:http';
import { track } from './resources';

export type RawOutcome =
  | { kind: 'response'; status: number; body: string; at: number }
  | { kind: 'closed'; error: string; at: number };

export interface RawRequest {
  request: http.ClientRequest;
  /** How the request ended: an answer, or the connection closing without one. Never rejects. */
  outcome: Promise<RawOutcome>;
}

/**
 * A plain `http.request` the test can hang up (`request.destroy()`) or watch end, which
 * supertest cannot do. Destroyed after the test if still open, so a host never waits on it.
 */
export function rawRequest(
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
  headers: http.OutgoingHttpHeaders = {},
): RawRequest {
  let settle!: (outcome: RawOutcome) => void;
  const outcome = new Promise<RawOutcome>((resolve) => (settle = resolve));
  const json = body === undefined ? undefined : JSON.stringify(body);
  const request = http.request(
    url,
    {
      method,
      agent: false,
      headers: json === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    },
    (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () =>
        settle({ kind: 'response', status: response.statusCode ?? 0, body: text, at: Date.now() }),
      );
      response.on('error', (error) =>
        settle({ kind: 'closed', error: error.message, at: Date.now() }),
      );
    },
  );
  request.on('error', (error) => settle({ kind: 'closed', error: error.message, at: Date.now() }));
  request.on('close', () => settle({ kind: 'closed', error: 'closed', at: Date.now() }));
  track('http request', () => {
    request.destroy();
  });
  request.end(json);
  return { request, outcome };
}

/** {@link rawRequest} for a GET. */
export const rawGet = (url: string, headers?: http.OutgoingHttpHeaders) =>
  rawRequest('GET', url, undefined, headers);
