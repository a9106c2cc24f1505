// Jest's globals are imported: tsconfig.build.json compiles this file (it excludes only
// `*.spec.ts`), and the build has no jest types.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ApprovalEventsModule } from '@app/approval-events';
import type { INestApplication } from '@nestjs/common';
import { ConfigModule, type ConfigService } from '@nestjs/config';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { Pool } from 'pg';
import type { Environment } from '../../config/environment';
import { ApprovalsStoreModule } from '../approvals-store.module';
import { ApprovalsModule } from '../approvals.module';
import { ApprovalsRepository } from '../approvals.repository';
import { ApprovalsService } from '../approvals.service';
import { InMemoryApprovalsRepository } from '../in-memory-approvals.repository';
import { StoreApprovalStatusSource } from '../store-approval-status.source';
import { DatabaseHealthIndicator } from './database.health';
import { PostgresApprovalsRepository } from './postgres-approvals.repository';
import { APPROVALS_DATABASE, type ApprovalsDatabase } from './postgres.constants';
import { createApprovalsDatabase } from './postgres.providers';
import { quoteSchemaName } from './schema-name';
import {
  dropSchema,
  TEST_DATABASE_URL,
  temporarySchemaName,
  testPool,
} from './testing/temporary-schema';

/** Nothing listens on port 1: connections are refused at once. */
const UNREACHABLE_DATABASE_URL = 'postgres://postgres@127.0.0.1:1/test';

/** The approvals module as the host wires it, with exactly `environment` as configuration. */
async function bootApprovals(environment: Partial<Environment>): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot({
        isGlobal: true,
        ignoreEnvFile: true,
        skipProcessEnv: true,
        load: [() => environment],
      }),
      EventEmitterModule.forRoot(),
      ApprovalsModule,
      ApprovalEventsModule.forRootAsync({
        imports: [ApprovalsStoreModule],
        inject: [StoreApprovalStatusSource],
        useFactory: (statusSource: StoreApprovalStatusSource) => ({ statusSource }),
      }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describe('ApprovalsModule with DATABASE_URL', () => {
  const schema = temporarySchemaName();
  let observer: Pool;

  beforeAll(() => {
    observer = testPool(1);
  });

  afterAll(async () => {
    await dropSchema(observer, schema);
    await observer.end();
  });

  it('stores in PostgreSQL, migrated at boot, reports database health, ends its pool on close', async () => {
    const app = await bootApprovals({ DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema });
    const database = app.get<ApprovalsDatabase>(APPROVALS_DATABASE);
    try {
      const repository = app.get<PostgresApprovalsRepository>(ApprovalsRepository);
      expect(repository).toBeInstanceOf(PostgresApprovalsRepository);
      expect(repository.schema).toBe(schema);

      const approvals = app.get(ApprovalsService);
      const agent = { id: 'agent-7', kind: 'api_key', roles: ['agent'], workspaces: '*' } as const;
      const alice = { ...agent, id: 'alice', roles: ['approver'] } as const;
      const { id } = await approvals.create(
        'ws1',
        { action: 'deploy', requestedFor: 'Dana' },
        agent,
      );
      await approvals.approve('ws1', id, {}, alice);
      const { rows } = await observer.query<{ status: string; requested_by: string }>(
        `SELECT status, requested_by, requested_for, resolved_by FROM ${quoteSchemaName(schema)}.approvals WHERE workspace_id = 'ws1' AND id = $1`,
        [id],
      );
      expect(rows).toEqual([
        {
          status: 'approved',
          requested_by: 'agent-7',
          requested_for: 'Dana',
          resolved_by: 'alice',
        },
      ]);

      await expect(app.get(DatabaseHealthIndicator).check()).resolves.toMatchObject({
        database: { status: 'up', store: 'postgres' },
      });
    } finally {
      await app.close();
    }
    expect(database.pool.ended).toBe(true);
  });
});

describe('ApprovalsModule without DATABASE_URL', () => {
  it('keeps the in-memory store and reports the database as up, in memory', async () => {
    const app = await bootApprovals({});
    try {
      expect(app.get(ApprovalsRepository)).toBeInstanceOf(InMemoryApprovalsRepository);
      expect(app.get(APPROVALS_DATABASE)).toBeNull();
      await expect(app.get(DatabaseHealthIndicator).check()).resolves.toEqual({
        database: { status: 'up', store: 'memory' },
      });
    } finally {
      await app.close();
    }
  });
});

describe('createApprovalsDatabase', () => {
  const configWith = (environment: Partial<Environment>) =>
    ({
      get: (key: keyof Environment) => environment[key],
    }) as unknown as ConfigService<Environment, true>;

  it('fails the boot when the database cannot be reached, leaving no pool open', async () => {
    // --detectOpenHandles reports a pool this leaves behind.
    await expect(
      createApprovalsDatabase(configWith({ DATABASE_URL: UNREACHABLE_DATABASE_URL })),
    ).rejects.toThrow('ECONNREFUSED');
  });

  it('refuses an invalid schema before connecting', async () => {
    await expect(
      createApprovalsDatabase(
        configWith({ DATABASE_URL: UNREACHABLE_DATABASE_URL, DATABASE_SCHEMA: 'Bad;Name' }),
      ),
    ).rejects.toThrow(RangeError);
  });
});

describe('DatabaseHealthIndicator', () => {
  const pools: Pool[] = [];
  const indicatorOn = (pool: Pool) => {
    pools.push(pool);
    return new DatabaseHealthIndicator(new HealthIndicatorService(), { pool, schema: 'public' });
  };

  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.end()));
  });

  it('is down when the database refuses connections', async () => {
    const indicator = indicatorOn(new Pool({ connectionString: UNREACHABLE_DATABASE_URL }));
    await expect(indicator.check()).resolves.toMatchObject({
      database: {
        status: 'down',
        store: 'postgres',
        message: expect.stringContaining('ECONNREFUSED'),
      },
    });
  });

  it('is down once the timeout passes without an answer, here on an exhausted pool', async () => {
    const pool = testPool(1);
    const indicator = indicatorOn(pool);
    const busy = await pool.connect();
    try {
      const startedAt = Date.now();
      await expect(indicator.check('database', 200)).resolves.toMatchObject({
        database: { status: 'down', waiting: 1, message: 'timeout of 200 ms exceeded' },
      });
      expect(Date.now() - startedAt).toBeLessThan(1_000);
    } finally {
      busy.release();
    }
    await expect(indicator.check()).resolves.toMatchObject({ database: { status: 'up' } });
  });
});
