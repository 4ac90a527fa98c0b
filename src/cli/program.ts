import { Command } from 'commander';
import { exitQuietlyOnClosedPipe } from './closed-pipe.js';
import { packageVersion } from './package-version.js';
import { applySecretKeyFlags } from './secret-options.js';
import { redactText } from '../domain/secrets.js';

/**
 * Each command's modules, loaded only when it runs: a command imports what it needs (the server
 * its HTTP stack, the others their projections), and loading all of them cost the start of every
 * one, `serve` included. Help and an unknown command load every command, as before.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve-command.js')).serveCommand(),
  'migrate-legacy': async () => (await import('./migrate-legacy-command.js')).migrateLegacyCommand(),
  'migrate-pinocchio': async () => (await import('./migrate-pinocchio-command.js')).migratePinocchioCommand(),
  import: async () => (await import('./import-command.js')).importCommand(),
  export: async () => (await import('./export-command.js')).exportCommand(),
  history: async () => (await import('./history-command.js')).historyCommand(),
  restore: async () => (await import('./restore-command.js')).restoreCommand(),
  backup: async () => (await import('./backup-command.js')).backupCommand(),
  'restore-backup': async () => (await import('./restore-backup-command.js')).restoreBackupCommand(),
  verify: async () => (await import('./verify-command.js')).verifyCommand(),
  rebuild: async () => (await import('./rebuild-command.js')).rebuildCommand(),
  token: async () => (await import('./token-command.js')).tokenCommand(),
  checkpoint: async () => (await import('./checkpoint-command.js')).checkpointCommand(),
};

/** The command the arguments run (`help NAME` shows that one's help), none for the version, or every command. */
const commandsToLoad = (args: string[]): string[] => {
  const [first, second] = args;
  if (args.length === 1 && (first === '-V' || first === '--version')) return [];
  const named = first === 'help' ? second : first;
  return named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
};

const main = async () => {
  exitQuietlyOnClosedPipe();
  const program = new Command('profile-registry')
    .description('Event-sourced registry of LLM chat runtime profiles')
    .version(packageVersion(), '-V, --version', 'print the package version')
    .showHelpAfterError(false)
    .configureOutput({ outputError: (message, write) => write(message) })
    // the operator's secret key names reach the one detector before any command prints or serves
    .hook('preAction', (_program, command) => applySecretKeyFlags(command.opts()));
  for (const command of await Promise.all(commandsToLoad(process.argv.slice(2)).map((name) => COMMANDS[name]!()))) {
    program.addCommand(command);
  }
  await program.parseAsync(process.argv);
};

/** Runs the command line on `process.argv` (the bin, src/cli/main.ts, loads this module one way or another). */
export const runProgram = (): Promise<void> =>
  main().catch((error: unknown) => {
    process.stderr.write(`profile-registry: ${redactText(error instanceof Error ? error.message : String(error))}\n`);
    process.exit(1);
  });
