#!/usr/bin/env node
import { Command } from 'commander';
import { backupCommand } from './backup-command.js';
import { checkpointCommand } from './checkpoint-command.js';
import { exitQuietlyOnClosedPipe } from './closed-pipe.js';
import { exportCommand } from './export-command.js';
import { historyCommand } from './history-command.js';
import { importCommand } from './import-command.js';
import { migrateLegacyCommand } from './migrate-legacy-command.js';
import { migratePinocchioCommand } from './migrate-pinocchio-command.js';
import { packageVersion } from './package-version.js';
import { rebuildCommand } from './rebuild-command.js';
import { restoreCommand } from './restore-command.js';
import { restoreBackupCommand } from './restore-backup-command.js';
import { serveCommand } from './serve-command.js';
import { applySecretKeyFlags } from './secret-options.js';
import { redactText } from '../domain/secrets.js';
import { tokenCommand } from './token-command.js';
import { verifyCommand } from './verify-command.js';

exitQuietlyOnClosedPipe();

const program = new Command('profile-registry')
  .description('Event-sourced registry of LLM chat runtime profiles')
  .version(packageVersion(), '-V, --version', 'print the package version')
  .showHelpAfterError(false)
  .configureOutput({ outputError: (message, write) => write(message) })
  // the operator's secret key names reach the one detector before any command prints or serves
  .hook('preAction', (_program, command) => applySecretKeyFlags(command.opts()))
  .addCommand(serveCommand())
  .addCommand(migrateLegacyCommand())
  .addCommand(migratePinocchioCommand())
  .addCommand(importCommand())
  .addCommand(exportCommand())
  .addCommand(historyCommand())
  .addCommand(restoreCommand())
  .addCommand(backupCommand())
  .addCommand(restoreBackupCommand())
  .addCommand(verifyCommand())
  .addCommand(rebuildCommand())
  .addCommand(tokenCommand())
  .addCommand(checkpointCommand());

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`profile-registry: ${redactText(error instanceof Error ? error.message : String(error))}\n`);
  process.exit(1);
});
