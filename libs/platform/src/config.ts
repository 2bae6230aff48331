import * as path from 'node:path';

export type Durability = 'fsync' | 'os';

/** Everything an operator can set, read once from the environment at start. */
export interface LiangxinConfig {
  /**
   * embedded: one process, in-process transport, SQLite files in DATA_DIR (or PostgreSQL when DATABASE_URL is set).
   * distributed (NATS_URL set): one process per app, NATS + KurrentDB or PostgreSQL + MongoDB or PostgreSQL.
   */
  mode: 'embedded' | 'distributed';
  port: number;
  dataDir: string;
  durability: Durability;
  natsUrl?: string;
  /** NATS_URL split at commas: the seed servers of a cluster (the client learns the rest from them) */
  natsServers?: string[];
  kurrentDbUrl?: string;
  mongoDbUrl?: string;
  /**
   * PostgreSQL (DATABASE_URL): in distributed mode the event store unless KURRENTDB_URL is set, the read models and
   * checkpoints unless MONGODB_URL is; in the embedded mode all of them instead of the SQLite files
   */
  databaseUrl?: string;
  /** bearer token with the admin role; generated and printed at start when not set */
  adminToken?: string;
  /** secret signing the role tokens (JWT, HS256) */
  jwtSecret?: string;
  /** deliveries of one event before it is parked as a dead letter */
  maxDeliveries: number;
  /** organisational coverage target the dashboards compare against */
  coverageTarget: number;
  /** JetStream stream replicas: 3 on a three-node NATS cluster, 1 on a single server */
  streamReplicas: number;
  /** JetStream keeps an event message this long (EVENT_STREAM_MAX_AGE_HOURS; unset: ensureTopology's default, 7 days) */
  streamMaxAgeMs?: number;
  /** JetStream keeps at most this many bytes of event messages (EVENT_STREAM_MAX_BYTES; unset: ensureTopology's default, 1 GiB) */
  streamMaxBytes?: number;
  /** interface the gateway listens on: loopback unless set (compose sets 0.0.0.0) */
  host: string;
  /** what one client may cost the gateway */
  limits: RequestLimits;
}

/** Resource limits of the HTTP edge, each settable from the environment (README, Configuration). */
export interface RequestLimits {
  /** deepest nesting of arrays and objects a JSON body may have */
  maxJsonDepth: number;
  /** a client must have sent all request headers within this many ms, else the connection is closed */
  headersTimeoutMs: number;
  /** a client must have sent the whole request (headers and body) within this many ms */
  requestTimeoutMs: number;
  /** live-update (SSE) connections one token may hold open at once */
  sseConnectionsPerToken: number;
  /** live-update (SSE) connections the gateway holds open at once, all tokens together */
  sseConnectionsTotal: number;
  /** writes (POST, PUT, PATCH, DELETE) one token may send per second, sustained */
  writesPerSecond: number;
  /** writes one token may send at once before the sustained rate applies */
  writeBurst: number;
}

export const DEFAULT_REQUEST_LIMITS: Readonly<RequestLimits> = Object.freeze({
  maxJsonDepth: 32,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  sseConnectionsPerToken: 20,
  sseConnectionsTotal: 1_000,
  writesPerSecond: 50,
  writeBurst: 200,
});

/** Secrets the shipped examples used to carry; a deployment running on them is open to anyone who read the repository. */
const PLACEHOLDER_SECRET = /^(change-?me|changeme|secret|password|admin)/i;
const MIN_SECRET_LENGTH = 16;

/**
 * The gateway of distributed mode needs ADMIN_TOKEN and JWT_SECRET set, not placeholders: several gateways must share
 * the token secret (each would otherwise make up its own and refuse the others' tokens), and a network deployment
 * must not run on a secret printed in the repository. The embedded mode generates both when unset.
 */
export function requireOperatorSecrets(config: Pick<LiangxinConfig, 'mode' | 'adminToken' | 'jwtSecret'>): void {
  if (config.mode !== 'distributed') return;
  for (const [variable, value] of [['ADMIN_TOKEN', config.adminToken], ['JWT_SECRET', config.jwtSecret]] as const) {
    if (!value) throw new ConfigError(variable, 'must be set in distributed mode (every gateway shares it); e.g. openssl rand -base64 32');
    if (PLACEHOLDER_SECRET.test(value)) throw new ConfigError(variable, 'is a placeholder from an example; set a secret of your own, e.g. openssl rand -base64 32');
    if (value.length < MIN_SECRET_LENGTH) throw new ConfigError(variable, `must be at least ${MIN_SECRET_LENGTH} characters`);
  }
}

