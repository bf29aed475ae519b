import fs from 'node:fs';
import path from 'node:path';
import type { ClaudeCodeModels } from './settings';

/**
 * The environment that points Claude Code at the gateway. Pure (no `vscode`): the terminal, the terminal profile
 * and the all-terminals injection share it.
 */
export function claudeCodeEnvironment(baseUrl: string, key: string, models: ClaudeCodeModels): Record<string, string> {
  const env: Record<string, string> = {
    ANTHROPIC_BASE_URL: baseUrl,
    // The gateway checks it when auth is on; with auth off it is ignored, yet Claude Code still needs some
    // credential, or it starts by asking the user to log in to Anthropic.
    ANTHROPIC_AUTH_TOKEN: key,
  };
  const byVariable: Array<[string, string]> = [
    ['ANTHROPIC_MODEL', models.model],
    ['ANTHROPIC_DEFAULT_OPUS_MODEL', models.opusModel],
    ['ANTHROPIC_DEFAULT_SONNET_MODEL', models.sonnetModel],
    ['ANTHROPIC_DEFAULT_HAIKU_MODEL', models.haikuModel],
    ['CLAUDE_CODE_SUBAGENT_MODEL', models.subagentModel],
  ];
  for (const [name, value] of byVariable) if (value) env[name] = value;
  return env;
}

/** The variables claudeCodeEnvironment may set, so that an injection can drop the ones no longer set. */
export const CLAUDE_CODE_VARIABLES = [
  'ANTHROPIC_BASE_URL',
  'ANTHROPIC_AUTH_TOKEN',
  'ANTHROPIC_MODEL',
  'ANTHROPIC_DEFAULT_OPUS_MODEL',
  'ANTHROPIC_DEFAULT_SONNET_MODEL',
  'ANTHROPIC_DEFAULT_HAIKU_MODEL',
  'CLAUDE_CODE_SUBAGENT_MODEL',
] as const;

/** The absolute path of `command` on PATH (with PATHEXT on Windows), if it is there. */
export function findOnPath(command: string, env: NodeJS.ProcessEnv = process.env, platform = process.platform): string | undefined {
  const dirs = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter(Boolean);
  const extensions = platform === 'win32' ? (env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';') : [''];
  for (const dir of dirs) {
    for (const extension of extensions) {
      const candidate = path.join(dir, command + extension);
      try {
        fs.accessSync(candidate, platform === 'win32' ? fs.constants.F_OK : fs.constants.X_OK);
        if (fs.statSync(candidate).isFile()) return candidate;
      } catch {
        // Not in this folder.
      }
    }
  }
  return undefined;
}
