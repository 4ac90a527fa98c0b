#!/usr/bin/env node
import { Command } from 'commander';
import { exportCommand } from './export-command.js';
import { importCommand } from './import-command.js';
import { migrateLegacyCommand } from './migrate-legacy-command.js';
import { serveCommand } from './serve-command.js';

const program = new Command('profile-registry')
  .description('Event-sourced registry of LLM chat runtime profiles')
  .showHelpAfterError(false)
  .configureOutput({ outputError: (message, write) => write(message) })
  .addCommand(serveCommand())
  .addCommand(migrateLegacyCommand())
  .addCommand(importCommand())
  .addCommand(exportCommand());

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`profile-registry: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
