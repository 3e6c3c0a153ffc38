import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';

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
// password=..., PGPASSWORD=..., db_password: ... (also inside longer identifiers).
const KV_PASSWORD = /([A-Za-z_]*(?:password|passwd|secret|token)\s*[=:]\s*)('[^']*'|"[^"]*"|[^\s,;&"']+)/gi;
const JSON_PASSWORD = /("[A-Za-z_]*(?:password|passwd|secret|token)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;
const AWS_SECRET = /(aws_secret_access_key\s*[=:]\s*)\S+/gi;

/** Removes passwords from DSNs, key=value and JSON "password" fields inside free text. */
export function redactText(text: string): string {
  return text
    .replace(DSN_PASSWORD, '$1***$3')
    .replace(JSON_PASSWORD, '$1"***"')
    .replace(KV_PASSWORD, '$1***')
    .replace(AWS_SECRET, '$1***');
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
    if (Array.isArray(v)) return v.map((x) => walk(x));
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
  if (!pretty) return pino.destination({ dest: 2, sync: true });
  // Loaded only for terminals, synchronously, so every line is out before the process exits.
  const pinoPretty = require('pino-pretty') as (o: Record<string, unknown>) => pino.DestinationStream;
  return pinoPretty({ destination: 2, sync: true, colorize: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss.l' });
}

/**
 * The project's logger: pino JSON on stderr (or a file), secrets redacted by path and by text
 * (DSN passwords in messages).
 */
export function createLogger(opts: LogOptions = {}): Logger {
  const destination = opts.stream ?? (opts.file ? pino.destination({ dest: opts.file, sync: true, mkdir: true }) : stderrDestination(opts.pretty ?? process.stderr.isTTY));
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
          const redacted = all.map((a) => (typeof a === 'string' ? redactText(a) : a)) as Parameters<typeof method>;
          return method.apply(this, redacted);
        },
      },
      formatters: {
        log: (obj) => redactValue(obj),
      },
    },
    destination,
  );
}
