import { ConfigError, loadConfig, secretEnvironment } from './config.ts';
import { createLogger, wantsPrettyLogs } from './logger.ts';
import { startThingwire } from './app.ts';
import { ensureUiBuilt } from './http/ui-build.ts';
import { StartupError } from './http/port-check.ts';

/** `npm start`: runs Thingwire with embedded defaults until SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`thingwire: ${(err as Error).message}\n`);
      process.exit(2);
    }
    throw err;
  }
  // Read once, then gone: nothing running later in this process (a flow, a library, a child process) finds them.
  for (const name of secretEnvironment) delete process.env[name];
  const logger = createLogger(config.logLevel, { pretty: wantsPrettyLogs(config.logFormat) });
  try {
    await ensureUiBuilt(logger);
  } catch (err) {
    // Devices, flows and the API do not need the UI: start anyway; the error says what broke the build.
    logger.error({ err }, 'building the web UI failed: serving the last build, if any');
  }
  let app;
  try {
    app = await startThingwire(config, logger);
  } catch (err) {
    if (err instanceof StartupError) {
      process.stderr.write(`thingwire: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  if (app.firstAdmin?.generatedPassword) {
    // Printed once, to the terminal, outside the JSON log: it is never stored except as a hash.
    process.stdout.write(
      `\n  First start: created the admin account.\n    user:     ${app.firstAdmin.username}\n` +
        `    password: ${app.firstAdmin.generatedPassword}\n  Sign in at ${app.url} and change it. Until then it is also in\n` +
        `  ${app.firstAdmin.passwordFile} (readable by this user only, deleted at the first sign-in).\n` +
        `  Lost it? npm run admin -- reset-password ${app.firstAdmin.username}\n\n`,
    );
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await app.close();
    logger.info({ signal }, 'stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(`thingwire failed to start: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
