import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import { maskSecrets, maskSecretsInJsonLine, SECRET_MASK } from './util/secrets.js';

export { forgetSecrets, maskSecrets, MIN_SECRET_LENGTH, registerSecrets, SECRET_MASK } from './util/secrets.js';

const require = createRequire(import.meta.url);

/** Log paths that may hold secrets; pino replaces their values. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'dsn',
  '*.dsn',
  '*.*.dsn',
  'connectionString',
  '*.connectionString',
  '*.*.connectionString',
  'headers',
  '*.headers',
  '*.*.headers',
  'env',
  '*.env',
  '*.*.env',
  'secretAccessKey',
  '*.secretAccessKey',
  'sessionToken',
  '*.sessionToken',
  'accessKeyId',
  '*.accessKeyId',
];

// user:password@ in a URL; the password may itself contain '@', so run to the last one of the token.
const DSN_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s"']*:)([^\s"']*)(@)/gi;
// user:password@host without a scheme (ssh-style, proxies, conninfo fragments). Bounded, so that
// a long token without '@' costs linear time, not quadratic.
const BARE_USER_PASSWORD = /((?:^|[\s"'[,(=])[A-Za-z0-9._%+-]{1,256}:)((?!\/)[^\s"']{1,256})(@)/g;
// password=..., PGPASSWORD=..., db_password: ..., --password=... (also at the end of longer
// identifiers: the match starts at the keyword, so no leading run of letters is scanned twice).
const KV_PASSWORD = /((?:password|passwd|secret|token)\s*[=:]\s*)('[^']*'|"[^"]*"|[^\s,;&"']+)/gi;
const JSON_PASSWORD = /("[A-Za-z_]*(?:password|passwd|secret|token)"\s*:\s*")((?:[^"\\]|\\.)*)(")/gi;
const AWS_SECRET = /(aws_secret_access_key\s*[=:]\s*)(\S+)/gi;
// Command lines: `-p VALUE` and `--password VALUE` (mysql, sshpass...), as text or as a JSON argv array.
const ARGV_SEPARATE = /((?:^|[\s"'[,(])(?:-p|--password)\s+)('[^']*'|"[^"]*"|[^\s"',;)\]]+)/g;
const ARGV_SEPARATE_JSON = /("(?:-p|--password)"\s*,\s*")((?:[^"\\]|\\.)*)(")/g;
// `-pVALUE` (mysql style).
const ARGV_ATTACHED = /((?:^|[\s"'[,(=])-p)([^\s"',;)\]]+)/g;

/** Flags whose next argument is a password. */
const PASSWORD_FLAGS = new Set(['-p', '--password']);
// `-p` is also a port (psql, ssh, docker), "make parents" (mkdir) and the start of find's
// predicates: values that look like those are left alone.
const FIND_LIKE = /^(ath|erm|rint0?|rintf|rune|ort)$/;

