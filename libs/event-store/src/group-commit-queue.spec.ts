import type { AppendResult } from './port';
import { GroupCommitQueue } from './group-commit-queue';
import { type AppendOutcome, prepareAppend, type PreparedAppend } from './sqlite/commit-protocol';

const append = (streamId: string, events = 1): PreparedAppend =>
  prepareAppend(
    streamId,
    Array.from({ length: events }, () => ({ type: 'Noted', schemaVersion: 1, data: {}, metadata: { actor: 'test' } })),
    { expected: 'any' },
  );

const recorded = (group: readonly PreparedAppend[]): AppendOutcome[] =>
  group.map((a, i) => ({ ok: true, result: { events: a.events.map(() => ({})), lastPosition: i + 1, idempotentReplay: false } as unknown as AppendResult }));

describe('group commit queue', () => {
  it('commits the appends of one turn of the event loop together, and those queued meanwhile as the next group', async () => {
    const groups: string[][] = [];
    let release: () => void = () => undefined;
    const queue = new GroupCommitQueue({
      maxEventsPerCommit: 100,
      commit: async (group) => {
        groups.push(group.map((a) => a.streamId));
        if (groups.length === 1) await new Promise<void>((resolve) => (release = resolve));
        return recorded(group);
      },
    });
    const first = [queue.enqueue(append('a')), queue.enqueue(append('b'))];
    await new Promise((resolve) => setImmediate(resolve));
    const second = [queue.enqueue(append('c')), queue.enqueue(append('d')), queue.enqueue(append('e'))];
    release();
    await Promise.all([...first, ...second]);
    expect(groups).toEqual([['a', 'b'], ['c', 'd', 'e']]);
    expect(queue.stats()).toEqual({ commits: 2, appends: 5, events: 5, largestGroup: 3 });
  });

  it('keeps a group under the event limit, but never splits one append', async () => {
    const sizes: number[] = [];
    const queue = new GroupCommitQueue({ maxEventsPerCommit: 5, commit: async (group) => (sizes.push(group.reduce((n, a) => n + a.events.length, 0)), recorded(group)) });
    await Promise.all([queue.enqueue(append('a', 3)), queue.enqueue(append('b', 3)), queue.enqueue(append('c', 8))]);
    expect(sizes).toEqual([3, 3, 8]);
  });

  it('gives each append its own outcome, and fails the whole group when the commit itself throws', async () => {
    let call = 0;
    const queue = new GroupCommitQueue({
      maxEventsPerCommit: 100,
      commit: async (group) => {
        call += 1;
        if (call === 2) throw new Error('writer gone');
        return group.map((a, i) => (a.streamId === 'refused' ? { ok: false, error: new Error('conflict') } : recorded(group)[i]));
      },
    });
    const outcomes = await Promise.allSettled([queue.enqueue(append('ok')), queue.enqueue(append('refused'))]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected']);
    const lost = await Promise.allSettled([queue.enqueue(append('x')), queue.enqueue(append('y'))]);
    expect(lost.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : 'ok'))).toEqual(['writer gone', 'writer gone']);
  });

  it('tells the store of each recorded append in commit order, and drains what is queued', async () => {
    const seen: string[] = [];
    let wakes = 0;
    const queue = new GroupCommitQueue({
      maxEventsPerCommit: 100,
      commit: async (group) => recorded(group),
      onRecorded: (a) => seen.push(a.streamId),
      onCommitted: () => (wakes += 1),
    });
    void queue.enqueue(append('a'));
    void queue.enqueue(append('b'));
    await queue.drain();
    expect(seen).toEqual(['a', 'b']);
    expect(wakes).toBe(1);
  });
});
