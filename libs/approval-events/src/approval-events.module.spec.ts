import { Injectable, Logger, Module } from '@nestjs/common';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { FakeStatusSource } from '../test/fake-status-source';
import { ApprovalEventManager } from './manager/approval-event.manager';
import { APPROVAL_RESOLVED_EVENT } from './approval-events.constants';
import { ApprovalEventsModule } from './approval-events.module';
import {
  APPROVAL_EVENTS_OPTIONS,
  type ResolvedApprovalEventsOptions,
} from './approval-events.options';
import { ApprovalQueueBridge } from './bridge/approval-queue.bridge';
import { ApprovalEventsShutdownError } from './errors/approval-events-shutdown.error';
import { HttpApprovalStatusSource } from './reading/http-approval-status.source';
import type { ApprovalEventsModuleOptions } from './interfaces/approval-events-options.interface';
import { ApprovalStatusSource } from './interfaces/approval-status-source.interface';

const compile = (options: ApprovalEventsModuleOptions) =>
  Test.createTestingModule({ imports: [ApprovalEventsModule.forRoot(options)] }).compile();

describe('ApprovalEventsModule', () => {
  it('fills in the documented defaults', async () => {
    const moduleRef = await compile({ statusSource: new FakeStatusSource() });
    const options = moduleRef.get<ResolvedApprovalEventsOptions>(APPROVAL_EVENTS_OPTIONS);
    expect(options).toMatchObject({
      useEvents: true,
      defaultTimeoutMs: 3_600_000,
      pollIntervalMs: 5_000,
      requestTimeoutMs: 10_000,
      eventBusWorkspaces: [],
    });
    await moduleRef.close();
  });

  it('binds the given status source, or the HTTP one for approvalsApiUrl', async () => {
    const source = new FakeStatusSource();
    const withSource = await compile({ statusSource: source });
    expect(withSource.get(ApprovalStatusSource)).toBe(source);
    await withSource.close();
    const withUrl = await compile({ approvalsApiUrl: 'http://127.0.0.1:1/api/' });
    expect(withUrl.get(ApprovalStatusSource)).toBeInstanceOf(HttpApprovalStatusSource);
    await withUrl.close();
  });

  it.each<[ApprovalEventsModuleOptions, string]>([
    [{}, '"statusSource" or "approvalsApiUrl" is required'],
    [{ approvalsApiUrl: 'not a url' }, 'option "approvalsApiUrl" must be an absolute http(s) URL'],
    [{ approvalsApiUrl: 'ftp://x' }, 'option "approvalsApiUrl"'],
    [{ statusSource: {} as never }, 'option "statusSource"'],
    [
      { statusSource: new FakeStatusSource(), pollIntervalMs: 0 },
      'option "pollIntervalMs" must be an integer',
    ],
    [{ statusSource: new FakeStatusSource(), defaultTimeoutMs: -5 }, 'option "defaultTimeoutMs"'],
    // Timer-safe with its ±10 % jitter: Node would turn a longer delay into 1 ms.
    [
      { statusSource: new FakeStatusSource(), pollIntervalMs: 2_147_483_647 },
      'option "pollIntervalMs" must be an integer from 10 to 1952257860',
    ],
    [
      { statusSource: new FakeStatusSource(), useEvents: 'yes' as never },
      'option "useEvents" must be a boolean',
    ],
    [
      { statusSource: new FakeStatusSource(), eventBusUrl: 'http://bus' },
      '"eventBusToken" is required',
    ],
    [
      { statusSource: new FakeStatusSource(), eventBusWorkspaces: [''] },
      'option "eventBusWorkspaces"',
    ],
    [
      { statusSource: new FakeStatusSource(), storeNotifyUrl: 'postgres://db/approvals' },
      '"storeNotifyChannel" is required with "storeNotifyUrl"',
    ],
    [
      {
        statusSource: new FakeStatusSource(),
        storeNotifyUrl: 'redis://db:6379',
        storeNotifyChannel: 'approvals',
      },
      'option "storeNotifyUrl" must be a postgres:// or postgresql:// URL',
    ],
    [
      {
        statusSource: new FakeStatusSource(),
        storeNotifyUrl: 'postgres://db/approvals',
        storeNotifyChannel: 'decided"; DROP TABLE approvals; --',
      },
      'option "storeNotifyChannel" must be 1 to 63 of A-Z a-z 0-9 _',
    ],
  ])('fails the boot naming the bad option (%o)', async (options, message) => {
    await expect(compile(options)).rejects.toThrow(message);
  });

  it('never puts a secret into an option error', async () => {
    await expect(compile({ statusSource: new FakeStatusSource(), apiKey: '' })).rejects.toThrow(
      'option "apiKey" must be a non-empty string (got a string of length 0)',
    );
    const secret = 's3cr3t-token';
    await expect(
      compile({ statusSource: new FakeStatusSource(), eventBusUrl: secret, eventBusToken: secret }),
    ).rejects.not.toThrow(secret);
    await expect(
      compile({
        statusSource: new FakeStatusSource(),
        storeNotifyUrl: `mysql://user:${secret}@db/approvals`,
        storeNotifyChannel: 'approvals',
      }),
    ).rejects.not.toThrow(secret);
  });

  it('is configured from other providers with forRootAsync', async () => {
    @Injectable()
    class Config {
      readonly pollIntervalMs = 250;
    }
    @Module({ providers: [Config], exports: [Config] })
    class ConfigModule {}

    const moduleRef = await Test.createTestingModule({
      imports: [
        ApprovalEventsModule.forRootAsync({
          imports: [ConfigModule],
          inject: [Config],
          useFactory: (config: Config) => ({
            statusSource: new FakeStatusSource(),
            pollIntervalMs: config.pollIntervalMs,
          }),
        }),
      ],
    }).compile();
    expect(
      moduleRef.get<ResolvedApprovalEventsOptions>(APPROVAL_EVENTS_OPTIONS).pollIntervalMs,
    ).toBe(250);
    expect(moduleRef.get(ApprovalQueueBridge)).toBeInstanceOf(ApprovalQueueBridge);
    await moduleRef.close();
  });

  it.each(['gateway', 'isGlobal'])(
    'fails the boot when a forRootAsync factory returns the extra %s, naming where it goes',
    async (extra) => {
      const boot = Test.createTestingModule({
        imports: [
          ApprovalEventsModule.forRootAsync({
            useFactory: () => ({ statusSource: new FakeStatusSource(), [extra]: true }),
          }),
        ],
      }).compile();
      await expect(boot).rejects.toThrow(
        `"${extra}" decides which providers the module registers, so it goes beside the factory: forRootAsync({ ${extra}, useFactory, inject })`,
      );
    },
  );

  it('fails the boot when given both a statusSource and an approvalsApiUrl', async () => {
    await expect(
      compile({ statusSource: new FakeStatusSource(), approvalsApiUrl: 'http://127.0.0.1:1/api' }),
    ).rejects.toThrow('give either "statusSource"');
  });

  it('warns at boot, saying what will not work, when EventEmitterModule is missing', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const said = () =>
      warn.mock.calls.filter(([line]) =>
        String(line).includes('EventEmitterModule is not imported'),
      );
    try {
      const without = await (await compile({ statusSource: new FakeStatusSource() })).init();
      await without.close();
      expect(said()).toHaveLength(1);
      expect(String(said()[0][0])).toContain('"approval.resolved" events will wake no wait');
      const withIt = await Test.createTestingModule({
        imports: [
          EventEmitterModule.forRoot(),
          ApprovalEventsModule.forRoot({ statusSource: new FakeStatusSource() }),
        ],
      }).compile();
      await (await withIt.init()).close();
      expect(said()).toHaveLength(1);
    } finally {
      warn.mockRestore();
    }
  });

  it('feeds in-process approval.resolved events to the manager, ignoring bad ones', async () => {
    const source = new FakeStatusSource();
    source.add('ws1', 'a1');
    const moduleRef = await Test.createTestingModule({
      imports: [
        EventEmitterModule.forRoot(),
        ApprovalEventsModule.forRoot({ statusSource: source }),
      ],
    }).compile();
    const app = await moduleRef.init();
    const emitter = app.get(EventEmitter2);
    const wait = app.get(ApprovalQueueBridge).waitForApproval('ws1', 'a1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(() => emitter.emit(APPROVAL_RESOLVED_EVENT, { nonsense: true })).not.toThrow();
    const decided = source.decide('ws1', 'a1', 'approved');
    emitter.emit(APPROVAL_RESOLVED_EVENT, {
      approvalId: 'a1',
      workspaceId: 'ws1',
      status: 'approved',
      resolvedAt: decided.resolvedAt,
    });
    await expect(wait).resolves.toMatchObject({ status: 'approved' });
    await app.close();
  });

  it('rejects pending waits when the application closes', async () => {
    const source = new FakeStatusSource();
    source.add('ws1', 'a1');
    const app = await (await compile({ statusSource: source })).init();
    app.enableShutdownHooks();
    const wait = app.get(ApprovalQueueBridge).waitForApproval('ws1', 'a1');
    await new Promise((resolve) => setImmediate(resolve));
    await app.close();
    await expect(wait).rejects.toBeInstanceOf(ApprovalEventsShutdownError);
    expect(app.get(ApprovalEventManager).pendingCount).toBe(0);
  });
});
