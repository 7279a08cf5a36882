/** This package's version; `pnpm version-packages` keeps it equal to package.json, deno.json and jsr.json. */
export const VERSION: string = '0.0.0';
