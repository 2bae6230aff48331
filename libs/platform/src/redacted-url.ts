const SCHEME_AND_REST = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i;
/** where a list of URLs (NATS_URL may name several servers) starts its next one */
const NEXT_URL = /,(?=[a-z][a-z0-9+.-]*:\/\/)/i;

function redactOne(url: string): string {
  const match = SCHEME_AND_REST.exec(url.trim());
  if (!match) return '(a malformed URL)';
  const [, scheme, rest] = match;
  const beforeQuery = rest.split(/[?#]/, 1)[0];
  // everything up to the last '@' is user and password (a password may hold '/' or ':' when not percent-encoded)
  const afterCredentials = beforeQuery.slice(beforeQuery.lastIndexOf('@') + 1);
  if (afterCredentials === '') return '(a malformed URL)';
  return `${scheme.toLowerCase()}://${afterCredentials}`;
}

/**
 * A connection string as it may be logged or put in an error: scheme://host:port/database, without user, password,
 * query (which may carry ?password=) or fragment. Something that is not a URL is not echoed at all.
 */
export function redactedUrl(url: string | undefined): string {
  if (url === undefined || url.trim() === '') return '(no URL)';
  return url.split(NEXT_URL).map(redactOne).join(',');
}
