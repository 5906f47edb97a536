import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { AppError } from '../../shared/errors';
import { appVersion } from '../version';
import { endQuietlyWhenReaderCloses, parseOutputFormat } from './output';

// Each command's module loads when the command runs: `aigo --version`, `aigo status` and
// `aigo logs` need not evaluate the whole app (about 60 ms) as `aigo serve` does.
const commands = {
  api: () => import('./api'),
  doctor: () => import('./doctor'),
  logs: () => import('./logs'),
  serve: () => import('./serve'),
  service: () => import('./service'),
  status: () => import('./status'),
};

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100_000)
    throw new InvalidArgumentError('expected a whole number from 1 to 100000');
  return n;
}

export function buildProgram(): Command {
  const program = new Command('aigo')
    .description('Run AI agents in containers on your own machine.')
    .version(appVersion())
    .showHelpAfterError()
    // Throw instead of exiting, so runCli sets the exit code (2 for a usage error).
    .exitOverride();

  const connection = (cmd: Command) =>
    cmd
      .option(
        '--endpoint <url>',
        'API of the running app (default: found through DATA_DIR/mgmt-api.json)',
      )
      .option('--token <token>', 'API token (default: DATA_DIR/api-token)')
      .option('--data-dir <path>', 'data folder (default: AIGO_DATA_DIR or the OS app-data folder)')
      .addOption(
        new Option('-o, --output <format>', 'output format')
          .choices(['console', 'json', 'yaml'])
          .default('console'),
      );

  program
    .command('serve')
    .description('Run headless: all services, the local API and the web UI, with no window')
    .option('--port <port>', 'API port (default: AIGO_PORT or 55765; 0 picks a free port)')
    .option('--host <host>', 'address to listen on (default: 127.0.0.1)')
    .option('--data-dir <path>', 'data folder (default: AIGO_DATA_DIR or the OS app-data folder)')
    .option('--verbose', 'also print log lines to stderr')
    .action(async (opts: { port?: string; host?: string; dataDir?: string; verbose?: boolean }) =>
      (await commands.serve()).serve(opts),
    );

  connection(
    program
      .command('status')
      .description('Show the runtime and service summary of the running app'),
  ).action(async (opts: { endpoint?: string; token?: string; dataDir?: string; output: string }) =>
    (await commands.status()).status({ ...opts, output: parseOutputFormat(opts.output) }),
  );

  connection(
    program
      .command('doctor')
      .description('Check everything aigo can check, and print the fix for each problem')
      .option(
        '--bundle <file>',
        'instead, save the diagnostics bundle (logs, audit log, reports, settings; secrets removed) as a zip to <file>',
      ),
  ).action(
    async (opts: {
      endpoint?: string;
      token?: string;
      dataDir?: string;
      output: string;
      bundle?: string;
    }) => (await commands.doctor()).doctor({ ...opts, output: parseOutputFormat(opts.output) }),
  );

  connection(
    program
      .command('api')
      .description('Call any operation of the running app (aigo api --list shows them)')
      .argument('[operation]', 'operation name, e.g. image.status')
      .argument('[input]', 'input as JSON, e.g. \'{"hostPath": "/home/me/project"}\'')
      .option('--list', 'list the operations'),
  ).action(
    async (
      operation: string | undefined,
      input: string | undefined,
      opts: { list?: boolean; endpoint?: string; token?: string; dataDir?: string; output: string },
    ) => {
      const { callOperation, listOperations } = await commands.api();
      if (opts.list || !operation) {
        process.stdout.write(`${listOperations()}\n`);
        return;
      }
      return callOperation(operation, input, { ...opts, output: parseOutputFormat(opts.output) });
    },
  );

  program
    .command('logs')
    .description('Print the application log (newest last)')
    .option('--last <n>', 'how many entries', positiveInt, 100)
    .option('-f, --follow', 'keep printing new entries')
    .option('--json', 'print raw JSON lines')
    .option('--data-dir <path>', 'data folder (default: AIGO_DATA_DIR or the OS app-data folder)')
    .action(async (opts: { last: number; follow?: boolean; json?: boolean; dataDir?: string }) =>
      (await commands.logs()).logs({
        last: opts.last,
        follow: opts.follow ?? false,
        json: opts.json ?? false,
        ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
      }),
    );

  const service = program
    .command('service')
    .description(
      'Start `aigo serve` at login (systemd user unit on Linux, launchd agent on macOS)',
    );
  const serviceOptions = (cmd: Command) =>
    cmd
      .option('--data-dir <path>', 'data folder the service uses (default: the OS app-data folder)')
      .option('--port <port>', 'API port the service uses (default: 55765)')
      .option('--no-start', 'only write (or remove) the file; do not enable, start or stop it');
  serviceOptions(
    service
      .command('install')
      .description('Write the service file, enable it and start aigo serve'),
  ).action(async (opts: { dataDir?: string; port?: string; start: boolean }) =>
    (await commands.service()).serviceInstall(opts),
  );
  serviceOptions(
    service.command('uninstall').description('Stop aigo serve and remove the service file'),
  ).action(async (opts: { dataDir?: string; port?: string; start: boolean }) =>
    (await commands.service()).serviceUninstall(opts),
  );

  return program;
}

/** Exit codes: 1 failure, 2 bad input (arguments, JSON, fields), 3 aigo not running. */
function exitCodeOf(error: unknown): number {
  if (!(error instanceof AppError)) return 1;
  if (error.code === 'UNREACHABLE') return 3;
  if (error.code === 'INVALID_INPUT' || error.code === 'INVALID_JSON') return 2;
  return 1;
}

export async function runCli(argv: string[]): Promise<void> {
  endQuietlyWhenReaderCloses();
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed the message (and the help) already.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    // One line, whatever the error carries: it may be read by a script or end up in a log.
    process.stderr.write(`aigo: ${message.replace(/\s*\n\s*/g, ' ').trim()}\n`);
    process.exitCode = exitCodeOf(error);
  }
}
