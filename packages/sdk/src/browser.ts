export * from '@codex/browser';
