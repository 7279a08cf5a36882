export * from '@codex/node';