/** Whether what follows `-p` (or `--password`) looks like a port, a path or another option rather than a password. */
function notAPassword(value: string): boolean {
  const v = value.replace(/^(['"])(.*)\1$/s, '$2');
  return v === '' || /^\d+(:\d+)*$/.test(v) || /^[-/.~$]/.test(v) || v.includes('/');
}

/** How a found secret is replaced. */
type Mask = (secret: string) => string;
const hide: Mask = () => SECRET_MASK;

/**
 * Masks the literal parts of a secret and keeps its `${...}` references (for runbook text, which
 * `resume` parses and resolves again).
 */
export const maskLiterals: Mask = (secret) => {
  const quoted = /^(['"])(.*)\1$/s.exec(secret);
  if (quoted) return `${quoted[1]}${maskLiterals(quoted[2]!)}${quoted[1]}`;
  return secret
    .split(/(\$\{[^}]*\})/)
    .map((part, i) => (i % 2 === 1 ? part : part ? SECRET_MASK : ''))
    .join('');
};

/** Applies every secret pattern (DSN, key=value, JSON field, AWS key, command-line password) to `text`. */
export function redactPatterns(text: string, mask: Mask = hide): string {
  return text
    .replace(DSN_PASSWORD, (_, pre: string, secret: string, at: string) => `${pre}${mask(secret)}${at}`)
    .replace(BARE_USER_PASSWORD, (_, pre: string, secret: string, at: string) => `${pre}${mask(secret)}${at}`)
    .replace(JSON_PASSWORD, (_, pre: string, secret: string, end: string) => `${pre}${mask(secret)}${end}`)
    .replace(KV_PASSWORD, (_, pre: string, secret: string) => `${pre}${mask(secret)}`)
    .replace(AWS_SECRET, (_, pre: string, secret: string) => `${pre}${mask(secret)}`)
    .replace(ARGV_SEPARATE_JSON, (all: string, pre: string, secret: string, end: string) => (notAPassword(secret) ? all : `${pre}${mask(secret)}${end}`))
    .replace(ARGV_SEPARATE, (all: string, pre: string, secret: string) => (notAPassword(secret) ? all : `${pre}${mask(secret)}`))
    .replace(ARGV_ATTACHED, (all: string, pre: string, secret: string) => (notAPassword(secret) || FIND_LIKE.test(secret) ? all : `${pre}${mask(secret)}`));
}

/**
 * Removes secrets from free text: every registered secret (see `registerSecrets`), passwords in
 * DSNs and `user:pass@`, key=value and JSON "password" fields, AWS secret keys, and command-line
 * passwords (`-pVALUE`, `-p VALUE`, `--password=VALUE`, `--password VALUE`).
 */
export function redactText(text: string): string {
  return redactPatterns(maskSecrets(text));
}

/** Whether `value`, following `previous` in an argv array, is a password given on the command line. */
export function isArgvPassword(previous: unknown, value: string): boolean {
  return typeof previous === 'string' && PASSWORD_FLAGS.has(previous) && !notAPassword(value);
}

/** Deep copy with secrets removed (for reports and journals of step parameters and outputs). */
export function redactValue<T>(value: T): T {
  const walk = (v: unknown, key?: string): unknown => {
    if (key && /^(password|dsn|connectionString|secretAccessKey|accessKeyId|sessionToken|headers|env)$/i.test(key)) return '[redacted]';
    if (typeof v === 'string') return redactText(v);
    // Errors keep their (non-enumerable) type, message and stack, redacted, instead of becoming {}.
    if (v instanceof Error) {
      const fields = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
      return {
        type: v.name,
        message: redactText(v.message),
        ...(v.stack ? { stack: redactText(v.stack) } : {}),
        ...(v.cause !== undefined ? { cause: walk(v.cause) } : {}),
        ...fields,
      };
    }
    // An argv array: the element after `-p` or `--password` is a password.
    if (Array.isArray(v)) return v.map((x, i) => (typeof x === 'string' && i > 0 && isArgvPassword(v[i - 1], x) ? SECRET_MASK : walk(x)));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(value) as T;
}

export interface LogOptions {
  level?: string;
  /** Write JSON logs to this file instead of stderr. */
  file?: string;
  /** Any writable stream (tests). */
  stream?: NodeJS.WritableStream;
  /** Human-readable lines instead of JSON on stderr (default: when stderr is a terminal). */
  pretty?: boolean;
}

function stderrDestination(pretty: boolean | undefined): pino.DestinationStream {
  const stderr = quietWhenGone(pino.destination({ dest: 2, sync: true }));
  if (!pretty) return stderr;
  // Loaded only for terminals, synchronously, so every line is out before the process exits.
  const pinoPretty = require('pino-pretty') as (o: Record<string, unknown>) => pino.DestinationStream;
  return pinoPretty({ destination: stderr, colorize: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss.l' });
}

/**
 * Stops writing once stderr is gone. pino only swallows EPIPE; the EIO of a closed terminal would
 * be thrown out of whatever log call came next (and out of the final flush), in the middle of a
 * drill's failover or teardown.
 */
function quietWhenGone(stream: ReturnType<typeof pino.destination>): ReturnType<typeof pino.destination> {
  stream.on('error', () => {
    const noop = () => {};
    Object.assign(stream, { write: () => true, flush: (cb?: () => void) => cb?.(), flushSync: noop, end: noop });
  });
  return stream;
}

type FlushableStream = pino.DestinationStream & { flush?: (cb?: (err?: Error | null) => void) => void; flushSync?: () => void };

/**
 * The last line of defence: every line pino writes has the registered secrets masked inside its
 * JSON strings, whatever path (message, format argument, binding, serializer) brought them in.
 */
function maskingStream(destination: pino.DestinationStream): FlushableStream {
  const d = destination as FlushableStream;
  return {
    write: (line: string) => d.write(maskSecretsInJsonLine(line)),
    flush: (cb) => (d.flush ? d.flush(cb) : cb?.()),
    flushSync: () => d.flushSync?.(),
  };
}

/**
 * The project's logger: pino JSON on stderr (or a file, created 0600), secrets redacted by path,
 * by text (DSN and command-line passwords in messages) and by value (registered secrets).
 */
export function createLogger(opts: LogOptions = {}): Logger {
  const destination =
    opts.stream ?? (opts.file ? pino.destination({ dest: opts.file, sync: true, mkdir: true, mode: 0o600 }) : stderrDestination(opts.pretty ?? process.stderr.isTTY));
  return pino(
    {
      level: opts.level ?? process.env.LIFEBOAT_LOG_LEVEL ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // formatters.log has already turned errors into redacted plain objects; pino's own err
      // serializer would re-read them (and the unredacted messages of their causes).
      serializers: { err: (e: unknown) => e },
      hooks: {
        logMethod(args, method) {
          // pino takes the message of an error logged on its own from the error: redact it too.
          const [first, ...rest] = args as unknown[];
          const all = first instanceof Error ? [{ err: first }, ...(rest.length ? rest : [first.message])] : (args as unknown[]);
          // The merging object (first) goes through formatters.log; format arguments (%o, %j) do not.
          const redacted = all.map((a, i) => (typeof a === 'string' ? redactText(a) : i > 0 && a !== null && typeof a === 'object' ? redactValue(a) : a)) as Parameters<
            typeof method
          >;
          return method.apply(this, redacted);
        },
      },
      formatters: {
        log: (obj) => redactValue(obj),
        bindings: (bindings) => redactValue(bindings),
      },
    },
    maskingStream(destination),
  );
}
