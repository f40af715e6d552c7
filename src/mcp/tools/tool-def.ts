import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type * as z from 'zod';

/** What a tool returns: structured content and the same in words. */
export type ToolOutput = { structured: Record<string, unknown>; text: string };

/** A tool as the server registers it. */
export interface ToolDef<S extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: S;
  annotations: ToolAnnotations;
  run(args: z.output<S>): Promise<ToolOutput>;
}

/** Keeps a tool's argument types while listing tools of different inputs together. */
export const defineTool = <S extends z.ZodObject>(def: ToolDef<S>): ToolDef => def as unknown as ToolDef;

/** Annotations of a tool that only reads. */
export const readOnlyTool: ToolAnnotations = { readOnlyHint: true, destructiveHint: false, openWorldHint: true };

/** Annotations of a tool that changes something at a vendor (money or assignments). */
export const writeTool: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: true,
};
