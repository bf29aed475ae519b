import { loadConfig } from '../../core/config/load';
import { configSources, parse } from '../args';

/** Prints the effective configuration (the OAuth client secret masked). */
export async function configCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { port: { type: 'string' }, host: { type: 'string' } });
  const config = loadConfig(configSources(values));
  const shown = { ...config, oauth: { ...config.oauth, clientSecret: config.oauth.clientSecret ? '(set)' : '' } };
  process.stdout.write(JSON.stringify(shown, null, 2) + '\n');
  return 0;
}