export class ConfigError extends Error {
  constructor(readonly variable: string, reason: string) {
    super(`${variable}: ${reason}`);
    this.name = 'ConfigError';
  }
}

const positiveInt = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value <= 0) throw new ConfigError(name, `must be a positive whole number, got "${raw}"`);
  return value;
};

function loadRequestLimits(env: NodeJS.ProcessEnv): RequestLimits {
  const limits: RequestLimits = {
    maxJsonDepth: positiveInt(env, 'MAX_JSON_DEPTH', DEFAULT_REQUEST_LIMITS.maxJsonDepth),
    headersTimeoutMs: positiveInt(env, 'HEADERS_TIMEOUT_MS', DEFAULT_REQUEST_LIMITS.headersTimeoutMs),
    requestTimeoutMs: positiveInt(env, 'REQUEST_TIMEOUT_MS', DEFAULT_REQUEST_LIMITS.requestTimeoutMs),
    sseConnectionsPerToken: positiveInt(env, 'SSE_CONNECTIONS_PER_TOKEN', DEFAULT_REQUEST_LIMITS.sseConnectionsPerToken),
    sseConnectionsTotal: positiveInt(env, 'SSE_CONNECTIONS_TOTAL', DEFAULT_REQUEST_LIMITS.sseConnectionsTotal),
    writesPerSecond: positiveInt(env, 'WRITES_PER_SECOND', DEFAULT_REQUEST_LIMITS.writesPerSecond),
    writeBurst: positiveInt(env, 'WRITE_BURST', DEFAULT_REQUEST_LIMITS.writeBurst),
  };
  // Node closes on the request timeout first otherwise, and the header timeout would never be what cuts a client off
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) throw new ConfigError('HEADERS_TIMEOUT_MS', `must not exceed REQUEST_TIMEOUT_MS (${limits.requestTimeoutMs})`);
  return limits;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LiangxinConfig {
  const natsUrl = env.NATS_URL || undefined;
  const kurrentDbUrl = env.KURRENTDB_URL || undefined;
  const mongoDbUrl = env.MONGODB_URL || undefined;
  const databaseUrl = env.DATABASE_URL || undefined;
  const durability = (env.DURABILITY || 'fsync') as Durability;
  if (durability !== 'fsync' && durability !== 'os') throw new ConfigError('DURABILITY', `must be "fsync" or "os", got "${durability}"`);
  const coverageTarget = env.COVERAGE_TARGET === undefined ? 0.75 : Number(env.COVERAGE_TARGET);
  if (!(coverageTarget > 0 && coverageTarget <= 1)) throw new ConfigError('COVERAGE_TARGET', 'must be a fraction in (0, 1], e.g. 0.75');

  // DATABASE_URL alone is the all-in-one process on PostgreSQL; a second process only makes sense with NATS between them
  const distributed = Boolean(natsUrl || kurrentDbUrl || mongoDbUrl);
  if (distributed) {
    const missing = [!natsUrl && 'NATS_URL', !kurrentDbUrl && !databaseUrl && 'DATABASE_URL', !mongoDbUrl && !databaseUrl && 'MONGODB_URL'].filter(Boolean);
    if (missing.length > 0) {
      throw new ConfigError(
        String(missing[0]),
        `distributed mode needs NATS_URL and DATABASE_URL (PostgreSQL), or NATS_URL, KURRENTDB_URL and MONGODB_URL (missing: ${missing.join(', ')}); unset them all for the embedded default`,
      );
    }
  }
  return {
    mode: distributed ? 'distributed' : 'embedded',
    port: positiveInt(env, 'PORT', 3000),
    dataDir: path.resolve(env.DATA_DIR || './data'),
    durability,
    natsUrl,
    natsServers: natsUrl?.split(',').map((url) => url.trim()).filter(Boolean),
    kurrentDbUrl,
    mongoDbUrl,
    databaseUrl,
    adminToken: env.ADMIN_TOKEN || undefined,
    jwtSecret: env.JWT_SECRET || undefined,
    maxDeliveries: positiveInt(env, 'MAX_DELIVERIES', 5),
    coverageTarget,
    streamReplicas: positiveInt(env, 'EVENT_STREAM_REPLICAS', 1),
    streamMaxAgeMs: env.EVENT_STREAM_MAX_AGE_HOURS ? positiveInt(env, 'EVENT_STREAM_MAX_AGE_HOURS', 0) * 3_600_000 : undefined,
    streamMaxBytes: env.EVENT_STREAM_MAX_BYTES ? positiveInt(env, 'EVENT_STREAM_MAX_BYTES', 0) : undefined,
    host: env.HOST || '127.0.0.1',
    limits: loadRequestLimits(env),
  };
}


