/** Node socket and DNS codes of a server not (yet) listening or not (yet) in DNS: compose starts containers in parallel */
const NOT_UP_YET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
/** PostgreSQL SQLSTATEs of a server that answers but cannot take us yet */
const POSTGRES_NOT_READY = new Set([
  '57P03', // the database system is starting up
  '53300', // too many connections
  '08006', // connection failure
  '08001', // unable to establish connection
  '40P01', // deadlock detected (instances starting together)
  '40001', // serialization failure
]);
/** pg's own errors (no code) when the server drops the socket, as PostgreSQL does while its container initialises */
const PG_DROPPED = /^Connection terminated (unexpectedly|due to connection timeout)/;
/** MongoDB driver errors of a server not (yet) reachable or elected */
const MONGO_NOT_UP_YET = new Set(['MongoServerSelectionError', 'MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoTopologyClosedError']);
/** KurrentDB client error types of a node not (yet) reachable or not the leader yet */
const KURRENTDB_NOT_UP_YET = new Set(['unavailable', 'deadline-exceeded', 'timeout', 'not-leader']);
/** NATS: nothing listens for the JetStream API yet (the server is up, JetStream still starting) */
const NATS_NOT_UP_YET = new Set(['NoRespondersError', 'TimeoutError']);

export type StartupFailure = 'not-up-yet' | 'permanent';

/** The error and what caused it: NATS wraps the socket error in `cause`, Node's dual-stack connect in `errors`. */
function* causes(error: unknown, depth = 0): Generator<Record<string, unknown>> {
  if (depth > 5 || typeof error !== 'object' || error === null) return;
  const record = error as Record<string, unknown>;
  yield record;
  yield* causes(record.cause, depth + 1);
  if (Array.isArray(record.errors)) for (const inner of record.errors) yield* causes(inner, depth + 1);
}

/**
 * Whether a failed start-up connection may succeed by waiting (the server is not up yet) or never will (a wrong
 * password, user, database name or URL): start-up retries the first and stops with the second. Anything not known
 * to be transient counts as permanent, so a misconfigured app says so at once instead of retrying forever.
 */
export function startupFailureOf(error: unknown): StartupFailure {
  for (const cause of causes(error)) {
    const { code, name, type } = cause;
    if (typeof code === 'string' && (NOT_UP_YET_CODES.has(code) || POSTGRES_NOT_READY.has(code))) return 'not-up-yet';
    if (typeof name === 'string' && (MONGO_NOT_UP_YET.has(name) || NATS_NOT_UP_YET.has(name))) return 'not-up-yet';
    if (typeof type === 'string' && KURRENTDB_NOT_UP_YET.has(type)) return 'not-up-yet';
    if (typeof cause.message === 'string' && PG_DROPPED.test(cause.message)) return 'not-up-yet';
    // NATS names a refused connection in its message only ('connection refused'), its cause carries ECONNREFUSED
    if (name === 'ConnectionError' && /connection refused|timeout|disconnect/i.test(String(cause.message))) return 'not-up-yet';
  }
  return 'permanent';
}
