// Run as a child process by group-commit.int.spec.ts: appends from several concurrent writers and prints
// one line per acknowledged append, until it is killed. Usage: node -r tools/register.js <this> <db file>
import { SqliteEventStore } from './sqlite-event-store';

const file = process.argv[2];
const store = SqliteEventStore.open({ file, durability: 'fsync' });

const writer = async (w: number) => {
  for (let i = 0; ; i++) {
    const result = await store.append(`crash-${w}`, [{ type: 'Tick', schemaVersion: 1, data: { i }, metadata: { actor: 'crash' } }], {
      expected: i === 0 ? 'no_stream' : i - 1,
    });
    const [event] = result.events;
    process.stdout.write(`ack ${event.streamId} ${event.streamVersion} ${event.eventId}\n`);
  }
};

for (let w = 0; w < 8; w++) void writer(w);
