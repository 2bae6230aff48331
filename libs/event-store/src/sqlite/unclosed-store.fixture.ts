// Run as a child process by commit-worker.int.spec.ts: appends one after another without anyone awaiting the
// chain, and never closes the store. The process must still end by itself, and only after the last append
// is committed. Usage: node -r tools/register.js <this> <db file>
import { SqliteEventStore } from './sqlite-event-store';

const store = SqliteEventStore.open({ file: process.argv[2], durability: 'fsync' });
void (async () => {
  for (let version = 0; version < 5; version++) {
    await store.append('org-left-open', [{ type: 'MemberJoined', schemaVersion: 1, data: { version }, metadata: { actor: 'fixture' } }], {
      expected: version === 0 ? 'no_stream' : version - 1,
    });
  }
})();
