import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOptionalPeer } from './optional-peer';

describe('loadOptionalPeer', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'optional-peer-'));
    // A package that is installed but needs a dependency that is not.
    mkdirSync(join(dir, 'broken-peer'));
    writeFileSync(join(dir, 'broken-peer', 'index.js'), "require('approval-events-absent-dep');");
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads an installed package', () => {
    expect(loadOptionalPeer<typeof import('rxjs')>('rxjs', 'the test').of).toBeInstanceOf(Function);
  });

  it('names the package and the feature when the package is not installed', () => {
    const absent = join(dir, 'absent-peer');
    expect(() => loadOptionalPeer(absent, 'The option "x"')).toThrow(
      `The option "x" needs the package "${absent}": npm install ${absent}`,
    );
  });

  it('passes the real error on when the package is installed but cannot load', () => {
    expect(() => loadOptionalPeer(join(dir, 'broken-peer'), 'The option "x"')).toThrow(
      /Cannot find module 'approval-events-absent-dep'/,
    );
  });
});
