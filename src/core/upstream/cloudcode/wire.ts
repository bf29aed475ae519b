import type { GeminiSchema } from './schema';

/**
 * The Gemini `GenerateContentRequest` / `GenerateContentResponse` shapes the
 * Cloud Code envelope carries (upstream-protocol §2), as far as Agate writes or
 * reads them. Response fields are optional: the upstream streams partial
 * objects.
 */

export interface GeminiPart {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  inlineData?: { mimeType: string; data: string };
  functionCall?: { name: string; args?: Record<string, unknown>; id?: string };
  functionResponse?: { name: string; id?: string; response: Record<string, unknown> };
}

export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

export interface FunctionDeclaration {
  name: string;
  description?: string;
  parameters?: GeminiSchema;
}

export type GeminiTool = { functionDeclarations: FunctionDeclaration[] } | { googleSearch: Record<string, never> };

export type FunctionCallingMode = 'AUTO' | 'ANY' | 'NONE' | 'VALIDATED';

export interface ToolConfig {
  functionCallingConfig: { mode: FunctionCallingMode; allowedFunctionNames?: string[] };
}

export interface ThinkingConfig {
  includeThoughts?: boolean;
  thinkingBudget?: number;
}

export interface GenerationConfig {
  temperature?: number;
  topP?: number;
  topK?: number;
  seed?: number;
  stopSequences?: string[];
  maxOutputTokens?: number;
  thinkingConfig?: ThinkingConfig;
  responseMimeType?: string;
  responseSchema?: GeminiSchema;
  imageConfig?: { aspectRatio?: string; imageSize?: string };
  [extra: string]: unknown;
}

export interface GenerateContentRequest {
  contents: GeminiContent[];
  systemInstruction?: { role: 'user'; parts: GeminiPart[] };
  tools?: GeminiTool[];
  toolConfig?: ToolConfig;
  generationConfig?: GenerationConfig;
  sessionId?: string;
  [extra: string]: unknown;
}

export type RequestType = 'agent' | 'web_search' | 'image_gen';

export interface UsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  totalTokenCount?: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
}

export interface GeminiCandidate {
  content?: { role?: string; parts?: GeminiPart[] };
  finishReason?: string;
  groundingMetadata?: Record<string, unknown>;
}

export interface GenerateContentResponse {
  candidates?: GeminiCandidate[];
  usageMetadata?: UsageMetadata;
  promptFeedback?: { blockReason?: string };
  modelVersion?: string;
  responseId?: string;
}
