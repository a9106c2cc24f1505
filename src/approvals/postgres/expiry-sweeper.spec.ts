import { Logger } from '@nestjs/common';
import { ApprovalsStoreUnavailableError } from '../errors/approvals-store-unavailable.error';
import { ApprovalsExpirySweeper } from './expiry-sweeper';
import type { PostgresApprovalsRepository, SweepReport } from './postgres-approvals.repository';

const REPORT: SweepReport = { expired: 0, reminded: 0, keysPurged: 0 };

describe('ApprovalsExpirySweeper (fake timers)', () => {
  let sweep: jest.Mock<Promise<SweepReport>, []>;
  let sweeper: ApprovalsExpirySweeper;
  let errors: jest.SpyInstance;

  beforeEach(() => {
    jest.useFakeTimers();
    sweep = jest.fn(() => Promise.resolve(REPORT));
    sweeper = new ApprovalsExpirySweeper(
      { sweep } as unknown as PostgresApprovalsRepository,
      1_000,
    );
    errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    await sweeper.beforeApplicationShutdown();
    expect(jest.getTimerCount()).toBe(0);
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  it('sweeps at bootstrap, then once a period', async () => {
    sweeper.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    expect(sweep).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(3_000);
    expect(sweep).toHaveBeenCalledTimes(4);
  });

  it('never overlaps two sweeps: a slow one makes the next ticks pass', async () => {
    let finish!: () => void;
    sweep.mockImplementationOnce(() => new Promise((resolve) => (finish = () => resolve(REPORT))));
    sweeper.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(2_500);
    expect(sweep).toHaveBeenCalledTimes(1);
    finish();
    await jest.advanceTimersByTimeAsync(500);
    expect(sweep).toHaveBeenCalledTimes(2);
  });

  it('awaits the sweep in flight on shutdown, then sweeps no more', async () => {
    let finish!: () => void;
    sweep.mockImplementationOnce(() => new Promise((resolve) => (finish = () => resolve(REPORT))));
    sweeper.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    let stopped = false;
    const stopping = sweeper.beforeApplicationShutdown().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(5_000);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    await jest.advanceTimersByTimeAsync(5_000);
    expect(sweep).toHaveBeenCalledTimes(1);
  });

  it('keeps sweeping through failures, logging a failure once and an outage not at all', async () => {
    sweep
      .mockRejectedValueOnce(new ApprovalsStoreUnavailableError(new Error('ECONNREFUSED')))
      .mockRejectedValueOnce(new Error('relation "approvals" does not exist'))
      .mockRejectedValueOnce(new Error('relation "approvals" does not exist'));
    const logs = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    sweeper.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(4_000);
    expect(sweep).toHaveBeenCalledTimes(5);
    expect(errors).toHaveBeenCalledTimes(1);
    expect(errors.mock.calls[0][0]).toContain('relation "approvals" does not exist');
    expect(logs).toHaveBeenCalledWith('Expiry sweeps work again');
  });
});
