import { randomUUID } from 'node:crypto';
import { describeApprovalsRepositoryContract } from './approvals.repository.contract-spec';
import type { NewApproval } from './approvals.repository';
import { ApprovalsStoreFullError } from './errors/approvals-store-full.error';
import { InMemoryApprovalsRepository } from './in-memory-approvals.repository';

describeApprovalsRepositoryContract(
  'InMemoryApprovalsRepository',
  () => new InMemoryApprovalsRepository(),
);

describe('InMemoryApprovalsRepository bounds', () => {
  const newApproval = (workspaceId: string, id: string = randomUUID()): NewApproval => ({
    id,
    workspaceId,
    action: 'send_email',
    createdAt: new Date().toISOString(),
  });
  const decide = (repository: InMemoryApprovalsRepository, workspaceId: string, id: string) =>
    repository.decide(workspaceId, id, {
      status: 'approved',
      resolvedAt: new Date().toISOString(),
    });

  it('refuses a new approval when the workspace holds only pending ones', async () => {
    const repository = new InMemoryApprovalsRepository({ maxPerWorkspace: 2 });
    await repository.create(newApproval('ws1', 'a'));
    await repository.create(newApproval('ws1', 'b'));
    await expect(repository.create(newApproval('ws1'))).rejects.toThrow(ApprovalsStoreFullError);
    await expect(repository.create(newApproval('ws1'))).rejects.toThrow(
      'The approvals store is full: workspace ws1 already holds 2 pending approvals',
    );
    // Another workspace is not affected by the first one's bound.
    await expect(repository.create(newApproval('ws2'))).resolves.toMatchObject({
      status: 'pending',
    });
    await expect(repository.findOne('ws1', 'a')).resolves.toMatchObject({ status: 'pending' });
  });

  it('evicts the approval decided longest ago when the workspace is full', async () => {
    const repository = new InMemoryApprovalsRepository({ maxPerWorkspace: 3 });
    for (const id of ['a', 'b', 'c']) await repository.create(newApproval('ws1', id));
    await decide(repository, 'ws1', 'c');
    await decide(repository, 'ws1', 'b');
    await repository.create(newApproval('ws1', 'd'));

    await expect(repository.findOne('ws1', 'c')).resolves.toBeUndefined();
    await expect(repository.findOne('ws1', 'b')).resolves.toMatchObject({ status: 'approved' });
    await expect(repository.findOne('ws1', 'a')).resolves.toMatchObject({ status: 'pending' });
    expect(repository.size).toBe(3);
  });

  it('evicts the oldest decided approval of any workspace when the total is reached', async () => {
    const repository = new InMemoryApprovalsRepository({ maxTotal: 2 });
    await repository.create(newApproval('ws1', 'a'));
    await repository.create(newApproval('ws2', 'b'));
    await expect(repository.create(newApproval('ws3'))).rejects.toThrow(
      'The approvals store is full: the store already holds 2 pending approvals',
    );
    await decide(repository, 'ws1', 'a');
    await repository.create(newApproval('ws3', 'c'));

    await expect(repository.findOne('ws1', 'a')).resolves.toBeUndefined();
    await expect(repository.list('ws1', { limit: 10 })).resolves.toEqual([]);
    await expect(repository.findOne('ws2', 'b')).resolves.toBeDefined();
    expect(repository.size).toBe(2);
  });

  it('refuses bounds that are not positive integers', () => {
    expect(() => new InMemoryApprovalsRepository({ maxTotal: 0 })).toThrow(RangeError);
    expect(() => new InMemoryApprovalsRepository({ maxPerWorkspace: 1.5 })).toThrow(RangeError);
  });

  it('refuses pending as a decision', async () => {
    const repository = new InMemoryApprovalsRepository();
    await repository.create(newApproval('ws1', 'a'));
    await expect(
      repository.decide('ws1', 'a', {
        status: 'pending' as never,
        resolvedAt: new Date().toISOString(),
      }),
    ).rejects.toThrow(TypeError);
  });
});
