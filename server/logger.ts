import { pino, type Logger } from 'pino';

/** The one root logger; subsystems take a child (`logger.child({ subsystem: 'registry' })`). */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { app: 'thingwire' },
    redact: {
      paths: ['password', '*.password', 'secret', '*.secret', 'deviceSecret', '*.deviceSecret', 'token', '*.token', 'req.headers.authorization', 'req.headers.cookie'],
      censor: '[redacted]',
    },
  });
}
