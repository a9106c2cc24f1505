import { HttpService } from '@nestjs/axios';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApprovalNotFoundError } from '../errors/approval-not-found.error';
import { ApprovalStatusSourceError } from '../errors/approval-status-source.error';
import { HttpApprovalStatusSource } from './http-approval-status.source';

describe('HttpApprovalStatusSource', () => {
  let server: Server;
  let baseUrl: string;
  let handler: (req: IncomingMessage, res: ServerResponse) => void;

  beforeEach(async () => {
    server = createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const source = (apiKey?: string, timeoutMs = 2_000) =>
    // HttpService's own axios: this CommonJS spec's `import axios` is axios's other (CJS) build.
    new HttpApprovalStatusSource(new HttpService(), baseUrl, apiKey, timeoutMs);

  const answer = (status: number, body: unknown = {}) => {
    handler = (_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
  };

  it('reads the approval at the REST route, sending the API key', async () => {
    let seen: IncomingMessage | undefined;
    handler = (req, res) => {
      seen = req;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'a/1', workspaceId: 'ws 1', status: 'pending' }));
    };
    await expect(source('k3y').getApproval('ws 1', 'a/1')).resolves.toMatchObject({
      status: 'pending',
    });
    expect(seen?.url).toBe('/api/workspaces/ws%201/approvals/a%2F1');
    expect(seen?.headers['x-api-key']).toBe('k3y');
  });

  it('turns 404 into ApprovalNotFoundError', async () => {
    answer(404);
    await expect(source().getApproval('ws1', 'a1')).rejects.toBeInstanceOf(ApprovalNotFoundError);
  });

  it.each([
    [503, true],
    [500, true],
    [429, true],
    [401, false],
    [400, false],
  ])('marks %i as retryable: %s', async (status, retryable) => {
    answer(status);
    const error = await source()
      .getApproval('ws1', 'a1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApprovalStatusSourceError);
    expect(error).toMatchObject({ statusCode: status, retryable });
  });

  it('gives up on a slow answer after the request timeout, retryably, and never leaks the key', async () => {
    handler = () => undefined; // never answers
    const error = await source('super-secret', 50)
      .getApproval('ws1', 'a1')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ApprovalStatusSourceError', retryable: true });
    expect(JSON.stringify(error)).not.toContain('super-secret');
    expect(String((error as Error).stack)).not.toContain('super-secret');
    expect((error as Error).cause).toBeUndefined();
  });

  it('stops the request when the signal aborts', async () => {
    handler = () => undefined;
    const controller = new AbortController();
    const read = source().getApproval('ws1', 'a1', { signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    await expect(read).rejects.toThrow();
  });
});
