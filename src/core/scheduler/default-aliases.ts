/**
 * Model ids clients invent or remember, mapped onto the live Antigravity
 * models (upstream-protocol §5). `*` matches any run of characters; among matching
 * patterns the one with the most literal characters wins, and `models.aliases`
 * from the config always wins over these. A live model id is never aliased
 * by a default.
 */
export const DEFAULT_MODEL_ALIASES: Readonly<Record<string, string>> = {
  // Claude: dated, older and newer names (claude-sonnet-4-5-20250929, claude-3-7-sonnet-latest, Claude Code's
  // default claude-opus-4-8 …), by tier so that the next release's id lands on the same tier.
  'claude-*opus*': 'claude-opus-4-6-thinking',
  'claude-*sonnet*': 'claude-sonnet-4-6',
  // Haiku is the small fast tier Claude Code uses for background work: a flash model.
  'claude-*haiku*': 'gemini-3-flash',

  // Gemini: previews, `-latest` names, newer versions (gemini-cli's router asks gemini-3.5-flash-lite, then a
  // pro or flash id) and ids gemini-cli rewrites (`gemini-3-flash` → `gemini-3.8-flash`), by tier.
  'gemini-*-flash*': 'gemini-3-flash',
  'gemini-*-flash-lite*': 'gemini-3.1-flash-lite',
  'gemini-*-flash-image*': 'gemini-3.1-flash-image',
  'gemini-*-pro*': 'gemini-3.1-pro-high',
  'gemini-*-pro-low*': 'gemini-3.1-pro-low',
  'gemini-*-pro-image*': 'gemini-3-pro-image',
  'gemini-2.5-flash*': 'gemini-2.5-flash',
  'gemini-2.5-flash-lite*': 'gemini-3.1-flash-lite',
  'gemini-2.5-pro*': 'gemini-2.5-pro',
  'gemini-flash-latest': 'gemini-3-flash',
  'gemini-flash-lite-latest': 'gemini-3.1-flash-lite',
  'gemini-pro-latest': 'gemini-3.1-pro-high',

  // OpenAI: Codex (its default gpt-6.1-sol and whatever gpt-* comes next) and OpenAI SDK defaults.
  'gpt-oss*': 'gpt-oss-120b-medium',
  'gpt-*': 'gemini-3.1-pro-high',
  'gpt-3.5*': 'gemini-3-flash',
  'gpt-*mini*': 'gemini-3-flash',
  'gpt-*nano*': 'gemini-3.1-flash-lite',
  'o1*': 'gemini-3.1-pro-high',
  'o3*': 'gemini-3.1-pro-high',
  'o3-mini*': 'gemini-3-flash',
  'o4-mini*': 'gemini-3-flash',
};
