import { pino, type DestinationStream, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';

/**
 * The one root logger; subsystems take a child (`logger.child({ subsystem: 'registry' })`). JSON lines, for log
 * collectors, unless `pretty`: then one readable, coloured line per entry, for a person at a terminal. `main.ts`
 * asks for pretty when stdout is a terminal (`--log-format json|pretty` overrides).
 */
export function createLogger(level: string, options: { pretty?: boolean } = {}): Logger {
  const stream: DestinationStream | undefined = options.pretty
    ? PinoPretty({
      colorize: true, sync: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,app,subsystem',
      messageFormat: '{if subsystem}{subsystem}: {end}{msg}',
    })
    : undefined;
  return pino({
    level,
    base: { app: 'thingwire' },
    redact: {
      paths: ['password', '*.password', 'secret', '*.secret', 'deviceSecret', '*.deviceSecret', 'token', '*.token', 'req.headers.authorization', 'req.headers.cookie'],
      censor: '[redacted]',
    },
  }, stream);
}

/** Whether `npm start` logs for a person: `--log-format` says, else whether stdout is a terminal. */
export function wantsPrettyLogs(format: 'json' | 'pretty' | undefined, isTty = process.stdout.isTTY === true): boolean {
  return format === undefined ? isTty : format === 'pretty';
}
