import { Command, Option } from 'commander';
import { Document, type YAMLSeq } from 'yaml';
import { parseSlug } from '../domain/slug.js';
import { ROLES } from '../http/auth/roles.js';
import { createToken } from '../http/auth/tokens-file.js';

interface CreateFlags {
  name: string;
  role: string;
  registries?: string;
}

/** `token create`: a new random token, printed once, and the tokens-file entry that admits it. */
const createCommand = () =>
  new Command('create')
    .description('print a new bearer token once, and the entry to add to the tokens file')
    .requiredOption('--name <name>', 'who holds the token (the actor of its writes)')
    .addOption(new Option('--role <role>', 'what it may do').choices([...ROLES]).makeOptionMandatory())
    .option('--registries <slugs>', 'comma-separated registries it is limited to')
    .action((flags: CreateFlags) => {
      if (!/^[\w.@:-]{1,128}$/.test(flags.name)) throw new Error('--name must be 1 to 128 letters, digits or ._@:-');
      const registries = flags.registries?.split(',').map((raw) => {
        const slug = parseSlug(raw);
        if (slug === undefined) throw new Error(`--registries: invalid registry slug "${raw}"`);
        return slug;
      });
      const { token, sha256 } = createToken();
      const entry = { name: flags.name, role: flags.role, sha256, ...(registries ? { registries } : {}) };
      process.stdout.write(
        `token: ${token}\n` +
          '# the token is shown this once; the tokens file keeps only its SHA-256. Add this entry to it:\n' +
          entryLine(entry),
      );
    });

/** The tokens file entry as one YAML line, to paste under the others. */
const entryLine = (entry: object): string => {
  const document = new Document([entry]);
  (document.contents as YAMLSeq).items.forEach((item) => ((item as { flow?: boolean }).flow = true));
  return document.toString({ lineWidth: 0, flowCollectionPadding: false });
};

export const tokenCommand = (): Command =>
  new Command('token').description('bearer tokens for --auth-tokens-file').addCommand(createCommand());
