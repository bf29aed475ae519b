import type { TextPart } from '../../../ir';
import { at, requireArray, requireObject, requireString, type JsonObject } from './read';

/**
 * OpenAI message content in both APIs: a string is one text part; otherwise an array of objects, each with a
 * string `type`, which `partOf` reads in its API's vocabulary (`partParam` names the part in error messages).
 */
export function contentParts<P>(content: unknown, param: string, partOf: (type: string, part: JsonObject, partParam: string) => P): Array<TextPart | P> {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return requireArray(content, param).map((raw, i) => {
    const partParam = at(param, i);
    const part = requireObject(raw, partParam);
    return partOf(requireString(part.type, at(partParam, 'type')), part, partParam);
  });
}
