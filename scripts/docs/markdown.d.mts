/** Types of scripts/docs/markdown.mjs, for the TypeScript tests. */
export declare function proseLines(text: string): Array<{ line: string; number: number }>;
export declare function slug(heading: string): string;
export declare function headings(text: string): Array<{ level: number; text: string; anchor: string }>;
