export { type ConnectionControl, createApp } from './app';
export {
  type ApiKey,
  apiKeyString,
  type DevServerOptions,
  type RateLimitOptions,
  type RetryAfterFormat,
  type Settings,
} from './options';
export { type RunningServer, type StartOptions, startServer } from './server';
export type { Admin, SettingsPatch } from './state';
export type { FaultAction, FaultInput, FaultMatch, FaultRule } from './state/faults';
export type { AuthOutcome, LoggedRequest } from './state/request-log';
