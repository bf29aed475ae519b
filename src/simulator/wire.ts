/** The Cloud Code wire shapes (upstream-protocol §2), as the validators narrow them. */

export interface WirePart {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  inlineData?: { mimeType: string; data: string };
  fileData?: { mimeType?: string; fileUri: string };
  functionCall?: { name: string; args?: Record<string, unknown>; id?: string };
  functionResponse?: { name: string; response: Record<string, unknown>; id?: string };
  executableCode?: unknown;
  codeExecutionResult?: unknown;
}

export interface WireContent {
  role: 'user' | 'model';
  parts: WirePart[];
}

export interface WireSchema {
  type: string;
  description?: string;
  properties?: Record<string, WireSchema>;
  required?: string[];
  items?: WireSchema;
  enum?: string[];
  nullable?: boolean;
  format?: string;
  title?: string;
}

export interface WireFunctionDeclaration {
  name: string;
  description?: string;
  parameters?: WireSchema;
}

export interface WireTool {
  functionDeclarations?: WireFunctionDeclaration[];
  googleSearch?: Record<string, unknown>;
  googleSearchRetrieval?: Record<string, unknown>;
  codeExecution?: Record<string, unknown>;
  urlContext?: Record<string, unknown>;
}

export interface WireThinkingConfig {
  includeThoughts?: boolean;
  thinkingBudget?: number;
  thinkingLevel?: string;
}

export interface WireGenerationConfig {
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  candidateCount?: number;
  thinkingConfig?: WireThinkingConfig;
  [key: string]: unknown;
}

export interface GenerateRequest {
  contents: WireContent[];
  systemInstruction?: { role?: string; parts: WirePart[] };
  tools?: WireTool[];
  toolConfig?: { functionCallingConfig?: { mode?: string; allowedFunctionNames?: string[] } };
  generationConfig?: WireGenerationConfig;
  sessionId?: string;
  [key: string]: unknown;
}

export type RequestType = 'agent' | 'web_search' | 'image_gen';

export interface GenerateEnvelope {
  project: string;
  model: string;
  request: GenerateRequest;
  requestType: RequestType;
  requestId: string;
  userAgent: string;
}

export function declaredFunctionNames(request: GenerateRequest): Set<string> {
  const names = new Set<string>();
  for (const tool of request.tools ?? []) {
    for (const declaration of tool.functionDeclarations ?? []) names.add(declaration.name);
  }
  return names;
}

export function hasGoogleSearch(request: GenerateRequest): boolean {
  return (request.tools ?? []).some((tool) => tool.googleSearch !== undefined || tool.googleSearchRetrieval !== undefined);
}

/** The last user turn, which steers the scripted answer. */
export function lastUserContent(request: GenerateRequest): WireContent | undefined {
  for (let i = request.contents.length - 1; i >= 0; i -= 1) {
    if (request.contents[i].role === 'user') return request.contents[i];
  }
  return undefined;
}

export function visibleText(content: WireContent | undefined): string {
  if (!content) return '';
  return content.parts
    .filter((part) => typeof part.text === 'string' && !part.thought)
    .map((part) => part.text)
    .join('\n');
}
