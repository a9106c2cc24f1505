/* eslint-disable @typescript-eslint/no-require-imports */
import type * as Library from './index';
import type * as NestTesting from '@nestjs/testing';
import type * as NestEventEmitter from '@nestjs/event-emitter';
import type * as FakeSource from '../test/fake-status-source';

/** Packages only some features need: the core must run without any of them. */
const OPTIONAL_PEERS = [
  'pg',
  'ioredis',
  'socket.io',
  'socket.io-client',
  '@nestjs/websockets',
  '@nestjs/platform-socket.io',
  '@nestjs/jwt',
  'class-validator',
  'rate-limiter-flexible',
] as const;

/**
 * A fresh module registry in which each of `missing` fails to load as an uninstalled
 * package does, and every attempt to load one is recorded.
 */
function withoutPackages(missing: readonly string[]) {
  jest.resetModules();
  // doMock outlives resetModules: undo the previous test's mocks first.
  for (const name of OPTIONAL_PEERS) jest.dontMock(name);
  const attempted: string[] = [];
  for (const name of missing) {
    jest.doMock(name, () => {
      attempted.push(name);
      const error = new Error(`Cannot find module '${name}'`) as NodeJS.ErrnoException;
      error.code = 'MODULE_NOT_FOUND';
      throw error;
    });
  }
  // Loaded after the mocks, in the same registry, so Nest sees one copy of everything.
  const library = require('./index') as typeof Library;
  const { Test } = require('@nestjs/testing') as typeof NestTesting;
  const { EventEmitter2, EventEmitterModule } =
    require('@nestjs/event-emitter') as typeof NestEventEmitter;
  const { FakeStatusSource } = require('../test/fake-status-source') as typeof FakeSource;
  const source = new FakeStatusSource();
  const boot = async (options: Parameters<typeof library.ApprovalEventsModule.forRoot>[0]) => {
    const moduleRef = await Test.createTestingModule({
      imports: [EventEmitterModule.forRoot(), library.ApprovalEventsModule.forRoot(options)],
    }).compile();
    await moduleRef.init();
    return moduleRef;
  };
  return { attempted, library, source, boot, EventEmitter2 };
}

describe('optional features', () => {
  afterEach(() => jest.resetModules());

  it('the core imports, boots and wakes a wait with no optional package installed', async () => {
    const { attempted, library, source, boot, EventEmitter2 } = withoutPackages(OPTIONAL_PEERS);
    const moduleRef = await boot({ statusSource: source });
    try {
      source.add('ws1', 'a1');
      const bridge = moduleRef.get(library.ApprovalQueueBridge);
      const wait = bridge.waitForApproval('ws1', 'a1', { timeoutMs: 5_000 });
      await new Promise((resolve) => setImmediate(resolve));
      const decided = source.decide('ws1', 'a1', 'approved');
      moduleRef.get(EventEmitter2).emit(library.APPROVAL_RESOLVED_EVENT, {
        approvalId: 'a1',
        workspaceId: 'ws1',
        status: 'approved',
        resolvedAt: decided.resolvedAt,
      });
      await expect(wait).resolves.toMatchObject({ id: 'a1', status: 'approved' });
    } finally {
      await moduleRef.close();
    }
    expect(attempted).toEqual([]);
  });

  it.each<[string, string, Record<string, unknown>]>([
    ['redisUrl', 'ioredis', { redisUrl: 'redis://127.0.0.1:1' }],
    [
      'eventBusUrl',
      'socket.io-client',
      { eventBusUrl: 'http://127.0.0.1:1', eventBusToken: 'a-bus-token-for-tests' },
    ],
    [
      'gatewayJwtSecret',
      '@nestjs/jwt',
      { gatewayJwtSecret: 'a-jwt-secret-for-tests-at-least-32-chars' },
    ],
    ['gateway', '@nestjs/websockets', { gateway: true }],
    ['gateway', '@nestjs/platform-socket.io', { gateway: true }],
    ['gateway', 'rate-limiter-flexible', { gateway: true }],
  ])(
    'option "%s" without %s installed fails the boot naming the package',
    async (option, missing, options) => {
      const { attempted, source, boot } = withoutPackages([missing]);
      await expect(boot({ statusSource: source, ...options })).rejects.toThrow(
        `The option "${option}" needs the package "${missing}": npm install ${missing}`,
      );
      expect(attempted).toEqual([missing]);
    },
  );
});
