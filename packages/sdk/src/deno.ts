export * from '@codex/deno';
