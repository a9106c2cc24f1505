import { exportJWK, generateKeyPair, SignJWT, type JWTPayload, type KeyLike } from 'jose';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { track } from './resources';

/** The `iss` and `aud` of {@link startJwksServer}'s tokens. */
export const TEST_ISSUER = 'https://issuer.test/';
export const TEST_AUDIENCE = 'approvals-e2e';

export interface JwksServer {
  /** `http://127.0.0.1:<port>/jwks`, for `AUTH_JWKS_URL`. */
  url: string;
  /** How many times the key set was fetched. */
  readonly fetches: number;
  /** `serve` answers the keys; `fail` answers 500; `hang` never answers. */
  mode: 'serve' | 'fail' | 'hang';
  /**
   * A token signed by the served key (ES256, its `kid`), with this server's `iss` and `aud`
   * unless `claims` override them.
   */
  sign(
    claims: JWTPayload,
    options?: { expiresIn?: string | number; kid?: string },
  ): Promise<string>;
  close(): Promise<void>;
}

/**
 * A local issuer: an HTTP server publishing one ES256 public key made by jose, as an
 * identity provider's JWKS endpoint does, and signing tokens with its private key. Closed
 * after the test.
 *
 * @example
 * const issuer = await startJwksServer();
 * await startHost({ env: { AUTH_JWKS_URL: issuer.url, AUTH_JWT_ISSUER: TEST_ISSUER, AUTH_JWT_AUDIENCE: TEST_AUDIENCE } });
 */
export async function startJwksServer(): Promise<JwksServer> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const kid = 'e2e-key-1';
  const jwks = JSON.stringify({
    keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }],
  });
  let fetches = 0;
  const hanging = new Set<import('node:http').ServerResponse>();
  const state = { mode: 'serve' as JwksServer['mode'] };
  const server: Server = createServer((request, response) => {
    fetches++;
    if (state.mode === 'hang') {
      hanging.add(response);
      return;
    }
    if (state.mode === 'fail') {
      response.writeHead(500).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = track('jwks server', async () => {
    for (const response of hanging) response.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/jwks`,
    get fetches() {
      return fetches;
    },
    get mode() {
      return state.mode;
    },
    set mode(mode) {
      state.mode = mode;
    },
    sign: (claims, options = {}) =>
      signWith(
        privateKey,
        { iss: TEST_ISSUER, aud: TEST_AUDIENCE, ...claims },
        options.kid ?? kid,
        options.expiresIn,
      ),
    close,
  };
}

function signWith(
  key: KeyLike,
  claims: JWTPayload,
  kid: string,
  expiresIn: string | number = '10m',
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key);
}
