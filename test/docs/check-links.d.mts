/** Types of check-links.mjs (plain JavaScript so test/package/consumers.mjs can run it without a build). */
export interface Shipped {
  has(path: string): boolean;
  markdown: string[];
}
export function shippedFromFilesField(root: string): Shipped;
export function headingSlugs(markdown: string): Set<string>;
export function linksOf(markdown: string): { line: number; target: string }[];
export function brokenLinks(root: string, shipped: Shipped): string[];
export const repositoryRoot: string;
