import Database from 'better-sqlite3';
import { ConcurrencyError } from '../port';
import { anEvent } from '../testing';
import { fromWireError, prepareAppend, toAppendOutcome, toWireError } from './commit-protocol';

describe('commit protocol between the store and its commit worker', () => {
  it('carries a ConcurrencyError over as plain data and back as the same class', () => {
    const wire = toWireError(new ConcurrencyError('org-1', 'no_stream', 3));
    expect(JSON.parse(JSON.stringify(wire))).toEqual(wire);
    const back = fromWireError(wire);
    expect(back).toBeInstanceOf(ConcurrencyError);
    expect(back).toMatchObject({ streamId: 'org-1', expected: 'no_stream', actual: 3, message: 'Stream org-1: expected no_stream, found 3' });
  });

  it('keeps an SqliteError\'s class and code, and any other error\'s name, code and the stack where it was thrown', () => {
    const sqlite = fromWireError(toWireError(new Database.SqliteError('database is locked', 'SQLITE_BUSY')));
    expect(sqlite).toBeInstanceOf(Database.SqliteError);
    expect(sqlite).toMatchObject({ code: 'SQLITE_BUSY', message: 'database is locked' });

    const original = Object.assign(new RangeError('too big'), { code: 'E_SIZE' });
    const other = fromWireError(toWireError(original));
    expect(other).toMatchObject({ name: 'RangeError', message: 'too big', code: 'E_SIZE', stack: original.stack });
  });

  it('serialises data and metadata once, folding the commandId into metadata that has none', () => {
    const withOwnCommandId = { ...anEvent('B'), metadata: { actor: 'test', commandId: 'own' } };
    const prepared = prepareAppend('org-1', [anEvent('A', { n: 1 }), withOwnCommandId], { expected: 'any', commandId: 'cmd-1' });
    expect(prepared.serialized.events.map((e) => [e.data, e.metadata])).toEqual([
      ['{"n":1}', '{"actor":"test","commandId":"cmd-1"}'],
      ['{}', '{"actor":"test","commandId":"own"}'],
    ]);
  });

  it('rebuilds positions and versions from the last ones the worker reports, also for an empty append', () => {
    const prepared = prepareAppend('org-1', [anEvent('A'), anEvent('B')], { expected: 'any' });
    const outcome = toAppendOutcome(prepared, { outcome: 'appended', eventIds: ['e1', 'e2'], lastPosition: 11, lastVersion: 4, recordedAt: '2026-01-01T00:00:00.000Z' });
    expect(outcome.ok && outcome.result.events.map((e) => [e.eventId, e.globalPosition, e.streamVersion, e.occurredAt])).toEqual([
      ['e1', 10, 3, '2026-01-01T00:00:00.000Z'],
      ['e2', 11, 4, '2026-01-01T00:00:00.000Z'],
    ]);
    const empty = toAppendOutcome(prepareAppend('org-2', [], { expected: 'any' }), { outcome: 'appended', eventIds: [], lastPosition: 11, lastVersion: -1, recordedAt: '2026-01-01T00:00:00.000Z' });
    expect(empty).toEqual({ ok: true, result: { streamId: 'org-2', nextExpectedVersion: -1, lastPosition: 11, events: [], idempotentReplay: false } });
  });
});
