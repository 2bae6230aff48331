import { createServer } from 'node:net';
import { connect as connectToNatsServer } from '@nats-io/transport-node';
import { Client } from 'pg';
import { startupFailureOf } from './startup-error';

/** a port on 127.0.0.1 where nothing listens */
const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
};

const failureOfConnecting = async (connectionString: string): Promise<unknown> => {
  const client = new Client({ connectionString, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    return error;
  } finally {
    await client.end().catch(() => undefined);
  }
  throw new Error(`connected to ${connectionString}`);
};

describe('startupFailureOf', () => {
  describe('given real failures', () => {
    it('PostgreSQL not listening yet (ECONNREFUSED) is worth waiting for', async () => {
      const error = await failureOfConnecting(`postgres://postgres@127.0.0.1:${await closedPort()}/liangxin`);
      expect((error as { code?: string }).code).toBe('ECONNREFUSED');
      expect(startupFailureOf(error)).toBe('not-up-yet');
    });

    it('a database that does not exist (3D000) is permanent', async () => {
      const error = await failureOfConnecting('postgres://postgres@127.0.0.1:5432/liangxin_no_such_database');
      expect((error as { code?: string }).code).toBe('3D000');
      expect(startupFailureOf(error)).toBe('permanent');
    });

    it('a user that does not exist (28000) is permanent', async () => {
      const error = await failureOfConnecting('postgres://liangxin_no_such_role@127.0.0.1:5432/postgres');
      expect((error as { code?: string }).code).toBe('28000');
      expect(startupFailureOf(error)).toBe('permanent');
    });

    it('a host not (yet) in DNS (ENOTFOUND), as while compose starts its containers, is worth waiting for', async () => {
      const error = await failureOfConnecting('postgres://postgres@no-such-host.invalid:5432/liangxin');
      expect((error as { code?: string }).code).toMatch(/^(ENOTFOUND|EAI_AGAIN)$/);
      expect(startupFailureOf(error)).toBe('not-up-yet');
    });

    it('a malformed URL is permanent', () => {
      let error: unknown;
      try {
        new Client({ connectionString: 'postgres://user:secret@[not-a-host' });
      } catch (caught) {
        error = caught;
      }
      expect((error as { code?: string }).code).toBe('ERR_INVALID_URL');
      expect(startupFailureOf(error)).toBe('permanent');
    });

    it('NATS not listening yet (ConnectionError caused by ECONNREFUSED) is worth waiting for', async () => {
      const error = await connectToNatsServer({ servers: `nats://127.0.0.1:${await closedPort()}` }).then(
        async (connection) => {
          await connection.close();
          throw new Error('connected');
        },
        (caught: unknown) => caught,
      );
      expect((error as Error).name).toBe('ConnectionError');
      expect(startupFailureOf(error)).toBe('not-up-yet');
    });
  });

  describe('given the shapes of failures too dear to produce here', () => {
    const withFields = (fields: Record<string, unknown>, message = 'failed'): Error => Object.assign(new Error(message), fields);

    it.each([
      ['PostgreSQL starting up (57P03)', withFields({ code: '57P03' }, 'the database system is starting up')],
      ['PostgreSQL dropping the socket while its container initialises', new Error('Connection terminated unexpectedly')],
      ['a dual-stack connect refused on both addresses', Object.assign(new AggregateError([withFields({ code: 'ECONNREFUSED' }), withFields({ code: 'ECONNREFUSED' })]), { code: 'ECONNREFUSED' })],
      ['MongoDB with no server selectable yet', withFields({ name: 'MongoServerSelectionError' }, 'connect ECONNREFUSED 127.0.0.1:27017')],
      ['KurrentDB unavailable', withFields({ type: 'unavailable' })],
      ['KurrentDB follower not yet the leader', withFields({ type: 'not-leader' })],
      ['JetStream not answering yet', withFields({ name: 'NoRespondersError' }, 'no responders: $JS.API.INFO')],
    ])('%s is worth waiting for', (_, error) => {
      expect(startupFailureOf(error)).toBe('not-up-yet');
    });

    it.each([
      ['a wrong PostgreSQL password (28P01)', withFields({ code: '28P01' }, 'password authentication failed for user "liangxin"')],
      ['a schema error (42P01)', withFields({ code: '42P01' }, 'relation "events" does not exist')],
      ['a MongoDB authentication failure', withFields({ name: 'MongoServerError', code: 18 }, 'Authentication failed.')],
      ['a malformed MongoDB URL', withFields({ name: 'MongoParseError' }, 'Invalid scheme')],
      ['KurrentDB refusing access', withFields({ type: 'access-denied' })],
      ['NATS refusing the credentials', withFields({ name: 'AuthorizationError' }, "'Authorization Violation'")],
      ['something unknown', 'not even an Error'],
    ])('%s is permanent', (_, error) => {
      expect(startupFailureOf(error)).toBe('permanent');
    });
  });
});
