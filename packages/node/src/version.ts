declare const __CODEX_SDK_VERSION__: string | undefined;

/** This package's version (set at build time; `0.0.0-dev` when running from source). */
export const VERSION: string = typeof __CODEX_SDK_VERSION__ === 'string' ? __CODEX_SDK_VERSION__ : '0.0.0-dev';
