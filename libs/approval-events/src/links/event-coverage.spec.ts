import { ApprovalEventCoverage, type CoverageChange, type WorkspaceDemand } from './event-coverage';

describe('ApprovalEventCoverage', () => {
  let coverage: ApprovalEventCoverage;
  let changes: CoverageChange[];
  let demand: WorkspaceDemand[];

  beforeEach(() => {
    coverage = new ApprovalEventCoverage();
    changes = [];
    demand = [];
    coverage.changes$.subscribe((change) => changes.push(change));
    coverage.demand$.subscribe((d) => demand.push(d));
  });

  afterEach(() => coverage.onApplicationShutdown());

  it('covers every workspace while every global link is up', () => {
    expect(coverage.covers('ws1')).toBe(true);
    coverage.setLinkState('replica', false);
    expect(coverage.covers('ws1')).toBe(false);
    expect(coverage.isConnected).toBe(false);
    coverage.setLinkState('replica', true);
    expect(coverage.covers('ws1')).toBe(true);
    expect(changes).toEqual([{}, {}]);
  });

  it('covers a workspace on a scoped link only once its subscription is acknowledged', () => {
    coverage.registerScopedLink('remote_bus');
    coverage.setWorkspaceCovered('remote_bus', 'ws1', true); // link down: ignored
    expect(coverage.covers('ws1')).toBe(false);
    coverage.setLinkState('remote_bus', true);
    expect(coverage.isConnected).toBe(true);
    expect(coverage.covers('ws1')).toBe(false);
    coverage.setWorkspaceCovered('remote_bus', 'ws1', true);
    expect(coverage.covers('ws1')).toBe(true);
    expect(coverage.covers('ws2')).toBe(false);
    expect(changes.at(-1)).toEqual({ workspaceId: 'ws1' });
  });

  it('forgets what a scoped link covered when it goes down', () => {
    coverage.registerScopedLink('remote_bus');
    coverage.setLinkState('remote_bus', true);
    coverage.setWorkspaceCovered('remote_bus', 'ws1', true);
    coverage.setLinkState('remote_bus', false);
    coverage.setLinkState('remote_bus', true);
    expect(coverage.covers('ws1')).toBe(false);
    coverage.setAllWorkspacesCovered('remote_bus');
    expect(coverage.covers('ws1')).toBe(true);
    expect(coverage.covers('any')).toBe(true);
  });

  it('covers everything while a complete link is up, whatever the other links do', () => {
    coverage.registerCompleteLink('store');
    coverage.setLinkState('replica', true);
    coverage.registerScopedLink('remote_bus');
    expect(coverage.covers('ws1')).toBe(false);
    expect(coverage.isConnected).toBe(false);

    coverage.setLinkState('store', true);
    expect(coverage.isConnected).toBe(true);
    expect(coverage.covers('ws1')).toBe(true); // not subscribed on the bus: the store hears it
    coverage.setLinkState('replica', false);
    expect(coverage.isConnected).toBe(true);
    expect(coverage.covers('ws1')).toBe(true);
    expect(coverage.linkStates()).toEqual({ store: true, replica: false, remote_bus: false });

    coverage.setLinkState('store', false);
    expect(coverage.isConnected).toBe(false);
    expect(coverage.covers('ws1')).toBe(false);
  });

  it('needs every link again once the complete link is down', () => {
    coverage.registerCompleteLink('store');
    coverage.setLinkState('replica', true);
    expect(coverage.covers('ws1')).toBe(false); // the replica channel misses plain SQL writes
    coverage.setLinkState('store', true);
    coverage.setLinkState('store', false);
    expect(coverage.isConnected).toBe(false);
  });

  it('asks for a workspace on its first watch and releases it after its last', () => {
    coverage.acquire('ws1');
    coverage.acquire('ws1');
    coverage.release('ws1');
    expect(demand).toEqual([{ workspaceId: 'ws1', wanted: true }]);
    expect(coverage.demanded()).toEqual(['ws1']);
    coverage.release('ws1');
    coverage.release('ws1');
    expect(demand).toEqual([
      { workspaceId: 'ws1', wanted: true },
      { workspaceId: 'ws1', wanted: false },
    ]);
    expect(coverage.demanded()).toEqual([]);
  });
});
