// The Codex API's generated types and operation table: @codex/core's copy (one generated copy, from
// openapi/codex.yaml), compiled into this package's build. A relative import, not a dependency:
// @codex/core's tests start this server, and packages must not depend on each other both ways.

export { operations } from '../../core/src/generated/codex/operation-table.gen';
export * from '../../core/src/generated/types.gen';
