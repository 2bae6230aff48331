import { describeEventStoreContract } from '../testing';
import { KurrentDbEventStore } from './kurrentdb-event-store';

const url = process.env['KURRENTDB_URL'];

if (url) {
  describeEventStoreContract('KurrentDB', () => KurrentDbEventStore.connect({ connectionString: url }));
} else {
  console.warn('KurrentDB event store contract skipped: KURRENTDB_URL not set');
  describe.skip('EventStore contract: KurrentDB (skipped: KURRENTDB_URL not set)', () => {
    it('needs a KurrentDB server', () => undefined);
  });
}
