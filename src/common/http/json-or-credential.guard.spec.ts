import { type ExecutionContext, UnsupportedMediaTypeException } from '@nestjs/common';
import { JsonOrCredentialGuard } from './json-or-credential.guard';

/** The guard's own rule, apart from authentication (which, in the host, runs first). */
describe('JsonOrCredentialGuard', () => {
  const guard = new JsonOrCredentialGuard();
  const contextWith = (headers: Record<string, string>) =>
    ({
      switchToHttp: () => ({ getRequest: () => ({ headers }) }),
    }) as unknown as ExecutionContext;

  it.each([
    ['a JSON content type', { 'content-type': 'application/json' }],
    ['a JSON content type with a charset', { 'content-type': 'application/json; charset=utf-8' }],
    ['a +json content type', { 'content-type': 'application/merge-patch+json' }],
    ['an x-api-key header', { 'x-api-key': 'any' }],
    ['an Authorization header', { authorization: 'Bearer any' }],
  ])('lets through a request with %s', (_, headers) => {
    expect(guard.canActivate(contextWith(headers))).toBe(true);
  });

  it.each([
    ['no content type and no credential (a bare form POST)', {}],
    ['text/plain', { 'content-type': 'text/plain' }],
    ['a urlencoded form', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['a multipart form', { 'content-type': 'multipart/form-data; boundary=x' }],
    ['only a cookie', { cookie: 'session=abc' }],
  ])('refuses %s with 415', (_, headers) => {
    expect(() => guard.canActivate(contextWith(headers))).toThrow(UnsupportedMediaTypeException);
  });
});
