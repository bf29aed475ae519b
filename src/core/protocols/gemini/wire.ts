/** The Gemini REST shapes this codec writes (the subset of `GenerateContentResponse` it produces). */

export interface GeminiPart {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  functionCall?: { id?: string; name: string; args: Record<string, unknown> };
  inlineData?: { mimeType: string; data: string };
  fileData?: { mimeType?: string; fileUri: string };
}

export interface GeminiCandidate {
  content: { role: 'model'; parts: GeminiPart[] };
  finishReason?: string;
  index: number;
  groundingMetadata?: Record<string, unknown>;
}

export interface GeminiUsageMetadata {
  /** Every prompt token, cached ones included (as Google counts them). */
  promptTokenCount: number;
  candidatesTokenCount: number;
  totalTokenCount: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
}

export interface GenerateContentResponse {
  candidates: GeminiCandidate[];
  usageMetadata?: GeminiUsageMetadata;
  modelVersion: string;
  responseId: string;
}

export interface GoogleErrorBody {
  error: { code: number; message: string; status: string; details?: unknown[] };
}
