import { ConfigError } from './config.js';
import { main } from './main.js';
import { migrateOnly } from './migrate.js';

/**
 * The one entry point of every COIN process (`npm start`, the Docker image, tests, benchmarks):
 * starts `main()` with this process's environment and turns signals into a clean stop.
 * SIGTERM or SIGINT finishes the work in hand and exits 0; a second one exits at once (1).
 * Ctrl-D in an interactive terminal chat also stops.
 */
async function cli(): Promise<void> {
  if (process.argv[2] === 'migrate') return migrate();
  let running: Awaited<ReturnType<typeof main>> | undefined;
  const started = main(process.env).then((r) => {
    running = r;
  });
  let stopping = false;
  const shutdown = (signal?: NodeJS.Signals) => {
    if (stopping) {
      if (signal) process.exit(1);
      return;
    }
    stopping = true;
    // Everything in hand is finished or left durably held within ~8 s; never past 10 s.
    setTimeout(() => process.exit(0), 9_500).unref();
    // A signal that arrives while still starting stops as soon as the start is done.
    void started.then(() => running?.stop()).then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`COIN failed to stop cleanly: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  try {
    await started;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`COIN failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  // Ctrl-D in an interactive terminal ends the session; piped input just runs the commands.
  if (running?.consoleDone && process.stdin.isTTY) void running.consoleDone.then(() => shutdown());
}

/** `cli migrate`: migrate DATABASE_URL and exit (0 done, 1 failed, 2 bad configuration). */
async function migrate(): Promise<void> {
  try {
    await migrateOnly(process.env);
    process.exit(0);
  } catch (err) {
    const config = err instanceof ConfigError;
    process.stderr.write(`${config ? 'Configuration error' : 'Migration failed'}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(config ? 2 : 1);
  }
}

void cli();
