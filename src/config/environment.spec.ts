import { validateEnvironment } from './environment';

describe('the HTTP connection variables', () => {
  it('default to what SECURITY.md documents, the total left to the open-files limit', () => {
    const environment = validateEnvironment({});
    expect(environment.HTTP_MAX_CONNECTIONS).toBeUndefined();
    expect(environment).toMatchObject({
      HTTP_HEADERS_TIMEOUT_MS: 10_000,
      HTTP_REQUEST_TIMEOUT_MS: 30_000,
      HTTP_KEEP_ALIVE_TIMEOUT_MS: 5_000,
      HTTP_MAX_CONNECTIONS_PER_IP: 1_000,
      HTTP_MAX_WAITS_PER_IP: 500,
    });
  });

  it('read plain decimal digits, and 0 turns a per-address cap off', () => {
    expect(
      validateEnvironment({
        HTTP_MAX_CONNECTIONS: '5000',
        HTTP_MAX_CONNECTIONS_PER_IP: '0',
        HTTP_MAX_WAITS_PER_IP: '0',
      }),
    ).toMatchObject({
      HTTP_MAX_CONNECTIONS: 5_000,
      HTTP_MAX_CONNECTIONS_PER_IP: 0,
      HTTP_MAX_WAITS_PER_IP: 0,
    });
  });

  it.each([
    ['HTTP_HEADERS_TIMEOUT_MS', '999'],
    ['HTTP_HEADERS_TIMEOUT_MS', '1e4'],
    ['HTTP_KEEP_ALIVE_TIMEOUT_MS', '0x1000'],
    ['HTTP_MAX_CONNECTIONS', '0'],
    ['HTTP_MAX_CONNECTIONS_PER_IP', '-1'],
    ['HTTP_MAX_WAITS_PER_IP', ' 5 '],
  ])('refuses %s=%j, naming the variable', (name, value) => {
    expect(() => validateEnvironment({ [name]: value })).toThrow(new RegExp(`- ${name}: `));
  });

  it('refuses a request timeout shorter than the headers timeout it contains', () => {
    expect(() =>
      validateEnvironment({ HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '10000' }),
    ).toThrow(
      /HTTP_REQUEST_TIMEOUT_MS: HTTP_REQUEST_TIMEOUT_MS must be at least HTTP_HEADERS_TIMEOUT_MS/,
    );
  });
});
