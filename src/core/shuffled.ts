/**
 * A shuffled copy of `items` (Fisher–Yates), drawn from `random` so tests can fix the order: the model
 * router's `random` groups and the providers' order both shuffle with it.
 */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
